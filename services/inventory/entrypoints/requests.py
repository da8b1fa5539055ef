"""Protobuf requests to the service layer's commands, every field checked on the way."""

from __future__ import annotations

from typing import Any

from streamstock.inventory.v1 import inventory_service_pb2 as api
from streamstock.inventory.v1 import stock_pb2

from services.inventory.domain.errors import InvalidArgument
from services.inventory.domain.events import AdjustmentReason, WithholdKind
from services.inventory.domain.policy import (
    LockStage,
    RiskFailMode,
    RiskMode,
    SaleMode,
    SalePolicy,
    SaleStatus,
)
from services.inventory.domain.reservation import BuyerContext, ReleaseReason, ReservationPurpose
from services.inventory.entrypoints import validation as v
from services.inventory.service_layer import commands

_HOLD_STAGES = (LockStage.CART, LockStage.ORDER)


def sale_policy(message: stock_pb2.SalePolicy, field: str = "policy") -> SalePolicy:
    lock_stage = v.enum(f"{field}.lock_stage", message.lock_stage, LockStage)
    sale_mode = v.enum(f"{field}.sale_mode", message.sale_mode, SaleMode)
    due = (
        v.moment(f"{field}.presale_balance_due_time", message.presale_balance_due_time)
        if message.HasField("presale_balance_due_time")
        else None
    )
    if due is not None and sale_mode is not SaleMode.PRESALE:
        raise InvalidArgument(f"{field}.presale_balance_due_time", "only for PRESALE")
    if due is None and sale_mode is SaleMode.PRESALE:
        # A deposit holds its unit until the balance is due: a presale without that date has no
        # deadline to release unpaid deposits at.
        raise InvalidArgument(f"{field}.presale_balance_due_time", "is required for PRESALE")
    return SalePolicy(
        lock_stage=lock_stage,
        sale_mode=sale_mode,
        hold_ttl=v.span(f"{field}.hold_ttl", message.hold_ttl),
        refresh_ttl_on_restock=message.refresh_ttl_on_restock,
        allow_extension=message.allow_extension,
        max_extension=v.span(f"{field}.max_extension", message.max_extension),
        max_extensions=v.quantity(f"{field}.max_extensions", message.max_extensions, 0, 100),
        per_user_limit=v.quantity(f"{field}.per_user_limit", message.per_user_limit, 0),
        max_per_order=v.quantity(f"{field}.max_per_order", message.max_per_order, 0),
        expiring_soon_lead=v.span(f"{field}.expiring_soon_lead", message.expiring_soon_lead),
        risk_mode=v.enum(f"{field}.risk_mode", message.risk_mode, RiskMode, RiskMode.OFF),
        risk_fail_mode=v.enum(
            f"{field}.risk_fail_mode", message.risk_fail_mode, RiskFailMode, RiskFailMode.OPEN
        ),
        risk_deadline=v.span(f"{field}.risk_deadline", message.risk_deadline),
        presale_balance_due=due,
    )


def create_sku(request: api.CreateSkuRequest) -> commands.CreateSku:
    if not request.HasField("policy"):
        raise InvalidArgument("policy", "is required")
    return commands.CreateSku(
        tenant_id=v.tenant(request),
        key=v.request_id(request),
        sku_id=v.business_id("sku_id", request.sku_id),
        title=v.text("title", request.title, 200),
        on_hand=v.quantity("on_hand", request.on_hand, 0, v.MAX_ON_HAND),
        policy=sale_policy(request.policy),
        status=v.enum("sale_status", request.sale_status, SaleStatus, SaleStatus.ON_SALE),
    )


def restock(request: api.RestockRequest) -> commands.Restock:
    return commands.Restock(
        v.tenant(request),
        v.request_id(request),
        v.business_id("sku_id", request.sku_id),
        v.quantity("quantity", request.quantity, 1, v.MAX_ON_HAND),
        v.text("note", request.note),
    )


def adjust_stock(request: api.AdjustStockRequest) -> commands.AdjustStock:
    delta = request.on_hand_delta
    if delta == 0 or abs(delta) > v.MAX_ON_HAND:
        raise InvalidArgument("on_hand_delta", f"must be non-zero and at most {v.MAX_ON_HAND}")
    return commands.AdjustStock(
        v.tenant(request),
        v.request_id(request),
        v.business_id("sku_id", request.sku_id),
        delta,
        v.enum("reason", request.reason, AdjustmentReason),
        v.text("note", request.note),
    )


def set_withheld(request: api.SetWithheldRequest) -> commands.SetWithheld:
    return commands.SetWithheld(
        v.tenant(request),
        v.request_id(request),
        v.business_id("sku_id", request.sku_id),
        v.enum("kind", request.kind, WithholdKind),
        v.quantity("quantity", request.quantity, 0, v.MAX_ON_HAND),
    )


def set_sale_status(request: api.SetSaleStatusRequest) -> commands.SetSaleStatus:
    return commands.SetSaleStatus(
        v.tenant(request),
        v.request_id(request),
        v.business_id("sku_id", request.sku_id),
        v.enum("sale_status", request.sale_status, SaleStatus),
        v.text("reason", request.reason),
        v.enum("expected_sale_status", request.expected_sale_status, SaleStatus)
        if request.expected_sale_status
        else None,
    )


