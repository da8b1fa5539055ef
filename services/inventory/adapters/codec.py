"""Row ↔ domain conversions for inventory's tables (policies are stored as JSON)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from services.inventory.domain.events import ReservationChanged, WithholdKind
from services.inventory.domain.policy import (
    LockStage,
    RiskFailMode,
    RiskMode,
    SaleMode,
    SalePolicy,
    SaleStatus,
)
from services.inventory.domain.reports import Drift, Reconciliation, SweepReport
from services.inventory.domain.reservation import (
    BuyerContext,
    ReleaseReason,
    Reservation,
    ReservationLine,
    ReservationPurpose,
    ReservationState,
)
from services.inventory.domain.sku import Sku
from services.inventory.domain.stock import StockLevels
from services.inventory.service_layer.ports import Answer, ExpiredLine


def policy_to_json(policy: SalePolicy) -> str:
    return json.dumps(
        {
            "lock_stage": policy.lock_stage.name,
            "sale_mode": policy.sale_mode.name,
            "hold_ttl": policy.hold_ttl.total_seconds(),
            "refresh_ttl_on_restock": policy.refresh_ttl_on_restock,
            "allow_extension": policy.allow_extension,
            "max_extension": policy.max_extension.total_seconds(),
            "max_extensions": policy.max_extensions,
            "per_user_limit": policy.per_user_limit,
            "max_per_order": policy.max_per_order,
            "expiring_soon_lead": policy.expiring_soon_lead.total_seconds(),
            "risk_mode": policy.risk_mode.name,
            "risk_fail_mode": policy.risk_fail_mode.name,
            "risk_deadline": policy.risk_deadline.total_seconds(),
            "presale_balance_due": (
                policy.presale_balance_due.isoformat() if policy.presale_balance_due else None
            ),
        }
    )


def policy_from_json(raw: str | Mapping[str, Any]) -> SalePolicy:
    data = json.loads(raw) if isinstance(raw, str) else raw
    due = data["presale_balance_due"]
    return SalePolicy(
        lock_stage=LockStage[data["lock_stage"]],
        sale_mode=SaleMode[data["sale_mode"]],
        hold_ttl=timedelta(seconds=data["hold_ttl"]),
        refresh_ttl_on_restock=data["refresh_ttl_on_restock"],
        allow_extension=data["allow_extension"],
        max_extension=timedelta(seconds=data["max_extension"]),
        max_extensions=data["max_extensions"],
        per_user_limit=data["per_user_limit"],
        max_per_order=data["max_per_order"],
        expiring_soon_lead=timedelta(seconds=data["expiring_soon_lead"]),
        risk_mode=RiskMode[data["risk_mode"]],
        risk_fail_mode=RiskFailMode[data["risk_fail_mode"]],
        risk_deadline=timedelta(seconds=data["risk_deadline"]),
        presale_balance_due=datetime.fromisoformat(due) if due else None,
    )


def withheld_to_json(withheld: Mapping[WithholdKind, int]) -> str:
    return json.dumps({kind.name: quantity for kind, quantity in withheld.items()})


def sku_from_row(row: Mapping[str, Any], due_reserved: int = 0) -> Sku:
    """A SKU from its row; due_reserved (units of holds past their deadline) is not counted."""
    withheld = row["withheld_by_kind"]
    withheld = json.loads(withheld) if isinstance(withheld, str) else withheld
    return Sku(
        tenant_id=row["tenant_id"],
        sku_id=row["sku_id"],
        title=row["title"],
        stock=StockLevels(
            row["on_hand"], row["withheld"], row["reserved"] - due_reserved, row["sold"]
        ),
        policy=policy_from_json(row["policy"]),
        status=SaleStatus(row["sale_status"]),
        withheld_by_kind={WithholdKind[k]: v for k, v in withheld.items()},
        version=row["version"],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
    )


def reservation_from_rows(row: Mapping[str, Any], lines: list[Mapping[str, Any]]) -> Reservation:
    return Reservation(
        tenant_id=row["tenant_id"],
        reservation_id=row["reservation_id"],
        user_id=row["user_id"],
        order_id=row["order_id"],
        lines=[ReservationLine(ln["sku_id"], ln["quantity"], ln["consumed"]) for ln in lines],
        lock_stage=LockStage(row["lock_stage"]),
        purpose=ReservationPurpose(row["purpose"]),
        buyer=BuyerContext(row["platform_id"], row["ip"], row["device_id"]),
        created_at=row["created_at"],
        expires_at=row["expires_at"],
        state=ReservationState(row["state"]),
        settled_at=row["settled_at"],
        extension_count=row["extension_count"],
        payment_reference=row["payment_reference"],
        release_reason=(
            ReleaseReason(row["release_reason"]) if row["release_reason"] is not None else None
        ),
        risk_decision_id=row["risk_decision_id"],
        expiring_soon_sent=row["expiring_soon_sent"],
        notify_at=row["notify_at"],
    )


_PURPOSES = {purpose.value: purpose for purpose in ReservationPurpose}


def expired_line_from_row(row: Mapping[str, Any]) -> ExpiredLine:
    """A line the sweeper took out of the live set; its hold is EXPIRED (the row is the hold as
    locked, possibly still ACTIVE when this transaction expired it)."""
    quantity = row["quantity"]
    return ExpiredLine(
        row["tenant_id"],
        row["sku_id"],
        ReservationChanged(
            row["reservation_id"],
            row["user_id"],
            row["order_id"],
            ReservationState.EXPIRED,
            _PURPOSES[row["purpose"]],
            BuyerContext(row["platform_id"], row["ip"], row["device_id"]),
            row["expires_at"],
            None,
            quantity,
            quantity,
        ),
        row["newly_expired"],
    )


# Snapshots of answered requests (idempotent replays return exactly what was answered).


def _time(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def _parse_time(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def result_to_json(result: Answer) -> str:
    if isinstance(result, Sku):
        return json.dumps({"sku": _sku_snapshot(result)})
    if isinstance(result, Reconciliation):
        return json.dumps({"reconciliation": _reconciliation_snapshot(result)})
    if isinstance(result, SweepReport):
        return json.dumps({"sweep": {"expired": result.expired}})
    return json.dumps({"reservation": _reservation_snapshot(result)})


def result_from_json(raw: str | Mapping[str, Any]) -> Answer:
    data = json.loads(raw) if isinstance(raw, str) else raw
    if "sku" in data:
        return _sku_from_snapshot(data["sku"])
    if "reconciliation" in data:
        return _reconciliation_from_snapshot(data["reconciliation"])
    if "sweep" in data:
        return SweepReport(data["sweep"]["expired"])
    return _reservation_from_snapshot(data["reservation"])


def _levels(stock: StockLevels) -> list[int]:
    return [stock.on_hand, stock.withheld, stock.reserved, stock.sold]


def _reconciliation_snapshot(report: Reconciliation) -> dict[str, Any]:
    return {
        "checked": report.checked,
        "drifts": [
            [d.sku_id, _levels(d.recorded), _levels(d.recomputed), d.repaired]
            for d in report.drifts
        ],
    }


def _reconciliation_from_snapshot(data: dict[str, Any]) -> Reconciliation:
    return Reconciliation(
        data["checked"],
        tuple(
            Drift(sku_id, StockLevels(*recorded), StockLevels(*recomputed), repaired)
            for sku_id, recorded, recomputed, repaired in data["drifts"]
        ),
    )


def _sku_snapshot(sku: Sku) -> dict[str, Any]:
    stock = sku.stock
    return {
        "tenant_id": sku.tenant_id,
        "sku_id": sku.sku_id,
        "title": sku.title,
        "on_hand": stock.on_hand,
        "withheld": stock.withheld,
        "reserved": stock.reserved,
        "sold": stock.sold,
        "withheld_by_kind": {kind.name: n for kind, n in sku.withheld_by_kind.items()},
        "sale_status": sku.status.value,
        "policy": json.loads(policy_to_json(sku.policy)),
        "version": sku.version,
        "created_at": _time(sku.created_at),
        "updated_at": _time(sku.updated_at),
    }


def _sku_from_snapshot(data: dict[str, Any]) -> Sku:
    return sku_from_row(
        {
            **data,
            "created_at": _parse_time(data["created_at"]),
            "updated_at": _parse_time(data["updated_at"]),
        }
    )


# A hold's snapshot is a list in this order, its times in microseconds since 1970: a third of
# the encoding work of a dict of ISO times, paid on every hold. Snapshots written before are
# dicts by field name, and are still read.
def _reservation_snapshot(r: Reservation) -> list[Any]:
    return [
        r.tenant_id,
        r.reservation_id,
        r.user_id,
        r.order_id,
        [[ln.sku_id, ln.quantity, ln.consumed] for ln in r.lines],
        r.lock_stage.value,
        r.purpose.value,
        r.buyer.platform_id,
        r.buyer.ip,
        r.buyer.device_id,
        _micros(r.created_at),
        _micros(r.expires_at),
        r.state.value,
        _micros(r.settled_at),
        r.extension_count,
        r.payment_reference,
        r.release_reason.value if r.release_reason else None,
        r.risk_decision_id,
        r.expiring_soon_sent,
        _micros(r.notify_at),
    ]


_SNAPSHOT_FIELDS = (
    "tenant_id",
    "reservation_id",
    "user_id",
    "order_id",
    "lines",
    "lock_stage",
    "purpose",
    "platform_id",
    "ip",
    "device_id",
    "created_at",
    "expires_at",
    "state",
    "settled_at",
    "extension_count",
    "payment_reference",
    "release_reason",
    "risk_decision_id",
    "expiring_soon_sent",
    "notify_at",
)
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def _micros(value: datetime | None) -> int | None:
    if value is None:
        return None
    since = value - _EPOCH
    return (since.days * 86_400 + since.seconds) * 1_000_000 + since.microseconds


def _from_micros(value: int | None) -> datetime | None:
    return None if value is None else _EPOCH + timedelta(microseconds=value)


def _reservation_from_snapshot(data: list[Any] | dict[str, Any]) -> Reservation:
    if isinstance(data, list):
        row = dict(zip(_SNAPSHOT_FIELDS, data, strict=True))
        times = {key: _from_micros(row[key]) for key in _SNAPSHOT_TIMES}
    else:
        row = data
        times = {key: _parse_time(data[key]) for key in _SNAPSHOT_TIMES}
    lines = [{"sku_id": s, "quantity": q, "consumed": c} for s, q, c in row["lines"]]
    return reservation_from_rows({**row, **times}, lines)


_SNAPSHOT_TIMES = ("created_at", "expires_at", "settled_at", "notify_at")
