"""The local stack's servers and supervisor, run for real: processes, ports, signals."""

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import asyncpg
import psutil
import pytest
from redis.asyncio import Redis
from redis.asyncio.cluster import ClusterNode, RedisCluster

from tools.devstack.grpc_probe import SERVING
from tools.devstack.ports import SERVICE_NAMES, StackPorts, free_base_port, free_port, is_free
from tools.devstack.postgres import LocalPostgres
from tools.devstack.redis import CLUSTER_BUS_OFFSET, LocalRedis, LocalRedisCluster
from tools.devstack.stack import LocalStack
from tools.devstack.supervisor import ChildSpec, Supervisor, run_until_stopped

HERE = Path(__file__).parent
REPO_ROOT = HERE.parent.parent

pytestmark = pytest.mark.timeout(30)


# --- PostgreSQL ---------------------------------------------------------------------------------


async def test_postgres_keeps_data_across_a_clean_restart(tmp_path: Path) -> None:
    postgres = LocalPostgres(tmp_path / "postgres", free_port(), fsync=False)
    postgres.start()
    try:
        await _execute(postgres, "CREATE TABLE hold (sku text PRIMARY KEY, units int NOT NULL)")
        await _execute(postgres, "INSERT INTO hold VALUES ('sku-1', 2)")
        postgres.stop()
        assert not postgres.is_running
        assert is_free(postgres.port)

        postgres.start()
        assert await _fetch_units(postgres, "sku-1") == 2
    finally:
        postgres.stop()


async def test_postgres_recovers_committed_data_after_being_killed(tmp_path: Path) -> None:
    postgres = LocalPostgres(tmp_path / "postgres", free_port(), fsync=False)
    postgres.start()
    try:
        session = await asyncpg.connect(postgres.dsn(), timeout=5)
        await session.execute("CREATE TABLE hold (sku text PRIMARY KEY, units int NOT NULL)")
        await session.execute("INSERT INTO hold VALUES ('sku-1', 3)")
        # Killed with a session open: its backend must die too, or no new server could start.
        postgres.kill()
        session.terminate()
        assert not postgres.is_running

        postgres.start()
        assert await _fetch_units(postgres, "sku-1") == 3
    finally:
        postgres.stop()


async def _execute(postgres: LocalPostgres, sql: str) -> None:
    connection = await asyncpg.connect(postgres.dsn(), timeout=5)
    try:
        await connection.execute(sql)
    finally:
        await connection.close()


async def _fetch_units(postgres: LocalPostgres, sku: str) -> int:
    connection = await asyncpg.connect(postgres.dsn(), timeout=5)
    try:
        units: int = await connection.fetchval("SELECT units FROM hold WHERE sku = $1", sku)
        return units
    finally:
        await connection.close()


# --- Redis --------------------------------------------------------------------------------------


async def test_redis_answers_then_stops_and_can_be_killed(tmp_path: Path) -> None:
    server = LocalRedis(tmp_path / "redis", free_port())
    server.start()
    try:
        client = Redis.from_url(server.url)
        assert await client.ping()
        await client.aclose()
        server.stop()
        assert not server.is_running
        assert is_free(server.port)

        server.start()
        server.kill()
        assert not server.is_running
        assert is_free(server.port)
    finally:
        server.stop()


async def test_redis_cluster_serves_keys_from_every_master(tmp_path: Path) -> None:
    cluster = LocalRedisCluster(
        tmp_path / "cluster", free_base_port(3, bus_offset=CLUSTER_BUS_OFFSET)
    )
    cluster.start()
    try:
        client = RedisCluster(
            startup_nodes=[ClusterNode(host, port) for host, port in cluster.startup_nodes]
        )
        await client.initialize()
        keys = [f"stock:{{sku-{number}}}" for number in range(12)]
        masters = {str(client.get_node_from_key(key)) for key in keys}
        assert len(masters) == 3, "the keys should spread over all three masters"
        for units, key in enumerate(keys):
            await client.set(key, units)
        assert [await client.get(key) for key in keys] == [b"%d" % units for units in range(12)]
        await client.aclose()
    finally:
        cluster.stop()


# --- Supervisor ---------------------------------------------------------------------------------


