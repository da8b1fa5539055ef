"""Pushing listings to a platform over HTTP: bearer credentials, a JSON answer, or 202 and a later
AcknowledgeListing."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from aiohttp import web
from streamstock.sync.v1 import platforms_pb2, quotas_pb2

from tests.sync.conftest import SyncFactory, seconds, unique


@dataclass
class HttpPlatform:
    """Answers pushes at once, or with 202 when `later` is set."""

    later: bool = False
    pushes: list[dict[str, Any]] = field(default_factory=list)
    authorizations: list[str] = field(default_factory=list)

    async def handle(self, request: web.Request) -> web.Response:
        self.authorizations.append(request.headers.get("Authorization", ""))
        body = await request.json()
        self.pushes.append(body)
        if self.later:
            return web.Response(status=202)
        return web.json_response(
            {
                "acknowledgedVersion": body["version"],
                "listedUnits": body["listedUnits"],
                "platformSoldUnits": body.get("soldUnitsApplied", "0"),
            }
        )


@pytest.fixture
async def http_platform() -> AsyncIterator[tuple[HttpPlatform, str]]:
    platform = HttpPlatform()
    app = web.Application()
    app.router.add_post("/push", platform.handle)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    yield platform, f"http://127.0.0.1:{port}/push"
    await runner.cleanup()


async def _register(stack: Any, url: str) -> str:
    platform_id = unique("http")
    await stack.admin.RegisterPlatform(
        request_id=unique("register"),
        platform=platforms_pb2.Platform(
            platform_id=platform_id,
            mode=platforms_pb2.PLATFORM_MODE_QUOTA,
            push_endpoint=platforms_pb2.PushEndpoint(
                kind=platforms_pb2.PUSH_ENDPOINT_KIND_HTTP,
                url=url,
                credentials_ref="platform-token",
                request_timeout=seconds(1),
            ),
        ),
    )
    return platform_id


async def test_an_http_platform_gets_the_listing_with_its_bearer_token(
    sync_stack: SyncFactory, http_platform: tuple[HttpPlatform, str]
) -> None:
    platform, url = http_platform
    stack = await sync_stack()
    sku_id = await stack.create_sku(on_hand=9)
    platform_id = await _register(stack, url)
    await stack.set_policy(sku_id, [(platform_id, 1.0)])
    await stack.admin.Rebalance(request_id=unique("pass"), sku_ids=[sku_id])
    assert platform.authorizations == ["Bearer s3cret"]
    assert (platform.pushes[0]["skuId"], platform.pushes[0]["listedUnits"]) == (sku_id, "9")
    quota = (await stack.quotas(sku_id))[platform_id]
    assert (quota.listed_units, quota.push_status) == (9, quotas_pb2.PUSH_STATUS_IN_SYNC)


async def test_a_202_waits_for_acknowledge_listing(
    sync_stack: SyncFactory, http_platform: tuple[HttpPlatform, str]
) -> None:
    platform, url = http_platform
    platform.later = True
    stack = await sync_stack()
    sku_id = await stack.create_sku(on_hand=5)
    platform_id = await _register(stack, url)
    await stack.set_policy(sku_id, [(platform_id, 1.0)])
    await stack.admin.Rebalance(request_id=unique("pass"), sku_ids=[sku_id])
    quota = (await stack.quotas(sku_id))[platform_id]
    assert (quota.quota_units, quota.push_status) == (5, quotas_pb2.PUSH_STATUS_AWAITING_ACK)
    reply = await stack.service.AcknowledgeListing(
        request_id=unique("ack"),
        platform_id=platform_id,
        sku_id=sku_id,
        version=quota.pushed_version,
        listed_units=5,
        platform_sold_units=0,
    )
    assert not reply.superseded
    assert reply.quota.push_status == quotas_pb2.PUSH_STATUS_IN_SYNC
    assert reply.quota.listed_units == 5
