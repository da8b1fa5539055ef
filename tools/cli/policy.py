"""`streamstock policy`: a SKU's sale policy (lock stage, mode, hold TTL, limits, risk)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Annotated, Any

import typer
from google.protobuf import timestamp_pb2
from google.protobuf.message import Message
from streamstock.inventory.v1 import inventory_service_pb2 as api
from streamstock.inventory.v1 import stock_pb2

from tools.cli import output
from tools.cli.options import (
    INT32_MAX,
    INT64,
    Json,
    RequestId,
    choice,
    duration,
    enum_value,
    parse_moment,
)
from tools.cli.session import request_id, session_of

app = typer.Typer(help="Show or change a SKU's sale policy.", no_args_is_help=True)

SkuId = Annotated[str, typer.Argument(help="The SKU.")]
LockStage = Annotated[
    str | None,
    choice(
        stock_pb2.LockStage,
        help="When stock is held: cart, order or payment.",
    ),
]
Mode = Annotated[
    str | None,
    choice(stock_pb2.SaleMode, "--mode", help="regular, flash-sale or presale."),
]
Ttl = Annotated[
    str | None, typer.Option("--ttl", help="Hold time to live, e.g. 10m (0: the mode's default).")
]
PerUserLimit = Annotated[
    int | None,
    typer.Option(help="Most units one buyer may hold or own (0: no limit).", **INT64),
]
MaxPerOrder = Annotated[
    int | None, typer.Option(help="Most units of the SKU in one order (0: no limit).", **INT64)
]
BalanceDue = Annotated[
    datetime | None,
    typer.Option(
        "--balance-due",
        parser=parse_moment,
        metavar="TIME|SPAN",
        help=(
            "Presale (required with --mode presale): when the balance falls due and unpaid "
            "deposits are released. An ISO-8601 time, e.g. 2026-11-11T20:00:00+08:00 (UTC when "
            "it names no zone), or a span from now, e.g. 14d."
        ),
    ),
]
RiskMode = Annotated[
    str | None,
    choice(stock_pb2.RiskMode, help="Risk checks on holds: off, shadow or enforce."),
]


def _timestamp(moment: datetime) -> timestamp_pb2.Timestamp:
    stamp = timestamp_pb2.Timestamp()
    stamp.FromDatetime(moment)
    return stamp


def _enum(enum_type: Any) -> Callable[[str], int]:
    return lambda chosen: enum_value(enum_type, chosen)


# Option name -> (SalePolicy field, conversion of the option's value).
_FIELDS: Mapping[str, tuple[str, Callable[[Any], Any]]] = {
    "lock_stage": ("lock_stage", _enum(stock_pb2.LockStage)),
    "mode": ("sale_mode", _enum(stock_pb2.SaleMode)),
    "ttl": ("hold_ttl", duration),
    "refresh_ttl_on_restock": ("refresh_ttl_on_restock", bool),
    "allow_extension": ("allow_extension", bool),
    "max_extension": ("max_extension", duration),
    "max_extensions": ("max_extensions", int),
    "per_user_limit": ("per_user_limit", int),
    "max_per_order": ("max_per_order", int),
    "expiring_soon_lead": ("expiring_soon_lead", duration),
    "risk_mode": ("risk_mode", _enum(stock_pb2.RiskMode)),
    "risk_fail_mode": ("risk_fail_mode", _enum(stock_pb2.RiskFailMode)),
    "risk_deadline": ("risk_deadline", duration),
    "balance_due": ("presale_balance_due_time", _timestamp),
}


def _option(name: str) -> str:
    """The command-line option of a parameter: `max_extension` -> `--max-extension`."""
    return "--" + name.replace("_", "-")


def policy_options(arguments: Mapping[str, Any]) -> dict[str, Any]:
    """The policy options among a command's arguments (its parameters are named as in _FIELDS)."""
    return {name: value for name, value in arguments.items() if name in _FIELDS}


def changed_policy(
    current: stock_pb2.SalePolicy, changes: Mapping[str, Any]
) -> stock_pb2.SalePolicy:
    """The policy with every option that was given (not None) applied.

    The balance date belongs to presales only: a policy leaving PRESALE drops the one it had, and
    a policy becoming PRESALE needs one (a usage error naming --balance-due otherwise).
    """
    policy = stock_pb2.SalePolicy()
    policy.CopyFrom(current)
    for name, value in changes.items():
        if value is None:
            continue
        field, convert = _FIELDS[name]
        try:
            converted = convert(value)
        except typer.BadParameter as error:
            raise typer.BadParameter(error.message, param_hint=_option(name)) from None
        if isinstance(converted, Message):
            getattr(policy, field).CopyFrom(converted)
        else:
            setattr(policy, field, converted)
    presale = policy.sale_mode == stock_pb2.SALE_MODE_PRESALE
    given_due = changes.get("balance_due") is not None
    if given_due and not presale:
        raise typer.BadParameter("only a presale has a balance date", param_hint="--balance-due")
    if not presale:
        policy.ClearField("presale_balance_due_time")
    elif not policy.HasField("presale_balance_due_time"):
        raise typer.BadParameter("a presale needs its balance date", param_hint="--balance-due")
    return policy


