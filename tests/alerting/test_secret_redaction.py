"""Hook URLs carry access tokens (DingTalk's query, Slack's and Feishu's path): a failing webhook
must not put them into the delivery's last_error or the logs, only scheme, host and the first path
segment."""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest

from alerting.configuration import WEBHOOK_NOW, configure_session, receiver, session_plan
from alerting.harness import SESSION_START, Harness
from alerting.http_recorder import HttpRecorder
from alerting.scripted_inventory import ScriptedInventory
from services.alerting.adapters.http_channels import redacted
from services.alerting.domain.deliveries import DeliveryStatus
from services.alerting.service_layer.ports import Page
from tools.devstack.ports import LOOPBACK, free_port

TOKEN = "SECRET-TOKEN-0123456789abcdef"


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        (
            f"https://oapi.dingtalk.com/robot/send?access_token={TOKEN}",
            "https://oapi.dingtalk.com/robot/…",
        ),
        (
            f"https://open.feishu.cn/open-apis/bot/v2/hook/{TOKEN}",
            "https://open.feishu.cn/open-apis/…",
        ),
        (
            f"https://hooks.slack.com/services/T000/B000/{TOKEN}",
            "https://hooks.slack.com/services/…",
        ),
        (f"https://user:{TOKEN}@hooks.example:8443/h", "https://hooks.example:8443/h"),
        ("https://hooks.example", "https://hooks.example"),
    ],
)
def test_hook_urls_are_redacted_to_scheme_host_and_first_segment(url: str, shown: str) -> None:
    assert redacted(url) == shown
    assert TOKEN not in redacted(url)


async def test_a_failing_hook_leaves_its_token_out_of_last_error_and_logs(
    harness: Harness, recorder: HttpRecorder, tenant: str, caplog: pytest.LogCaptureFixture
) -> None:
    answering = recorder.url(f"/robot/send?access_token={TOKEN}")
    refusing = f"http://{LOOPBACK}:{free_port()}/services/T000/B000/{TOKEN}"
    recorder.failures_left["/robot/send"] = 1
    await configure_session(
        harness,
        session_plan(tenant, "sku-1"),
        None,
        [
            receiver(tenant, "dingtalk", answering, WEBHOOK_NOW),
            receiver(tenant, "slack", refusing, WEBHOOK_NOW),
        ],
    )
    inventory = ScriptedInventory(tenant)
    await harness.feed([inventory.create("sku-1", 500, SESSION_START - timedelta(minutes=1))])
    with caplog.at_level(logging.DEBUG):
        await harness.feed(
            [inventory.hold("sku-1", "h1", 85, SESSION_START + timedelta(minutes=1))]
        )
        await harness.dispatch()
    async with harness.store.transaction() as tx:
        deliveries, _ = await tx.list_deliveries(tenant, {}, Page(10, ""))
    errors = {d.receiver_id: (d.status, d.last_error) for d in deliveries}
    assert errors["dingtalk"][0] is DeliveryStatus.RETRYING
    assert "robot/… answered HTTP 503" in errors["dingtalk"][1]
    assert errors["slack"][0] is DeliveryStatus.RETRYING
    assert errors["slack"][1].startswith(f"http://{LOOPBACK}:")
    for _, error in errors.values():
        assert TOKEN not in error
    assert caplog.records, "the failures are logged"
    # Every log line but the stand-in receiver's own access log (the receiver knows its URL).
    ours = [r for r in caplog.records if r.name != "aiohttp.access"]
    assert not [r for r in ours if TOKEN in r.getMessage() or TOKEN in (r.exc_text or "")]
