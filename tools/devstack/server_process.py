"""One long-running server child (PostgreSQL, Redis) as the local stack runs it."""

import contextlib
import pwd
import signal
import subprocess
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import psutil

from tools.devstack.lifeline import die_with_parent


class ServerProcess:
    """A server in its own process group, writing to a log file, that dies with its parent.

    Its own process group keeps a terminal's Ctrl-C (sent to the whole foreground group) away from
    it, so the supervisor decides the order of shutdown.
    """

    def __init__(
        self,
        argv: Sequence[str],
        log_path: Path,
        *,
        stop_signal: signal.Signals,
        user: pwd.struct_passwd | None = None,
        env: Mapping[str, str] | None = None,
    ) -> None:
        self._argv = list(argv)
        self._log_path = log_path
        self._stop_signal = stop_signal
        self._user = user
        self._env = dict(env) if env is not None else None
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def log_path(self) -> Path:
        return self._log_path

    @property
    def is_running(self) -> bool:
        return self._process is not None and self._process.poll() is None

    @property
    def returncode(self) -> int | None:
        """The exit status once the server has exited, else None."""
        return None if self._process is None else self._process.poll()

    def start(self) -> None:
        if self.is_running:
            raise RuntimeError(f"{self._argv[0]} is already running (pid {self.pid})")
        self._log_path.parent.mkdir(parents=True, exist_ok=True)
        with self._log_path.open("ab") as log:
            self._process = subprocess.Popen(
                self._argv,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                env=self._env,
                **as_user(self._user),
                process_group=0,
                # If whoever started the server dies, the server shuts down the way `stop` does.
                preexec_fn=die_with_parent(self._stop_signal),
            )

    @property
    def pid(self) -> int:
        if self._process is None:
            raise RuntimeError("the server was never started")
        return self._process.pid

    def stop(self, timeout: float) -> None:
        """Asks the server to shut down cleanly; kills it if it has not exited within `timeout`."""
        if not self.is_running:
            return
        assert self._process is not None
        self._process.send_signal(self._stop_signal)
        try:
            self._process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.kill()

    def kill(self) -> None:
        """SIGKILLs the server and all its workers at once, as a power cut would."""
        if not self.is_running:
            return
        assert self._process is not None
        # PostgreSQL's backends leave the server's process group (each calls setsid), so they are
        # found by parentage. They must be gone before a restart, or the new server finds the old
        # shared memory still attached and refuses to start.
        workers = psutil.Process(self._process.pid).children(recursive=True)
        self._process.kill()
        self._process.wait()
        for worker in workers:
            with contextlib.suppress(psutil.NoSuchProcess):
                worker.kill()
        _wait_until_dead(workers, timeout=10)


def _wait_until_dead(processes: list[psutil.Process], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while any(_is_alive(process) for process in processes) and time.monotonic() < deadline:
        time.sleep(0.01)


def _is_alive(process: psutil.Process) -> bool:
    # A zombie has released its memory, shared memory included; only the reaping by init, which
    # may be slow on this kind of machine, is left.
    try:
        return bool(process.status() != psutil.STATUS_ZOMBIE)
    except psutil.NoSuchProcess:
        return False


def as_user(user: pwd.struct_passwd | None) -> dict[str, Any]:
    """Popen arguments that run a child as `user` with only that user's group (None: as us).

    The groups matter: switching the uid alone keeps root's group, and a folder's group bits then
    apply instead of its "others" bits.
    """
    if user is None:
        return {}
    return {"user": user.pw_uid, "group": user.pw_gid, "extra_groups": []}


def log_tail(path: Path, lines: int = 20) -> str:
    """The last lines of a log, to put the cause next to a failure message."""
    if not path.exists():
        return f"(no log at {path})"
    text = path.read_text(errors="replace").splitlines()[-lines:]
    return "\n".join(f"    {line}" for line in text)
