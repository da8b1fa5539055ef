"""One long-running server child (PostgreSQL, Redis) as the local stack runs it."""

import os
import signal
import subprocess
from collections.abc import Mapping, Sequence
from pathlib import Path

from tools.devstack.lifeline import die_with_parent


class ServerProcess:
    """A server in its own process group, writing to a log file, that dies with its parent.

    Its own process group keeps a terminal's Ctrl-C (sent to the whole foreground group) away from
    it, so the supervisor decides the order of shutdown, and lets `kill` take its workers with it.
    """

    def __init__(
        self,
        argv: Sequence[str],
        log_path: Path,
        *,
        stop_signal: signal.Signals,
        user: str | None = None,
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
                user=self._user,
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
        """SIGKILLs the server and every worker in its process group, as a power cut would."""
        if not self.is_running:
            return
        assert self._process is not None
        os.killpg(self._process.pid, signal.SIGKILL)
        self._process.wait()

    def log_tail(self, lines: int = 20) -> str:
        return log_tail(self._log_path, lines)


def log_tail(path: Path, lines: int = 20) -> str:
    """The last lines of a log, to put the cause next to a failure message."""
    if not path.exists():
        return f"(no log at {path})"
    text = path.read_text(errors="replace").splitlines()[-lines:]
    return "\n".join(f"    {line}" for line in text)
