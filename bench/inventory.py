"""inventory's benchmark: hold throughput and latency on one hot SKU against the echo ceiling (A)
and the naive one-transaction-per-request design (B), sold-out refusals, 100,000 expiries, and
the service's memory. `python -m bench inventory` (or `make bench`)."""

from __future__ import annotations

import asyncio
import sys
import time
import uuid
from dataclasses import dataclass

import asyncpg
import grpc
from streamstock.inventory.v1 import inventory_service_pb2 as api
from streamstock.inventory.v1 import inventory_service_pb2_grpc, reservation_pb2, stock_pb2

from bench import echo
from bench.harness import (
    ADMIN_KEY,
    Load,
    Servers,
    closed_loop,
    cpu_ceiling,
    cpu_seconds,
    cpu_table,
    servers,
    start_process,
    write_section,
)

CONCURRENCY = 64
SECONDS = 8.0
EXPIRED_HOLDS = 100_000
TENANT = "demo"
METADATA = (("x-api-key", ADMIN_KEY),)


def _policy(risk_mode: int = stock_pb2.RISK_MODE_OFF) -> stock_pb2.SalePolicy:
    return stock_pb2.SalePolicy(
        lock_stage=stock_pb2.LOCK_STAGE_CART,
        sale_mode=stock_pb2.SALE_MODE_FLASH_SALE,
        risk_mode=risk_mode,
    )


async def _create_sku(
    stub: inventory_service_pb2_grpc.InventoryServiceStub,
    on_hand: int,
    risk_mode: int = stock_pb2.RISK_MODE_OFF,
) -> str:
    sku_id = f"bench-{uuid.uuid4().hex[:10]}"
    await stub.CreateSku(
        api.CreateSkuRequest(
            tenant_id=TENANT,
            request_id=f"create-{sku_id}",
            sku_id=sku_id,
            title="bench",
            on_hand=on_hand,
            policy=_policy(risk_mode),
        ),
        metadata=METADATA,
    )
    return sku_id


@dataclass
class Decisions:
    """Holds that came back with riskcontrol's decision id (the others were held unanswered)."""

    decided: int = 0


def _holds(
    address: str, sku_id: str, run: str, decisions: Decisions
) -> tuple[grpc.aio.Channel, object]:
    channel = grpc.aio.insecure_channel(address)
    stub = inventory_service_pb2_grpc.InventoryServiceStub(channel)

    async def hold(n: int) -> bool:
        request = api.ReserveRequest(
            tenant_id=TENANT,
            request_id=f"{run}-{n}",
            user_id=f"buyer-{n}",
            order_id=f"order-{n}",
            lines=[api.ReserveLine(sku_id=sku_id, quantity=1)],
            lock_stage=stock_pb2.LOCK_STAGE_CART,
            purpose=1,
            # Every buyer on a phone and an address of their own, as in a genuine crowd.
            buyer=reservation_pb2.BuyerContext(
                platform_id="douyin",
                ip=f"10.{n >> 16 & 255}.{n >> 8 & 255}.{n & 255}",
                device_id=f"{run}-device-{n}",
            ),
        )
        call = stub.Reserve(request, metadata=METADATA, timeout=10)
        if await answered(call):
            decisions.decided += bool((await call).reservation.risk_decision_id)
            return True
        return False

    return channel, hold


async def answered(call: grpc.aio.UnaryUnaryCall) -> bool:
    """Waits for a call's status without raising (every load reads its answers this way, the
    echo ceiling included): True if OK, False if refused as the load expects (sold out)."""
    code = await call.code()
    if code is grpc.StatusCode.OK:
        return True
    if code is not grpc.StatusCode.FAILED_PRECONDITION:
        await call  # raises with the unexpected status
    return False


async def _echo_load(address: str, server_pid: int | None = None) -> Load:
    async with grpc.aio.insecure_channel(address) as channel:
        echo_call = echo.echo_call(channel)

        async def ping(n: int) -> bool:
            call = echo_call(b"", metadata=METADATA, timeout=10)
            if await answered(call):
                await call
                return True
            return False

        await closed_loop("warm-up", ping, CONCURRENCY, 1.0)
        return await closed_loop("A: echo (same runtime)", ping, CONCURRENCY, SECONDS, server_pid)


