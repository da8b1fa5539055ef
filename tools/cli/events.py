"""`streamstock events watch`: inventory's event log, followed live."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Annotated

import typer
from google.protobuf.message import Message
from streamstock.inventory.v1 import events_pb2
from streamstock.inventory.v1 import inventory_service_pb2 as api

from tools.cli import output
from tools.cli.errors import CallError
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

    From the start of the log means from the oldest event inventory still keeps (it prunes
    events after its retention, 7 days by default).

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
        session.inventory().WatchEvents,
        request,
        limit=limit,
        describe=event_line,
        items=_events,
        resume=_from_oldest_kept(request) if after == 0 else None,
    )


def _from_oldest_kept(
    request: api.WatchEventsRequest,
) -> Callable[[CallError], api.WatchEventsRequest | None]:
    """Watching from the start of the log means from its oldest event still kept: inventory
    prunes events after a retention (7 days by default) and refuses a cursor behind them with
    EVENTS_PRUNED. Said on stderr, so that --json output stays one event per line. A watch from an
    explicit --from behind the retention still fails: those events are asked for and gone."""

    def resume(error: CallError) -> api.WatchEventsRequest | None:
        if error.reason != "EVENTS_PRUNED" or request.after_sequence != 0:
            return None
        oldest = int(error.metadata["oldest_sequence"])
        output.console(stderr=True).print(
            f"[dim]events before #{oldest} were pruned by inventory's retention; "
            f"starting at #{oldest}[/]"
        )
        request.after_sequence = oldest - 1
        return request

    return resume
