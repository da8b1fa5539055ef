"""riskcontrol's benchmark: Assess throughput and latency at concurrency 64 against the echo
ceiling (A) served by the same runtime, with the default rules (13 rules, one Lua script per
Assess) on a flash-sale crowd. `python -m bench riskcontrol`. Prints its figures; the lead copies
them into bench/RESULTS.md."""

from __future__ import annotations

import asyncio
import itertools
import random
from collections.abc import Callable

import grpc
from streamstock.riskcontrol.v1 import assessment_pb2
from streamstock.riskcontrol.v1 import riskcontrol_service_pb2 as api

from bench import echo
from bench.harness import (
    Load,
    Process,
    closed_loop,
    cpu_ceiling,
    cpu_table,
    servers,
    start_process,
    write_section,
)
from tools.devstack.dev_keys import SERVICE_KEY

CONCURRENCY = 64
SECONDS = 8.0
TENANT = "demo"
SKUS = [f"flash-{i}" for i in range(5)]
# inventory's default risk deadline is 20 ms; the benchmark gives calls room so that slow answers
# show up in p99 instead of as failures.
TIMEOUT = 1.0


def _attempt(n: int, rng: random.Random) -> api.AssessRequest:
    """A crowd of 200,000 buyers with their own phones, a few per IP, 5 hot SKUs, limit 2."""
    buyer = rng.randrange(200_000)
    return api.AssessRequest(
        tenant_id=TENANT,
        request_id=f"bench-{n}",
        attempt=assessment_pb2.Attempt(
            kind=assessment_pb2.ATTEMPT_KIND_HOLD,
            lines=[
                assessment_pb2.AttemptLine(
                    sku_id=SKUS[buyer % len(SKUS)], quantity=1, purchase_limit=2
                )
            ],
            lock_stage=assessment_pb2.LOCK_STAGE_CART,
            platform_id="douyin",
            user_id=f"buyer-{buyer}",
            order_id=f"order-{n}",
            ip=f"10.{buyer // 65536 % 256}.{buyer // 256 % 256}.{buyer % 256 // 4}",
            device_id=f"phone-{buyer}",
        ),
        caller_mode=assessment_pb2.ENFORCEMENT_MODE_ENFORCE,
    )


ASSESS = f"/{api.DESCRIPTOR.services_by_name['RiskControlService'].full_name}/Assess"
# Requests are serialised before the load starts, as the echo load sends ready bytes: the client
# shares the machine's two cores with the server, and what it spends building protobufs is not
# the server's cost. Past this many, requests are built during the load.
PREPARED = 40_000


def _request(run: str, n: int, rng: random.Random) -> api.AssessRequest:
    request = _attempt(n, rng)
    request.request_id = f"{run}-{n}"
    return request


async def _calls(
    server: Process, method: str, body: Callable[[int], bytes], name: str, concurrency: int
) -> Load:
    """`concurrency` callers sending body(0), body(1), ... to `method`; UNAVAILABLE counts as
    completed, not answered."""
    async with grpc.aio.insecure_channel(server.address) as channel:
        call = channel.unary_unary(method)
        sequence = itertools.count()

        async def send(_: int) -> bool:
            try:
                await call(
                    body(next(sequence)), metadata=(("x-api-key", SERVICE_KEY),), timeout=TIMEOUT
                )
                return True
            except grpc.aio.AioRpcError as error:
                if error.code() is not grpc.StatusCode.UNAVAILABLE:
                    raise
                return False

        await closed_loop("warm-up", send, concurrency, 1.0)
        return await closed_loop(name, send, concurrency, SECONDS, server.popen.pid)


async def _assess_load(server: Process, run: str) -> Load:
    rng = random.Random(4)
    prepared = [_request(run, n, rng).SerializeToString() for n in range(PREPARED)]

    def body(n: int) -> bytes:
        return prepared[n] if n < PREPARED else _request(run, n, rng).SerializeToString()

    return await _calls(server, ASSESS, body, f"R: Assess ({run})", CONCURRENCY)


