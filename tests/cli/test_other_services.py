"""alerts, risk, platforms and quotas commands: the requests they build and how they print answers.

alerting, riskcontrol and sync answer through recording servicers (tests/cli/recording.py), and,
as hosted by start_service, through their real entrypoints: a method they do not implement yet
must come back as a clean UNIMPLEMENTED error, not a traceback.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator

import pytest
from google.protobuf import duration_pb2
from streamstock.alerting.v1 import (
    alerting_service_pb2_grpc,
    alerts_pb2,
    deliveries_pb2,
    policies_pb2,
)
from streamstock.riskcontrol.v1 import (
    access_list_pb2,
    assessment_pb2,
    riskcontrol_service_pb2,
    riskcontrol_service_pb2_grpc,
    rules_pb2,
    signals_pb2,
)
from streamstock.sync.v1 import platforms_pb2, quotas_pb2, sync_service_pb2_grpc

from tests.cli.conftest import Cli, address_of, table_rows
from tests.cli.recording import Recorded, recording_servicer, serve
from tests.conftest import API_KEYS, StartService

ALERT = alerts_pb2.Alert(
    alert_id="alert-1",
    sku_id="lipstick",
    tier=policies_pb2.TIER_RED,
    trigger=alerts_pb2.ALERT_TRIGGER_CONSUMPTION,
    state=alerts_pb2.ALERT_STATE_FIRING,
    summary="120 % of forecast",
)
ENTRY = access_list_pb2.AccessListEntry(
    entry_id="entry-1",
    list=access_list_pb2.ACCESS_LIST_DENY,
    key_level=signals_pb2.KEY_LEVEL_USER,
    key="bob",
)
DECISION = assessment_pb2.DecisionRecord(
    decision_id="decision-1",
    decision=assessment_pb2.DECISION_BLOCK,
    score=0.93,
    user_id="bob",
    lines=[assessment_pb2.AttemptLine(sku_id="lipstick", quantity=5)],
    reasons=[
        assessment_pb2.Reason(
            rule_id="hoarding", signal=signals_pb2.RISK_SIGNAL_UNPAID_EXPIRIES, key="bob"
        )
    ],
)
QUOTA = quotas_pb2.PlatformQuota(
    sku_id="lipstick",
    platform_id="douyin",
    quota_units=40,
    listed_units=38,
    sold_units=12,
    push_status=quotas_pb2.PUSH_STATUS_IN_SYNC,
)


@pytest.fixture
async def recorded() -> AsyncIterator[tuple[Cli, Recorded]]:
    recorded = Recorded()
    alerting = {
        "ListAlerts": alerts_pb2.ListAlertsResponse(alerts=[ALERT], next_page_token="page-2"),
        "GetAlert": alerts_pb2.GetAlertResponse(alert=ALERT),
        "AcknowledgeAlert": alerts_pb2.AcknowledgeAlertResponse(alert=ALERT),
        "ListInboxItems": deliveries_pb2.ListInboxItemsResponse(
            items=[deliveries_pb2.InboxItem(item_id="item-1", receiver_id="ops", alert=ALERT)]
        ),
        "WatchAlerts": [
            alerts_pb2.WatchAlertsResponse(
                sequence=n, change=alerts_pb2.ALERT_CHANGE_KIND_OPENED, alert=ALERT
            )
            for n in (1, 2, 3)
        ],
    }
    risk = {
        "AddAccessListEntry": riskcontrol_service_pb2.AddAccessListEntryResponse(entry=ENTRY),
        "RemoveAccessListEntry": riskcontrol_service_pb2.RemoveAccessListEntryResponse(entry=ENTRY),
        "ListAccessListEntries": riskcontrol_service_pb2.ListAccessListEntriesResponse(
            entries=[ENTRY]
        ),
        "ListDecisions": riskcontrol_service_pb2.ListDecisionsResponse(decisions=[DECISION]),
        "GetDecision": riskcontrol_service_pb2.GetDecisionResponse(decision=DECISION),
        "SetShadowMode": riskcontrol_service_pb2.SetShadowModeResponse(
            shadow_mode=rules_pb2.ShadowMode(
                enabled=True, override=rules_pb2.SHADOW_OVERRIDE_FORCE_SHADOW
            )
        ),
    }
    sync = {
        "ListPlatforms": platforms_pb2.ListPlatformsResponse(
            platforms=[
                platforms_pb2.Platform(
                    platform_id="douyin",
                    display_name="Douyin",
                    mode=platforms_pb2.PLATFORM_MODE_QUOTA,
                )
            ]
        ),
        "ListPlatformQuotas": quotas_pb2.ListPlatformQuotasResponse(quotas=[QUOTA]),
        "GetSkuAllocation": quotas_pb2.GetSkuAllocationResponse(
            allocation=quotas_pb2.SkuAllocation(
                sku_id="lipstick",
                enabled=True,
                unallocated_units=7,
                total_quota_units=40,
                quotas=[QUOTA],
            )
        ),
    }
    server, address = await serve(
        [
            (
                alerting_service_pb2_grpc.add_AlertingServiceServicer_to_server,
                recording_servicer(
                    alerting_service_pb2_grpc.AlertingServiceServicer, alerting, recorded
                ),
            ),
            (
                riskcontrol_service_pb2_grpc.add_RiskControlServiceServicer_to_server,
                recording_servicer(
                    riskcontrol_service_pb2_grpc.RiskControlServiceServicer, risk, recorded
                ),
            ),
            (
                sync_service_pb2_grpc.add_SyncServiceServicer_to_server,
                recording_servicer(sync_service_pb2_grpc.SyncServiceServicer, sync, recorded),
            ),
        ]
    )
    try:
        yield (
            Cli(addresses={"alerting": address, "riskcontrol": address, "sync": address}),
            recorded,
        )
    finally:
        await server.stop(None)


async def test_alerts_list_sends_the_filters_and_prints_a_table(
    recorded: tuple[Cli, Recorded],
) -> None:
    cli, calls = recorded
    result = await cli.ok(
        "alerts", "list", "--tier=red", "--state=firing", "--unacknowledged", "--sku=lipstick"
    )
    request = calls.only("ListAlerts")
    assert request.tenant_id == "acme"
    assert list(request.tiers) == [policies_pb2.TIER_RED]
    assert list(request.states) == [alerts_pb2.ALERT_STATE_FIRING]
    assert request.HasField("acknowledged") and not request.acknowledged
    assert request.sku_id == "lipstick"
    assert calls.calls[0][2] == API_KEYS.acme_admin
    assert table_rows(result.stdout)[0][:5] == [
        "alert-1",
        "RED",
        "FIRING",
        "lipstick",
        "CONSUMPTION",
    ]
    assert "--page-token page-2" in result.stderr


async def test_alerts_ack_sends_a_request_id_and_who(recorded: tuple[Cli, Recorded]) -> None:
    cli, calls = recorded
    await cli.ok("alerts", "ack", "alert-1", "--by=ana", "--comment=calling the supplier")
    request = calls.only("AcknowledgeAlert")
    assert (request.alert_id, request.acknowledged_by, request.comment) == (
        "alert-1",
        "ana",
        "calling the supplier",
    )
    assert request.request_id.startswith("cli-")
    await cli.ok("alerts", "ack", "alert-1", "--request-id=ack-7")
    assert calls.calls[-1][1].request_id == "ack-7"


async def test_alerts_watch_stops_after_limit(recorded: tuple[Cli, Recorded]) -> None:
    cli, calls = recorded
    result = await cli.ok("alerts", "watch", "--from=10", "--tier=red", "--limit=2", "--json")
    changes = [json.loads(line) for line in result.stdout.splitlines()]
    assert [change["sequence"] for change in changes] == ["1", "2"]
    request = calls.only("WatchAlerts")
    assert (request.after_sequence, list(request.tiers)) == (10, [policies_pb2.TIER_RED])


async def test_alerts_get_and_inbox_print_the_alert(recorded: tuple[Cli, Recorded]) -> None:
    cli, calls = recorded
    assert "120 % of forecast" in (await cli.ok("alerts", "get", "alert-1")).stdout
    inbox = await cli.json("alerts", "inbox", "ops", "--unacknowledged")
    assert inbox["items"][0]["alert"]["alert_id"] == "alert-1"
    request = calls.only("ListInboxItems")
    assert (request.receiver_id, request.unacknowledged_only) == ("ops", True)


async def test_deny_add_builds_the_key_and_ttl(recorded: tuple[Cli, Recorded]) -> None:
    cli, calls = recorded
    result = await cli.ok("risk", "deny", "add", "--user=bob", "--ttl=2h", "--note=hoarder")
    request = calls.only("AddAccessListEntry")
    assert request.list == access_list_pb2.ACCESS_LIST_DENY
    assert request.key == signals_pb2.RiskKey(level=signals_pb2.KEY_LEVEL_USER, user_id="bob")
    assert request.ttl == duration_pb2.Duration(seconds=7200)
    assert request.note == "hoarder"
    assert table_rows(result.stdout)[0][:4] == ["entry-1", "DENY", "USER", "bob"]


async def test_allow_add_needs_a_key(recorded: tuple[Cli, Recorded]) -> None:
    cli, calls = recorded
    result = await cli.run("risk", "allow", "add", "--user=bob", "--ip=10.0.0.1")
    assert result.exit_code == 2
    assert "--level" in result.stderr
    assert calls.calls == []


async def test_allow_list_and_remove_name_the_allow_list(recorded: tuple[Cli, Recorded]) -> None:
    cli, calls = recorded
    await cli.ok("risk", "allow", "list", "--include-expired")
    await cli.ok("risk", "allow", "remove", "entry-1")
    listed = calls.only("ListAccessListEntries")
    assert (listed.list, listed.include_expired) == (access_list_pb2.ACCESS_LIST_ALLOW, True)
    assert calls.only("RemoveAccessListEntry").entry_id == "entry-1"


async def test_decisions_list_and_get(recorded: tuple[Cli, Recorded]) -> None:
    cli, calls = recorded
    rows = table_rows(
        (await cli.ok("risk", "decisions", "list", "--outcome=block", "--user=bob")).stdout
    )
    assert rows[0][2:7] == ["BLOCK", "UNSPECIFIED", "0.93", "bob", "lipstick x5"]
    assert list(calls.only("ListDecisions").decisions) == [assessment_pb2.DECISION_BLOCK]
    shown = (await cli.ok("risk", "decisions", "get", "decision-1")).stdout
    assert "UNPAID_EXPIRIES on bob" in shown


@pytest.mark.parametrize(
    ("switch", "override"),
    [
        ("on", rules_pb2.SHADOW_OVERRIDE_FORCE_SHADOW),
        ("off", rules_pb2.SHADOW_OVERRIDE_NONE),
        ("enforce", rules_pb2.SHADOW_OVERRIDE_FORCE_ENFORCE),
    ],
)
async def test_shadow_switches(recorded: tuple[Cli, Recorded], switch: str, override: int) -> None:
    cli, calls = recorded
    await cli.ok("risk", "shadow", switch, "--reason=new rules")
    request = calls.only("SetShadowMode")
    assert (request.override, request.reason) == (override, "new rules")


async def test_platforms_and_quotas(recorded: tuple[Cli, Recorded]) -> None:
    cli, calls = recorded
    platforms = table_rows((await cli.ok("platforms", "list", "--mode=quota")).stdout)
    assert platforms[0][:3] == ["douyin", "Douyin", "QUOTA"]
    assert calls.only("ListPlatforms").mode == platforms_pb2.PLATFORM_MODE_QUOTA
    quotas = await cli.json("quotas", "list", "--sku=lipstick", "--push-status=failing")
    assert quotas["quotas"][0]["listed_units"] == "38"
    request = calls.only("ListPlatformQuotas")
    assert (request.sku_id, list(request.push_statuses)) == (
        "lipstick",
        [quotas_pb2.PUSH_STATUS_FAILING],
    )


async def test_quotas_allocation_shows_the_pool_and_its_quotas(
    recorded: tuple[Cli, Recorded],
) -> None:
    cli, calls = recorded
    shown = (await cli.ok("quotas", "allocation", "lipstick")).stdout
    rows = table_rows(shown)
    assert ["unallocated", "7"] in rows
    assert ["lipstick", "douyin", "40", "38", "12"] in [row[:5] for row in rows]
    assert calls.only("GetSkuAllocation").sku_id == "lipstick"


@pytest.mark.parametrize(
    ("service", "command", "title"),
    [
        ("alerting", ("alerts", "list"), "Alerts of acme"),
        ("riskcontrol", ("risk", "decisions", "list"), "Risk decisions of acme"),
        ("sync", ("quotas", "list"), "Platform quotas of acme"),
    ],
)
async def test_the_real_service_answers_or_is_cleanly_unimplemented(
    start_service: StartService, service: str, command: tuple[str, ...], title: str
) -> None:
    """While a service's entrypoint is the generated base, its commands fail cleanly with
    UNIMPLEMENTED; once it is implemented, the same command prints its (empty) table."""
    running = await start_service(service)
    cli = Cli(addresses={service: address_of(running)})
    result = await cli.run(*command)
    if result.exit_code == 0:
        assert result.stdout.startswith(title)
    else:
        assert "UNIMPLEMENTED" in cli.failed(result)
