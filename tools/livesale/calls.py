"""Calls to the services as a platform backend makes them: generated stubs, an API key in the
metadata, a deadline on every call, and the google.rpc.Status reason read from every refusal."""

from __future__ import annotations

import asyncio
import random
import time
from collections import deque
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any, Final, TypeVar

import grpc
from google.rpc import error_details_pb2
from grpc_status import rpc_status

R = TypeVar("R")

_DEADLINE_SECONDS: Final = 5.0
# Worth another try: the call may not have reached the service, its answer got lost, or it met a
# concurrent call with the same request_id (ABORTED REQUEST_RACED: "retry the same request").
# Every mutation carries a request_id, so a retry returns the original result and changes nothing.
TRANSIENT: Final = frozenset(
    (grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.DEADLINE_EXCEEDED, grpc.StatusCode.ABORTED)
)
# The pause before each retry (seconds, before jitter): a service that is struggling is given time
# rather than hammered. Their number plus one is the number of attempts.
RETRY_DELAYS: Final = (0.05, 0.2, 0.5)


class Refused(Exception):
    """A service answered with an error status; `reason` is its ErrorInfo reason when it sent one."""

    def __init__(self, code: grpc.StatusCode, reason: str, metadata: dict[str, str]) -> None:
        super().__init__(f"{code.name} {reason}")
        self.code = code
        self.reason = reason or code.name
        self.metadata = metadata


def refusal_of(error: grpc.aio.AioRpcError) -> Refused:
    """The reason and metadata of a failed call, from its google.rpc.Status details."""
    status = rpc_status.from_call(error)
    if status is not None:
        for detail in status.details:
            if detail.Is(error_details_pb2.ErrorInfo.DESCRIPTOR):
                info = error_details_pb2.ErrorInfo()
                detail.Unpack(info)
                return Refused(error.code(), info.reason, dict(info.metadata))
    return Refused(error.code(), "", {})


class RequestRate:
    """Requests per second over the last second, for the console."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._times: deque[float] = deque()
        self.total = 0
        self.peak = 0  # the highest per_second() seen

    def record(self) -> None:
        self.total += 1
        self._times.append(self._clock())
        self.per_second()  # keeps the window short and the peak exact

    def per_second(self) -> int:
        horizon = self._clock() - 1.0
        while self._times and self._times[0] < horizon:
            self._times.popleft()
        self.peak = max(self.peak, len(self._times))
        return len(self._times)


@dataclass(frozen=True)
class Caller:
    """Calls one stub method with a given API key; every call is counted in `rate`. A transient
    failure is retried with the same request after a growing, jittered pause."""

    api_key: str
    rate: RequestRate
    retry_delays: Sequence[float] = RETRY_DELAYS

    @property
    def metadata(self) -> tuple[tuple[str, str], ...]:
        return (("x-api-key", self.api_key),)

    async def __call__(self, method: Callable[..., Awaitable[R]], request: Any) -> R:
        for delay in (*self.retry_delays, None):
            self.rate.record()
            try:
                return await method(request, metadata=self.metadata, timeout=_DEADLINE_SECONDS)
            except grpc.aio.AioRpcError as error:
                if error.code() not in TRANSIENT or delay is None:
                    raise refusal_of(error) from error
            await asyncio.sleep(delay * random.uniform(0.5, 1.0))  # jitter
        raise AssertionError("unreachable: the last attempt returns or raises")
