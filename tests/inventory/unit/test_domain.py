"""The inventory domain on its own: policies, counters, the reservation state machine, risk."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from services.inventory.domain import errors
from services.inventory.domain.events import AdjustmentReason, WithholdKind
from services.inventory.domain.policy import (
    LockStage,
    RiskFailMode,
    RiskMode,
    SaleMode,
    SalePolicy,
    SaleStatus,
)
from services.inventory.domain.reservation import (
    BuyerContext,
    ReleaseReason,
    Reservation,
    ReservationLine,
    ReservationPurpose,
    ReservationState,
)
from services.inventory.domain.risk import RiskCheck, RiskDecision, RiskVerdict
from services.inventory.domain.sku import Sku
from services.inventory.domain.stock import LedgerReason, StockLevels

NOW = datetime(2026, 11, 22, 20, 0, tzinfo=UTC)
FLASH = SalePolicy(LockStage.CART, SaleMode.FLASH_SALE)


def hold(policy: SalePolicy = FLASH, quantity: int = 1, user: str = "u1") -> Reservation:
    return Reservation.open(
        "t",
        "r1",
        user,
        "o1",
        [ReservationLine("s1", quantity)],
        LockStage.CART,
        ReservationPurpose.BUYER,
        BuyerContext(),
        NOW,
        policy,
    )


def sku(on_hand: int = 10, policy: SalePolicy = FLASH) -> Sku:
    created = Sku.create("t", "s1", "Lipstick", on_hand, policy, SaleStatus.ON_SALE, NOW, "req")
    created.changes.clear()
    return created


# Sale policies.


def test_hold_ttl_defaults_follow_the_seed() -> None:
    assert FLASH.hold_deadline(NOW) == NOW + timedelta(minutes=20)
    regular = SalePolicy(LockStage.ORDER, SaleMode.REGULAR)
    assert regular.hold_deadline(NOW) == NOW + timedelta(minutes=120)
    custom = SalePolicy(LockStage.ORDER, SaleMode.REGULAR, hold_ttl=timedelta(minutes=30))
    assert custom.hold_deadline(NOW) == NOW + timedelta(minutes=30)


def test_presale_deposit_lasts_until_the_balance_is_due() -> None:
    due = NOW + timedelta(days=3)
    presale = SalePolicy(LockStage.ORDER, SaleMode.PRESALE, presale_balance_due=due)
    assert hold(presale).expires_at == due


def test_lock_stages_admitted() -> None:
    assert FLASH.admits_stage(LockStage.CART) and FLASH.admits_stage(LockStage.ORDER)
    order_stage = SalePolicy(LockStage.ORDER, SaleMode.REGULAR)
    assert not order_stage.admits_stage(LockStage.CART)
    payment_stage = SalePolicy(LockStage.PAYMENT, SaleMode.REGULAR)
    assert payment_stage.admits_stage(LockStage.PAYMENT)
    assert not payment_stage.admits_stage(LockStage.ORDER)


# Counters.


def test_sellable_is_on_hand_minus_withheld_and_reserved() -> None:
    assert StockLevels(on_hand=10, withheld=2, reserved=3, sold=5).sellable == 5


def test_insufficient_stock_names_what_was_asked_and_what_is_left() -> None:
    with pytest.raises(errors.InsufficientStock) as refused:
        StockLevels(on_hand=3).check_hold("s1", 4)
    assert refused.value.metadata == {"sku_id": "s1", "requested": "4", "sellable": "3"}


def test_hold_confirm_and_release_keep_the_counters_consistent() -> None:
    item = sku(10)
    reservation = hold(quantity=3)
    item.check_can_hold(reservation, 0, 3, 0)
    item.hold(reservation, 3, NOW)
    assert (item.stock.reserved, item.stock.sellable) == (3, 7)
    reservation.confirm(NOW, "pay")
    item.settle(reservation, LedgerReason.CONFIRM, NOW)
    assert (item.stock.on_hand, item.stock.reserved, item.stock.sold) == (7, 0, 3)
    assert [c.ledger.reason for c in item.changes if c.ledger] == [
        LedgerReason.RESERVE,
        LedgerReason.CONFIRM,
    ]


def test_withheld_units_are_never_sold() -> None:
    item = sku(10)
    item.set_withheld(WithholdKind.VIP, 8, NOW, "req")
    with pytest.raises(errors.InsufficientStock):
        item.check_can_hold(hold(quantity=3), 0, 3, 0)


def test_on_hand_cannot_drop_below_what_is_held() -> None:
    item = sku(5)
    reservation = hold(quantity=4)
    item.hold(reservation, 4, NOW)
    with pytest.raises(errors.OnHandBelowCommitted):
        item.adjust(-2, AdjustmentReason.DAMAGED, "", NOW, "req")


# Buyer rules.


def test_purchase_limit_counts_what_the_buyer_already_holds() -> None:
    limited = sku(100, SalePolicy(LockStage.CART, SaleMode.FLASH_SALE, per_user_limit=2))
    limited.check_can_hold(hold(quantity=1), 0, 1, held_by_user=1)
    with pytest.raises(errors.PurchaseLimitExceeded):
        limited.check_can_hold(hold(quantity=1), 0, 1, held_by_user=2)


def test_max_per_order_counts_what_the_order_already_holds() -> None:
    capped = sku(100, SalePolicy(LockStage.CART, SaleMode.FLASH_SALE, max_per_order=3))
    capped.check_can_hold(hold(quantity=1), held_by_order=2, quantity=1, held_by_user=0)
    with pytest.raises(errors.MaxPerOrderExceeded):
        capped.check_can_hold(hold(quantity=2), held_by_order=2, quantity=2, held_by_user=0)


def test_paused_sale_refuses_holds() -> None:
    item = sku(10)
    item.set_status(SaleStatus.PAUSED, "RED alert", NOW)
    with pytest.raises(errors.SaleNotActive):
        item.check_can_hold(hold(), 0, 1, 0)


# The reservation state machine.


def test_a_hold_past_its_deadline_reads_as_expired_and_cannot_be_confirmed() -> None:
    reservation = hold()
    later = NOW + timedelta(minutes=20)
    assert reservation.state_at(later - timedelta(seconds=1)) is ReservationState.ACTIVE
    assert reservation.state_at(later) is ReservationState.EXPIRED
    with pytest.raises(errors.ReservationExpired):
        reservation.confirm(later, "pay")


def test_each_transition_happens_once() -> None:
    reservation = hold()
    reservation.release(NOW, ReleaseReason.BUYER_CANCELLED)
    with pytest.raises(errors.ReservationNotActive):
        reservation.confirm(NOW, "pay")
    with pytest.raises(errors.ReservationNotActive):
        reservation.expire(NOW + timedelta(hours=1))


def test_only_a_due_hold_expires() -> None:
    reservation = hold()
    with pytest.raises(errors.ReservationNotActive):
        reservation.expire(NOW)
    reservation.expire(NOW + timedelta(minutes=20))
    assert reservation.state is ReservationState.EXPIRED


def test_extension_follows_every_policy_of_the_hold() -> None:
    extendable = SalePolicy(
        LockStage.CART,
        SaleMode.FLASH_SALE,
        allow_extension=True,
        max_extension=timedelta(minutes=10),
        max_extensions=1,
    )
    reservation = hold(extendable)
    with pytest.raises(errors.ExtensionNotAllowed):
        reservation.extend(NOW, timedelta(minutes=5), [extendable, FLASH])
    reservation.extend(NOW, timedelta(minutes=5), [extendable])
    assert reservation.expires_at == NOW + timedelta(minutes=25)
    with pytest.raises(errors.ExtensionNotAllowed) as refused:
        reservation.extend(NOW, timedelta(minutes=5), [extendable])
    assert refused.value.metadata["why"] == "TOO_MANY"


def test_expiring_soon_notice_is_due_the_lead_before_the_deadline() -> None:
    by_default = hold()
    assert by_default.notify_at == NOW + timedelta(minutes=15)  # 20-minute flash hold, 5 min
    lead = timedelta(minutes=1)
    led = hold(SalePolicy(LockStage.CART, SaleMode.FLASH_SALE, expiring_soon_lead=lead))
    assert led.notify_at == NOW + timedelta(minutes=19)


# Risk.


def policy_with(mode: RiskMode, fail: RiskFailMode = RiskFailMode.OPEN) -> SalePolicy:
    return SalePolicy(LockStage.CART, SaleMode.FLASH_SALE, risk_mode=mode, risk_fail_mode=fail)


def test_the_strictest_sku_decides_how_an_attempt_is_checked() -> None:
    check = RiskCheck.of(
        [policy_with(RiskMode.SHADOW), policy_with(RiskMode.ENFORCE, RiskFailMode.CLOSED)]
    )
    assert (check.mode, check.fail_mode) == (RiskMode.ENFORCE, RiskFailMode.CLOSED)
    assert check.deadline == timedelta(milliseconds=20)
    assert not RiskCheck.of([FLASH]).wanted


def test_enforced_block_and_challenge_refuse_with_their_reasons() -> None:
    check = RiskCheck.of([policy_with(RiskMode.ENFORCE)])
    with pytest.raises(errors.RiskBlocked) as blocked:
        check.apply(RiskVerdict("d1", RiskDecision.BLOCK, ("velocity", "device")))
    assert blocked.value.metadata == {"decision_id": "d1", "rules": "velocity,device"}
    with pytest.raises(errors.RiskChallengeRequired) as challenged:
        check.apply(RiskVerdict("d2", RiskDecision.CHALLENGE, challenge_id="c1"))
    assert challenged.value.metadata["challenge_id"] == "c1"
    assert check.apply(RiskVerdict("d3", RiskDecision.ALLOW)) == "d3"


def test_shadow_mode_never_refuses() -> None:
    check = RiskCheck.of([policy_with(RiskMode.SHADOW, RiskFailMode.CLOSED)])
    assert check.apply(RiskVerdict("d1", RiskDecision.BLOCK)) == "d1"
    assert check.unanswered() == ""


def test_no_answer_fails_open_or_closed_as_the_policy_says() -> None:
    assert RiskCheck.of([policy_with(RiskMode.ENFORCE)]).unanswered() == ""
    with pytest.raises(errors.RiskUnavailable):
        RiskCheck.of([policy_with(RiskMode.ENFORCE, RiskFailMode.CLOSED)]).unanswered()
