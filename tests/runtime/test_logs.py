"""The runtime's logs: an answer the caller no longer waits for is not an ERROR (gRPC logs it as
one, with a traceback, whenever a handler finishes just after the caller's deadline: seen in the
inventory benchmark, where riskcontrol's callers wait 20 ms)."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest

from services.runtime import logs

# What gRPC's aio server logs (grpc/_cython/_cygrpc/aio/server.pyx.pxi, _handle_exceptions).
UNDELIVERED = (
    "ExecuteBatchError raised in core by servicer method "
    "[/streamstock.riskcontrol.v1.RiskControlService/Assess]"
)


@pytest.fixture
def configured_logs(caplog: pytest.LogCaptureFixture) -> Iterator[pytest.LogCaptureFixture]:
    """The services' log configuration, with pytest's capture kept on the root logger."""
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    core = logging.getLogger(logs.GRPC_CORE_LOGGER)
    filters = list(core.filters)
    logs.configure("test", "INFO")
    root.addHandler(caplog.handler)
    try:
        yield caplog
    finally:
        root.handlers[:] = handlers
        root.setLevel(level)
        core.filters[:] = filters


def log_from_grpc(message: str) -> None:
    try:
        raise RuntimeError("Failed execute_batch")
    except RuntimeError:
        logging.getLogger(logs.GRPC_CORE_LOGGER).exception(message)


def test_an_answer_the_caller_no_longer_waited_for_is_not_an_error(
    configured_logs: pytest.LogCaptureFixture,
) -> None:
    log_from_grpc(UNDELIVERED)
    assert [r for r in configured_logs.records if r.levelno >= logging.INFO] == []


def test_at_debug_it_is_one_plain_line(configured_logs: pytest.LogCaptureFixture) -> None:
    logging.getLogger().setLevel(logging.DEBUG)
    log_from_grpc(UNDELIVERED)
    (record,) = [r for r in configured_logs.records if r.name == logs.GRPC_CORE_LOGGER]
    assert record.levelno == logging.DEBUG and record.exc_info is None
    assert record.getMessage() == "answer not delivered: the caller had already gone"


def test_other_grpc_errors_stay_errors(configured_logs: pytest.LogCaptureFixture) -> None:
    log_from_grpc("Unexpected [RuntimeError] raised by servicer method [/x.v1.S/M]")
    (record,) = configured_logs.records
    assert record.levelno == logging.ERROR and record.exc_info is not None


def test_configuring_twice_installs_one_filter(configured_logs: pytest.LogCaptureFixture) -> None:
    logs.configure("test", "INFO")
    core = logging.getLogger(logs.GRPC_CORE_LOGGER)
    assert sum(isinstance(f, logs.UndeliveredAnswers) for f in core.filters) == 1
