"""`streamstock holds`: reservations (holds) on stock: reserve, confirm, release, extend, read."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Annotated

import typer
from streamstock.inventory.v1 import inventory_service_pb2 as api
from streamstock.inventory.v1 import reservation_pb2, stock_pb2

from tools.cli import output
from tools.cli.options import (
    INT32_MAX,
    INT64_MAX,
    INT64_MIN,
    Json,
    PageSize,
    PageToken,
    RequestId,
    choice,
    duration,
    enum_value,
)
from tools.cli.session import request_id, session_of

app = typer.Typer(
    help="Hold stock for buyers, confirm, release, extend and list holds.", no_args_is_help=True
)

ReservationId = Annotated[str, typer.Argument(help="The reservation (hold).")]


_LINE = re.compile(r"(?P<sku_id>.+)[=:](?P<quantity>-?\d+)")


def parse_line(text: str) -> api.ReserveLine:
    """`SKU=QUANTITY` (or `SKU:QUANTITY`; SKU ids may themselves hold `:`) -> a reserve line."""
    line = _LINE.fullmatch(text)
    if line is None:
        raise typer.BadParameter(f"{text!r} is not SKU=QUANTITY", param_hint="'lines'")
    quantity = int(line["quantity"])
    if not INT64_MIN <= quantity <= INT64_MAX:
        raise typer.BadParameter(
            f"{text!r}: the quantity is beyond {INT64_MAX:,}", param_hint="'lines'"
        )
    return api.ReserveLine(sku_id=line["sku_id"], quantity=quantity)


def _lines(reservation: reservation_pb2.Reservation) -> str:
    return ", ".join(
        f"{line.sku_id} x{line.quantity}"
        + (f" ({line.consumed_quantity} sold)" if line.consumed_quantity else "")
        for line in reservation.lines
    )


def print_reservations(title: str, reservations: Iterable[reservation_pb2.Reservation]) -> None:
    output.rows(
        title,
        ("reservation", "state", "user", "order", "lines", "stage", "expires", "created"),
        (
            (
                held.reservation_id,
                output.label(held, "state"),
                held.user_id,
                held.order_id,
                _lines(held),
                output.label(held, "lock_stage"),
                output.when(held.expire_time),
                output.when(held.create_time),
            )
            for held in reservations
        ),
    )


def print_reservation(held: reservation_pb2.Reservation, as_json: bool) -> None:
    if as_json:
        output.print_json(held)
        return
    output.record(
        f"Reservation {held.reservation_id}",
        [
            ("state", output.label(held, "state")),
            ("user", held.user_id),
            ("order", held.order_id),
            ("lines", _lines(held)),
            ("stage", output.label(held, "lock_stage")),
            ("purpose", output.label(held, "purpose")),
            ("platform", held.buyer.platform_id or "-"),
            ("created", output.when(held.create_time)),
            ("expires", output.when(held.expire_time)),
            ("settled", output.when(held.settle_time) or "-"),
            ("extensions", held.extension_count),
            ("payment reference", held.payment_reference or "-"),
            (
                "release reason",
                output.label(held, "release_reason") if held.release_reason else "-",
            ),
            ("risk decision", held.risk_decision_id or "-"),
        ],
    )


Lines = Annotated[list[str], typer.Argument(help="SKU=QUANTITY, one per SKU (up to 50).")]
Platform = Annotated[str, typer.Option(help="The platform the buyer buys on.")]
Ip = Annotated[str, typer.Option(help="The buyer's IP address (risk checks).")]
Device = Annotated[str, typer.Option(help="The buyer's device id (risk checks).")]


@app.command("reserve")
def reserve(
    ctx: typer.Context,
    lines: Lines,
    user: Annotated[str, typer.Option(help="The buyer (or platform account for quotas).")],
    order: Annotated[str, typer.Option(help="The order id (or cart id at the cart stage).")],
    stage: Annotated[
        str,
        choice(stock_pb2.LockStage, help="cart or order, as the SKUs' policy says."),
    ] = "cart",
    purpose: Annotated[
        str,
        choice(reservation_pb2.ReservationPurpose, help="buyer or platform-quota."),
    ] = "buyer",
    platform: Platform = "",
    ip: Ip = "",
    device: Device = "",
    given_request_id: RequestId = None,
    as_json: Json = False,
) -> None:
    """Hold units of one or several SKUs for a buyer, all or nothing."""
    session = session_of(ctx, as_json)
    reserve_lines = [parse_line(line) for line in lines]
    request = api.ReserveRequest(
        tenant_id=session.tenant,
        request_id=request_id(given_request_id),
        user_id=user,
        order_id=order,
        lines=reserve_lines,
        lock_stage=enum_value(stock_pb2.LockStage, stage),
        purpose=enum_value(reservation_pb2.ReservationPurpose, purpose),
        buyer=reservation_pb2.BuyerContext(platform_id=platform, ip=ip, device_id=device),
    )
    print_reservation(session.call(session.inventory().Reserve, request).reservation, as_json)


@app.command("purchase")
def purchase(
    ctx: typer.Context,
    lines: Lines,
    user: Annotated[str, typer.Option(help="The buyer.")],
    order: Annotated[str, typer.Option(help="The order id.")],
    payment_reference: Annotated[
        str, typer.Option("--payment-ref", help="The payment reference.")
    ] = "",
    platform: Platform = "",
    ip: Ip = "",
    device: Device = "",
    given_request_id: RequestId = None,
    as_json: Json = False,
) -> None:
    """Hold and confirm in one step, at payment (how PAYMENT-stage SKUs are bought)."""
    session = session_of(ctx, as_json)
    reserve_lines = [parse_line(line) for line in lines]
    request = api.PurchaseRequest(
        tenant_id=session.tenant,
        request_id=request_id(given_request_id),
        user_id=user,
        order_id=order,
        lines=reserve_lines,
        payment_reference=payment_reference,
        buyer=reservation_pb2.BuyerContext(platform_id=platform, ip=ip, device_id=device),
    )
    print_reservation(session.call(session.inventory().Purchase, request).reservation, as_json)


@app.command("confirm")
def confirm(
    ctx: typer.Context,
    reservation_id: ReservationId,
    payment_reference: Annotated[
        str, typer.Option("--payment-ref", help="The payment reference.")
    ] = "",
    given_request_id: RequestId = None,
    as_json: Json = False,
) -> None:
    """Confirm (pay) an active hold: its units become sold."""
    session = session_of(ctx, as_json)
    request = api.ConfirmReservationRequest(
        tenant_id=session.tenant,
        request_id=request_id(given_request_id),
        reservation_id=reservation_id,
        payment_reference=payment_reference,
    )
    print_reservation(
        session.call(session.inventory().ConfirmReservation, request).reservation, as_json
    )


@app.command("release")
def release(
    ctx: typer.Context,
    reservation_id: ReservationId,
    reason: Annotated[
        str,
        choice(reservation_pb2.ReleaseReason, help="Why the hold ends."),
    ] = "operator",
    given_request_id: RequestId = None,
    as_json: Json = False,
) -> None:
    """Cancel an active hold: its units return to sellable stock."""
    session = session_of(ctx, as_json)
    request = api.ReleaseReservationRequest(
        tenant_id=session.tenant,
        request_id=request_id(given_request_id),
        reservation_id=reservation_id,
        reason=enum_value(reservation_pb2.ReleaseReason, reason),
    )
    print_reservation(
        session.call(session.inventory().ReleaseReservation, request).reservation, as_json
    )


@app.command("extend")
def extend(
    ctx: typer.Context,
    reservation_id: ReservationId,
    by: Annotated[str, typer.Option("--by", help="How much later the deadline moves, e.g. 5m.")],
    given_request_id: RequestId = None,
    as_json: Json = False,
) -> None:
    """Move an active hold's deadline later, when its SKUs' policy allows extensions."""
    session = session_of(ctx, as_json)
    request = api.ExtendReservationRequest(
        tenant_id=session.tenant,
        request_id=request_id(given_request_id),
        reservation_id=reservation_id,
        extension=duration(by),
    )
    print_reservation(
        session.call(session.inventory().ExtendReservation, request).reservation, as_json
    )


@app.command("get")
def get(ctx: typer.Context, reservation_id: ReservationId, as_json: Json = False) -> None:
    """Show one hold (an active hold past its deadline shows as EXPIRED)."""
    session = session_of(ctx, as_json)
    request = api.GetReservationRequest(tenant_id=session.tenant, reservation_id=reservation_id)
    print_reservation(
        session.call(session.inventory().GetReservation, request).reservation, as_json
    )


@app.command("list")
def list_holds(
    ctx: typer.Context,
    user: Annotated[str, typer.Option(help="Holds of this buyer.")] = "",
    order: Annotated[str, typer.Option(help="Holds of this order.")] = "",
    sku: Annotated[str, typer.Option(help="Holds on this SKU.")] = "",
    state: Annotated[
        str | None,
        choice(reservation_pb2.ReservationState, help="Only this state."),
    ] = None,
    page_size: PageSize = 0,
    page_token: PageToken = "",
    as_json: Json = False,
) -> None:
    """List holds of a buyer, an order or a SKU (exactly one of --user, --order, --sku), newest first."""
    session = session_of(ctx, as_json)
    if [bool(user), bool(order), bool(sku)].count(True) != 1:
        raise typer.BadParameter("give exactly one of --user, --order or --sku")
    request = api.ListReservationsRequest(
        tenant_id=session.tenant,
        user_id=user,
        order_id=order,
        sku_id=sku,
        state=enum_value(reservation_pb2.ReservationState, state),
        page_size=page_size,
        page_token=page_token,
    )
    response = session.call(session.inventory().ListReservations, request)
    output.listing(
        as_json, response, lambda: print_reservations("Reservations", response.reservations)
    )


@app.command("sweep")
def sweep(
    ctx: typer.Context,
    limit: Annotated[
        int, typer.Option(help="The most holds to expire (0: 10,000).", min=0, max=INT32_MAX)
    ] = 0,
    given_request_id: RequestId = None,
    as_json: Json = False,
) -> None:
    """Return the tenant's expired holds to stock now instead of waiting for the sweeper."""
    session = session_of(ctx, as_json)
    request = api.SweepExpiredRequest(
        tenant_id=session.tenant, request_id=request_id(given_request_id), limit=limit
    )
    response = session.call(session.inventory().SweepExpired, request)
    if as_json:
        output.print_json(response)
        return
    output.line(f"{response.expired} expired holds returned to stock")
