"""The report's invariants: a run that oversold, drifted from its ledger or lost a payment ends
with a non-zero exit status, and says which invariant broke."""

from __future__ import annotations

import dataclasses
import io
import json
from pathlib import Path

from rich.console import Console

from tools.livesale.report import PlatformOutcome, Report, SkuOutcome
from tools.livesale.tally import AlertRecord, HoldTally, RiskTally


def sku(sku_id: str = "lipstick", **changes: int) -> SkuOutcome:
    # 100 received, 60 sold (50 paid by buyers, 10 through quotas), 40 on hand of which 5
    # withheld and 10 reserved.
    values = {
        "paid": 50,
        "quota_sold": 10,
        "received": 100,
        "on_hand": 40,
        "withheld": 5,
        "reserved": 10,
        "sold": 60,
        "sellable": 25,
        "forecast_units": 80,
    }
    values.update(changes)
    return SkuOutcome(sku_id=sku_id, **values)


def report(skus: list[SkuOutcome], **changes: object) -> Report:
    values: dict[str, object] = {
        "scenario": "unit",
        "real_seconds": 2.0,
        "session_seconds": 120.0,
        "skus": skus,
        "platforms": [
            PlatformOutcome(
                "douyin", "SHARED", "inventory", 10, 8, 50, 0, {"INSUFFICIENT_STOCK": 2}
            ),
            PlatformOutcome(
                "kuaishou",
                "QUOTA",
                "sync quota",
                0,
                0,
                0,
                10,
                {},
                reported_sold={"lipstick": 10},
                rejected=0,
                quota_sold_by_sku={"lipstick": 10},
            ),
        ],
        "holds": HoldTally(created=8, confirmed=5, released=1, expired=2, expired_units=3),
        "risk": RiskTally(hoarder_attempts=4, hoarder_blocked=3, hoarder_holds=1),
        "alerts": [AlertRecord(30.0, "lipstick", "YELLOW", "FIRING", "80 % consumed", 0.12)],
        "quota_moves": [],
        "services": {"sync": "running", "alerting": "running"},
        "direct_units_paid": 50,
        "drifts": [],
        "requests": 99,
        "peak_requests_per_second": 12,
        "restocks": 1,
        "quota_settled": True,
    }
    values.update(changes)
    return Report(**values)  # type: ignore[arg-type]


def broken(result: Report) -> list[str]:
    return [invariant.name for invariant in result.invariants() if not invariant.holds]


def test_a_clean_run_exits_0() -> None:
    clean = report([sku()])
    assert broken(clean) == []
    assert clean.exit_status() == 0
    assert clean.units_sold == 60 and clean.oversold == 0


def test_an_oversold_sku_exits_1_and_counts_the_units() -> None:
    oversold = report(
        [sku(sold=103, on_hand=-3, reserved=0, withheld=0, sellable=0, paid=93)],
        direct_units_paid=93,
    )
    assert oversold.oversold == 3
    assert "nothing oversold (sold <= received)" in broken(oversold)
    assert oversold.exit_status() == 1


def test_reserved_beyond_on_hand_exits_1() -> None:
    overcommitted = report([sku(reserved=50, sellable=0)])
    assert any("commitments" in name for name in broken(overcommitted))
    assert overcommitted.exit_status() == 1


def test_a_ledger_drift_exits_1() -> None:
    drifted = report([sku()], drifts=["lipstick: recorded sold 60 recomputed sold 59"])
    assert broken(drifted) == ["counters match the ledger (Reconcile)"]
    assert drifted.exit_status() == 1


def test_a_payment_inventory_does_not_count_exits_1() -> None:
    lost = report([sku(paid=51)], direct_units_paid=51)
    assert any("every paid unit" in name for name in broken(lost))
    assert lost.exit_status() == 1


def test_payments_are_counted_per_sku_so_errors_cannot_cancel_out() -> None:
    # One SKU sold a unit nobody paid for, the other took a payment it never booked: the sums
    # over both agree, each SKU does not.
    skus = [sku("lipstick", paid=49), sku("kettle", paid=51)]
    cancelled_out = report(skus, direct_units_paid=100)
    assert sum(s.paid + s.quota_sold for s in skus) == cancelled_out.units_sold
    assert [name for name in broken(cancelled_out) if "every paid unit" in name]
    assert "lipstick sold 60 != paid 49 + quota 10" in _text(cancelled_out)


