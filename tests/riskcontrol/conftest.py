"""riskcontrol hosted in-process against the session's PostgreSQL and Redis, with a rules file of
the test's own (hot reload is watched every 50 ms)."""

from __future__ import annotations

import hashlib
import shutil
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
from streamstock.riskcontrol.v1 import riskcontrol_service_pb2_grpc as pb_grpc

from services.riskcontrol.settings import DEFAULT_RULES_FILE
from tests.conftest import API_KEYS, forget_riskcontrol_cursor
from tests.riskcontrol.fake_inventory import FakeInventoryEvents
from tests.riskcontrol.helpers import Risk, new_tenant

StartRisk = Callable[..., Awaitable[Risk]]


@pytest.fixture
def rules_file(tmp_path: Path) -> Path:
    path = tmp_path / "rules.yaml"
    shutil.copy(DEFAULT_RULES_FILE, path)
    return path


@pytest.fixture
def wide_budget(monkeypatch: pytest.MonkeyPatch) -> None:
    """For tests that judge decisions, not time: riskcontrol gives Redis 2 s, not 100 ms (a
    loaded machine's stall made such tests fail with SIGNAL_STORE_UNAVAILABLE)."""
    monkeypatch.setenv("STREAMSTOCK_RISKCONTROL_ASSESS_BUDGET_MS", "2000")


@pytest.fixture
def start_risk(start_service: Any, rules_file: Path, monkeypatch: pytest.MonkeyPatch) -> StartRisk:
    async def start(**overrides: Any) -> Risk:
        monkeypatch.setenv("STREAMSTOCK_RISKCONTROL_RULES_FILE", str(rules_file))
        monkeypatch.setenv("STREAMSTOCK_RISKCONTROL_RULES_POLL_SECONDS", "0.05")
        tenant = new_tenant()
        admin_key = f"admin-of-{tenant}"
        digest = hashlib.sha256(admin_key.encode()).hexdigest()
        api_keys = f"{API_KEYS.spec()},{digest}:{tenant}:admin"
        service = await start_service("riskcontrol", **{"api_keys": api_keys, **overrides})
        return Risk(
            pb_grpc.RiskControlServiceStub(service.channel), tenant, admin_key, service.host
        )

    return start


@pytest.fixture
async def risk(start_risk: StartRisk) -> Risk:
    return await start_risk()


@pytest.fixture(scope="session")
async def inventory(postgres_dsn: str) -> AsyncIterator[FakeInventoryEvents]:
    """One event log for the session, like inventory's: riskcontrol's cursor is global too.
    The log starts at sequence 0, so a cursor left by tests that ran the real inventory in this
    session's database would skip it: the cursor starts over with this log."""
    await forget_riskcontrol_cursor(postgres_dsn)
    fake = FakeInventoryEvents()
    await fake.server.start()
    yield fake
    await fake.server.stop(0)
