"""The `streamstock` command: global connection options and one command group per context."""

from __future__ import annotations

import os
from typing import Annotated

import typer

from tools.cli import alerts, events, holds, ledger, platforms, policy, risk, stock
from tools.cli.session import Session
from tools.devstack.dev_keys import ADMIN_KEY, DEMO_TENANT
from tools.devstack.ports import SERVICE_NAMES, StackPorts

app = typer.Typer(
    name="streamstock",
    help=(
        "Operate StreamStock from a terminal: stock, sale policies, holds, events, alerts, risk "
        "lists and platform quotas. Defaults reach the stack `make run` starts (tenant demo, "
        "the dev admin key)."
    ),
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)


def _address_option(service: str) -> typer.models.OptionInfo:
    return typer.Option(
        f"--{service}-address",
        envvar=f"STREAMSTOCK_{service.upper()}_ADDR",
        help=f"host:port of {service} [default: the local stack's {service} port]",
        show_default=False,
    )


@app.callback()
def connect(
    ctx: typer.Context,
    inventory_address: Annotated[str | None, _address_option("inventory")] = None,
    riskcontrol_address: Annotated[str | None, _address_option("riskcontrol")] = None,
    alerting_address: Annotated[str | None, _address_option("alerting")] = None,
    sync_address: Annotated[str | None, _address_option("sync")] = None,
    api_key: Annotated[
        str,
        typer.Option(
            envvar="STREAMSTOCK_API_KEY",
            help="Sent as x-api-key.",
            show_default="the dev admin key",
        ),
    ] = ADMIN_KEY,
    tenant: Annotated[
        str, typer.Option(envvar="STREAMSTOCK_TENANT", help="The tenant acted for.")
    ] = DEMO_TENANT,
    timeout: Annotated[
        float, typer.Option(help="Deadline of each call in seconds (streams have none).")
    ] = 5.0,
) -> None:
    """Connection settings shared by every command (give them before the command group)."""
    local = StackPorts.from_environment(os.environ).services
    given = {
        "inventory": inventory_address,
        "riskcontrol": riskcontrol_address,
        "alerting": alerting_address,
        "sync": sync_address,
    }
    addresses = {name: given[name] or local[name].grpc_address for name in SERVICE_NAMES}
    session = Session(addresses=addresses, api_key=api_key, tenant=tenant, timeout=timeout)
    ctx.obj = session
    ctx.call_on_close(session.close)


app.add_typer(stock.app, name="stock")
app.add_typer(policy.app, name="policy")
app.add_typer(holds.app, name="holds")
app.add_typer(events.app, name="events")
app.add_typer(ledger.app, name="ledger")
app.command("reconcile")(ledger.reconcile)
app.add_typer(alerts.app, name="alerts")
app.add_typer(risk.app, name="risk")
app.add_typer(platforms.platforms_app, name="platforms")
app.add_typer(platforms.quotas_app, name="quotas")
