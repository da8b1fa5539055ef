"""`streamstock stock`: SKUs and their counters (on hand, withheld, reserved, sold, sellable)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Annotated

import typer
from streamstock.inventory.v1 import inventory_service_pb2 as api
from streamstock.inventory.v1 import stock_pb2

from tools.cli import output
from tools.cli.options import INT64, Json, PageSize, PageToken, RequestId, choice, enum_value
from tools.cli.policy import (
    BalanceDue,
    LockStage,
    MaxPerOrder,
    Mode,
    PerUserLimit,
    RiskMode,
    SkuId,
    Ttl,
    changed_policy,
    policy_options,
    policy_pairs,
)
from tools.cli.session import Session, request_id, session_of

app = typer.Typer(help="Read and change SKUs and their stock.", no_args_is_help=True)

Note = Annotated[str, typer.Option(help="A note for the ledger.")]

COUNTER_COLUMNS = ("on hand", "withheld", "reserved", "sold", "sellable")


def counters(stock: stock_pb2.StockLevels) -> tuple[int, ...]:
    return (stock.on_hand, stock.withheld, stock.reserved, stock.sold, stock.sellable)


def print_skus(title: str, skus: Iterable[stock_pb2.Sku]) -> None:
    output.rows(
        title,
        ("SKU", "title", "status", *COUNTER_COLUMNS, "stage", "mode"),
        (
            (
                sku.sku_id,
                sku.title,
                output.label(sku, "sale_status"),
                *counters(sku.stock),
                output.label(sku.policy, "lock_stage"),
                output.label(sku.policy, "sale_mode"),
            )
            for sku in skus
        ),
    )


def print_sku(sku: stock_pb2.Sku, as_json: bool) -> None:
    """One SKU: its counters, withheld units by kind and sale policy."""
    if as_json:
        output.print_json(sku)
        return
    withheld = ", ".join(
        f"{output.label(units, 'kind')} {units.quantity}" for units in sku.withheld
    )
    output.record(
        f"SKU {sku.sku_id}",
        [
            ("title", sku.title),
            ("status", output.label(sku, "sale_status")),
            *zip(COUNTER_COLUMNS, counters(sku.stock), strict=True),
            ("withheld by kind", withheld or "-"),
            *policy_pairs(sku.policy),
            ("version", sku.version),
            ("updated", output.when(sku.update_time)),
        ],
    )


def _get(session: Session, sku_id: str) -> stock_pb2.Sku:
    request = api.GetSkuRequest(tenant_id=session.tenant, sku_id=sku_id)
    return session.call(session.inventory().GetSku, request).sku


@app.command("get")
def get(ctx: typer.Context, sku_id: SkuId, as_json: Json = False) -> None:
    """Show a SKU with its counters as of now."""
    session = session_of(ctx, as_json)
    print_sku(_get(session, sku_id), as_json)


@app.command("list")
def list_skus(
    ctx: typer.Context, page_size: PageSize = 0, page_token: PageToken = "", as_json: Json = False
) -> None:
    """List the tenant's SKUs by id."""
    session = session_of(ctx, as_json)
    request = api.ListSkusRequest(
        tenant_id=session.tenant, page_size=page_size, page_token=page_token
    )
    response = session.call(session.inventory().ListSkus, request)
    output.listing(
        as_json,
        response,
        lambda: print_skus(f"SKUs of {session.tenant}", response.skus),
    )


@app.command("create")
def create(
    ctx: typer.Context,
    sku_id: SkuId,
    on_hand: Annotated[int, typer.Option(help="Initial on-hand units.", **INT64)] = 0,
    title: Annotated[str, typer.Option(help="A human-readable title.")] = "",
    lock_stage: LockStage = "cart",
    mode: Mode = "flash-sale",
    balance_due: BalanceDue = None,
    ttl: Ttl = None,
    per_user_limit: PerUserLimit = None,
    max_per_order: MaxPerOrder = None,
    risk_mode: RiskMode = None,
    paused: Annotated[bool, typer.Option(help="Create it paused instead of on sale.")] = False,
    given_request_id: RequestId = None,
    as_json: Json = False,
) -> None:
    """Create a SKU with initial stock; `streamstock policy set` tunes the rest of its policy."""
    arguments = locals()
    session = session_of(ctx, as_json)
    policy = changed_policy(stock_pb2.SalePolicy(), policy_options(arguments))
    request = api.CreateSkuRequest(
        tenant_id=session.tenant,
        request_id=request_id(given_request_id),
        sku_id=sku_id,
        title=title,
        on_hand=on_hand,
        policy=policy,
        sale_status=stock_pb2.SALE_STATUS_PAUSED if paused else stock_pb2.SALE_STATUS_ON_SALE,
    )
    print_sku(session.call(session.inventory().CreateSku, request).sku, as_json)


