"""What every benchmark needs: real servers on loopback, services as processes, a load generator
with a fixed number of requests in flight, and figures written to bench/RESULTS.md."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from services.runtime.migrate import migrate
from tools.devstack import dev_keys, grpc_probe
from tools.devstack.ports import LOOPBACK, free_port
from tools.devstack.postgres import LocalPostgres
from tools.devstack.redis import LocalRedis

RESULTS = Path(__file__).with_name("RESULTS.md")
ADMIN_KEY = "dev-admin-key"


@dataclass(frozen=True)
class Servers:
    postgres: LocalPostgres
    redis: LocalRedis

    def environment(self) -> dict[str, str]:
        return {
            "STREAMSTOCK_POSTGRES_DSN": self.postgres.dsn(),
            "STREAMSTOCK_REDIS_URL": self.redis.url,
            "STREAMSTOCK_API_KEYS": dev_keys.api_keys_setting(),
            "STREAMSTOCK_SERVICE_API_KEY": "dev-service-key",
            "STREAMSTOCK_LOG_LEVEL": "WARNING",
        }


@contextmanager
def servers() -> Iterator[Servers]:
    """PostgreSQL with its default durability (fsync on) and Redis, in a scratch folder."""
    with tempfile.TemporaryDirectory(prefix="streamstock-bench-") as scratch:
        postgres = LocalPostgres(Path(scratch) / "postgres", free_port())
        redis = LocalRedis(Path(scratch) / "redis", free_port())
        postgres.start()
        try:
            redis.start()
            try:
                asyncio.run(migrate(postgres.dsn()))
                yield Servers(postgres, redis)
            finally:
                redis.stop()
        finally:
            postgres.stop()


@dataclass
class Process:
    name: str
    popen: subprocess.Popen[bytes]
    address: str

    @property
    def peak_rss_mb(self) -> float:
        """The process's peak resident memory (VmHWM), in MiB."""
        for line in Path(f"/proc/{self.popen.pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
        return float("nan")

    def stop(self) -> None:
        if self.popen.poll() is None:
            self.popen.send_signal(signal.SIGTERM)
            try:
                self.popen.wait(10)
            except subprocess.TimeoutExpired:
                self.popen.kill()
                self.popen.wait()


def start_process(
    name: str, module: str, environment: Mapping[str, str], extra: Mapping[str, str] | None = None
) -> Process:
    port = free_port()
    env = {
        **os.environ,
        **environment,
        **(extra or {}),
        "STREAMSTOCK_GRPC_HOST": LOOPBACK,
        "STREAMSTOCK_GRPC_PORT": str(port),
        "STREAMSTOCK_METRICS_PORT": "0",
        "STREAMSTOCK_TRACE_SAMPLE_RATIO": os.environ.get("STREAMSTOCK_TRACE_SAMPLE_RATIO", "0.1"),
    }
    popen = subprocess.Popen(
        [sys.executable, "-m", module], env=env, stdout=subprocess.DEVNULL, start_new_session=True
    )
    address = f"{LOOPBACK}:{port}"
    asyncio.run(grpc_probe.wait_until_serving(address, 60))
    return Process(name, popen, address)


@dataclass(frozen=True)
class CpuCost:
    """CPU seconds spent during a load: by the whole machine, by the load's client (this process)
    and by the server under test."""

    machine: float
    client: float
    server: float


@dataclass(frozen=True)
class Load:
    """Figures of one closed-loop load: `concurrency` requests always in flight."""

    name: str
    completed: int
    ok: int
    seconds: float
    p50_ms: float
    p99_ms: float
    cpu: CpuCost | None = None

    @property
    def per_second(self) -> float:
        return self.completed / self.seconds

    def cpu_us(self, seconds: float) -> float:
        """CPU seconds spent over the load, as microseconds per completed request."""
        return seconds / max(self.completed, 1) * 1e6


Call = Callable[[int], Awaitable[bool]]


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of a process so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def machine_busy_seconds() -> float:
    """CPU seconds the whole machine spent busy so far, over all its cores (/proc/stat)."""
    user, nice, system, _idle, _iowait, irq, softirq, steal = (
        int(value) for value in Path("/proc/stat").read_text().split()[1:9]
    )
    return (user + nice + system + irq + softirq + steal) / os.sysconf("SC_CLK_TCK")


def _cpu_now(server_pid: int) -> CpuCost:
    return CpuCost(machine_busy_seconds(), time.process_time(), cpu_seconds(server_pid))


async def closed_loop(
    name: str, call: Call, concurrency: int, seconds: float, server_pid: int | None = None
) -> Load:
    """Runs `call(n)` from `concurrency` workers for `seconds`; call returns whether it succeeded
    (a refusal the benchmark expects also counts as completed). With `server_pid`, the load also
    tells the CPU it cost: the machine's, this client's and that server's."""
    latencies: list[float] = []
    ok = 0
    counter = iter(range(10**9))
    deadline = time.perf_counter() + seconds

    async def worker() -> None:
        nonlocal ok
        while time.perf_counter() < deadline:
            started = time.perf_counter()
            succeeded = await call(next(counter))
            latencies.append(time.perf_counter() - started)
            ok += succeeded

    before = _cpu_now(server_pid) if server_pid else None
    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    elapsed = time.perf_counter() - started
    cpu = None
    if server_pid and before:
        after = _cpu_now(server_pid)
        cpu = CpuCost(
            after.machine - before.machine,
            after.client - before.client,
            after.server - before.server,
        )
    latencies.sort()
    return Load(
        name,
        len(latencies),
        ok,
        elapsed,
        latencies[len(latencies) // 2] * 1000,
        latencies[int(len(latencies) * 0.99)] * 1000,
        cpu,
    )


def cpu_ceiling(load: Load) -> float:
    """Requests per second the machine's cores would allow at the load's CPU cost per request,
    with nothing else running (infinite without a measured cost)."""
    if load.cpu is None or load.cpu.machine <= 0:
        return float("inf")
    return (os.cpu_count() or 1) * 1e6 / load.cpu_us(load.cpu.machine)


def cpu_table(loads: list[Load], server: str) -> list[str]:
    """Markdown rows: what each load cost in CPU per request, and the rate the machine's cores
    would allow at that cost if nothing else ran (a CPU-bound ceiling, to compare with the
    measured rate)."""
    cores = os.cpu_count() or 1
    rows = [
        f"| load | machine CPU us/request | client | {server} | the rest (PostgreSQL, Redis, ...)"
        f" | {cores} cores allow /s |",
        "|---|---|---|---|---|---|",
    ]
    for load in loads:
        if load.cpu is None:
            continue
        machine, client, served = (
            load.cpu_us(load.cpu.machine),
            load.cpu_us(load.cpu.client),
            load.cpu_us(load.cpu.server),
        )
        rows.append(
            f"| {load.name} | {machine:,.0f} | {client:,.0f} | {served:,.0f} |"
            f" {max(machine - client - served, 0):,.0f} | {cpu_ceiling(load):,.0f} |"
        )
    rows += ["", "The machine column counts every process on the machine: run on a quiet machine."]
    return rows


def write_section(title: str, command: str, body: str) -> None:
    """Replaces the section `## title` of RESULTS.md (or appends it)."""
    text = RESULTS.read_text() if RESULTS.exists() else "# Benchmark results\n"
    section = f"## {title}\n\nCommand: `{command}`\n\n{body.rstrip()}\n"
    start = text.find(f"## {title}\n")
    if start == -1:
        text = text.rstrip() + "\n\n" + section
    else:
        end = text.find("\n## ", start + 1)
        text = text[:start] + section + (text[end + 1 :] if end != -1 else "")
    RESULTS.write_text(text)
