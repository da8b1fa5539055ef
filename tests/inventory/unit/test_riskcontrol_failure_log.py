"""An overloaded riskcontrol fails many Assess calls: one log line now and then, with counts."""

from __future__ import annotations

import logging

import grpc
import pytest

from services.inventory.adapters.riskcontrol_client import LOG_EVERY_SECONDS, FailureLog


def test_failures_are_logged_once_then_summarised_with_their_counts(
    caplog: pytest.LogCaptureFixture,
) -> None:
    clock = [100.0]
    failures = FailureLog(lambda: clock[0])
    with caplog.at_level(logging.WARNING):
        failures.failed(grpc.StatusCode.UNAVAILABLE, "signal store slow")
        for _ in range(5):
            failures.failed(grpc.StatusCode.UNAVAILABLE, "signal store slow")
        failures.failed(grpc.StatusCode.RESOURCE_EXHAUSTED, "busy")
        assert len(caplog.records) == 1
        clock[0] += LOG_EVERY_SECONDS
        failures.failed(grpc.StatusCode.UNAVAILABLE, "signal store slow")
    assert len(caplog.records) == 2
    summary = caplog.records[1].getMessage()
    assert "UNAVAILABLE x6" in summary and "RESOURCE_EXHAUSTED x1" in summary
