"""Feedback: which counters a fact about an order updates.

Facts come from inventory's event stream (a hold was created, expired unpaid, was released or
resized) and from
ReportOutcome (payment failed, chargeback, confirmed abuse or genuine). Each becomes operations on
the identity keys of the buyer; the member of a sliding log is the fact's own id, so a replayed
fact counts once.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from services.riskcontrol.domain.keys import Identity, KeyLevel, canonical_key
from services.riskcontrol.domain.records import OutcomeKind
from services.riskcontrol.domain.rules import Signal
from services.riskcontrol.domain.tally import hold_field


class FeedbackAction(Enum):
    EVENT = "event"
    UNTALLY = "untally"
    RETALLY = "retally"
    FORGET = "forget"


@dataclass(frozen=True)
class FeedbackOp:
    """On a purchase-limit tally, `member` is the hold's field, `decision` the decision whose
    provisional attempt the hold confirms, and `fallback` the order's field the version before
    provisional attempts counted the hold in (domain/tally.py)."""

    action: FeedbackAction
    signal: Signal
    key: str
    member: str = ""
    amount: int = 0
    decision: str = ""
    fallback: str = ""


_FACT_LEVELS = (KeyLevel.USER, KeyLevel.USER_SKU, KeyLevel.IP, KeyLevel.DEVICE)
_OUTCOME_SIGNAL = {
    OutcomeKind.PAYMENT_FAILED: Signal.PAYMENT_FAILURES,
    OutcomeKind.CHARGEBACK: Signal.CHARGEBACKS,
    OutcomeKind.CONFIRMED_ABUSE: Signal.CHARGEBACKS,
}
_RELIEVED = (
    Signal.UNPAID_EXPIRIES,
    Signal.PAYMENT_FAILURES,
    Signal.CHARGEBACKS,
    Signal.CHALLENGE_FAILURES,
)


def _keys(identity: Identity, sku_id: str) -> list[str]:
    keys = (canonical_key(level, identity, sku_id) for level in _FACT_LEVELS)
    return [key for key in keys if key is not None]


def unpaid_expiry(identity: Identity, sku_id: str, fact_id: str) -> list[FeedbackOp]:
    return [
        FeedbackOp(FeedbackAction.EVENT, Signal.UNPAID_EXPIRIES, key, fact_id)
        for key in _keys(identity, sku_id)
    ]


def release(identity: Identity, sku_id: str, reservation_id: str, units: int) -> list[FeedbackOp]:
    """A released hold no longer counts against the purchase limit of the user and SKU (a
    release settles the hold's whole line: its field goes, so a replayed event changes nothing)."""
    key = canonical_key(KeyLevel.USER_SKU, identity, sku_id)
    if key is None or units <= 0:
        return []
    return [
        FeedbackOp(
            FeedbackAction.UNTALLY, Signal.PURCHASE_LIMIT_RATIO, key, hold_field(reservation_id),
            units, fallback=identity.order_id,
        )
    ]  # fmt: skip


def hold_made(
    identity: Identity, sku_id: str, reservation_id: str, line_units: int, decision_id: str
) -> list[FeedbackOp]:
    """A hold inventory made (or resized, grown or shrunk) counts against the purchase limit
    with what its line now holds (an absolute value, so a replayed event changes nothing and a
    late one is corrected by the next), and the provisional attempt of its decision stops
    counting apart: it is confirmed. A hold counts when the tally counts it already or it carries
    a decision of riskcontrol (even one whose attempt lapsed, the follower lagging past the grace)
    on a tally that lives; a hold riskcontrol never assessed (a SKU whose risk mode is OFF, a
    fail-open hold) does not start counting."""
    key = canonical_key(KeyLevel.USER_SKU, identity, sku_id)
    if key is None:
        return []
    return [
        FeedbackOp(
            FeedbackAction.RETALLY, Signal.PURCHASE_LIMIT_RATIO, key, hold_field(reservation_id),
            line_units, decision_id, identity.order_id,
        )
    ]  # fmt: skip


def outcome(kind: OutcomeKind, identity: Identity, sku_id: str, fact_id: str) -> list[FeedbackOp]:
    if kind is OutcomeKind.CONFIRMED_GENUINE:
        user_keys = [k for k in _keys(identity, sku_id) if "ip#" not in k and "device#" not in k]
        return [FeedbackOp(FeedbackAction.FORGET, s, key) for key in user_keys for s in _RELIEVED]
    signal = _OUTCOME_SIGNAL.get(kind)
    if signal is None:
        return []
    return [
        FeedbackOp(FeedbackAction.EVENT, signal, key, fact_id) for key in _keys(identity, sku_id)
    ]
