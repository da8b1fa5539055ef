"""Scenario files: the shipped ones load; a wrong file fails with an error naming the field."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
import yaml

from tools.livesale.__main__ import main
from tools.livesale.scenario import ScenarioError, load_scenario, parse_scenario

SCENARIOS = sorted(Path("scenarios").glob("*.yaml"))

VALID: dict[str, Any] = {
    "name": "unit",
    "duration": "30m",
    "time_factor": 60,
    "skus": [
        {
            "id": "lipstick",
            "on_hand": 10,
            "withheld": {"safety": 2},
            "forecast_units": 8,
            "policy": {"lock_stage": "CART", "sale_mode": "FLASH_SALE", "hold_ttl": "20m"},
        }
    ],
    "platforms": [{"id": "douyin", "mode": "SHARED", "buyers_per_minute": 5}],
    "buyers": {"pay_probability": 0.6, "abandon_probability": 0.2},
    "hoarders": {
        "accounts": 5,
        "devices": 1,
        "ips": 1,
        "holds_per_minute": 2,
        "platform": "douyin",
    },
    "restocks": [{"at": "10m", "sku": "lipstick", "quantity": 5}],
    "bursts": [{"at": "1m", "sku": "lipstick", "buyers": 50, "platform": "douyin"}],
}


def with_change(path: str, value: object) -> dict[str, Any]:
    """VALID with the field at a dotted path (list indexes as numbers) set, or deleted for ...."""
    document = copy.deepcopy(VALID)
    *parents, last = path.split(".")
    node: Any = document
    for part in parents:
        node = node[int(part)] if part.isdigit() else node[part]
    if value is ...:
        del node[last]
    else:
        node[last] = value
    return document


def test_the_three_shipped_scenarios_load() -> None:
    names = {load_scenario(path).name for path in SCENARIOS}
    assert names == {"flash-sale", "regular-sale", "presale"}


def test_the_shipped_scenarios_cover_the_three_lock_stages_and_presale() -> None:
    policies = [sku.policy for path in SCENARIOS for sku in load_scenario(path).skus]
    assert {policy.lock_stage for policy in policies} == {"CART", "ORDER", "PAYMENT"}
    assert "PRESALE" in {policy.sale_mode for policy in policies}


def test_the_default_scenario_plays_two_hours_in_two_minutes() -> None:
    scenario = load_scenario(Path("scenarios/flash-sale.yaml"))
    assert scenario.duration == 2 * 3600
    assert scenario.timescale.to_real(scenario.duration) == 120
    modes = {platform.mode for platform in scenario.platforms}
    assert len(scenario.platforms) == 3 and modes == {"SHARED", "QUOTA"}
    assert scenario.hoarders is not None and scenario.restocks


def test_a_valid_document_parses_with_its_values() -> None:
    scenario = parse_scenario(VALID)
    assert scenario.skus[0].policy.hold_ttl == 1200
    assert scenario.skus[0].withheld == {"safety": 2}
    assert scenario.restocks[0].at == 600
    assert scenario.bursts[0].buyers == 50 and scenario.bursts[0].at == 60
    assert scenario.tenant_id == "demo"


@pytest.mark.parametrize(
    ("path", "value", "field"),
    [
        ("name", ..., "name"),
        ("duration", "two hours", "duration"),
        ("time_factor", 0, "time_factor"),
        ("skus", [], "skus"),
        ("skus.0.on_hand", -1, "skus[0].on_hand"),
        ("skus.0.on_hand", "ten", "skus[0].on_hand"),
        ("skus.0.withheld", {"safety": 11}, "skus[0].withheld"),
        ("skus.0.withheld", {"friends": 1}, "skus[0].withheld.friends"),
        ("skus.0.policy.lock_stage", "BASKET", "skus[0].policy.lock_stage"),
        ("skus.0.policy.hold_ttl", "soon", "skus[0].policy.hold_ttl"),
        ("skus.0.policy.sale_mode", "PRESALE", "skus[0].policy.balance_due_after"),
        ("skus.0.policy.colour", "red", "skus[0].policy.colour"),
        ("skus.0.forecast_units", ..., "skus[0].forecast_units"),
        ("platforms.0.mode", "PUSH", "platforms[0].mode"),
        ("buyers.abandon_probability", 0.5, "buyers.abandon_probability"),
        ("buyers.pay_probability", 1.5, "buyers.pay_probability"),
        ("hoarders.platform", "kuaishou", "hoarders.platform"),
        ("restocks.0.sku", "mascara", "restocks[0].sku"),
        ("restocks.0.at", "2h", "restocks[0].at"),
        ("bursts.0.sku", "mascara", "bursts[0].sku"),
        ("bursts.0.platform", "kuaishou", "bursts[0].platform"),
        ("bursts.0.buyers", 0, "bursts[0].buyers"),
        ("speed", "fast", "speed"),
    ],
)
def test_a_wrong_field_is_named(path: str, value: object, field: str) -> None:
    with pytest.raises(ScenarioError) as raised:
        parse_scenario(with_change(path, value))
    assert raised.value.field == field


def test_a_repeated_sku_id_is_named() -> None:
    document = copy.deepcopy(VALID)
    document["skus"].append(copy.deepcopy(document["skus"][0]))
    with pytest.raises(ScenarioError) as raised:
        parse_scenario(document)
    assert raised.value.field == "skus[1].id"


def test_a_file_that_is_not_yaml_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "broken.yaml"
    path.write_text("skus: [unclosed\n")
    with pytest.raises(ScenarioError) as raised:
        load_scenario(path)
    assert raised.value.field == "file"


def test_the_command_exits_2_naming_the_field_before_starting_anything(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump(with_change("skus.0.policy.lock_stage", "BASKET")))
    assert main(["--scenario", str(path), "--data-dir", str(tmp_path / "data")]) == 2
    assert "skus[0].policy.lock_stage" in capsys.readouterr().err
    assert not (tmp_path / "data").exists()
