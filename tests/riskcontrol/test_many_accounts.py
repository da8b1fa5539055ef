"""Distinct accounts per IP: many accounts behind one address are recorded as weak evidence; alone
they do not refuse anyone (a campus or carrier NAT puts whole crowds behind one address)."""

from __future__ import annotations

import pytest

from tests.riskcontrol.helpers import ALLOW, Risk

pytestmark = pytest.mark.usefixtures("wide_budget")  # judges decisions, not time

NAT = "203.0.113.50"


async def test_many_accounts_behind_one_ip_fire_ip_many_accounts_on_its_own(risk: Risk) -> None:
    responses = [
        await risk.assess(f"student-{i}", f"o{i}", ip=NAT, device=f"phone-{i}") for i in range(9)
    ]

    assert all(r.decision == ALLOW for r in responses)
    assert not [reason for r in responses[:8] for reason in r.reasons if not reason.shadow]
    (reason,) = [reason for reason in responses[8].reasons if not reason.shadow]
    assert reason.rule_id == "ip-many-accounts"
    assert (reason.observed, reason.threshold) == (9, 8)
    assert responses[8].score > 0 and reason.key.startswith("ip#") and NAT not in reason.key