def policy_pairs(policy: stock_pb2.SalePolicy) -> list[tuple[str, object]]:
    """The policy's fields as a person reads them (empty durations: the service's default)."""
    return [
        ("lock stage", output.label(policy, "lock_stage")),
        ("mode", output.label(policy, "sale_mode")),
        ("hold ttl", output.span(policy.hold_ttl) or "default"),
        ("refresh ttl on restock", policy.refresh_ttl_on_restock),
        ("extensions", _extensions(policy)),
        ("per-user limit", policy.per_user_limit or "none"),
        ("max per order", policy.max_per_order or "none"),
        ("expiring-soon lead", output.span(policy.expiring_soon_lead) or "default"),
        ("risk", _risk(policy)),
        ("presale balance due", output.when(policy.presale_balance_due_time) or "-"),
    ]


def _extensions(policy: stock_pb2.SalePolicy) -> str:
    if not policy.allow_extension:
        return "not allowed"
    return f"up to {policy.max_extensions} x {output.span(policy.max_extension) or 'default'}"


def _risk(policy: stock_pb2.SalePolicy) -> str:
    deadline = output.span(policy.risk_deadline) or "default"
    return (
        f"{output.label(policy, 'risk_mode')}, fail {output.label(policy, 'risk_fail_mode')}, "
        f"deadline {deadline}"
    )


def _print_policy(sku: stock_pb2.Sku, as_json: bool) -> None:
    if as_json:
        output.print_json(sku.policy)
        return
    output.record(f"Sale policy of {sku.sku_id}", policy_pairs(sku.policy))


@app.command("show")
def show(ctx: typer.Context, sku_id: SkuId, as_json: Json = False) -> None:
    """Show the sale policy of a SKU."""
    session = session_of(ctx, as_json)
    sku = session.call(
        session.inventory().GetSku, api.GetSkuRequest(tenant_id=session.tenant, sku_id=sku_id)
    ).sku
    _print_policy(sku, as_json)


@app.command("set")
def set_policy(
    ctx: typer.Context,
    sku_id: SkuId,
    lock_stage: LockStage = None,
    mode: Mode = None,
    ttl: Ttl = None,
    per_user_limit: PerUserLimit = None,
    max_per_order: MaxPerOrder = None,
    risk_mode: RiskMode = None,
    risk_fail_mode: Annotated[
        str | None,
        choice(
            stock_pb2.RiskFailMode,
            help="When riskcontrol is late: open or closed.",
        ),
    ] = None,
    risk_deadline: Annotated[
        str | None, typer.Option(help="How long a hold waits for riskcontrol, e.g. 20ms.")
    ] = None,
    refresh_ttl_on_restock: Annotated[
        bool | None, typer.Option(help="Whether a restock gives active holds a fresh TTL.")
    ] = None,
    allow_extension: Annotated[
        bool | None, typer.Option(help="Whether buyers may extend holds.")
    ] = None,
    max_extension: Annotated[
        str | None, typer.Option(help="Longest single extension, e.g. 5m.")
    ] = None,
    max_extensions: Annotated[
        int | None, typer.Option(help="Most extensions per hold.", min=0, max=INT32_MAX)
    ] = None,
    expiring_soon_lead: Annotated[
        str | None, typer.Option(help="How long before expiry the expiring-soon event fires.")
    ] = None,
    balance_due: BalanceDue = None,
    given_request_id: RequestId = None,
    as_json: Json = False,
) -> None:
    """Change some fields of a SKU's sale policy; the others keep their values.

    Active holds keep their deadlines.
    """
    arguments = locals()
    session = session_of(ctx, as_json)
    stub = session.inventory()
    current = session.call(
        stub.GetSku, api.GetSkuRequest(tenant_id=session.tenant, sku_id=sku_id)
    ).sku
    policy = changed_policy(current.policy, policy_options(arguments))
    request = api.UpdateSalePolicyRequest(
        tenant_id=session.tenant,
        request_id=request_id(given_request_id),
        sku_id=sku_id,
        policy=policy,
    )
    sku = session.call(stub.UpdateSalePolicy, request).sku
    _print_policy(sku, as_json)
