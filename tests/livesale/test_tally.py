"""The session tally from inventory's events, and the console's small drawings of it."""

from __future__ import annotations

import random
from pathlib import Path

from streamstock.inventory.v1 import events_pb2, reservation_pb2, stock_pb2

from tools.livesale.calls import Caller, RequestRate
from tools.livesale.console import consumption_bar, per_interval, sparkline
from tools.livesale.observers import apply_event
from tools.livesale.scenario import load_scenario
from tools.livesale.session import Session
from tools.livesale.tally import SessionTally, SkuTally, tier_of

BUYER = reservation_pb2.RESERVATION_PURPOSE_BUYER
QUOTA = reservation_pb2.RESERVATION_PURPOSE_PLATFORM_QUOTA


def session() -> Session:
    scenario = load_scenario(Path("scenarios/flash-sale.yaml"))
    tally = SessionTally(skus={"sku.t": SkuTally("sku.t", "sku", forecast_units=100)}, platforms={})
    return Session(
        scenario=scenario,
        tag="t",
        tally=tally,
        inventory=None,  # type: ignore[arg-type]
        as_admin=Caller("key", RequestRate()),
        as_platform=Caller("key", RequestRate()),
        random=random.Random(1),
    )


def event(
    sequence: int, kind: str, quantity: int, purpose: int = BUYER, **stock: int
) -> events_pb2.InventoryEvent:
    message = events_pb2.InventoryEvent(
        sequence=sequence, sku_id="sku.t", stock=stock_pb2.StockLevels(**stock)
    )
    getattr(message, kind).CopyFrom(events_pb2.ReservationEvent(quantity=quantity, purpose=purpose))
    return message


def test_buyer_holds_are_counted_by_outcome_and_quota_holds_are_not() -> None:
    played = session()
    for number, (kind, quantity, purpose) in enumerate(
        [
            ("reservation_created", 2, BUYER),
            ("reservation_created", 1, BUYER),
            ("reservation_created", 50, QUOTA),
            ("reservation_expiring_soon", 2, BUYER),
            ("reservation_expired", 2, BUYER),
            ("reservation_confirmed", 1, BUYER),
            ("reservation_released", 50, QUOTA),
        ],
        start=1,
    ):
        apply_event(
            played,
            event(number, kind, quantity, purpose, on_hand=90, sold=1, reserved=4, sellable=85),
        )
    holds = played.tally.holds
    assert (
        holds.created,
        holds.expiring_soon,
        holds.expired,
        holds.expired_units,
        holds.confirmed,
    ) == (2, 1, 1, 2, 1)
    assert holds.released == 0
    assert played.tally.last_sequence == 7
    sku = played.tally.skus["sku.t"]
    assert (sku.on_hand, sku.sold, sku.reserved, sku.sellable) == (90, 1, 4, 85)


def test_consumption_leaves_out_quota_escrow_and_tiers_follow_the_seed() -> None:
    sku = SkuTally("sku.t", "sku", forecast_units=100, sold=70, reserved=40, quota_escrow=30)
    assert sku.consumed == 80
    assert sku.local_tier == "YELLOW"
    sku.restocked = 50  # the lines move with what was delivered
    assert sku.local_tier == "-"
    assert [tier_of(units, 100) for units in (79, 80, 100, 119, 120)] == [
        "-",
        "YELLOW",
        "ORANGE",
        "ORANGE",
        "RED",
    ]


def test_the_highest_firing_tier_is_shown() -> None:
    sku = SkuTally("sku.t", "sku", forecast_units=100)
    assert sku.alert_tier == "-"
    sku.firing |= {"YELLOW", "RED"}
    assert sku.alert_tier == "RED"


def test_the_console_draws_curves_and_bars() -> None:
    assert per_interval([(0, 0), (60, 5), (120, 5), (180, 12), (240, 10)]) == [5, 0, 7, 0]
    assert sparkline([0, 7]) == "▁█"
    assert sparkline([]) == ""
    assert sparkline([0, 0]) == "▁▁"
    bar = consumption_bar(100, 100, width=30)
    assert bar.count("█") == 20 and len(bar) == 30
    assert consumption_bar(1000, 100, width=30) == "█" * 30
