"""`alerts` against the real alerting service following the real inventory: a hold past 80 % of a
live session's forecast opens a YELLOW alert, which the CLI lists, shows, acknowledges and watches."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime, timedelta

from google.protobuf import timestamp_pb2
from streamstock.alerting.v1 import alerting_service_pb2_grpc, plans_pb2, policies_pb2

from tests.cli.conftest import Cli, address_of, create_sku, table_rows
from tests.conftest import API_KEYS, RunningService, StartService


def _at(moment: datetime) -> timestamp_pb2.Timestamp:
    stamp = timestamp_pb2.Timestamp()
    stamp.FromDatetime(moment)
    return stamp


async def _plan_session(alerting: RunningService, sku_id: str) -> None:
    """A live session on now with a forecast of 100 units and a YELLOW line at 80 %."""
    stub = alerting_service_pb2_grpc.AlertingServiceStub(alerting.channel)
    admin = (("x-api-key", API_KEYS.acme_admin),)
    now = datetime.now(UTC)
    plan = plans_pb2.LiveSessionPlan(
        session_id=f"show-{sku_id}",
        sku_id=sku_id,
        forecast_units=100,
        start_time=_at(now - timedelta(minutes=1)),
        end_time=_at(now + timedelta(hours=2)),
    )
    await stub.UpsertLiveSessionPlan(
        plans_pb2.UpsertLiveSessionPlanRequest(
            tenant_id="acme", request_id=f"plan-{sku_id}", plan=plan
        ),
        metadata=admin,
    )
    yellow = policies_pb2.TierLine(
        tier=policies_pb2.TIER_YELLOW,
        consumed_fraction=0.8,
        actions=[policies_pb2.RESPONSE_ACTION_PREPARE_RESTOCK],
    )
    await stub.UpsertAlertPolicy(
        policies_pb2.UpsertAlertPolicyRequest(
            tenant_id="acme",
            request_id=f"policy-{sku_id}",
            policy=policies_pb2.AlertPolicy(sku_id=sku_id, tier_lines=[yellow]),
        ),
        metadata=admin,
    )


async def test_an_alert_is_listed_shown_acknowledged_and_watched(
    cli: Cli, inventory: RunningService, start_service: StartService
) -> None:
    alerting = await start_service("alerting", peers={"inventory": address_of(inventory)})
    cli.addresses = {**cli.addresses, "alerting": address_of(alerting)}
    sku_id = await create_sku(cli, 150)
    await _plan_session(alerting, sku_id)
    await cli.ok("holds", "reserve", f"{sku_id}=85", "--user=u", "--order=o")

    deadline = asyncio.get_running_loop().time() + 20
    alerts = (await cli.json("alerts", "list", f"--sku={sku_id}"))["alerts"]
    while not alerts:
        assert asyncio.get_running_loop().time() < deadline, "no alert within 20 s"
        await asyncio.sleep(0.1)
        alerts = (await cli.json("alerts", "list", f"--sku={sku_id}"))["alerts"]
    (alert,) = alerts
    assert alert["tier"] == "TIER_YELLOW"

    rows = table_rows((await cli.ok("alerts", "list", f"--sku={sku_id}", "--tier=yellow")).stdout)
    assert [row[:4] for row in rows] == [[alert["alert_id"], "YELLOW", "FIRING", sku_id]]
    shown = (await cli.ok("alerts", "get", alert["alert_id"])).stdout
    assert "85 / 100" in shown

    acknowledged = await cli.json("alerts", "ack", alert["alert_id"], "--by=lin")
    assert acknowledged["acknowledgement"]["acknowledged_by"] == "lin"
    again = await cli.run("alerts", "ack", alert["alert_id"], "--by=lin")
    assert "FAILED_PRECONDITION ALERT_ALREADY_ACKNOWLEDGED" in cli.failed(again)
    assert (await cli.json("alerts", "list", f"--sku={sku_id}", "--unacknowledged"))["alerts"] == []

    watched = await cli.ok("alerts", "watch", f"--sku={sku_id}", "--limit=1", "--json")
    (change,) = [json.loads(line) for line in watched.stdout.splitlines()]
    assert change["alert"]["alert_id"] == alert["alert_id"]
