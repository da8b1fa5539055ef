"""Domain objects to protobuf messages (responses and the event log's payloads)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from google.protobuf import duration_pb2, timestamp_pb2
from streamstock.inventory.v1 import events_pb2, reservation_pb2, stock_pb2

from services.inventory.domain import events as ev
from services.inventory.domain.policy import SalePolicy
from services.inventory.domain.reservation import BuyerContext, Reservation
from services.inventory.domain.sku import Sku
from services.inventory.domain.stock import StockLevels
from services.inventory.service_layer.ports import LedgerRecord

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def timestamp(value: datetime | None) -> timestamp_pb2.Timestamp | None:
    """Integer arithmetic (Timestamp.FromDatetime costs more than the rest of an event)."""
    if value is None:
        return None
    since = value - _EPOCH
    return timestamp_pb2.Timestamp(
        seconds=since.days * 86400 + since.seconds, nanos=since.microseconds * 1000
    )


def duration(value: timedelta) -> duration_pb2.Duration:
    span = duration_pb2.Duration()
    span.FromTimedelta(value)
    return span


def stock_levels(stock: StockLevels) -> stock_pb2.StockLevels:
    return stock_pb2.StockLevels(
        on_hand=stock.on_hand,
        withheld=stock.withheld,
        reserved=stock.reserved,
        sold=stock.sold,
        sellable=max(stock.sellable, 0),
    )


def sale_policy(policy: SalePolicy) -> stock_pb2.SalePolicy:
    return stock_pb2.SalePolicy(
        lock_stage=policy.lock_stage.value,
        sale_mode=policy.sale_mode.value,
        hold_ttl=duration(policy.hold_ttl),
        refresh_ttl_on_restock=policy.refresh_ttl_on_restock,
        allow_extension=policy.allow_extension,
        max_extension=duration(policy.max_extension),
        max_extensions=policy.max_extensions,
        per_user_limit=policy.per_user_limit,
        max_per_order=policy.max_per_order,
        expiring_soon_lead=duration(policy.expiring_soon_lead),
        risk_mode=policy.risk_mode.value,
        risk_fail_mode=policy.risk_fail_mode.value,
        risk_deadline=duration(policy.risk_deadline),
        presale_balance_due_time=timestamp(policy.presale_balance_due),
    )


def sku(value: Sku) -> stock_pb2.Sku:
    return stock_pb2.Sku(
        tenant_id=value.tenant_id,
        sku_id=value.sku_id,
        title=value.title,
        stock=stock_levels(value.stock),
        policy=sale_policy(value.policy),
        sale_status=value.status.value,
        withheld=[
            stock_pb2.WithheldUnits(kind=kind.value, quantity=quantity)
            for kind, quantity in sorted(value.withheld_by_kind.items(), key=lambda i: i[0].value)
        ],
        create_time=timestamp(value.created_at),
        update_time=timestamp(value.updated_at),
        version=value.version,
    )


def reservation(value: Reservation) -> reservation_pb2.Reservation:
    return fill_reservation(reservation_pb2.Reservation(), value)


def fill_reservation(
    message: reservation_pb2.Reservation, value: Reservation
) -> reservation_pb2.Reservation:
    """Fills a message in place (a response's field: building it apart and copying it in costs
    half as much again, on every hold)."""
    message.tenant_id = value.tenant_id
    message.reservation_id = value.reservation_id
    message.user_id = value.user_id
    message.order_id = value.order_id
    for line in value.lines:
        message.lines.add(
            sku_id=line.sku_id, quantity=line.quantity, consumed_quantity=line.consumed
        )
    message.state = value.state.value
    message.lock_stage = value.lock_stage.value
    message.purpose = value.purpose.value
    _fill_buyer(message.buyer, value.buyer)
    _set_time(message.create_time, value.created_at)
    if value.expires_at is not None:
        _set_time(message.expire_time, value.expires_at)
    if value.settled_at is not None:
        _set_time(message.settle_time, value.settled_at)
    message.extension_count = value.extension_count
    message.payment_reference = value.payment_reference
    if value.release_reason is not None:
        message.release_reason = value.release_reason.value
    message.risk_decision_id = value.risk_decision_id
    return message


def ledger_entry(record: LedgerRecord) -> stock_pb2.LedgerEntry:
    entry = record.entry
    return stock_pb2.LedgerEntry(
        entry_id=record.entry_id,
        sku_id=record.sku_id,
        reason=entry.reason.value,
        on_hand_delta=entry.delta.on_hand,
        withheld_delta=entry.delta.withheld,
        reserved_delta=entry.delta.reserved,
        sold_delta=entry.delta.sold,
        reference=entry.reference,
        note=entry.note,
        create_time=timestamp(record.created_at),
    )


# The oneof field of InventoryEvent that carries each event type.
_EVENT_FIELD = {
    ev.EventType.SKU_CREATED: "sku_created",
    ev.EventType.STOCK_ADJUSTED: "stock_adjusted",
    ev.EventType.WITHHELD_CHANGED: "withheld_changed",
    ev.EventType.SALE_STATUS_CHANGED: "sale_status_changed",
    ev.EventType.SALE_POLICY_CHANGED: "sale_policy_changed",
    ev.EventType.RESERVATION_CREATED: "reservation_created",
    ev.EventType.RESERVATION_CONFIRMED: "reservation_confirmed",
    ev.EventType.RESERVATION_RELEASED: "reservation_released",
    ev.EventType.RESERVATION_EXPIRED: "reservation_expired",
    ev.EventType.RESERVATION_EXPIRING_SOON: "reservation_expiring_soon",
    ev.EventType.RESERVATION_EXTENDED: "reservation_extended",
    ev.EventType.RESERVATION_RESIZED: "reservation_resized",
    ev.EventType.RESERVATION_CONSUMED: "reservation_consumed",
    ev.EventType.SOLD_RETURNED: "sold_returned",
}


def _payload(payload: ev.Payload) -> object:
    match payload:
        case ev.SkuCreated():
            return events_pb2.SkuCreated(title=payload.title, policy=sale_policy(payload.policy))
        case ev.StockAdjusted():
            return events_pb2.StockAdjusted(
                on_hand_delta=payload.on_hand_delta,
                reason=payload.reason.value,
                adjustment_reason=(
                    payload.adjustment_reason.value if payload.adjustment_reason else 0
                ),
                note=payload.note,
            )
        case ev.WithheldChanged():
            return events_pb2.WithheldChanged(kind=payload.kind.value, quantity=payload.quantity)
        case ev.SaleStatusChanged():
            return events_pb2.SaleStatusChanged(
                previous=payload.previous.value,
                current=payload.current.value,
                reason=payload.reason,
            )
        case ev.SalePolicyChanged():
            return events_pb2.SalePolicyChanged(policy=sale_policy(payload.policy))
        case ev.ReservationChanged():
            return events_pb2.ReservationEvent(
                reservation_id=payload.reservation_id,
                user_id=payload.user_id,
                order_id=payload.order_id,
                quantity=payload.quantity,
                line_quantity=payload.line_quantity,
                state=payload.state.value,
                purpose=payload.purpose.value,
                buyer=reservation_pb2.BuyerContext(
                    platform_id=payload.buyer.platform_id,
                    ip=payload.buyer.ip,
                    device_id=payload.buyer.device_id,
                ),
                expire_time=timestamp(payload.expires_at),
                release_reason=payload.release_reason.value if payload.release_reason else 0,
                risk_decision_id=payload.risk_decision_id,
            )
        case ev.SoldReturned():
            return events_pb2.SoldReturned(
                quantity=payload.quantity, order_id=payload.order_id, note=payload.note
            )
    raise TypeError(f"no event message for {payload!r}")


def encode_event(change: ev.Change) -> bytes:
    """The stored form of one event: an InventoryEvent without its sequence, serialized.
    Messages are filled in place (building them apart and copying them in costs twice as much,
    and the sweeper encodes an event per expired hold)."""
    event = events_pb2.InventoryEvent(tenant_id=change.tenant_id, sku_id=change.sku_id)
    _set_time(event.occur_time, change.occurred_at)
    stock = change.stock_after
    levels = event.stock
    levels.on_hand = stock.on_hand
    levels.withheld = stock.withheld
    levels.reserved = stock.reserved
    levels.sold = stock.sold
    levels.sellable = max(stock.sellable, 0)
    payload = change.payload
    body = getattr(event, _EVENT_FIELD[change.type])
    if isinstance(payload, ev.ReservationChanged):
        _fill_reservation_event(body, payload)
    else:
        body.CopyFrom(_payload(payload))
    return event.SerializeToString()


def _set_time(field: timestamp_pb2.Timestamp, value: datetime) -> None:
    since = value - _EPOCH
    field.seconds = since.days * 86400 + since.seconds
    field.nanos = since.microseconds * 1000


def _fill_buyer(message: reservation_pb2.BuyerContext, buyer: BuyerContext) -> None:
    message.platform_id = buyer.platform_id
    message.ip = buyer.ip
    message.device_id = buyer.device_id


def _fill_reservation_event(
    body: events_pb2.ReservationEvent, payload: ev.ReservationChanged
) -> None:
    body.reservation_id = payload.reservation_id
    body.user_id = payload.user_id
    body.order_id = payload.order_id
    body.quantity = payload.quantity
    body.line_quantity = payload.line_quantity
    body.state = payload.state.value
    body.purpose = payload.purpose.value
    _fill_buyer(body.buyer, payload.buyer)
    if payload.expires_at is not None:
        _set_time(body.expire_time, payload.expires_at)
    if payload.release_reason is not None:
        body.release_reason = payload.release_reason.value
    body.risk_decision_id = payload.risk_decision_id
