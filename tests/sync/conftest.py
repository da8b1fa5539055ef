"""sync started in-process beside the real inventory, simulated platforms, and typed callers."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import timedelta
from typing import Any

import asyncpg
import pytest
from aiohttp import web
from google.protobuf import duration_pb2
from streamstock.inventory.v1 import inventory_service_pb2 as inventory_api
from streamstock.inventory.v1 import inventory_service_pb2_grpc, stock_pb2
from streamstock.sync.v1 import (
    allocation_pb2,
    platforms_pb2,
    sync_service_pb2,
    sync_service_pb2_grpc,
)

from services.runtime.auth import digest
from services.sync import bootstrap as sync_bootstrap
from tests.conftest import API_KEYS, RunningService, StartService, schema_pool
from tests.inventory.conftest import metadata_of, reason_of  # noqa: F401 - re-exported to the sync tests
from tests.sync.http_platform import HttpPlatform
from tools.platform_sim.platform import Misbehaviour, SimulatedPlatform

TENANT = "acme"


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


def seconds(value: float) -> duration_pb2.Duration:
    span = duration_pb2.Duration()
    span.FromTimedelta(timedelta(seconds=value))
    return span


async def eventually(
    probe: Callable[[], Awaitable[bool]], timeout: float, interval: float = 0.05
) -> float:
    """Polls until probe() is true; returns the seconds it took, fails after timeout."""
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        if await probe():
            return time.monotonic() - started
        await asyncio.sleep(interval)
    raise AssertionError(f"condition not met within {timeout} s")


@dataclass
class Caller:
    """A stub with an API key: `await caller.Method(field=...)`."""

    stub: Any
    key: str
    tenant_id: str = TENANT
    requests: Any = None

    def __getattr__(self, method: str) -> Callable[..., Awaitable[Any]]:
        rpc = getattr(self.stub, method)
        request_type = self.requests[method]

        async def call(**fields: Any) -> Any:
            fields.setdefault("tenant_id", self.tenant_id)
            return await rpc(
                request_type(**fields), metadata=(("x-api-key", self.key),), timeout=10
            )

        return call


def _request_types(service: Any) -> dict[str, Any]:
    from google.protobuf import symbol_database

    database = symbol_database.Default()
    return {
        method.name: database.GetSymbol(method.input_type.full_name) for method in service.methods
    }


@dataclass
class SyncStack:
    inventory: RunningService
    sync: RunningService
    admin: Caller  # sync as acme's admin
    service: Caller  # sync as StreamStock's service key (what platforms use in tests)
    stock: Caller  # inventory as acme's admin
    platforms: list[SimulatedPlatform] = field(default_factory=list)

    def as_tenant(self, tenant_id: str, admin_key: str) -> SyncStack:
        """The same services, called as another tenant's admin."""
        return replace(
            self,
            admin=replace(self.admin, tenant_id=tenant_id, key=admin_key),
            stock=replace(self.stock, tenant_id=tenant_id, key=admin_key),
        )

    async def create_sku(self, on_hand: int) -> str:
        sku_id = unique("sku")
        await self.stock.CreateSku(
            request_id=unique("create"),
            sku_id=sku_id,
            title="live-stream item",
            on_hand=on_hand,
            policy=stock_pb2.SalePolicy(
                lock_stage=stock_pb2.LOCK_STAGE_ORDER, sale_mode=stock_pb2.SALE_MODE_REGULAR
            ),
        )
        return sku_id

    async def sku_stock(self, sku_id: str) -> Any:
        return (await self.stock.GetSku(sku_id=sku_id)).sku.stock

    async def add_platform(
        self,
        *,
        rate: float,
        ack_timeout: float = 60.0,
        misbehaviour: Misbehaviour | None = None,
        seed: int = 0,
        platform_id: str = "",
    ) -> SimulatedPlatform:
        platform_id = platform_id or unique("pf")
        platform = SimulatedPlatform(
            tenant_id=TENANT,
            platform_id=platform_id,
            sync_channel=self.sync.channel,
            api_key=API_KEYS.service,
            units_per_second=rate,
            report_interval=0.05,
            misbehaviour=misbehaviour,
            seed=seed,
        )
        port = await platform.start()
        self.platforms.append(platform)
        await self.admin.RegisterPlatform(
            request_id=unique("register"),
            platform=platforms_pb2.Platform(
                platform_id=platform_id,
                display_name=platform_id,
                mode=platforms_pb2.PLATFORM_MODE_QUOTA,
                push_endpoint=platforms_pb2.PushEndpoint(
                    kind=platforms_pb2.PUSH_ENDPOINT_KIND_GRPC,
                    url=f"127.0.0.1:{port}",
                    # Wide enough for a loaded 2-core machine: a push that times out stalls
                    # the quota moves the tests wait for (a platform that is down refuses at once).
                    request_timeout=seconds(2),
                ),
                ack_timeout=seconds(ack_timeout),
            ),
        )
        return platform

    async def add_http_platform(
        self, url: str, request_timeout: float = 1.0, platform_id: str = ""
    ) -> str:
        """Registers an HTTP platform with the bearer token below; request_timeout: its push
        deadline."""
        platform_id = platform_id or unique("http")
        await self.admin.RegisterPlatform(
            request_id=unique("register"),
            platform=platforms_pb2.Platform(
                platform_id=platform_id,
                mode=platforms_pb2.PLATFORM_MODE_QUOTA,
                push_endpoint=platforms_pb2.PushEndpoint(
                    kind=platforms_pb2.PUSH_ENDPOINT_KIND_HTTP,
                    url=url,
                    credentials_ref="platform-token",
                    request_timeout=seconds(request_timeout),
                ),
            ),
        )
        return platform_id

    async def set_policy(
        self,
        sku_id: str,
        shares: list[tuple[str, float]],
        min_units: Mapping[str, int] | None = None,
        max_units: Mapping[str, int] | None = None,
        **fields: Any,
    ) -> None:
        """Weights per platform, and the minimum (maximum) quota of those `min_units`
        (`max_units`) names."""
        fields.setdefault("velocity_half_life", seconds(2))
        minimums, maximums = min_units or {}, max_units or {}
        await self.admin.UpsertAllocationPolicy(
            request_id=unique("policy"),
            policy=allocation_pb2.AllocationPolicy(
                sku_id=sku_id,
                enabled=True,
                shares=[
                    allocation_pb2.PlatformShare(
                        platform_id=p,
                        weight=w,
                        min_units=minimums.get(p, 0),
                        max_units=maximums.get(p, 0),
                    )
                    for p, w in shares
                ],
                **fields,
            ),
        )

    async def quotas(self, sku_id: str) -> dict[str, Any]:
        reply = await self.admin.ListPlatformQuotas(sku_id=sku_id, page_size=100)
        return {q.platform_id: q for q in reply.quotas}