ASSESS_BATCH = f"/{api.DESCRIPTOR.services_by_name['RiskControlService'].full_name}/AssessBatch"
# AssessBatch as inventory sends it at load: the holds of one tenant that queue while a batch is
# out; BATCH attempts per call and CONCURRENCY attempts in flight, as in the Assess load.
BATCH = 16


def _batch(run: str, first: int, rng: random.Random) -> bytes:
    requests = [_request(run, n, rng) for n in range(first, first + BATCH)]
    return api.AssessBatchRequest(tenant_id=TENANT, requests=requests).SerializeToString()


async def _assess_batch_load(server: Process, run: str) -> Load:
    """Figures per attempt: each call's latency counts for each of its attempts."""
    rng = random.Random(4)
    prepared = [_batch(run, first, rng) for first in range(0, PREPARED, BATCH)]

    def body(n: int) -> bytes:
        return prepared[n] if n < len(prepared) else _batch(run, n * BATCH, rng)

    calls = await _calls(server, ASSESS_BATCH, body, "calls", CONCURRENCY // BATCH)
    return Load(
        f"RB: AssessBatch of {BATCH} ({run}), per attempt",
        calls.completed * BATCH,
        calls.ok * BATCH,
        calls.seconds,
        calls.p50_ms,
        calls.p99_ms,
        calls.cpu,
    )


def _row(load: Load) -> str:
    return (
        f"| {load.name} | {load.per_second:,.0f} | {load.p50_ms:.2f} | {load.p99_ms:.2f} |"
        f" {load.completed:,} | {load.ok:,} |"
    )


def run() -> str:
    with servers() as stack:
        env = stack.environment()
        processes = [
            start_process("echo", "bench.echo", env),
            start_process("riskcontrol", "services.riskcontrol", env),
        ]
        echo_p, risk_p = processes
        try:
            a = asyncio.run(echo.echo_load(echo_p.address, echo_p.popen.pid, CONCURRENCY, SECONDS))
            r = asyncio.run(_assess_load(risk_p, "crowd"))
            rb = asyncio.run(_assess_batch_load(risk_p, "batch"))
            rss = risk_p.peak_rss_mb
        finally:
            for process in processes:
                process.stop()
    checks = [
        (
            "Assess throughput ≥ 0.8 x A",
            r.per_second / a.per_second,
            r.per_second >= 0.8 * a.per_second,
        ),
        ("Assess p99 ≤ 1.5 x A p99", r.p99_ms / a.p99_ms, r.p99_ms <= 1.5 * a.p99_ms),
    ]
    lines = [
        f"Concurrency {CONCURRENCY}, {SECONDS:.0f} s per load after 1 s of warm-up; client and each",
        "server in their own process on the same machine. Assess runs the default rules (one Lua",
        "script per call on Redis, decisions audited to PostgreSQL in batches). Both loads send",
        "requests serialised before the load and leave the answers as bytes.",
        "",
        "| load | requests/s | p50 ms | p99 ms | completed | answered |",
        "|---|---|---|---|---|---|",
        _row(a),
        _row(r),
        _row(rb),
        "",
        "| target | ratio | met |",
        "|---|---|---|",
        *(f"| {name} | {ratio:.2f} | {'yes' if met else 'NO'} |" for name, ratio, met in checks),
        f"| AssessBatch attempts/s (x A) | {rb.per_second / a.per_second:.2f} | - |",
        f"| riskcontrol peak RSS | {rss:.0f} MB | - |",
        "",
        "What each request (each attempt for RB) cost in CPU over the measured seconds (the",
        "server is the echo process for A, riskcontrol for R and RB), and the rate the cores would",
        "allow at that cost with nothing else running:",
        "",
        *cpu_table([a, r, rb], "server"),
        "",
        f"At its CPU cost R could reach at most {cpu_ceiling(r) / a.per_second:.2f} x A's"
        " measured rate on this machine.",
    ]
    return "\n".join(lines)


def main() -> None:
    body = run()
    print(body)
    write_section("riskcontrol: Assess", "make bench BENCH=riskcontrol", body)


if __name__ == "__main__":
    main()