AdjustmentReason = Annotated[
    str,
    choice(stock_pb2.AdjustmentReason, help="Why on-hand stock changes."),
]


def _adjust(
    session: Session, sku_id: str, delta: int, reason: str, note: str, given: str | None
) -> None:
    request = api.AdjustStockRequest(
        tenant_id=session.tenant,
        request_id=request_id(given),
        sku_id=sku_id,
        on_hand_delta=delta,
        reason=enum_value(stock_pb2.AdjustmentReason, reason),
        note=note,
    )
    print_sku(session.call(session.inventory().AdjustStock, request).sku, session.as_json)


@app.command("adjust")
def adjust(
    ctx: typer.Context,
    sku_id: SkuId,
    delta: Annotated[
        int, typer.Argument(help="Units added (positive) or removed (negative).", **INT64)
    ],
    reason: AdjustmentReason = "count-correction",
    note: Note = "",
    given_request_id: RequestId = None,
    as_json: Json = False,
) -> None:
    """Change on-hand stock by a number of units, with a reason (use -- before a negative delta)."""
    _adjust(session_of(ctx, as_json), sku_id, delta, reason, note, given_request_id)


@app.command("set")
def set_on_hand(
    ctx: typer.Context,
    sku_id: SkuId,
    on_hand: Annotated[
        int, typer.Argument(help="The on-hand units counted.", min=0, max=INT64["max"])
    ],
    reason: AdjustmentReason = "count-correction",
    note: Note = "",
    given_request_id: RequestId = None,
    as_json: Json = False,
) -> None:
    """Set on-hand stock to a counted number (an adjustment by the difference)."""
    session = session_of(ctx, as_json)
    current = _get(session, sku_id)
    delta = on_hand - current.stock.on_hand
    if delta == 0:
        print_sku(current, as_json)
        return
    _adjust(session, sku_id, delta, reason, note, given_request_id)


@app.command("restock")
def restock(
    ctx: typer.Context,
    sku_id: SkuId,
    quantity: Annotated[int, typer.Argument(help="Units delivered.", **INT64)],
    note: Note = "",
    given_request_id: RequestId = None,
    as_json: Json = False,
) -> None:
    """Add delivered units to on-hand stock."""
    session = session_of(ctx, as_json)
    request = api.RestockRequest(
        tenant_id=session.tenant,
        request_id=request_id(given_request_id),
        sku_id=sku_id,
        quantity=quantity,
        note=note,
    )
    print_sku(session.call(session.inventory().Restock, request).sku, as_json)


@app.command("withhold")
def withhold(
    ctx: typer.Context,
    sku_id: SkuId,
    quantity: Annotated[
        int,
        typer.Argument(help="The units of this kind to keep off sale (0 frees them).", **INT64),
    ],
    kind: Annotated[str, choice(stock_pb2.WithholdKind, help="Which reserve.")] = "safety",
    given_request_id: RequestId = None,
    as_json: Json = False,
) -> None:
    """Set the units of one kind (safety, vip, gift) withheld from sale."""
    session = session_of(ctx, as_json)
    request = api.SetWithheldRequest(
        tenant_id=session.tenant,
        request_id=request_id(given_request_id),
        sku_id=sku_id,
        kind=enum_value(stock_pb2.WithholdKind, kind),
        quantity=quantity,
    )
    print_sku(session.call(session.inventory().SetWithheld, request).sku, as_json)


Why = Annotated[str, typer.Option(help="Why, recorded in the event.")]


def _set_status(session: Session, sku_id: str, status: int, reason: str, given: str | None) -> None:
    request = api.SetSaleStatusRequest(
        tenant_id=session.tenant,
        request_id=request_id(given),
        sku_id=sku_id,
        sale_status=status,
        reason=reason,
    )
    print_sku(session.call(session.inventory().SetSaleStatus, request).sku, session.as_json)


def _status_command(name: str, status: int, summary: str) -> None:
    """Registers `stock <name>`, which sets the sale status."""

    def command(
        ctx: typer.Context,
        sku_id: SkuId,
        reason: Why = "",
        given_request_id: RequestId = None,
        as_json: Json = False,
    ) -> None:
        _set_status(session_of(ctx, as_json), sku_id, status, reason, given_request_id)

    command.__doc__ = summary
    app.command(name)(command)


_status_command(
    "pause", stock_pb2.SALE_STATUS_PAUSED, "Pause a SKU's sale: no new holds until it resumes."
)
_status_command("resume", stock_pb2.SALE_STATUS_ON_SALE, "Put a SKU back on sale.")
_status_command("stop", stock_pb2.SALE_STATUS_STOPPED, "Stop a SKU's sale for good.")
