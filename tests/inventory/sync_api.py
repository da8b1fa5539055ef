"""A blocking InventoryService client for the hypothesis tests.

Hypothesis drives its examples synchronously, so those tests run it in a worker thread
(`asyncio.to_thread`) while the session's event loop keeps serving the in-process service; the
worker talks to it over a plain (blocking) gRPC channel on loopback.
"""

from __future__ import annotations

import asyncio
import threading
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import grpc
import pytest
from google.rpc import error_details_pb2
from grpc_status import rpc_status
from streamstock.inventory.v1 import inventory_service_pb2_grpc

from services.inventory import bootstrap as inventory_bootstrap
from tests.conftest import API_KEYS, StartService
from tools.devstack.ports import LOOPBACK

CALL_TIMEOUT_SECONDS = 10


@dataclass(frozen=True)
class Refusal:
    """A failed call as the contract describes it: status code, ErrorInfo and BadRequest."""

    code: grpc.StatusCode
    reason: str | None
    metadata: dict[str, str] = field(default_factory=dict)
    fields: tuple[str, ...] = ()


def refusal_of(error: grpc.RpcError) -> Refusal:
    code = error.code()  # type: ignore[attr-defined]
    status = rpc_status.from_call(error)  # type: ignore[arg-type]
    reason, metadata, fields = None, {}, ()
    for detail in status.details if status is not None else ():
        info, bad = error_details_pb2.ErrorInfo(), error_details_pb2.BadRequest()
        if detail.Unpack(info):
            reason, metadata = info.reason, dict(info.metadata)
        elif detail.Unpack(bad):
            fields = tuple(violation.field for violation in bad.field_violations)
    return Refusal(code, reason, metadata, fields)


class SyncInventory:
    """InventoryService through a blocking channel, as one key calls it."""

    def __init__(self, port: int, key: str = API_KEYS.service) -> None:
        self._channel = grpc.insecure_channel(f"{LOOPBACK}:{port}")
        self._stub = inventory_service_pb2_grpc.InventoryServiceStub(self._channel)
        self._metadata = (("x-api-key", key),)

    def call(self, method: str, request: Any) -> Any:
        """The response, or grpc.RpcError."""
        return getattr(self._stub, method)(
            request, metadata=self._metadata, timeout=CALL_TIMEOUT_SECONDS
        )

    def attempt(self, method: str, request: Any) -> Any:
        """The response, or the Refusal the service answered with."""
        try:
            return self.call(method, request)
        except grpc.RpcError as error:
            return refusal_of(error)

    def first_watch_batch(self, request: Any, timeout: float = CALL_TIMEOUT_SECONDS) -> Any:
        """The first batch of WatchEvents (it always comes: events or a heartbeat with the head)."""
        stream = self._stub.WatchEvents(request, metadata=self._metadata, timeout=timeout)
        try:
            return next(stream)
        finally:
            stream.cancel()

    def close(self) -> None:
        self._channel.close()


def fresh_id(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:12]}"


class ManualClock:
    """The service's clock, moved only by the test: TTLs pass in an instant and exactly."""

    def __init__(self) -> None:
        self._now = datetime.now(UTC).replace(microsecond=0)
        self._lock = threading.Lock()

    def now(self) -> datetime:
        with self._lock:
            return self._now

    def advance(self, span: timedelta) -> datetime:
        with self._lock:
            self._now += span
            return self._now


@pytest.fixture
def manual_clock(monkeypatch: pytest.MonkeyPatch) -> ManualClock:
    """Services started after this fixture (list it first) run on a ManualClock."""
    clock = ManualClock()
    monkeypatch.setattr(inventory_bootstrap, "SystemClock", lambda: clock)
    return clock


async def _no_sweeper(*_: object) -> None:
    await asyncio.Event().wait()


@pytest.fixture
async def inventory_port(start_service: StartService, monkeypatch: pytest.MonkeyPatch) -> int:
    """inventory in-process without its background sweeper: the tests decide when due holds are
    swept (SweepExpired), so what the service has swept is known at every step."""
    monkeypatch.setattr(inventory_bootstrap, "run_sweeper", _no_sweeper)
    service = await start_service("inventory")
    return service.host.port


@pytest.fixture
async def sync_inventory(inventory_port: int) -> AsyncIterator[SyncInventory]:
    client = SyncInventory(inventory_port)
    yield client
    client.close()
