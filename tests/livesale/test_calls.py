"""The caller a simulated platform backend uses: the key on every call, the reason read from a
refusal, and a retry of lost calls that is safe because every mutation carries a request_id."""

from __future__ import annotations

import time
from typing import Any

import grpc
import pytest

from tools.livesale.calls import RETRY_DELAYS, Caller, Refused, RequestRate


class Flaky:
    """A stub method that fails with the given codes first, then answers."""

    def __init__(self, *codes: grpc.StatusCode) -> None:
        self._codes = list(codes)
        self.calls: list[Any] = []
        self.times: list[float] = []

    async def __call__(self, request: Any, *, metadata: Any, timeout: float) -> str:
        self.calls.append((request, metadata))
        self.times.append(time.monotonic())
        if self._codes:
            code = self._codes.pop(0)
            raise grpc.aio.AioRpcError(code, grpc.aio.Metadata(), grpc.aio.Metadata(), "no")
        return "answer"


async def test_a_lost_call_is_sent_again_with_the_same_request() -> None:
    method = Flaky(grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.DEADLINE_EXCEEDED)
    rate = RequestRate()
    assert await Caller("key", rate)(method, "request-1") == "answer"
    assert [request for request, _ in method.calls] == ["request-1"] * 3
    assert all(metadata == (("x-api-key", "key"),) for _, metadata in method.calls)
    assert rate.total == 3


async def test_a_refusal_is_not_retried_and_carries_its_code() -> None:
    method = Flaky(grpc.StatusCode.FAILED_PRECONDITION)
    with pytest.raises(Refused) as raised:
        await Caller("key", RequestRate())(method, "request-1")
    assert raised.value.code == grpc.StatusCode.FAILED_PRECONDITION
    assert raised.value.reason == "FAILED_PRECONDITION"  # no ErrorInfo: the code stands in
    assert len(method.calls) == 1


async def test_a_service_that_stays_away_is_refused_after_its_attempts() -> None:
    method = Flaky(*[grpc.StatusCode.UNAVAILABLE] * 9)
    with pytest.raises(Refused) as raised:
        await Caller("key", RequestRate(), retry_delays=(0.001, 0.001))(method, "request-1")
    assert raised.value.code == grpc.StatusCode.UNAVAILABLE
    assert len(method.calls) == 3


async def test_a_raced_request_is_sent_again_as_the_contract_says() -> None:
    method = Flaky(grpc.StatusCode.ABORTED, grpc.StatusCode.ABORTED)
    assert await Caller("key", RequestRate())(method, "request-1") == "answer"
    assert [request for request, _ in method.calls] == ["request-1"] * 3


async def test_retries_pause_longer_each_time() -> None:
    delays = (0.05, 0.2)
    method = Flaky(grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.ABORTED)
    assert await Caller("key", RequestRate(), retry_delays=delays)(method, "request-1") == "answer"
    gaps = [later - earlier for earlier, later in zip(method.times, method.times[1:], strict=False)]
    # Each pause is its delay with jitter of up to half of it off.
    assert [gap >= delay / 2 for gap, delay in zip(gaps, delays, strict=True)] == [True, True]
    assert len(RETRY_DELAYS) >= 2 and list(RETRY_DELAYS) == sorted(RETRY_DELAYS)


def test_requests_per_second_count_the_last_second_only() -> None:
    now = [100.0]
    rate = RequestRate(clock=lambda: now[0])
    for _ in range(5):
        rate.record()
    now[0] = 100.5
    rate.record()
    assert rate.per_second() == 6
    now[0] = 101.2
    assert rate.per_second() == 1
    assert rate.total == 6
    assert rate.peak == 6