@pytest.fixture
def supervised_family(
    tmp_path: Path,
) -> Iterator[tuple[subprocess.Popen[bytes], list[psutil.Process]]]:
    """A supervisor process running Redis and a child with two children of its own, all running.

    Yields the supervisor and every process under it; whatever a test leaves alive is killed.
    """
    ready_file = tmp_path / "family.ready"
    python_path = os.pathsep.join(filter(None, [str(REPO_ROOT), os.environ.get("PYTHONPATH")]))
    supervisor = subprocess.Popen(
        [sys.executable, str(HERE / "supervised_family.py"), str(ready_file)],
        env={**os.environ, "PYTHONPATH": python_path},
    )
    family: list[psutil.Process] = []
    try:
        _wait_for(ready_file.exists, timeout=15, what="the supervised family to start")
        family = psutil.Process(supervisor.pid).children(recursive=True)
        yield supervisor, family
    finally:
        supervisor.kill()
        supervisor.wait()
        for process in family:
            if not _is_gone(process):
                process.kill()


def test_supervisor_stops_the_whole_tree_on_sigterm(
    supervised_family: tuple[subprocess.Popen[bytes], list[psutil.Process]],
) -> None:
    supervisor, family = supervised_family
    names = sorted(process.name() for process in family)
    assert len(family) == 4, f"expected redis, the child and two grandchildren, got {names}"

    supervisor.send_signal(signal.SIGTERM)

    assert supervisor.wait(timeout=20) == 0
    _wait_for(lambda: all(_is_gone(process) for process in family), timeout=5, what="no orphan")


def test_children_die_with_a_killed_supervisor(
    supervised_family: tuple[subprocess.Popen[bytes], list[psutil.Process]],
) -> None:
    supervisor, _ = supervised_family
    children = psutil.Process(supervisor.pid).children()
    assert {child.name() for child in children} >= {"redis-server"}

    supervisor.kill()

    supervisor.wait(timeout=5)
    _wait_for(lambda: all(_is_gone(child) for child in children), timeout=5, what="PDEATHSIG")


async def test_an_unexpected_child_exit_stops_the_stack_with_a_failure(tmp_path: Path) -> None:
    supervisor = Supervisor(tmp_path, grace_seconds=5)
    database = _FakeServer()
    crashing = ChildSpec(
        "inventory", [sys.executable, "-c", "print('boom'); raise SystemExit(3)"], dict(os.environ)
    )

    async def bring_up() -> None:
        supervisor.stop_last(database)
        await supervisor.start(crashing)

    assert await run_until_stopped(supervisor, bring_up) == 1
    assert database.stopped
    assert "boom" in supervisor.log_path("inventory").read_text()


async def test_local_stack_brings_every_service_up_and_stops_it(tmp_path: Path) -> None:
    ports = StackPorts.free()
    supervisor = Supervisor(tmp_path, grace_seconds=5)
    stack = LocalStack(
        tmp_path,
        ports,
        supervisor,
        service_argv=lambda name: [sys.executable, str(HERE / "dummy_service.py"), name],
        health_timeout=20,
    )
    try:
        statuses = await stack.bring_up()
        services = [psutil.Process(pid) for pid in supervisor.pids.values()]
    finally:
        await supervisor.shutdown()

    assert [status.name for status in statuses] == list(SERVICE_NAMES)
    for status in statuses:
        assert status.health == SERVING
        assert status.address == ports.services[status.name].grpc_address
        assert f"streamstock.{status.name}.v1.{status.name.capitalize()}Service" in (
            status.grpc_services
        )
    assert all(_is_gone(service) for service in services)
    assert is_free(ports.postgres) and is_free(ports.redis)


class _FakeServer:
    def __init__(self) -> None:
        self.stopped = False

    def stop(self) -> None:
        self.stopped = True


def _is_gone(process: psutil.Process) -> bool:
    """Exited; a zombie counts, since the machine's init may be slow to reap orphans."""
    try:
        return bool(process.status() == psutil.STATUS_ZOMBIE)
    except psutil.NoSuchProcess:
        return True


def _wait_for(condition: Callable[[], bool], *, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(0.05)
