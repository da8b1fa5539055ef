"""Shadow mode: the same traffic, nothing blocked, decisions and counters recorded."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamstock.riskcontrol.v1 import assessment_pb2, rules_pb2, signals_pb2
from streamstock.riskcontrol.v1 import riskcontrol_service_pb2 as pb

from tests.riskcontrol.conftest import StartRisk
from tests.riskcontrol.helpers import ALLOW, BLOCK, CHALLENGE, Risk, bounded, rewrite

pytestmark = pytest.mark.usefixtures("wide_budget")  # judges decisions, not time

SHADOW = assessment_pb2.ENFORCEMENT_MODE_SHADOW


async def hoarding(risk: Risk, accounts: int = 10) -> list[pb.AssessResponse]:
    return await bounded(
        [
            risk.assess(
                f"acct-{i}", f"ord-{i}", quantity=2, device="one-device", ip="192.0.2.9", limit=2
            )
            for i in range(accounts)
        ],
        1,
    )


async def device_accounts(risk: Risk) -> float:
    request = pb.GetSignalsRequest(
        tenant_id=risk.tenant_id,
        key=signals_pb2.RiskKey(level=signals_pb2.KEY_LEVEL_DEVICE, device_id="one-device"),
        signals=[signals_pb2.RISK_SIGNAL_DISTINCT_ACCOUNTS],
    )
    response = await risk.call("GetSignals", request)
    return response.values[0].value  # type: ignore[attr-defined,no-any-return]


async def test_enforced_hoarding_is_challenged_and_refused_accounts_are_not_counted(
    risk: Risk,
) -> None:
    responses = await hoarding(risk)

    assert [r.decision for r in responses].count(CHALLENGE) == 7
    assert await device_accounts(risk) == 3


async def test_forced_shadow_blocks_nothing_but_records_decisions_and_counters(risk: Risk) -> None:
    override = await risk.call(
        "SetShadowMode",
        pb.SetShadowModeRequest(
            tenant_id=risk.tenant_id, request_id="shadow-1",
            override=rules_pb2.SHADOW_OVERRIDE_FORCE_SHADOW, reason="first sale of the season",
        ),
        admin=True,
    )  # fmt: skip
    assert override.shadow_mode.enabled  # type: ignore[attr-defined]

    responses = await hoarding(risk)

    assert all(r.decision == ALLOW for r in responses)
    assert all(r.enforcement == SHADOW for r in responses)
    assert [r.shadow_decision for r in responses].count(CHALLENGE) == 7
    assert all(reason.shadow for r in responses for reason in r.reasons)
    assert await device_accounts(risk) == 10
    listed = await risk.call(
        "ListDecisions",
        pb.ListDecisionsRequest(tenant_id=risk.tenant_id, shadow_differs_only=True, page_size=100),
        admin=True,
    )
    assert len(listed.decisions) == 7  # type: ignore[attr-defined]


async def test_the_caller_shadow_mode_records_without_enforcing(risk: Risk) -> None:
    await risk.assess("u1", "o1", quantity=2, limit=2)

    response = await risk.assess("u1", "o2", quantity=2, limit=2, mode=SHADOW)

    assert response.decision == ALLOW and response.shadow_decision == BLOCK
    assert response.enforcement == SHADOW


async def test_a_shadow_rule_is_reported_but_not_enforced(
    start_risk: StartRisk, rules_file: Path
) -> None:
    rewrite(
        rules_file,
        lambda text: text.replace(
            "    threshold: 3\n    score: 60\n",
            "    threshold: 3\n    score: 60\n    shadow: true\n",
        ),
    )
    risk = await start_risk()
    registry = risk.host.metrics.registry

    def sample(name: str) -> float:
        return registry.get_sample_value(name, {"rule_id": "device-many-accounts"}) or 0.0

    responses = await hoarding(risk, 5)

    assert all(r.decision == ALLOW for r in responses)
    last = responses[-1]
    assert last.shadow_decision == CHALLENGE and last.shadow_score == 60 and last.score == 0
    (reason,) = [r for r in last.reasons if r.rule_id == "device-many-accounts"]
    assert reason.shadow and reason.observed == 5 and reason.threshold == 3
    # The 4th and 5th accounts hit the rule: counted as shadow hits, not as enforced hits.
    assert sample("streamstock_risk_rule_shadow_hits_total") == 2
    assert sample("streamstock_risk_rule_hits_total") == 0