async def _hold_load(
    name: str,
    address: str,
    on_hand: int,
    risk_mode: int = stock_pb2.RISK_MODE_OFF,
    decisions: Decisions | None = None,
    server_pid: int | None = None,
) -> Load:
    async with grpc.aio.insecure_channel(address) as admin:
        stub = inventory_service_pb2_grpc.InventoryServiceStub(admin)
        sku_id = await _create_sku(stub, on_hand, risk_mode)
    run = f"{name[:1]}-{uuid.uuid4().hex[:6]}"
    decisions = decisions or Decisions()
    channel, hold = _holds(address, sku_id, run, decisions)
    async with channel:
        await closed_loop("warm-up", hold, CONCURRENCY, 1.0)  # type: ignore[arg-type]
        decisions.decided = 0
        return await closed_loop(name, hold, CONCURRENCY, SECONDS, server_pid)  # type: ignore[arg-type]


async def _insert_expired_holds(dsn: str, sku_id: str, count: int) -> None:
    """Setup: `count` holds already past their deadline, booked exactly as holds are."""
    conn = await asyncpg.connect(dsn, server_settings={"search_path": "inventory"})
    try:
        async with conn.transaction():
            await conn.execute(
                "INSERT INTO reservations (tenant_id, reservation_id, user_id, order_id, state,"
                " lock_stage, purpose, platform_id, ip, device_id, created_at, expires_at)"
                " SELECT $1, 'x' || g, 'u' || g, 'o' || g, 1, 1, 1, '', '', '',"
                " now() - interval '30 min', now() - interval '1 min'"
                " FROM generate_series(1, $2) g",
                TENANT,
                count,
            )
            await conn.execute(
                "INSERT INTO reservation_lines SELECT $1, 'x' || g, $3, 1, 0"
                " FROM generate_series(1, $2) g",
                TENANT,
                count,
                sku_id,
            )
            await conn.execute(
                "INSERT INTO live_holds SELECT $1, 'x' || g, $3, 1, now() - interval '1 min',"
                " NULL FROM generate_series(1, $2) g",
                TENANT,
                count,
                sku_id,
            )
            await conn.execute(
                "INSERT INTO ledger (tenant_id, sku_id, reason, on_hand_delta, withheld_delta,"
                " reserved_delta, sold_delta, reference, created_at)"
                " SELECT $1, $3, 5, 0, 0, 1, 0, 'x' || g, now() - interval '30 min'"
                " FROM generate_series(1, $2) g",
                TENANT,
                count,
                sku_id,
            )
            await conn.execute(
                "UPDATE skus SET reserved = reserved + $3 WHERE tenant_id = $1 AND sku_id = $2",
                TENANT,
                sku_id,
                count,
            )
        # As autovacuum would have by then: the planner knows the tables' sizes.
        await conn.execute("ANALYZE")
    finally:
        await conn.close()


@dataclass(frozen=True)
class Expiry:
    """How EXPIRED_HOLDS due holds went back to stock: wall seconds, holds the SweepExpired calls
    expired (the service's sweeper did the rest) and the CPU seconds the service spent."""

    seconds: float
    by_calls: int
    service_cpu: float

    def row(self) -> str:
        return (
            f"| {EXPIRED_HOLDS:,} expired holds booked back to stock ≤ 5 s | {self.seconds:.2f} s"
            f" ({self.by_calls:,} by SweepExpired, the rest by the sweeper; inventory CPU"
            f" {self.service_cpu:.2f} s) | {'yes' if self.seconds <= 5 else 'NO'} |"
        )


async def _expiry(address: str, dsn: str, pid: int) -> Expiry:
    """Seconds until every one of EXPIRED_HOLDS due holds is booked back to stock (counters and
    ledger, not just reads), by SweepExpired calls and the service's own sweeper together."""
    async with grpc.aio.insecure_channel(address) as channel:
        stub = inventory_service_pb2_grpc.InventoryServiceStub(channel)
        sku_id = await _create_sku(stub, EXPIRED_HOLDS)
        await _insert_expired_holds(dsn, sku_id, EXPIRED_HOLDS)
        cpu = cpu_seconds(pid)
        started = time.perf_counter()
        swept_here = 0
        for attempt in range(1000):
            swept = await stub.SweepExpired(
                api.SweepExpiredRequest(
                    tenant_id=TENANT, request_id=f"sweep-{sku_id}-{attempt}", limit=EXPIRED_HOLDS
                ),
                metadata=METADATA,
                timeout=120,
            )
            swept_here += swept.expired
            if await _booked_reserved(dsn, sku_id) == 0:
                break
        elapsed = time.perf_counter() - started
    return Expiry(elapsed, swept_here, cpu_seconds(pid) - cpu)


