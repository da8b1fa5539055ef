"""Rules are validated with line numbers, hot reloaded without a restart, and a broken document is
rejected while the previous rules keep running."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import time
from pathlib import Path

import pytest
from streamstock.riskcontrol.v1 import riskcontrol_service_pb2 as pb

from services.riskcontrol.settings import DEFAULT_RULES_FILE
from tests.riskcontrol.helpers import ALLOW, CHALLENGE, Risk, rewrite

pytestmark = pytest.mark.usefixtures("wide_budget")  # judges decisions, not time

BROKEN_LINE = 3


async def rule_set(risk: Risk) -> pb.GetRuleSetResponse:
    return await risk.call("GetRuleSet", pb.GetRuleSetRequest(tenant_id=risk.tenant_id))


async def wait_for_rule_set(risk: Risk, changed: object) -> pb.GetRuleSetResponse:
    """Polls GetRuleSet until `changed(response)` holds (the watcher polls every 50 ms)."""
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        response = await rule_set(risk)
        if changed(response):  # type: ignore[operator]
            return response
        await asyncio.sleep(0.02)
    raise AssertionError("the rules file change was not picked up in time")


def tighter_device_rule(text: str) -> str:
    return text.replace("    threshold: 3\n    score: 60\n", "    threshold: 1\n    score: 60\n")


async def test_a_valid_edit_is_hot_reloaded(risk: Risk, rules_file: Path) -> None:
    before = await rule_set(risk)
    assert (await risk.assess("a", "o1", device="shared")).decision == ALLOW
    assert (await risk.assess("b", "o2", device="shared")).decision == ALLOW

    rewrite(rules_file, tighter_device_rule)
    after = await wait_for_rule_set(risk, lambda r: r.rule_set.version != before.rule_set.version)

    assert after.rule_set.last_reload_error == ""
    response = await risk.assess("c", "o3", device="shared")
    assert response.decision == CHALLENGE and response.rules_version == after.rule_set.version


async def test_a_broken_file_is_rejected_with_its_line_and_the_old_rules_keep_running(
    risk: Risk, rules_file: Path
) -> None:
    before = await rule_set(risk)
    broken_at = 0

    def break_threshold(text: str) -> str:
        nonlocal broken_at
        lines = text.splitlines()
        broken_at = next(i for i, line in enumerate(lines) if "threshold: 3" in line)
        lines[broken_at] = "    threshold: three"
        return "\n".join(lines) + "\n"

    rewrite(rules_file, break_threshold)

    after = await wait_for_rule_set(risk, lambda r: r.rule_set.last_reload_error != "")

    assert f"line {broken_at + 1}" in after.rule_set.last_reload_error
    assert after.rule_set.version == before.rule_set.version
    for user in ("a", "b", "c", "d"):
        response = await risk.assess(user, f"o-{user}", device="shared")
    assert response.decision == CHALLENGE
    assert response.rules_version == before.rule_set.version


async def test_validate_rules_reports_every_violation_with_line_and_column(risk: Risk) -> None:
    document = (
        "thresholds:\n  challenge: 50\n  block: 10\nrules:\n  - id: Bad Id\n    signal: velocity\n"
    )

    response = await risk.call(
        "ValidateRules",
        pb.ValidateRulesRequest(tenant_id=risk.tenant_id, document=document),
        admin=True,
    )

    assert not response.valid
    found = {(v.line, v.path) for v in response.violations}
    assert (BROKEN_LINE, "thresholds.block") in found
    assert (5, "rules[0].id") in found
    assert (6, "rules[0].signal") in found


def test_the_validate_command_points_at_the_bad_line(tmp_path: Path) -> None:
    path = tmp_path / "rules.yaml"
    path.write_text(
        "thresholds:\n  challenge: 50\n  block: 100\nrules:\n  - id: r1\n    signal: attempt_velocity\n    key: galaxy\n    window: 1m\n    threshold: 1\n    score: 1\n"
    )

    result = subprocess.run(
        [sys.executable, "-m", "services.riskcontrol", "validate-rules", str(path)],
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip

    assert result.returncode == 1
    assert f"{path}:7:10: rules[0].key: unknown value 'galaxy'" in result.stderr


def test_the_validate_command_accepts_the_default_rules() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "services.riskcontrol", "validate-rules",
         str(DEFAULT_RULES_FILE)],
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip

    assert result.returncode == 0, result.stderr
