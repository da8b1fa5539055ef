"""Runs the stack's processes and makes sure none of them outlives it.

Each child writes stdout and stderr to `<log_dir>/<name>.log` rather than to the terminal: four
services logging JSON at once would bury the status table, and a file is still there to read after
a crash. When a child dies, the supervisor prints the tail of its log.
"""

import asyncio
import contextlib
import os
import signal
import subprocess
import sys
import traceback
from collections.abc import Callable, Coroutine, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import psutil

from tools.devstack.lifeline import die_with_parent
from tools.devstack.server_process import log_tail


@dataclass(frozen=True)
class ChildSpec:
    """A process to run: its name in logs and messages, its command line and full environment."""

    name: str
    argv: Sequence[str]
    env: Mapping[str, str]


@dataclass(frozen=True)
class ChildExit:
    """A child that has exited, with the log that says why."""

    name: str
    returncode: int
    log_path: Path

    def describe(self) -> str:
        return f"{self.name} exited with status {self.returncode}; {self.log_path} ends with:\n" + (
            log_tail(self.log_path)
        )


class BackingServer(Protocol):
    """A server the children depend on (PostgreSQL, Redis): it is stopped after all of them."""

    def stop(self) -> None: ...


@dataclass
class _Child:
    spec: ChildSpec
    process: asyncio.subprocess.Process
    log_path: Path


class Supervisor:
    """Starts named children, each in its own process group, and shuts them all down in order."""

    def __init__(self, log_dir: Path, *, grace_seconds: float = 15.0) -> None:
        self._log_dir = log_dir
        self._grace_seconds = grace_seconds
        self._children: dict[str, _Child] = {}
        self._watchers: list[asyncio.Task[None]] = []
        self._backing_servers: list[BackingServer] = []
        self._unexpected_exits: asyncio.Queue[ChildExit] = asyncio.Queue()
        self._shutting_down = False

    @property
    def pids(self) -> dict[str, int]:
        return {name: child.process.pid for name, child in self._children.items()}

    def stop_last(self, server: BackingServer) -> None:
        """Stops `server` after every child, in the reverse order of registration."""
        self._backing_servers.append(server)

    def log_path(self, name: str) -> Path:
        return self._log_dir / f"{name}.log"

    async def start(self, spec: ChildSpec) -> int:
        """Starts a long-running child and returns its pid; its exit before shutdown is a failure."""
        if spec.name in self._children:
            raise ValueError(f"a child named {spec.name!r} is already running")
        child = await self._spawn(spec)
        self._children[spec.name] = child
        self._watchers.append(asyncio.create_task(self._watch(child)))
        return child.process.pid

    async def run_to_completion(self, spec: ChildSpec, timeout: float) -> ChildExit:
        """Runs a one-off child (a migration) to its end; kills its group on timeout or cancel."""
        child = await self._spawn(spec)
        try:
            returncode = await asyncio.wait_for(child.process.wait(), timeout)
        except BaseException:
            await _kill_tree(child, _descendants(child.process.pid))
            raise
        return ChildExit(spec.name, returncode, child.log_path)

    async def next_unexpected_exit(self) -> ChildExit:
        """Waits until a child exits on its own, i.e. not because of `shutdown`."""
        return await self._unexpected_exits.get()

    async def shutdown(self) -> None:
        """SIGTERM to every child's process group, SIGKILL after the grace period, then the
        backing servers, last started first. Descendants that left their child's process group
        are killed too, so nothing is orphaned."""
        self._shutting_down = True
        running = [c for c in self._children.values() if c.process.returncode is None]
        # Taken before any signal: once a child dies its orphans can no longer be traced to it.
        trees = {child.spec.name: _descendants(child.process.pid) for child in running}
        for child in running:
            _signal_group(child.process.pid, signal.SIGTERM)
        if running:
            await asyncio.wait(
                [asyncio.create_task(c.process.wait()) for c in running],
                timeout=self._grace_seconds,
            )
        for child in running:
            await _kill_tree(child, trees[child.spec.name])
        for watcher in self._watchers:
            watcher.cancel()
        await asyncio.gather(*self._watchers, return_exceptions=True)
        while self._backing_servers:
            self._backing_servers.pop().stop()

    async def _spawn(self, spec: ChildSpec) -> _Child:
        log_path = self.log_path(spec.name)
        log_path.parent.mkdir(parents=True, exist_ok=True)
        with log_path.open("ab") as log:
            process = await asyncio.create_subprocess_exec(
                *spec.argv,
                env=dict(spec.env),
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                # Its own group: a terminal's Ctrl-C reaches only the supervisor, which then stops
                # the children in order; and one killpg reaches the child's own subprocesses.
                process_group=0,
                preexec_fn=die_with_parent(signal.SIGTERM),
            )
        return _Child(spec, process, log_path)

    async def _watch(self, child: _Child) -> None:
        returncode = await child.process.wait()
        if not self._shutting_down:
            await self._unexpected_exits.put(ChildExit(child.spec.name, returncode, child.log_path))