def test_payments_beyond_what_was_received_exit_1() -> None:
    promised = report([sku(paid=95, sold=105, on_hand=-5, reserved=0, withheld=0, sellable=0)])
    assert "no buyer paid for a unit that was not there (paid <= received, per SKU)" in broken(
        promised
    )


def test_a_payment_whose_outcome_stayed_unknown_exits_1() -> None:
    unknown = report([sku()], unsettled_payments=1)
    assert broken(unknown) == ["every payment's outcome known (lost answers looked up)"]


def test_a_session_that_sold_nothing_proves_nothing_and_exits_1() -> None:
    idle = report(
        [sku(sold=0, paid=0, quota_sold=0, on_hand=100, reserved=0, sellable=95)],
        direct_units_paid=0,
    )
    assert broken(idle) == [
        "the session traded (units paid directly, and through quotas when sync runs)"
    ]


def _quota_platform(**changes: object) -> list[PlatformOutcome]:
    shared, quota = report([sku()]).platforms
    return [shared, dataclasses.replace(quota, **changes)]  # type: ignore[arg-type]


def test_quota_platforms_that_did_not_settle_exit_1() -> None:
    unsettled = report([sku()], quota_settled=False)
    assert broken(unsettled) == ["quota platforms reported every sale before the report (settled)"]


def test_a_platform_count_sync_did_not_apply_exits_1() -> None:
    differing = report([sku()], platforms=_quota_platform(reported_sold={"lipstick": 11}))
    assert broken(differing) == [
        "platform-reported sales = quota sold in sync (per platform and SKU)"
    ]
    assert "kuaishou lipstick: platform 11 != sync 10" in _text(differing)


def test_sales_sync_rejected_exit_1() -> None:
    rejected = report([sku()], platforms=_quota_platform(rejected=2))
    assert broken(rejected) == ["every platform sale accepted by sync (rejected = 0)"]


def test_without_quota_platforms_their_checks_do_not_apply() -> None:
    direct = report([sku(paid=60, quota_sold=0)], direct_units_paid=60, quota_settled=None)
    assert broken(direct) == []
    assert not any("platform" in i.name for i in direct.invariants())


def _text(result: Report) -> str:
    output = io.StringIO()
    result.print(Console(file=output, width=400, force_terminal=False))
    return output.getvalue()


def test_units_that_vanished_exit_1() -> None:
    vanished = report([sku(on_hand=39, sellable=24)])
    assert broken(vanished) == ["every unit received is on hand or sold"]


def test_the_rendered_report_names_the_broken_invariant() -> None:
    output = io.StringIO()
    report([sku(sold=103, on_hand=-3, reserved=0, withheld=0, sellable=0, paid=93)]).print(
        Console(file=output, width=160, force_terminal=False)
    )
    text = output.getvalue()
    assert "INVARIANT BROKEN" in text and "lipstick sold 103 of 100" in text
    assert "80 % consumed" in text and "120 ms" in text


def test_a_missing_service_is_reported_as_not_available() -> None:
    output = io.StringIO()
    report(
        [sku()], services={"sync": "not available (UNIMPLEMENTED)", "alerting": "not available"}
    ).print(Console(file=output, width=160, force_terminal=False))
    text = output.getvalue()
    assert "sync: not available (UNIMPLEMENTED)" in text
    assert "alerting: not available" in text


def test_the_json_report_carries_the_verdicts(tmp_path: Path) -> None:
    path = tmp_path / "report.json"
    report(
        [sku(sold=101, on_hand=-1, reserved=0, withheld=0, sellable=0, paid=91)],
        direct_units_paid=91,
    ).write_json(path)
    document = json.loads(path.read_text())
    assert document["oversold"] == 1
    assert {item["name"]: item["holds"] for item in document["invariants"]}[
        "nothing oversold (sold <= received)"
    ] is False
    assert dataclasses.asdict(sku())["sku_id"] == document["skus"][0]["sku_id"]
