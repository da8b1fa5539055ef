"""Failures that come by the thousand are logged once and then now and then with their counts;
a store that did not answer is told from a fault of the request."""

from __future__ import annotations

import logging

import asyncpg
import pytest
import redis.exceptions

from services.runtime.failures import FailureLog
from services.runtime.storage import unavailable


def test_the_first_failure_is_logged_then_a_count_per_period(
    caplog: pytest.LogCaptureFixture,
) -> None:
    clock = [100.0]
    failures = FailureLog(logging.getLogger("test.failures"), "storage", 10.0, lambda: clock[0])
    with caplog.at_level(logging.WARNING, logger="test.failures"):
        failures.failed("TimeoutError", "first")
        for _ in range(5):
            clock[0] += 1
            failures.failed("TimeoutError", "again")
        failures.failed("ConnectionRefusedError", "refused")
        clock[0] += 5  # ten seconds after the first line
        failures.failed("TimeoutError", "later")
    lines = [record.getMessage() for record in caplog.records]
    assert lines == [
        "storage failed (TimeoutError x1), last: TimeoutError first",
        "storage failed (ConnectionRefusedError x1, TimeoutError x6), last: TimeoutError later",
    ]


@pytest.mark.parametrize(
    "error",
    [
        TimeoutError(),
        ConnectionRefusedError(),
        ConnectionResetError(),
        asyncpg.CannotConnectNowError("starting up"),
        asyncpg.TooManyConnectionsError("too many"),
        asyncpg.QueryCanceledError("statement timeout"),
        redis.exceptions.ConnectionError("down"),
        redis.exceptions.TimeoutError("slow"),
    ],
)
def test_a_store_that_did_not_answer_is_unavailable(error: BaseException) -> None:
    assert unavailable(error)


@pytest.mark.parametrize(
    "error",
    [
        ValueError("bad"),
        FileNotFoundError("no such file"),
        asyncpg.UniqueViolationError("duplicate"),
        asyncpg.InterfaceError("another operation is in progress"),
        redis.exceptions.ResponseError("WRONGTYPE"),
    ],
)
def test_other_errors_are_not_unavailability(error: BaseException) -> None:
    assert not unavailable(error)
