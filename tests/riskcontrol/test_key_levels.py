"""The four combined key levels of the seed (order+SKU; user+order+SKU; IP+user+order+SKU;
device+IP+order+SKU+user): rules count on each, reasons name the key, lists act on each."""

from __future__ import annotations

from pathlib import Path

import pytest
from google.protobuf import duration_pb2
from streamstock.riskcontrol.v1 import access_list_pb2, signals_pb2
from streamstock.riskcontrol.v1 import riskcontrol_service_pb2 as pb

from tests.riskcontrol.conftest import StartRisk
from tests.riskcontrol.helpers import ALLOW, BLOCK, Risk, rewrite

pytestmark = pytest.mark.usefixtures("wide_budget")  # judges decisions, not time

IP, DEVICE = "198.51.100.23", "tablet-23"
LEVEL_RULES = """\
shadow: false
thresholds:
  challenge: 50
  block: 100
rules:
""" + "".join(
    f"""  - id: {level}-repeats
    signal: attempt_velocity
    key: {level}
    window: 1h
    threshold: 0
    score: {score}
"""
    for level, score in (
        ("order_sku", 1),
        ("user_order_sku", 2),
        ("ip_user_order_sku", 4),
        ("device_ip_order_sku_user", 100),
    )
)


@pytest.fixture
async def risk(start_risk: StartRisk, rules_file: Path) -> Risk:
    rewrite(rules_file, lambda _: LEVEL_RULES)
    return await start_risk()


def keys_by_rule(response: pb.AssessResponse) -> dict[str, str]:
    return {reason.rule_id: reason.key for reason in response.reasons}


async def test_a_rule_on_each_combined_level_counts_on_its_own_key(risk: Risk) -> None:
    full = await risk.assess("u1", "o1", ip=IP, device=DEVICE)
    no_device = await risk.assess("u1", "o2", ip=IP)

    keys = keys_by_rule(full)
    assert keys["order_sku-repeats"] == "sku:sku-1|order:o1"
    assert keys["user_order_sku-repeats"] == "sku:sku-1|order:o1|user:u1"
    ip_key = keys["ip_user_order_sku-repeats"]
    assert ip_key.startswith("sku:sku-1|order:o1|user:u1|ip#") and IP not in ip_key
    device_key = keys["device_ip_order_sku_user-repeats"]
    assert device_key.startswith(f"{ip_key}|device#") and DEVICE not in device_key
    assert full.decision == BLOCK and full.score == 107
    # Without a device the device level has no key: its rule does not apply.
    assert set(keys_by_rule(no_device)) == {
        "order_sku-repeats", "user_order_sku-repeats", "ip_user_order_sku-repeats",
    }  # fmt: skip
    assert no_device.decision == ALLOW and no_device.score == 7


async def add_entry(
    risk: Risk, request_id: str, access_list: int, key: signals_pb2.RiskKey
) -> pb.AddAccessListEntryResponse:
    request = pb.AddAccessListEntryRequest(
        tenant_id=risk.tenant_id, request_id=request_id, list=access_list, key=key,
        ttl=duration_pb2.Duration(seconds=3600), note="level test", created_by="ops-anna",
    )  # fmt: skip
    return await risk.call("AddAccessListEntry", request, admin=True)


async def test_allow_and_deny_entries_act_on_a_combined_level(risk: Risk) -> None:
    allowed = await add_entry(
        risk, "allow-5", access_list_pb2.ACCESS_LIST_ALLOW,
        signals_pb2.RiskKey(level=signals_pb2.KEY_LEVEL_DEVICE_IP_ORDER_SKU_USER, sku_id="sku-1",
                            order_id="o2", user_id="u2", ip=IP, device_id=DEVICE),
    )  # fmt: skip
    denied = await add_entry(
        risk, "deny-4", access_list_pb2.ACCESS_LIST_DENY,
        signals_pb2.RiskKey(level=signals_pb2.KEY_LEVEL_IP_USER_ORDER_SKU, sku_id="sku-1",
                            order_id="o3", user_id="u3", ip=IP),
    )  # fmt: skip

    on_allowed = await risk.assess("u2", "o2", ip=IP, device=DEVICE)
    other_device = await risk.assess("u2", "o2", ip=IP, device="tablet-24")
    on_denied = await risk.assess("u3", "o3", ip=IP)
    other_ip = await risk.assess("u3", "o3", ip="198.51.100.24")

    assert on_allowed.decision == ALLOW
    assert keys_by_rule(on_allowed)["allow_list"] == allowed.entry.key  # type: ignore[attr-defined]
    assert other_device.decision == BLOCK  # the entry is on the whole combination only
    assert on_denied.decision == BLOCK
    assert keys_by_rule(on_denied)["deny_list"] == denied.entry.key  # type: ignore[attr-defined]
    assert denied.entry.key == keys_by_rule(on_denied)["ip_user_order_sku-repeats"]  # type: ignore[attr-defined]
    assert other_ip.decision == ALLOW
