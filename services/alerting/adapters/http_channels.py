"""The HTTP channels (aiohttp): signed webhooks, the SMS/phone gateway, platform reminder hooks.

Every request carries the delivery's idempotency key and runs under a total timeout; any non-2xx
answer, timeout or connection error raises DeliveryFailed so the dispatcher retries with backoff.
"""

from __future__ import annotations

import json
import time
from typing import Any
from urllib.parse import urlsplit

import aiohttp

from services.alerting.adapters.secrets import EnvironmentSecrets
from services.alerting.adapters.signing import (
    IDEMPOTENCY_HEADER,
    SIGNATURE_HEADER,
    TIMESTAMP_HEADER,
    signature,
)
from services.alerting.domain.alerts import Alert
from services.alerting.domain.receivers import Channel, WebhookTarget
from services.alerting.domain.reminders import BuyerReminder
from services.alerting.service_layer.ports import DeliveryFailed, Notification


def redacted(url: str) -> str:
    """What of a hook URL may be logged or stored: scheme, host and the first path segment. Chat
    hooks carry their access token in the query (DingTalk `?access_token=`) or deeper in the path
    (Slack `/services/T../B../<token>`, Feishu `/open-apis/bot/v2/hook/<token>`), and a URL may
    carry user info; none of that leaves this module."""
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
        port = f":{parts.port}" if parts.port else ""
    except ValueError:
        return "<unparseable URL>"
    segments = [s for s in parts.path.split("/") if s]
    path = f"/{segments[0]}" if segments else ""
    more = "/…" if len(segments) > 1 or parts.query or parts.fragment else ""
    return f"{parts.scheme}://{host}{port}{path}{more}"


def _scrubbed(text: str, url: str) -> str:
    """An error text with the URL, and any secret-bearing part of it, replaced by its redaction."""
    safe = redacted(url)
    text = text.replace(url, safe)
    parts = urlsplit(url)
    for secret in (parts.query, parts.fragment, parts.password, parts.path):
        if secret and len(secret) > 1:
            text = text.replace(secret, "…")
    return text


def _time(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def alert_document(alert: Alert) -> dict[str, Any]:
    values = alert.fire_values or alert.latest_values
    return {
        "alert_id": alert.alert_id,
        "tenant_id": alert.tenant_id,
        "sku_id": alert.sku_id,
        "session_id": alert.session_id,
        "tier": alert.tier.name,
        "trigger": alert.trigger.name,
        "state": alert.state.name,
        "summary": alert.summary,
        "actions": [a.name for a in alert.actions],
        "consumed_units": values.consumed_units,
        "forecast_units": values.forecast_units,
        "restocked_units": values.restocked_units,
        "sellable_units": values.sellable_units,
        "warning_line_units": values.warning_line_units,
        "fire_time": _time(alert.fire_time),
        "resolve_time": _time(alert.resolve_time),
    }


def notification_document(notification: Notification) -> dict[str, Any]:
    delivery = notification.delivery
    return {
        "idempotency_key": delivery.idempotency_key,
        "kind": delivery.kind.name,
        "receiver_id": delivery.receiver_id,
        "escalation_step": delivery.escalation_step,
        "alert": alert_document(notification.alert),
    }


class HttpPoster:
    """One aiohttp session for every HTTP channel; created lazily inside the running loop."""

    def __init__(self, timeout_seconds: float) -> None:
        self.timeout = aiohttp.ClientTimeout(total=timeout_seconds)
        self._session: aiohttp.ClientSession | None = None

    async def post(self, url: str, body: bytes, headers: dict[str, str]) -> None:
        if self._session is None:
            self._session = aiohttp.ClientSession(timeout=self.timeout)
        try:
            async with self._session.post(
                url, data=body, headers={"Content-Type": "application/json", **headers}
            ) as response:
                if response.status // 100 != 2:
                    raise DeliveryFailed(f"{redacted(url)} answered HTTP {response.status}")
        except (aiohttp.ClientError, TimeoutError, ValueError) as error:
            # The chained error is dropped: its text and attributes hold the whole URL.
            detail = _scrubbed(f"{type(error).__name__} {error}", url)
            raise DeliveryFailed(f"{redacted(url)}: {detail}") from None

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()


class SignedWebhooks:
    def __init__(self, poster: HttpPoster, secrets: EnvironmentSecrets) -> None:
        self.poster = poster
        self.secrets = secrets

    async def post(
        self, tenant_id: str, target: WebhookTarget, document: dict[str, Any], key: str
    ) -> None:
        secret = self.secrets.key(target.secret_ref, tenant_id)
        if secret is None:
            raise DeliveryFailed(f"secret {target.secret_ref!r} is not configured for the tenant")
        body = json.dumps(document, sort_keys=True).encode()
        timestamp = int(time.time())
        await self.poster.post(
            target.url,
            body,
            {
                TIMESTAMP_HEADER: str(timestamp),
                SIGNATURE_HEADER: signature(secret, timestamp, body),
                IDEMPOTENCY_HEADER: key,
            },
        )


class WebhookChannel:
    def __init__(self, webhooks: SignedWebhooks) -> None:
        self.webhooks = webhooks

    async def send(self, notification: Notification) -> None:
        target = notification.receiver.webhook
        if target is None:
            raise DeliveryFailed("the receiver has no webhook")
        delivery = notification.delivery
        await self.webhooks.post(
            delivery.tenant_id,
            target,
            notification_document(notification),
            delivery.idempotency_key,
        )


class GatewayChannel:
    """SMS and voice calls through an HTTP gateway: POST <endpoint>/sms or /calls."""

    def __init__(self, poster: HttpPoster, endpoint: str, channel: Channel) -> None:
        self.poster = poster
        self.endpoint = endpoint.rstrip("/")
        self.channel = channel

    async def send(self, notification: Notification) -> None:
        if not self.endpoint:
            raise DeliveryFailed("no SMS/phone gateway is configured")
        receiver = notification.receiver
        sms = self.channel is Channel.SMS
        number = receiver.sms_number if sms else receiver.voice_number
        document = {
            "to": number,
            "text": notification.alert.summary,
            "idempotency_key": notification.delivery.idempotency_key,
        }
        await self.poster.post(
            f"{self.endpoint}/{'sms' if sms else 'calls'}",
            json.dumps(document).encode(),
            {IDEMPOTENCY_HEADER: notification.delivery.idempotency_key},
        )


class InboxChannel:
    """The in-app inbox needs no hand-off: the dispatcher's finishing transaction writes the item."""

    async def send(self, notification: Notification) -> None:
        return None


class PlatformReminders:
    """Reminders reach buyers through their platform's signed webhook."""

    def __init__(self, webhooks: SignedWebhooks) -> None:
        self.webhooks = webhooks

    async def send(self, reminder: BuyerReminder) -> None:
        if reminder.webhook is None:
            raise DeliveryFailed("no webhook serves the platform")
        document = {
            "reminder_id": reminder.reminder_id,
            "tenant_id": reminder.tenant_id,
            "reservation_id": reminder.reservation_id,
            "user_id": reminder.user_id,
            "order_id": reminder.order_id,
            "sku_ids": list(reminder.sku_ids),
            "platform_id": reminder.platform_id,
            "hold_expire_time": _time(reminder.hold_expire_time),
        }
        await self.webhooks.post(
            reminder.tenant_id, reminder.webhook, document, f"reminder/{reminder.reservation_id}"
        )
