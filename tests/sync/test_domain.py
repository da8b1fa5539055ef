"""Unit tests of sync's domain: velocity, the rebalance decision, the listing protocol, sale line
judgement and drift detection."""

from __future__ import annotations

import pytest

from services.sync.domain.allocation import Hysteresis
from services.sync.domain.backoff import delays
from services.sync.domain.policy import AllocationPolicy, Share
from services.sync.domain.quota import PushStatus, Quota
from services.sync.domain.rebalance import Outcome, QuotaView, SkuView, plan
from services.sync.domain.reconcile import (
    CompensationKind,
    DriftKind,
    Hold,
    PlatformCount,
    find_drifts,
)
from services.sync.domain.sales import (
    LineOutcome,
    LineRecord,
    SaleKind,
    SaleLine,
    judge_return,
    judge_sale,
)
from services.sync.domain.velocity import Velocity


def policy(*shares: tuple[str, float], reserve: int = 0, hysteresis: int = 1) -> AllocationPolicy:
    return AllocationPolicy(
        sku_id="sku",
        enabled=True,
        pool_reserve_units=reserve,
        shares=tuple(Share(p, w) for p, w in shares),
        hysteresis=Hysteresis(hysteresis, 0.1),
    )


def test_velocity_halves_every_half_life_and_converges_to_the_rate() -> None:
    velocity = Velocity()
    for second in range(600):
        velocity = velocity.with_sale(2, float(second), half_life_seconds=30)
    assert velocity.rate_per_second == pytest.approx(2.0, rel=0.05)
    later = velocity.at(599 + 30, half_life_seconds=30)
    assert later.rate_per_second == pytest.approx(velocity.rate_per_second / 2)


def test_before_any_sale_the_weights_split_the_pool() -> None:
    view = SkuView(
        "sku",
        policy(("a", 3), ("b", 1)),
        100,
        [QuotaView("a", 0, 0.0), QuotaView("b", 0, 0.0)],
    )
    result = plan(view)
    assert result.outcome is Outcome.APPLIED
    assert result.grows == {"a": 75, "b": 25}


def test_velocity_moves_quota_by_a_shrink_and_the_grow_it_frees() -> None:
    view = SkuView(
        "sku",
        policy(("fast", 1), ("slow", 1)),
        0,
        [QuotaView("fast", 10, 90.0), QuotaView("slow", 90, 10.0)],
    )
    result = plan(view)
    assert result.targets == {"fast": 90, "slow": 10}
    assert result.shrinks == {"slow": 10}
    # Taken only once the slow platform acknowledged its shrink (the executor checks).
    assert result.grows == {"fast": 90}


def test_grows_wait_while_a_shrink_awaits_its_acknowledgement() -> None:
    view = SkuView(
        "sku",
        policy(("fast", 1), ("slow", 1)),
        0,
        [
            QuotaView("fast", 10, 90.0),
            QuotaView("slow", 90, 10.0, awaiting_ack=True, pushed_listed_units=10),
        ],
    )
    result = plan(view)
    assert result.outcome is Outcome.AWAITING_ACK
    assert (result.shrinks, result.grows) == ({}, {})


def test_a_platform_that_is_down_is_shrunk_deeper_over_its_pending_shrink() -> None:
    view = SkuView(
        "sku",
        policy(("up", 1), ("down", 1)),
        0,
        [
            QuotaView("up", 50, 60.0),
            QuotaView("down", 50, 60.0, awaiting_ack=True, eligible=False, pushed_listed_units=30),
        ],
    )
    result = plan(view)
    assert result.shrinks == {"down": 0}
    assert result.grows == {}


def test_small_changes_stay_within_hysteresis() -> None:
    view = SkuView(
        "sku",
        policy(("a", 1), ("b", 1), hysteresis=5),
        0,
        [QuotaView("a", 52, 1.0), QuotaView("b", 48, 1.0)],
    )
    result = plan(view)
    assert result.outcome is Outcome.WITHIN_HYSTERESIS


def test_the_pool_reserve_is_never_allocated() -> None:
    view = SkuView("sku", policy(("a", 1), reserve=30), 100, [QuotaView("a", 0, 0.0)])
    assert plan(view).grows == {"a": 70}


def test_a_disabled_policy_drains_every_quota() -> None:
    disabled = AllocationPolicy(sku_id="sku", enabled=False, shares=(Share("a", 1),))
    view = SkuView("sku", disabled, 0, [QuotaView("a", 40, 5.0)])
    assert plan(view).shrinks == {"a": 0}


def test_an_acknowledged_shrink_leaves_the_listing_less_the_sales_applied_since() -> None:
    quota = Quota("t", "sku", "p", quota_units=50, sold_units=10)
    quota, listing = quota.next_listing(20, now=100.0)
    assert quota.shrink_pending and listing.sold_units_applied == 10
    quota = quota.sold(5, now=101.0, half_life=60)
    assert quota.quota_units == 45
    assert quota.escrow_after_shrink() == 15
    acked = quota.acknowledged(listing.version, 15, 15, now=102.0)
    assert acked.push_status is PushStatus.IN_SYNC


def test_a_late_acknowledgement_of_an_older_version_changes_nothing() -> None:
    quota = Quota("t", "sku", "p", acknowledged_version=3, pushed_version=3, listed_units=7)
    assert quota.acknowledged(2, 99, None, now=1.0) == quota