async def _kill_tree(child: _Child, descendants: list[psutil.Process]) -> None:
    """SIGKILLs whatever is left of a child: its process group and its recorded descendants."""
    if child.process.returncode is None:
        _signal_group(child.process.pid, signal.SIGKILL)
        await child.process.wait()
    for descendant in descendants:
        # psutil checks the process start time, so a recycled pid is never hit.
        with contextlib.suppress(psutil.NoSuchProcess):
            descendant.kill()


def _signal_group(process_group: int, signum: signal.Signals) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process_group, signum)


def _descendants(pid: int) -> list[psutil.Process]:
    try:
        descendants: list[psutil.Process] = psutil.Process(pid).children(recursive=True)
    except psutil.NoSuchProcess:
        return []
    return descendants


async def run_until_stopped(
    supervisor: Supervisor, bring_up: Callable[[], Coroutine[Any, Any, None]]
) -> int:
    """The supervisor's life in a CLI: bring the stack up, then wait for SIGINT/SIGTERM (status 0)
    or for a child to die or the bring-up to fail (status 1); shut everything down in every case.
    """
    loop = asyncio.get_running_loop()
    stop_requested = asyncio.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop_requested.set)
    startup = asyncio.create_task(bring_up())
    stop = asyncio.create_task(stop_requested.wait())
    crash = asyncio.create_task(supervisor.next_unexpected_exit())
    try:
        done, _ = await asyncio.wait({startup, stop, crash}, return_when=asyncio.FIRST_COMPLETED)
        if startup in done and startup.exception() is None:
            done, _ = await asyncio.wait({stop, crash}, return_when=asyncio.FIRST_COMPLETED)
        return _report_outcome(startup, crash)
    finally:
        for task in (startup, stop, crash):
            task.cancel()
        await asyncio.gather(startup, stop, crash, return_exceptions=True)
        _announce("stopping the stack ...")
        await supervisor.shutdown()
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.remove_signal_handler(signum)
        _announce("stack stopped")


def _announce(message: str) -> None:
    # Ctrl-C also ends a `| tee` reading our output; stopping the stack matters more than saying so.
    with contextlib.suppress(OSError):
        print(message, flush=True)


def _report_outcome(startup: asyncio.Task[None], crash: asyncio.Task[ChildExit]) -> int:
    if crash.done():
        print(f"FAILED: {crash.result().describe()}", file=sys.stderr, flush=True)
        return 1
    failure = startup.exception() if startup.done() else None
    if failure is None:
        return 0
    if isinstance(failure, RuntimeError | TimeoutError):
        # Our own start-up errors already say what failed and quote the log.
        print(f"FAILED to start: {failure}", file=sys.stderr, flush=True)
    else:
        print("FAILED to start:", file=sys.stderr)
        traceback.print_exception(failure, file=sys.stderr)
    return 1
