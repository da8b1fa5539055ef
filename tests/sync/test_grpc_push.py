"""Pushing listings over gRPC to a platform that checks its bearer token: the token of the
platform's credentials reference travels as `authorization` metadata; a platform refusing it is not
retried and leaves the quota failing."""

from __future__ import annotations

from streamstock.sync.v1 import platforms_pb2, quotas_pb2

from tests.conftest import API_KEYS
from tests.sync.conftest import TENANT, SyncFactory, SyncStack, seconds, unique
from tools.platform_sim.platform import SimulatedPlatform

SECRET = "s3cret"  # the conftest's STREAMSTOCK_SYNC_SECRET_PLATFORM_TOKEN


async def guarded_platform(stack: SyncStack, token: str, credentials_ref: str) -> SimulatedPlatform:
    """A simulated platform that refuses pushes without `Bearer <token>`, registered with the
    credentials reference given ('' for none)."""
    platform = SimulatedPlatform(
        tenant_id=TENANT,
        platform_id=unique("guarded"),
        sync_channel=stack.sync.channel,
        api_key=API_KEYS.service,
        units_per_second=1,
        token=token,
    )
    port = await platform.start()
    stack.platforms.append(platform)  # stopped by the fixture
    await stack.admin.RegisterPlatform(
        request_id=unique("register"),
        platform=platforms_pb2.Platform(
            platform_id=platform.platform_id,
            mode=platforms_pb2.PLATFORM_MODE_QUOTA,
            push_endpoint=platforms_pb2.PushEndpoint(
                kind=platforms_pb2.PUSH_ENDPOINT_KIND_GRPC,
                url=f"127.0.0.1:{port}",
                credentials_ref=credentials_ref,
                request_timeout=seconds(2),
            ),
        ),
    )
    return platform


async def allocate(stack: SyncStack, platform: SimulatedPlatform, on_hand: int) -> str:
    sku_id = await stack.create_sku(on_hand=on_hand)
    await stack.set_policy(sku_id, [(platform.platform_id, 1.0)])
    await stack.admin.Rebalance(request_id=unique("pass"), sku_ids=[sku_id])
    return sku_id


async def test_a_grpc_platform_gets_the_secret_of_its_credentials_reference(
    sync_stack: SyncFactory,
) -> None:
    stack = await sync_stack()
    platform = await guarded_platform(stack, SECRET, "platform-token")
    sku_id = await allocate(stack, platform, on_hand=7)
    assert platform.authorizations == [f"Bearer {SECRET}"]
    assert platform.listings[sku_id].listed_units == 7
    quota = (await stack.quotas(sku_id))[platform.platform_id]
    assert (quota.listed_units, quota.push_status) == (7, quotas_pb2.PUSH_STATUS_IN_SYNC)


async def test_a_grpc_platform_refusing_the_token_is_not_retried_and_the_quota_fails(
    sync_stack: SyncFactory,
) -> None:
    stack = await sync_stack()
    wrong = await guarded_platform(stack, "another-secret", "platform-token")
    missing = await guarded_platform(stack, SECRET, "")
    for platform, sent in ((wrong, f"Bearer {SECRET}"), (missing, "")):
        sku_id = await allocate(stack, platform, on_hand=5)
        assert platform.authorizations == [sent]  # PERMISSION_DENIED: one attempt only
        assert sku_id not in platform.listings
        quota = (await stack.quotas(sku_id))[platform.platform_id]
        assert quota.push_status == quotas_pb2.PUSH_STATUS_FAILING
        assert quota.acknowledged_version == 0
        health = (await stack.admin.GetPlatform(platform_id=platform.platform_id)).platform.health
        assert (health.reachable, health.consecutive_failures) == (False, 1)
        assert health.last_error.startswith("PERMISSION_DENIED")
