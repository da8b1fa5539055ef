"""`streamstock alerts`: alerting's alerts: list, show, acknowledge, watch, and a receiver's inbox."""

from __future__ import annotations

import getpass
from collections.abc import Iterable
from typing import Annotated

import typer
from streamstock.alerting.v1 import alerts_pb2, deliveries_pb2, policies_pb2

from tools.cli import output
from tools.cli.options import After, Json, Limit, PageSize, PageToken, RequestId, choice, enum_value
from tools.cli.session import request_id, session_of

app = typer.Typer(help="List, acknowledge and watch stock alerts.", no_args_is_help=True)

AlertId = Annotated[str, typer.Argument(help="The alert.")]
Tiers = Annotated[
    list[str] | None,
    choice(policies_pb2.Tier, "--tier", help="Only this tier (repeatable)."),
]
Skus = Annotated[
    list[str] | None, typer.Option("--sku", help="Only alerts of this SKU (repeatable).")
]

ALERT_COLUMNS = ("alert", "tier", "state", "SKU", "trigger", "acknowledged by", "fired", "summary")


def alert_row(alert: alerts_pb2.Alert) -> tuple[object, ...]:
    return (
        alert.alert_id,
        output.label(alert, "tier"),
        output.label(alert, "state") + (" (inhibited)" if alert.inhibited else ""),
        alert.sku_id,
        output.label(alert, "trigger"),
        alert.acknowledgement.acknowledged_by or "-",
        output.when(alert.fire_time) or output.when(alert.pending_time),
        alert.summary,
    )


def print_alerts(title: str, alerts: Iterable[alerts_pb2.Alert]) -> None:
    output.rows(title, ALERT_COLUMNS, (alert_row(alert) for alert in alerts))


def print_alert(alert: alerts_pb2.Alert, as_json: bool) -> None:
    if as_json:
        output.print_json(alert)
        return
    values = alert.latest_values
    output.record(
        f"Alert {alert.alert_id}",
        [
            *zip(ALERT_COLUMNS[1:], alert_row(alert)[1:], strict=True),
            ("session", alert.session_id or "-"),
            ("consumed / forecast", f"{values.consumed_units} / {values.forecast_units}"),
            ("sellable", values.sellable_units),
            ("projected sell-out", output.when(values.projected_sell_out_time) or "-"),
            ("resolved", output.when(alert.resolve_time) or "-"),
            (
                "actions",
                ", ".join(
                    f"{output.label(result, 'action')}: {output.label(result, 'status')}"
                    for result in alert.action_results
                )
                or "-",
            ),
        ],
    )


@app.command("list")
def list_alerts(
    ctx: typer.Context,
    state: Annotated[
        list[str] | None,
        choice(alerts_pb2.AlertState, help="Only this state (repeatable)."),
    ] = None,
    tier: Tiers = None,
    sku: Annotated[str, typer.Option(help="Only alerts of this SKU.")] = "",
    unacknowledged: Annotated[bool, typer.Option(help="Only alerts nobody acknowledged.")] = False,
    page_size: PageSize = 0,
    page_token: PageToken = "",
    as_json: Json = False,
) -> None:
    """List alerts, newest first."""
    session = session_of(ctx, as_json)
    request = alerts_pb2.ListAlertsRequest(
        tenant_id=session.tenant,
        page_size=page_size,
        page_token=page_token,
        states=[enum_value(alerts_pb2.AlertState, chosen) for chosen in state or []],
        tiers=[enum_value(policies_pb2.Tier, chosen) for chosen in tier or []],
        sku_id=sku,
    )
    if unacknowledged:
        request.acknowledged = False
    response = session.call(session.alerting().ListAlerts, request)
    output.listing(
        as_json,
        response,
        lambda: print_alerts(f"Alerts of {session.tenant}", response.alerts),
    )


@app.command("get")
def get(ctx: typer.Context, alert_id: AlertId, as_json: Json = False) -> None:
    """Show one alert with its values and action results."""
    session = session_of(ctx, as_json)
    request = alerts_pb2.GetAlertRequest(tenant_id=session.tenant, alert_id=alert_id)
    print_alert(session.call(session.alerting().GetAlert, request).alert, as_json)


@app.command("ack")
def acknowledge(
    ctx: typer.Context,
    alert_id: AlertId,
    by: Annotated[
        str | None, typer.Option(help="Who takes ownership [default: your login name].")
    ] = None,
    comment: Annotated[str, typer.Option(help="A note for the others.")] = "",
    given_request_id: RequestId = None,
    as_json: Json = False,
) -> None:
    """Acknowledge an alert: its escalation and repeats stop for every receiver."""
    session = session_of(ctx, as_json)
    request = alerts_pb2.AcknowledgeAlertRequest(
        tenant_id=session.tenant,
        request_id=request_id(given_request_id),
        alert_id=alert_id,
        acknowledged_by=by or getpass.getuser(),
        comment=comment,
    )
    print_alert(session.call(session.alerting().AcknowledgeAlert, request).alert, as_json)


def change_line(change: alerts_pb2.WatchAlertsResponse) -> str:
    """One alert change on one line."""
    alert = change.alert
    return (
        f"[bold]#{change.sequence}[/] {output.when(change.change_time)} "
        f"{output.label(change, 'change')} [cyan]{output.quoted(alert.sku_id)}[/] "
        f"{output.label(alert, 'tier')} {output.label(alert, 'state')} "
        f"{output.quoted(alert.alert_id)} {output.quoted(alert.summary)}"
    )


@app.command("watch")
def watch(
    ctx: typer.Context,
    after: After = 0,
    limit: Limit = 0,
    tier: Tiers = None,
    sku: Skus = None,
    as_json: Json = False,
) -> None:
    """Stream alert changes as a dashboard sees them; Ctrl-C stops. With --json: one JSON line each."""
    session = session_of(ctx, as_json)
    request = alerts_pb2.WatchAlertsRequest(
        tenant_id=session.tenant,
        after_sequence=after,
        sku_ids=sku or [],
        tiers=[enum_value(policies_pb2.Tier, chosen) for chosen in tier or []],
    )
    session.follow(session.alerting().WatchAlerts, request, limit=limit, describe=change_line)


def print_inbox(receiver_id: str, items: Iterable[deliveries_pb2.InboxItem]) -> None:
    output.rows(
        f"Inbox of {receiver_id}",
        ("item", "kind", "time", *ALERT_COLUMNS),
        (
            (
                item.item_id,
                output.label(item, "kind"),
                output.when(item.create_time),
                *alert_row(item.alert),
            )
            for item in items
        ),
    )


@app.command("inbox")
def inbox(
    ctx: typer.Context,
    receiver_id: Annotated[str, typer.Argument(help="The receiver whose in-app inbox to list.")],
    unacknowledged: Annotated[
        bool, typer.Option(help="Only items whose alert nobody acknowledged.")
    ] = False,
    page_size: PageSize = 0,
    page_token: PageToken = "",
    as_json: Json = False,
) -> None:
    """List a receiver's in-app inbox, newest first."""
    session = session_of(ctx, as_json)
    request = deliveries_pb2.ListInboxItemsRequest(
        tenant_id=session.tenant,
        receiver_id=receiver_id,
        unacknowledged_only=unacknowledged,
        page_size=page_size,
        page_token=page_token,
    )
    response = session.call(session.alerting().ListInboxItems, request)
    output.listing(
        as_json,
        response,
        lambda: print_inbox(receiver_id, response.items),
    )
