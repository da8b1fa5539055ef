"""`python -m tools.devstack up | status | down`: the local stack from a terminal."""

import argparse
import asyncio
import os
import shutil
import sys
import time
from pathlib import Path
from typing import Final

import psutil

from tools.devstack import dev_keys
from tools.devstack.grpc_probe import SERVING
from tools.devstack.ports import POSTGRES_PORT_VARIABLE, REDIS_PORT_VARIABLE, StackPorts, is_free
from tools.devstack.runstate import RunState
from tools.devstack.stack import POSTGRES_DIR, REDIS_DIR, LocalStack, format_table, service_statuses
from tools.devstack.supervisor import Supervisor, run_until_stopped

_GRACE_SECONDS: Final = 15.0
# `down` waits for the services' grace period plus PostgreSQL's and Redis's own shutdown.
_DOWN_TIMEOUT_SECONDS: Final = _GRACE_SECONDS + 45.0


def main(argv: list[str] | None = None) -> int:
    arguments = _parser().parse_args(argv)
    data_dir: Path = arguments.data_dir.absolute()
    if arguments.command == "up":
        return _up(data_dir, fresh=arguments.fresh)
    if arguments.command == "status":
        return _status(data_dir)
    return _down(data_dir)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m tools.devstack",
        description="Run StreamStock locally: PostgreSQL, Redis and the four services on loopback.",
    )
    commands = parser.add_subparsers(dest="command", required=True)
    up = commands.add_parser("up", help="start the stack and run it until Ctrl-C")
    up.add_argument("--fresh", action="store_true", help="delete the stack's databases first")
    status = commands.add_parser("status", help="show whether the stack runs and is healthy")
    down = commands.add_parser("down", help="stop a stack running in another shell")
    for command in (up, status, down):
        command.add_argument(
            "--data-dir",
            type=Path,
            default=Path(".local"),
            help="where the databases and logs live (default: .local)",
        )
    return parser


def _up(data_dir: Path, *, fresh: bool) -> int:
    run_state = RunState.of(data_dir)
    running = run_state.running()
    if running is not None:
        print(
            f"a stack already runs from {data_dir} (pid {running.process.pid}); "
            "`python -m tools.devstack down` stops it",
            file=sys.stderr,
        )
        return 1
    try:
        ports = StackPorts.from_environment()
    except ValueError as error:
        print(error, file=sys.stderr)
        return 1
    busy = ports.busy()
    if busy:
        print(
            "these ports are in use; free them or set the variables to other ports:",
            file=sys.stderr,
        )
        for variable, port in busy.items():
            print(f"  {variable}={port}", file=sys.stderr)
        return 1
    if fresh:
        _delete_stack_data(data_dir)
    run_state.record(ports)
    try:
        return asyncio.run(_serve(data_dir, ports))
    finally:
        run_state.clear()


async def _serve(data_dir: Path, ports: StackPorts) -> int:
    supervisor = Supervisor(data_dir, grace_seconds=_GRACE_SECONDS)
    stack = LocalStack(data_dir, ports, supervisor)

    async def bring_up() -> None:
        started = time.monotonic()
        statuses = await stack.bring_up()
        print(f"stack up in {time.monotonic() - started:.1f} s\n")
        print(format_table(statuses))
        if "STREAMSTOCK_API_KEYS" not in os.environ:
            print(
                f"\nAPI keys (metadata x-api-key), tenant {dev_keys.DEMO_TENANT!r}: "
                f"{dev_keys.ADMIN_KEY}, {dev_keys.OPERATOR_KEY}, {dev_keys.PLATFORM_KEY}, "
                f"{dev_keys.VIEWER_KEY}"
            )
        print(f"logs: {data_dir}/*.log    stop: Ctrl-C", flush=True)

    return await run_until_stopped(supervisor, bring_up)


def _delete_stack_data(data_dir: Path) -> None:
    for folder in (POSTGRES_DIR, REDIS_DIR):
        shutil.rmtree(data_dir / folder, ignore_errors=True)
    for log in data_dir.glob("*.log"):
        log.unlink()


def _status(data_dir: Path) -> int:
    running = RunState.of(data_dir).running()
    if running is None:
        print(f"no stack runs from {data_dir}")
        return 1
    ports = running.ports
    print(f"stack: supervisor pid {running.process.pid}, data in {data_dir}")
    for name, port, variable in (
        ("postgres", ports.postgres, POSTGRES_PORT_VARIABLE),
        ("redis", ports.redis, REDIS_PORT_VARIABLE),
    ):
        print(f"{name}: {'listening' if not is_free(port) else 'DOWN'} on port {port} ({variable})")
    statuses = asyncio.run(service_statuses(ports))
    print(format_table(statuses))
    return 0 if all(status.health == SERVING for status in statuses) else 1


def _down(data_dir: Path) -> int:
    running = RunState.of(data_dir).running()
    if running is None:
        print(f"no stack runs from {data_dir}")
        return 0
    print(f"stopping the stack (supervisor pid {running.process.pid}) ...")
    running.process.terminate()
    try:
        running.process.wait(_DOWN_TIMEOUT_SECONDS)
    except psutil.TimeoutExpired:
        print(f"the supervisor did not stop within {_DOWN_TIMEOUT_SECONDS:.0f} s", file=sys.stderr)
        return 1
    print("stack stopped")
    return 0


if __name__ == "__main__":
    sys.exit(main())