def test_the_ack_timeout_counts_from_the_first_pending_shrink() -> None:
    quota = Quota("t", "sku", "p", quota_units=50)
    quota, _ = quota.next_listing(30, now=100.0)
    quota, _ = quota.next_listing(0, now=105.0)
    assert quota.shrink_timed_out(now=110.0, ack_timeout=10.0)


def line(kind: SaleKind, quantity: int, sku: str = "sku") -> SaleLine:
    return SaleLine("o1", "1", sku, kind, quantity)


def test_a_sale_is_applied_once_and_a_changed_resend_conflicts() -> None:
    stored = LineRecord("sku", 2, 2)
    assert judge_sale(line(SaleKind.SALE, 2), None).outcome is LineOutcome.APPLIED
    assert judge_sale(line(SaleKind.SALE, 2), stored).outcome is LineOutcome.DUPLICATE
    conflict = judge_sale(line(SaleKind.SALE, 3), stored)
    assert (conflict.outcome, conflict.reason) == (LineOutcome.REJECTED, "SALE_LINE_CONFLICT")


def test_returns_apply_running_totals_and_wait_for_their_sale() -> None:
    sale = LineRecord("sku", 5, 5)
    assert judge_return(line(SaleKind.CANCEL, 2), None, None, 0).outcome is LineOutcome.DEFERRED
    first = judge_return(line(SaleKind.CANCEL, 2), None, sale, 0)
    assert (first.outcome, first.units) == (LineOutcome.APPLIED, 2)
    more = judge_return(line(SaleKind.CANCEL, 3), LineRecord("sku", 2, 2), sale, 0)
    assert (more.outcome, more.units) == (LineOutcome.APPLIED, 1)
    same = judge_return(line(SaleKind.CANCEL, 2), LineRecord("sku", 2, 2), sale, 0)
    assert same.outcome is LineOutcome.DUPLICATE
    too_many = judge_return(line(SaleKind.REFUND, 3), None, sale, 3)
    assert (too_many.outcome, too_many.reason) == (LineOutcome.REJECTED, "RETURN_EXCEEDS_SALE")


def test_drifts_name_the_booking_that_repairs_them() -> None:
    quota = Quota(
        "t", "sku", "p", quota_units=10, consumed_units=5, sold_units=5, reservation_id="r1"
    )
    holds = [Hold("r1", 12, 4, True), Hold("r0", 3, 0, True)]
    drifts = {d.kind: d for d in find_drifts(quota, holds, PlatformCount(6, 9))}
    assert drifts[DriftKind.SOLD_MISMATCH].compensation is CompensationKind.MANUAL
    assert drifts[DriftKind.LEDGER_MISMATCH].compensation is CompensationKind.CONFIRM_UNITS
    assert drifts[DriftKind.LEDGER_MISMATCH].units == 1
    assert drifts[DriftKind.ORPHAN_HOLD].reservation_id == "r0"
    assert drifts[DriftKind.ESCROW_MISMATCH].difference_units == 2
    assert DriftKind.LISTED_OVER_QUOTA not in drifts


def test_returning_units_consumed_without_a_sale_settles_the_ledger_drift_once() -> None:
    quota = Quota(
        "t", "sku", "p", quota_units=6, consumed_units=4, sold_units=4, reservation_id="r"
    )
    holds = [Hold("r", 3, 7, True)]  # inventory consumed 3 more than sync counted
    (drift,) = [d for d in find_drifts(quota, holds, None) if d.kind is DriftKind.LEDGER_MISMATCH]
    assert (drift.compensation, drift.units) == (CompensationKind.RETURN_UNITS, 3)
    settled = quota.unsold_consumption_returned(drift.units)
    assert (settled.consumed_units, settled.returned_units, settled.sold_units) == (7, 3, 4)
    held_again = [Hold("r", 6, 7, True)]  # and the hold grown back to the quota
    assert find_drifts(settled, held_again, None) == []


def test_a_shrink_below_the_platforms_unreported_sales_keeps_escrow_for_them() -> None:
    quota = Quota("t", "sku", "p", quota_units=40, sold_units=10)
    quota, listing = quota.next_listing(0, now=1.0)
    # The platform had sold 6 more that sync has not heard of; it now lists nothing.
    acked = quota.acknowledged(listing.version, 0, 16, now=2.0)
    assert acked.escrow_after_shrink() == 6
    assert quota.escrow_after_shrink() == 0  # without the platform's count, only the push rule


def test_push_retry_delays_double_up_to_the_cap_with_a_stable_jitter_per_push() -> None:
    keys = [f"push:p:sku:{version}" for version in range(50)]
    spreads = set()
    for key in keys:
        waits = delays(6, 0.1, 1.0, key=key)
        nominal = [0.1, 0.2, 0.4, 0.8, 1.0]
        assert len(waits) == 5
        factors = [wait / full for wait, full in zip(waits, nominal, strict=True)]
        # Every wait lies in [half, all] of its nominal delay, the cap included, and one push
        # keeps its jitter factor over its attempts (and across a retry of the same push).
        assert all(0.5 <= factor <= 1.0 for factor in factors)
        assert max(factors) - min(factors) < 1e-9
        assert delays(6, 0.1, 1.0, key=key) == waits
        spreads.add(round(factors[0], 3))
    # Pushes failing together do not retry in lockstep.
    assert len(spreads) > 25
    assert delays(1, 0.1, 1.0, key="k") == [] and delays(0, 0.1, 1.0) == []