SyncFactory = Callable[..., Awaitable[SyncStack]]


@dataclass
class ManualClock:
    """sync's clock, moved only by the test (inventory keeps the real one)."""

    current: float = field(default_factory=lambda: float(int(time.time())))

    def now(self) -> float:
        return self.current

    def advance(self, seconds: float) -> None:
        self.current += seconds


@pytest.fixture
def manual_clock(monkeypatch: pytest.MonkeyPatch) -> ManualClock:
    """sync started after this fixture (list it before sync_stack) runs on the ManualClock."""
    manual = ManualClock()
    monkeypatch.setattr(sync_bootstrap, "SystemClock", lambda: manual)
    return manual


@pytest.fixture
async def sync_stack(
    start_service: StartService, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[SyncFactory]:
    """`await sync_stack(rebalance_interval=...)`: the real inventory and sync, wired together."""
    stacks: list[SyncStack] = []

    async def start(
        rebalance_interval: float = 3600.0,
        reconcile_interval: float = 0.0,
        platform_keys: Mapping[str, str] | None = None,
        platform_cooldown: tuple[float, float] = (0.2, 1.0),
    ) -> SyncStack:
        """platform_keys: more keys of acme's platforms for sync, key -> the platform it is
        bound to ('' for a key of every platform). platform_cooldown: how long pushes to a
        platform whose push failed wait, first and at most (compressed, as the passes are)."""
        monkeypatch.setenv("STREAMSTOCK_SYNC_REBALANCE_INTERVAL_SECONDS", str(rebalance_interval))
        monkeypatch.setenv("STREAMSTOCK_SYNC_RECONCILE_INTERVAL_SECONDS", str(reconcile_interval))
        monkeypatch.setenv("STREAMSTOCK_SYNC_PUSH_ATTEMPTS", "2")
        monkeypatch.setenv("STREAMSTOCK_SYNC_PUSH_BACKOFF_SECONDS", "0.01")
        monkeypatch.setenv("STREAMSTOCK_SYNC_SECRET_PLATFORM_TOKEN", "s3cret")
        cooldown, cooldown_cap = platform_cooldown
        monkeypatch.setenv("STREAMSTOCK_SYNC_PLATFORM_COOLDOWN_SECONDS", str(cooldown))
        monkeypatch.setenv("STREAMSTOCK_SYNC_PLATFORM_COOLDOWN_MAX_SECONDS", str(cooldown_cap))
        inventory = await start_service("inventory", postgres_pool_size=4)
        sync = await start_service(
            "sync",
            postgres_pool_size=6,
            peers={"inventory": f"127.0.0.1:{inventory.host.port}"},
            api_keys=",".join(
                [API_KEYS.spec()]
                + [
                    f"{digest(key)}:{TENANT}:platform" + (f":{bound}" if bound else "")
                    for key, bound in (platform_keys or {}).items()
                ]
            ),
        )
        sync_requests = _request_types(sync_service_pb2.DESCRIPTOR.services_by_name["SyncService"])
        inventory_requests = _request_types(
            inventory_api.DESCRIPTOR.services_by_name["InventoryService"]
        )
        stack = SyncStack(
            inventory=inventory,
            sync=sync,
            admin=Caller(
                sync_service_pb2_grpc.SyncServiceStub(sync.channel),
                API_KEYS.acme_admin,
                requests=sync_requests,
            ),
            service=Caller(
                sync_service_pb2_grpc.SyncServiceStub(sync.channel),
                API_KEYS.service,
                requests=sync_requests,
            ),
            stock=Caller(
                inventory_service_pb2_grpc.InventoryServiceStub(inventory.channel),
                API_KEYS.acme_admin,
                requests=inventory_requests,
            ),
        )
        stacks.append(stack)
        return stack

    yield start
    for stack in stacks:
        for platform in stack.platforms:
            await platform.stop()


@pytest.fixture
async def http_platform() -> AsyncIterator[tuple[HttpPlatform, str]]:
    """An HTTP platform and its push URL on a free loopback port."""
    platform = HttpPlatform()
    app = web.Application()
    app.router.add_post("/push", platform.handle)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    yield platform, f"http://127.0.0.1:{port}/push"
    platform.released.set()
    await runner.cleanup()


@pytest.fixture
async def sync_db(postgres_dsn: str) -> AsyncIterator[asyncpg.Pool]:
    async with schema_pool(postgres_dsn, "sync", 3) as pool:
        yield pool


async def waiting(pool: asyncpg.Pool, count: int, event: str = "") -> None:
    """Returns once `count` of sync's connections wait for a lock (of that kind, when given)."""
    deadline = time.monotonic() + 10
    while (
        await pool.fetchval(
            """
        SELECT count(*) FROM pg_stat_activity
        WHERE application_name = 'streamstock-sync' AND wait_event_type = 'Lock'
          AND ($1 = '' OR wait_event = $1)
        """,
            event,
        )
        < count
    ):
        assert time.monotonic() < deadline, f"fewer than {count} reports wait for a lock"
        await asyncio.sleep(0.02)
