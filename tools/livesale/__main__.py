"""`python -m tools.livesale [--scenario FILE]`: starts the local stack (or joins one that
`python -m tools.devstack up` runs from the same data folder), plays the scenario with a live
console, prints the report and exits non-zero when an invariant broke.

Exit status: 0 all invariants hold, 1 an invariant broke or the stack failed, 2 bad scenario file.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import sys
from collections.abc import Coroutine, Mapping
from pathlib import Path
from typing import Any, Final

from rich.console import Console

from tools.devstack import dev_keys
from tools.devstack.ports import StackPorts
from tools.devstack.runstate import RunState
from tools.devstack.stack import LocalStack
from tools.devstack.supervisor import Supervisor
from tools.livesale.calls import Refused
from tools.livesale.play import Endpoints, play
from tools.livesale.report import Report
from tools.livesale.scenario import Scenario, ScenarioError, load_scenario
from tools.livesale.session import ApiKeys

DEFAULT_SCENARIO: Final = Path("scenarios/flash-sale.yaml")
_GRACE_SECONDS: Final = 5.0


def main(argv: list[str] | None = None) -> int:
    arguments = _parser().parse_args(argv)
    try:
        scenario = load_scenario(arguments.scenario)
    except ScenarioError as error:
        print(f"{arguments.scenario}: {error}", file=sys.stderr)
        return 2
    console = _console(plain=arguments.plain)
    # The published local keys, unless the stack runs with keys of your own.
    keys = ApiKeys(
        os.environ.get("STREAMSTOCK_LIVESALE_ADMIN_KEY", dev_keys.ADMIN_KEY),
        os.environ.get("STREAMSTOCK_LIVESALE_PLATFORM_KEY", dev_keys.PLATFORM_KEY),
    )
    data_dir: Path = arguments.data_dir.absolute()
    running = RunState.of(data_dir).running()
    if running is not None:
        console.print(f"playing against the stack already running from {data_dir}")
        work = play(scenario, _endpoints(running.ports), keys, console)
    else:
        work = _with_own_stack(scenario, data_dir, keys, console)
    try:
        report = asyncio.run(_until_stopped(work))
    except (RuntimeError, TimeoutError, Refused) as error:
        print(f"FAILED: {error}", file=sys.stderr)
        if "migration" in str(error):
            print(
                f"hint: the databases in {data_dir} predate a change of the schema; "
                f"`rm -rf {data_dir}` starts afresh",
                file=sys.stderr,
            )
        return 1
    if report is None:
        print("interrupted: the session was cut short, the stack is stopped", file=sys.stderr)
        return 130
    report.print(console)
    if arguments.report_json is not None:
        report.write_json(arguments.report_json)
        console.print(f"report written to {arguments.report_json}")
    return report.exit_status()


async def _until_stopped(work: Coroutine[Any, Any, Report]) -> Report | None:
    """Runs `work` until it ends or Ctrl-C / SIGTERM cancels it (its cleanup runs: the stack it
    started is stopped); None when it was cancelled."""
    loop = asyncio.get_running_loop()
    task = asyncio.current_task()
    assert task is not None
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, task.cancel)
    try:
        return await work
    except asyncio.CancelledError:
        return None
    finally:
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.remove_signal_handler(signum)


def _console(*, plain: bool) -> Console:
    """A live view on a terminal; otherwise plain lines, wide enough for the report's tables."""
    console = Console(force_terminal=False if plain else None)
    if plain or not console.is_terminal:
        return Console(force_terminal=False, width=max(console.width, 140))
    return console


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m tools.livesale", description=__doc__)
    parser.add_argument("--scenario", type=Path, default=DEFAULT_SCENARIO, help="scenario file")
    parser.add_argument(
        "--data-dir", type=Path, default=Path(".local"), help="the stack's data (default .local)"
    )
    parser.add_argument("--plain", action="store_true", help="plain status lines, no live view")
    parser.add_argument("--report-json", type=Path, help="also write the report as JSON here")
    return parser


def _endpoints(ports: StackPorts) -> Endpoints:
    return Endpoints.of({name: service.grpc_address for name, service in ports.services.items()})


def stack_environment(scenario: Scenario, environ: Mapping[str, str]) -> dict[str, str]:
    """The stack's environment with its periodic jobs sped up like the session's clock: the
    expiry sweeper looks often enough for compressed holds, sync rebalances every session minute.
    A developer's own settings win."""
    timescale = scenario.timescale
    shortest_hold = min(
        (sku.policy.hold_ttl for sku in scenario.skus if sku.policy.hold_ttl > 0), default=1200.0
    )
    compressed = {
        "STREAMSTOCK_SWEEP_INTERVAL_SECONDS": f"{timescale.sweep_interval(shortest_hold):.3f}",
        "STREAMSTOCK_SYNC_REBALANCE_INTERVAL_SECONDS": f"{timescale.to_real(60.0):.3f}",
    }
    return {**compressed, **environ}


async def _with_own_stack(
    scenario: Scenario, data_dir: Path, keys: ApiKeys, console: Console
) -> Report:
    ports = StackPorts.from_environment()
    busy = ports.busy()
    if busy:
        taken = ", ".join(f"{variable}={port}" for variable, port in busy.items())
        raise RuntimeError(f"ports in use ({taken}); free them or set the variables to other ports")
    run_state = RunState.of(data_dir)
    run_state.record(ports)
    supervisor = Supervisor(data_dir, grace_seconds=_GRACE_SECONDS)
    stack = LocalStack(data_dir, ports, supervisor, environ=stack_environment(scenario, os.environ))
    try:
        with console.status("starting PostgreSQL, Redis and the four services ..."):
            await stack.bring_up()
        console.print(f"stack up; logs in {data_dir}/*.log")
        session = asyncio.create_task(play(scenario, _endpoints(ports), keys, console))
        crash = asyncio.create_task(supervisor.next_unexpected_exit())
        await asyncio.wait({session, crash}, return_when=asyncio.FIRST_COMPLETED)
        if not session.done():
            session.cancel()
            raise RuntimeError(crash.result().describe())
        crash.cancel()
        return session.result()
    finally:
        console.print("stopping the stack ...")
        await supervisor.shutdown()
        run_state.clear()


if __name__ == "__main__":
    sys.exit(main())
