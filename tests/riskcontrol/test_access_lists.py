"""Allow and deny lists per key, with expiry, managed by RPC."""

from __future__ import annotations

import asyncio
import itertools
import time

import grpc
import pytest
from google.protobuf import duration_pb2
from streamstock.riskcontrol.v1 import access_list_pb2, signals_pb2
from streamstock.riskcontrol.v1 import riskcontrol_service_pb2 as pb

from tests.riskcontrol.helpers import ALLOW, BLOCK, Risk, error_reason

pytestmark = pytest.mark.usefixtures("wide_budget")  # judges decisions, not time

DENY = access_list_pb2.ACCESS_LIST_DENY
ALLOW_LIST = access_list_pb2.ACCESS_LIST_ALLOW


def device_key(device: str) -> signals_pb2.RiskKey:
    return signals_pb2.RiskKey(level=signals_pb2.KEY_LEVEL_DEVICE, device_id=device)


async def add(
    risk: Risk, request_id: str, access_list: int, key: signals_pb2.RiskKey, seconds: float = 3600
) -> pb.AddAccessListEntryResponse:
    ttl = duration_pb2.Duration()
    ttl.FromMilliseconds(int(seconds * 1000))
    request = pb.AddAccessListEntryRequest(
        tenant_id=risk.tenant_id, request_id=request_id, list=access_list, key=key, ttl=ttl,
        note="seen draining stock in the last sale", created_by="ops-anna",
    )  # fmt: skip
    return await risk.call("AddAccessListEntry", request, admin=True)


async def test_a_denied_device_is_blocked_whoever_uses_it(risk: Risk) -> None:
    added = await add(risk, "deny-1", DENY, device_key("bad-phone"))

    response = await risk.assess("anyone", "o1", device="bad-phone")

    assert response.decision == BLOCK
    (reason,) = response.reasons
    assert reason.rule_id == "deny_list" and reason.signal == signals_pb2.RISK_SIGNAL_DENY_LIST
    assert reason.key == added.entry.key and "bad-phone" not in reason.key


async def test_an_allowed_user_passes_rules_that_would_challenge(risk: Risk) -> None:
    await add(
        risk,
        "allow-1",
        ALLOW_LIST,
        signals_pb2.RiskKey(level=signals_pb2.KEY_LEVEL_USER, user_id="staff-7"),
    )
    for i in range(4):
        await risk.assess(f"other-{i}", f"o{i}", device="test-bench")

    response = await risk.assess("staff-7", "o-staff", device="test-bench")

    assert response.decision == ALLOW and response.shadow_decision == ALLOW
    assert {r.rule_id for r in response.reasons} >= {"allow_list", "device-many-accounts"}


async def test_an_entry_expires(risk: Risk) -> None:
    await add(risk, "deny-short", DENY, device_key("briefly-bad"), seconds=0.3)
    assert (await risk.assess("u0", "o0", device="briefly-bad")).decision == BLOCK

    # A new account per try: the device's counters ignore the denied tries, so the first try after
    # expiry is the device's first account.
    deadline = time.monotonic() + 5
    for attempt in itertools.count(1):
        if (
            await risk.assess(f"u{attempt}", f"o{attempt}", device="briefly-bad")
        ).decision == ALLOW:
            break
        assert time.monotonic() < deadline, "the deny entry did not expire"
        await asyncio.sleep(0.05)
    listed = await risk.call(
        "ListAccessListEntries",
        pb.ListAccessListEntriesRequest(tenant_id=risk.tenant_id),
        admin=True,
    )
    assert list(listed.entries) == []


async def test_a_key_is_on_one_list_at_a_time_and_re_adding_replaces(risk: Risk) -> None:
    first = await add(risk, "deny-a", DENY, device_key("d1"))
    again = await add(risk, "deny-b", DENY, device_key("d1"), seconds=7200)
    with pytest.raises(grpc.aio.AioRpcError) as conflict:
        await add(risk, "allow-a", ALLOW_LIST, device_key("d1"))

    assert again.replaced and again.entry.entry_id == first.entry.entry_id
    assert conflict.value.code() == grpc.StatusCode.FAILED_PRECONDITION
    assert error_reason(conflict.value) == "ACCESS_LIST_CONFLICT"


async def test_removal_lifts_the_entry_and_retries_are_idempotent(risk: Risk) -> None:
    added = await add(risk, "deny-r", DENY, device_key("d2"))
    retried = await add(risk, "deny-r", DENY, device_key("d2"))
    remove = pb.RemoveAccessListEntryRequest(
        tenant_id=risk.tenant_id, request_id="remove-r", entry_id=added.entry.entry_id
    )
    await risk.call("RemoveAccessListEntry", remove, admin=True)
    await risk.call("RemoveAccessListEntry", remove, admin=True)
    with pytest.raises(grpc.aio.AioRpcError) as reused:
        await add(risk, "deny-r", DENY, device_key("d3"))
    with pytest.raises(grpc.aio.AioRpcError) as missing:
        await risk.call(
            "RemoveAccessListEntry",
            pb.RemoveAccessListEntryRequest(
                tenant_id=risk.tenant_id, request_id="remove-x", entry_id="acl_nope"
            ),
            admin=True,
        )

    assert retried.entry.entry_id == added.entry.entry_id
    assert (await risk.assess("u", "o", device="d2")).decision == ALLOW
    assert error_reason(reused.value) == "REQUEST_ID_REUSED"
    assert error_reason(missing.value) == "ACCESS_LIST_ENTRY_NOT_FOUND"


async def test_entries_are_listed_newest_first_in_pages(risk: Risk) -> None:
    for i in range(5):
        await add(risk, f"deny-p{i}", DENY, device_key(f"pd{i}"))
    seen, token = [], ""
    while True:
        page = await risk.call(
            "ListAccessListEntries",
            pb.ListAccessListEntriesRequest(
                tenant_id=risk.tenant_id, page_size=2, page_token=token
            ),
            admin=True,
        )
        seen += [e.entry_id for e in page.entries]
        token = page.next_page_token
        if not token:
            break

    assert len(seen) == len(set(seen)) == 5


async def test_bad_input_names_the_field(risk: Risk) -> None:
    with pytest.raises(grpc.aio.AioRpcError) as raised:
        await add(risk, "deny-bad", DENY, signals_pb2.RiskKey(level=signals_pb2.KEY_LEVEL_IP))

    assert raised.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert error_reason(raised.value) == "INVALID_ARGUMENT"
    assert "key.ip" in raised.value.details()