async def _booked_reserved(dsn: str, sku_id: str) -> int:
    conn = await asyncpg.connect(dsn)
    try:
        reserved: int = await conn.fetchval(
            "SELECT reserved FROM inventory.skus WHERE tenant_id = $1 AND sku_id = $2",
            TENANT,
            sku_id,
        )
        return reserved
    finally:
        await conn.close()


def _row(load: Load) -> str:
    return (
        f"| {load.name} | {load.per_second:,.0f} | {load.p50_ms:.1f} | {load.p99_ms:.1f} |"
        f" {load.completed:,} | {load.ok:,} |"
    )


def run() -> str:
    with servers() as stack:
        return _measure(stack)


def _measure(stack: Servers) -> str:
    env = stack.environment()
    # The sweeper of the measured service stays on, as in production.
    risk_p = start_process("riskcontrol", "services.riskcontrol", env)
    risk_peer = {"STREAMSTOCK_RISKCONTROL_ADDR": risk_p.address}
    processes = [
        risk_p,
        start_process("echo", "bench.echo", env),
        start_process("inventory", "services.inventory", env, risk_peer),
        start_process("naive", "bench.naive_inventory", env),
    ]
    _, echo_p, inventory_p, naive_p = processes
    decisions = Decisions()
    try:
        served = inventory_p.popen.pid
        a = asyncio.run(_echo_load(echo_p.address, echo_p.popen.pid))
        b = asyncio.run(
            _hold_load(
                "B: naive hold (txn per request)",
                naive_p.address,
                10**9,
                server_pid=naive_p.popen.pid,
            )
        )
        c = asyncio.run(
            _hold_load("C: StreamStock hold", inventory_p.address, 10**9, server_pid=served)
        )
        d = asyncio.run(
            _hold_load("D: StreamStock sold-out refusal", inventory_p.address, 0, server_pid=served)
        )
        e = asyncio.run(
            _hold_load(
                "E: StreamStock hold, risk ENFORCE",
                inventory_p.address,
                10**9,
                stock_pb2.RISK_MODE_ENFORCE,
                decisions,
                served,
            )
        )
        rss = inventory_p.peak_rss_mb
        # B's service is the real inventory around its naive hold path, sweeper included: left
        # running, it would be a second replica sweeping the same holds during the expiry
        # measurement, which is of one inventory process (as `bench.inventory expiry` measures).
        naive_p.stop()
        expiry = asyncio.run(
            _expiry(inventory_p.address, stack.postgres.dsn(), inventory_p.popen.pid)
        )
    finally:
        for process in processes:
            process.stop()
    checks = [
        (
            "hold throughput ≥ 0.8 x A",
            c.per_second / a.per_second,
            c.per_second >= 0.8 * a.per_second,
        ),
        (
            "hold throughput ≥ 2.5 x B",
            c.per_second / b.per_second,
            c.per_second >= 2.5 * b.per_second,
        ),
        ("hold p99 ≤ 1.5 x A p99", c.p99_ms / a.p99_ms, c.p99_ms <= 1.5 * a.p99_ms),
        (
            "sold-out refusals ≥ 0.9 x A",
            d.per_second / a.per_second,
            d.per_second >= 0.9 * a.per_second,
        ),
        (
            "risk checks cost ≤ 20 % of hold throughput (E ≥ 0.8 x C)",
            e.per_second / c.per_second,
            e.per_second >= 0.8 * c.per_second,
        ),
    ]
    lines = [
        f"Concurrency {CONCURRENCY}, {SECONDS:.0f} s per load after 1 s of warm-up, one hot SKU,",
        "client and each server in their own process on the same machine; PostgreSQL with its",
        "default durability (fsync on, synchronous commit).",
        "",
        "| load | requests/s | p50 ms | p99 ms | completed | succeeded |",
        "|---|---|---|---|---|---|",
        *(_row(load) for load in (a, b, c, d, e)),
        "",
        "| target | ratio | met |",
        "|---|---|---|",
        *(f"| {name} | {ratio:.2f} | {'yes' if met else 'NO'} |" for name, ratio, met in checks),
        expiry.row(),
        f"| E holds answered by riskcontrol within its 20 ms deadline | {decisions.decided:,}"
        f" of {e.ok:,} (the rest held unanswered: the SKU fails open) | - |",
        f"| inventory peak RSS ≤ 250 MB | {rss:.0f} MB | {'yes' if rss <= 250 else 'NO'} |",
        "",
        "What each request cost in CPU over the measured seconds (the server is the echo process",
        "for A, the naive service for B, inventory for C to E; riskcontrol's share of E is in",
        "the rest), and the rate the cores would allow at that cost with nothing else running:",
        "",
        *cpu_table([a, b, c, d, e], "server"),
        "",
        *(
            f"At its CPU cost {load.name[:1]} could reach at most"
            f" {cpu_ceiling(load) / a.per_second:.2f} x A's measured rate on this machine."
            for load in (c, d)
        ),
    ]
    return "\n".join(lines)