def update_sale_policy(request: api.UpdateSalePolicyRequest) -> commands.UpdateSalePolicy:
    if not request.HasField("policy"):
        raise InvalidArgument("policy", "is required")
    return commands.UpdateSalePolicy(
        v.tenant(request),
        v.request_id(request),
        v.business_id("sku_id", request.sku_id),
        sale_policy(request.policy),
    )


def _lines(lines: Any) -> tuple[commands.HoldLine, ...]:
    if not 1 <= len(lines) <= v.MAX_LINES:
        raise InvalidArgument("lines", f"between 1 and {v.MAX_LINES} lines")
    held = tuple(
        commands.HoldLine(
            v.business_id(f"lines[{i}].sku_id", line.sku_id),
            v.quantity(f"lines[{i}].quantity", line.quantity),
        )
        for i, line in enumerate(lines)
    )
    if len({line.sku_id for line in held}) != len(held):
        raise InvalidArgument("lines", "at most one line per SKU")
    return held


def _buyer(request: Any) -> BuyerContext:
    buyer = request.buyer
    return BuyerContext(
        platform_id=v.optional_id("buyer.platform_id", buyer.platform_id),
        ip=v.text("buyer.ip", buyer.ip, 64),
        device_id=v.text("buyer.device_id", buyer.device_id, 128),
    )


def reserve(request: api.ReserveRequest) -> commands.Reserve:
    stage = v.enum("lock_stage", request.lock_stage, LockStage)
    if stage not in _HOLD_STAGES:
        raise InvalidArgument("lock_stage", "CART or ORDER (PAYMENT-stage buys use Purchase)")
    return commands.Reserve(
        tenant_id=v.tenant(request),
        key=v.request_id(request),
        user_id=v.business_id("user_id", request.user_id),
        order_id=v.optional_id("order_id", request.order_id),
        lines=_lines(request.lines),
        lock_stage=stage,
        purpose=v.enum("purpose", request.purpose, ReservationPurpose),
        buyer=_buyer(request),
        challenge_pass_token=v.text(
            "buyer.challenge_pass_token", request.buyer.challenge_pass_token, 512
        ),
    )


def purchase(request: api.PurchaseRequest) -> commands.Reserve:
    return commands.Reserve(
        tenant_id=v.tenant(request),
        key=v.request_id(request),
        user_id=v.business_id("user_id", request.user_id),
        order_id=v.optional_id("order_id", request.order_id),
        lines=_lines(request.lines),
        lock_stage=LockStage.PAYMENT,
        purpose=ReservationPurpose.BUYER,
        buyer=_buyer(request),
        payment_reference=v.text("payment_reference", request.payment_reference, 128),
        challenge_pass_token=v.text(
            "buyer.challenge_pass_token", request.buyer.challenge_pass_token, 512
        ),
    )


def confirm(request: api.ConfirmReservationRequest) -> commands.Confirm:
    return commands.Confirm(
        v.tenant(request),
        v.request_id(request),
        v.business_id("reservation_id", request.reservation_id),
        v.text("payment_reference", request.payment_reference, 128),
    )


def release(request: api.ReleaseReservationRequest) -> commands.Release:
    return commands.Release(
        v.tenant(request),
        v.request_id(request),
        v.business_id("reservation_id", request.reservation_id),
        v.enum("reason", request.reason, ReleaseReason),
    )


def extend(request: api.ExtendReservationRequest) -> commands.Extend:
    extension = v.span("extension", request.extension)
    if not extension:
        raise InvalidArgument("extension", "must be longer than zero")
    return commands.Extend(
        v.tenant(request),
        v.request_id(request),
        v.business_id("reservation_id", request.reservation_id),
        extension,
    )


def resize(request: api.ResizeReservationRequest) -> commands.Resize:
    return commands.Resize(
        v.tenant(request),
        v.request_id(request),
        v.business_id("reservation_id", request.reservation_id),
        v.business_id("sku_id", request.sku_id),
        v.quantity("quantity", request.quantity),
        v.text("challenge_pass_token", request.challenge_pass_token, 512),
    )


def consume(request: api.ConsumeReservationRequest) -> commands.Consume:
    return commands.Consume(
        v.tenant(request),
        v.request_id(request),
        v.business_id("reservation_id", request.reservation_id),
        v.business_id("sku_id", request.sku_id),
        v.quantity("quantity", request.quantity),
        v.optional_id("order_id", request.order_id),
    )


def return_sold(request: api.ReturnSoldRequest) -> commands.ReturnSold:
    return commands.ReturnSold(
        v.tenant(request),
        v.request_id(request),
        v.business_id("sku_id", request.sku_id),
        v.quantity("quantity", request.quantity),
        v.optional_id("order_id", request.order_id),
        v.text("note", request.note),
    )


def reconcile(request: api.ReconcileRequest) -> commands.Reconcile:
    if len(request.sku_ids) > v.MAX_PAGE_SIZE:
        raise InvalidArgument("sku_ids", f"at most {v.MAX_PAGE_SIZE}")
    return commands.Reconcile(
        v.tenant(request),
        v.request_id(request),
        tuple(v.business_id(f"sku_ids[{i}]", s) for i, s in enumerate(request.sku_ids)),
        request.repair,
    )
