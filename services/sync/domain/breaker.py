"""When sync pushes again to a platform whose pushes failed: after a cooldown that doubles with
every failed push in a row, up to a cap. Until then its pushes wait without a network call, so a
platform that is down (or swallows requests until their deadline) costs one failed push per
cooldown instead of one per SKU; the first push after the cooldown is the probe. Computed from the
platform's stored health, so every replica, and a restarted one, agrees. A pass claims the probe in
the stored health before sending it; the claim starts the cooldown again for everyone else, so of
the passes that find a cooldown over at once exactly one probes, and the others wait for its
outcome (a probe that fails starts a longer cooldown, one that succeeds ends them)."""

from __future__ import annotations

from dataclasses import dataclass

_MAX_DOUBLINGS = 60  # beyond any cap; keeps 2**n a float


@dataclass(frozen=True)
class Cooldown:
    """base_seconds after the first failure, doubling per failure in a row, never above
    cap_seconds; a base of 0 turns the breaker off (every pass pushes)."""

    base_seconds: float = 5.0
    cap_seconds: float = 60.0

    def seconds(self, failures: int) -> float:
        """How long a platform with `failures` failed pushes in a row cools down."""
        if failures <= 0 or self.base_seconds <= 0:
            return 0.0
        doublings = min(failures - 1, _MAX_DOUBLINGS)
        return min(self.cap_seconds, self.base_seconds * 2.0**doublings)

    def retry_time(
        self,
        reachable: bool,
        failures: int,
        last_failure_time: float | None,
        probe_time: float | None = None,
    ) -> float | None:
        """The moment the platform's next push may go out (the probe): a cooldown after its last
        failure or its last probe claim, whichever is later; None when it does not cool down at
        all (reachable, or no failure on record)."""
        wait = self.seconds(failures)
        if reachable or last_failure_time is None or wait <= 0:
            return None
        return max(last_failure_time, probe_time or last_failure_time) + wait