def run_expiry() -> str:
    """The expiry measurement alone, on a fresh stack (the service's sweeper on)."""
    with servers() as stack:
        inventory_p = start_process("inventory", "services.inventory", stack.environment())
        try:
            expiry = asyncio.run(
                _expiry(inventory_p.address, stack.postgres.dsn(), inventory_p.popen.pid)
            )
        finally:
            inventory_p.stop()
    return expiry.row()


@dataclass(frozen=True)
class RiskLoad:
    """Load E beside the plain holds of C on the same stack: how many holds riskcontrol answered
    in time and the CPU riskcontrol spent per E hold (utime + stime of its process)."""

    c: Load
    e: Load
    decided: int
    risk_cpu_seconds: float

    def rows(self) -> list[str]:
        return [
            _row(self.c),
            _row(self.e),
            f"E/C {self.e.per_second / self.c.per_second:.2f}; E holds answered by riskcontrol"
            f" within the deadline: {self.decided:,} of {self.e.ok:,}; riskcontrol CPU per E hold"
            f" {self.risk_cpu_seconds / max(self.e.completed, 1) * 1e6:,.0f} us",
        ]


def run_risk() -> str:
    """Loads C and E alone on a fresh stack (the figures of the risk check)."""
    with servers() as stack:
        env = stack.environment()
        risk_p = start_process("riskcontrol", "services.riskcontrol", env)
        risk_peer = {"STREAMSTOCK_RISKCONTROL_ADDR": risk_p.address}
        inventory_p = start_process("inventory", "services.inventory", env, risk_peer)
        try:
            c = asyncio.run(_hold_load("C: StreamStock hold", inventory_p.address, 10**9))
            measured = _risk_load(inventory_p.address, risk_p.popen.pid)
        finally:
            inventory_p.stop()
            risk_p.stop()
    e, decided, cpu = measured
    return "\n".join(RiskLoad(c, e, decided, cpu).rows())


def _risk_load(address: str, risk_pid: int) -> tuple[Load, int, float]:
    """Load E with the CPU riskcontrol spent during its measured part (warm-up excluded)."""
    decisions = Decisions()
    spent: list[float] = []

    async def measure() -> Load:
        async with grpc.aio.insecure_channel(address) as admin:
            stub = inventory_service_pb2_grpc.InventoryServiceStub(admin)
            sku_id = await _create_sku(stub, 10**9, stock_pb2.RISK_MODE_ENFORCE)
        channel, hold = _holds(address, sku_id, f"E-{uuid.uuid4().hex[:6]}", decisions)
        async with channel:
            await closed_loop("warm-up", hold, CONCURRENCY, 1.0)  # type: ignore[arg-type]
            decisions.decided = 0
            before = cpu_seconds(risk_pid)
            load = await closed_loop(
                "E: StreamStock hold, risk ENFORCE",
                hold,  # type: ignore[arg-type]
                CONCURRENCY,
                SECONDS,
            )
            spent.append(cpu_seconds(risk_pid) - before)
            return load

    load = asyncio.run(measure())
    return load, decisions.decided, spent[0]


def main(parts: list[str] | None = None) -> None:
    """Every load by default; `python -m bench.inventory expiry` measures expiry only and
    `python -m bench.inventory risk` loads C and E only; both leave RESULTS.md as it is."""
    chosen = parts if parts is not None else sys.argv[1:]
    if chosen == ["expiry"]:
        print(run_expiry())
        return
    if chosen == ["risk"]:
        print(run_risk())
        return
    body = run()
    print(body)
    write_section("inventory: holds on one hot SKU", "make bench BENCH=inventory", body)


if __name__ == "__main__":
    main()
