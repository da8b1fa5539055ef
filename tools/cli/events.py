"""`streamstock events watch`: inventory's event log, followed live."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Annotated

import typer
from google.protobuf.message import Message
from streamstock.inventory.v1 import events_pb2
from streamstock.inventory.v1 import inventory_service_pb2 as api

from tools.cli import output
from tools.cli.options import After, Json, Limit, choice, enum_value
from tools.cli.session import session_of

app = typer.Typer(help="Follow inventory's event stream.", no_args_is_help=True)


def _detail(event: events_pb2.InventoryEvent) -> str:
    kind = event.WhichOneof("kind")
    body: Message = getattr(event, kind) if kind else event
    if isinstance(body, events_pb2.ReservationEvent):
        return f"{body.reservation_id} user {body.user_id} x{body.quantity}"
    if isinstance(body, events_pb2.StockAdjusted):
        return f"{body.on_hand_delta:+d} {output.label(body, 'reason')} {body.note}".rstrip()
    if isinstance(body, events_pb2.WithheldChanged):
        return f"{output.label(body, 'kind')} {body.quantity}"
    if isinstance(body, events_pb2.SaleStatusChanged):
        return f"{output.label(body, 'previous')} -> {output.label(body, 'current')} {body.reason}".rstrip()
    if isinstance(body, events_pb2.SkuCreated):
        return body.title
    if isinstance(body, events_pb2.SoldReturned):
        return f"{body.quantity} from order {body.order_id}"
    return ""


def event_line(event: events_pb2.InventoryEvent) -> str:
    """One event on one line: sequence, time, SKU, kind, what changed, the counters after it."""
    stock = event.stock
    return (
        f"[bold]#{event.sequence}[/] {output.when(event.occur_time)} "
        f"[cyan]{output.quoted(event.sku_id)}[/] "
        f"{(event.WhichOneof('kind') or '?').replace('_', ' ')} {output.quoted(_detail(event))} "
        f"[dim](sellable {stock.sellable}, reserved {stock.reserved}, sold {stock.sold})[/]"
    )


def _events(batches: Iterable[api.WatchEventsResponse]) -> Iterator[events_pb2.InventoryEvent]:
    for batch in batches:
        yield from batch.events


@app.command("watch")
def watch(
    ctx: typer.Context,
    after: After = 0,
    limit: Limit = 0,
    sku: Annotated[
        list[str] | None, typer.Option(help="Only events of this SKU (repeatable).")
    ] = None,
    event_type: Annotated[
        list[str] | None,
        choice(
            events_pb2.EventType,
            "--type",
            help="Only this event type (repeatable).",
        ),
    ] = None,
    as_json: Json = False,
) -> None:
    """Stream events from a sequence on, then live as they commit; Ctrl-C stops.

    With --json each event is one JSON line.
    """
    session = session_of(ctx, as_json)
    request = api.WatchEventsRequest(
        tenant_id=session.tenant,
        after_sequence=after,
        sku_ids=sku or [],
        event_types=[enum_value(events_pb2.EventType, chosen) for chosen in event_type or []],
    )
    session.follow(
        session.inventory().WatchEvents, request, limit=limit, describe=event_line, items=_events
    )
