"""A log of failures that can come by the thousand (a dependency down under flash-sale load): the
first is logged at once, then one line now and then with the count of each kind since."""

from __future__ import annotations

import logging
import time
from collections import Counter
from collections.abc import Callable

LOG_EVERY_SECONDS = 10.0


class FailureLog:
    def __init__(
        self,
        log: logging.Logger,
        what: str,
        every: float = LOG_EVERY_SECONDS,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._log = log
        self._what = what
        self._every = every
        self._monotonic = monotonic
        self._counts: Counter[str] = Counter()
        self._next_at = 0.0

    def failed(self, kind: str, details: str | None) -> None:
        self._counts[kind] += 1
        now = self._monotonic()
        if now < self._next_at:
            return
        counts = ", ".join(f"{name} x{n}" for name, n in sorted(self._counts.items()))
        self._log.warning("%s failed (%s), last: %s %s", self._what, counts, kind, details)
        self._counts.clear()
        self._next_at = now + self._every
