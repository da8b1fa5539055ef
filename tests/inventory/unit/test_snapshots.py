"""Answer snapshots: a replay returns exactly the hold that was answered, whichever format the
snapshot was written in."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from services.inventory.adapters import codec
from services.inventory.domain.policy import LockStage, SaleMode, SalePolicy
from services.inventory.domain.reservation import (
    BuyerContext,
    ReleaseReason,
    Reservation,
    ReservationLine,
    ReservationPurpose,
)

NOW = datetime(2026, 11, 23, 1, 2, 3, 456789, tzinfo=UTC)


def released_hold() -> Reservation:
    hold = Reservation.open(
        "acme",
        "r-1",
        "buyer-1",
        "order-1",
        [ReservationLine("lipstick", 2), ReservationLine("mascara", 3, 1)],
        LockStage.CART,
        ReservationPurpose.BUYER,
        BuyerContext("douyin", "10.0.0.1", "phone-1"),
        NOW,
        SalePolicy(lock_stage=LockStage.CART, sale_mode=SaleMode.FLASH_SALE),
    )
    hold.release(NOW + timedelta(seconds=1), ReleaseReason.OPERATOR)
    hold.risk_decision_id = "d-1"
    return hold


def test_a_snapshot_gives_back_the_hold_to_the_microsecond() -> None:
    hold = released_hold()
    assert codec.result_from_json(codec.result_to_json(hold)) == hold


def test_a_snapshot_written_as_a_dict_of_iso_times_still_reads() -> None:
    hold = released_hold()
    assert hold.expires_at is not None and hold.notify_at is not None
    older = {
        "reservation": {
            "tenant_id": "acme",
            "reservation_id": "r-1",
            "user_id": "buyer-1",
            "order_id": "order-1",
            "lines": [["lipstick", 2, 0], ["mascara", 3, 1]],
            "lock_stage": LockStage.CART.value,
            "purpose": ReservationPurpose.BUYER.value,
            "platform_id": "douyin",
            "ip": "10.0.0.1",
            "device_id": "phone-1",
            "created_at": NOW.isoformat(),
            "expires_at": hold.expires_at.isoformat(),
            "state": hold.state.value,
            "settled_at": (NOW + timedelta(seconds=1)).isoformat(),
            "extension_count": 0,
            "payment_reference": "",
            "release_reason": ReleaseReason.OPERATOR.value,
            "risk_decision_id": "d-1",
            "expiring_soon_sent": False,
            "notify_at": hold.notify_at.isoformat(),
        }
    }
    assert codec.result_from_json(json.dumps(older)) == hold
