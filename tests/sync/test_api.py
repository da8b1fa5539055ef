"""Platforms, policies, read APIs, acknowledgements and reconciliation through the real servers."""

from __future__ import annotations

import asyncpg
import grpc
import pytest
from google.protobuf import field_mask_pb2
from streamstock.inventory.v1 import reservation_pb2
from streamstock.sync.v1 import (
    allocation_pb2,
    platforms_pb2,
    quotas_pb2,
    reconciliation_pb2,
    sales_pb2,
)

from services.sync.adapters.postgres_store import PostgresReconciliationLocks
from tests.conftest import API_KEYS
from tests.sync.conftest import (
    TENANT,
    SyncFactory,
    SyncStack,
    metadata_of,
    reason_of,
    seconds,
    unique,
)
from tests.sync.holds import orphan_hold


def grpc_platform(platform_id: str, **changes: object) -> platforms_pb2.Platform:
    platform = platforms_pb2.Platform(
        platform_id=platform_id,
        display_name="Douyin",
        mode=platforms_pb2.PLATFORM_MODE_QUOTA,
        push_endpoint=platforms_pb2.PushEndpoint(
            kind=platforms_pb2.PUSH_ENDPOINT_KIND_GRPC, url="127.0.0.1:1"
        ),
    )
    for name, value in changes.items():
        setattr(platform, name, value)
    return platform


async def refused(call: object) -> grpc.aio.AioRpcError:
    with pytest.raises(grpc.aio.AioRpcError) as error:
        await call  # type: ignore[misc]
    return error.value


async def test_registering_a_platform_validates_and_is_idempotent(sync_stack: SyncFactory) -> None:
    stack = await sync_stack()
    platform_id = unique("douyin")
    request_id = unique("register")
    first = await stack.admin.RegisterPlatform(
        request_id=request_id, platform=grpc_platform(platform_id)
    )
    again = await stack.admin.RegisterPlatform(
        request_id=request_id, platform=grpc_platform(platform_id)
    )
    assert again == first
    assert first.platform.ack_timeout.seconds == 60
    duplicate = await refused(
        stack.admin.RegisterPlatform(
            request_id=unique("register"), platform=grpc_platform(platform_id)
        )
    )
    assert reason_of(duplicate) == "PLATFORM_ALREADY_EXISTS"
    reused = await refused(
        stack.admin.RegisterPlatform(request_id=request_id, platform=grpc_platform(unique("other")))
    )
    assert reason_of(reused) == "REQUEST_ID_REUSED"


@pytest.mark.parametrize(
    ("platform", "field"),
    [
        (platforms_pb2.Platform(platform_id="x"), "platform.mode"),
        (
            platforms_pb2.Platform(platform_id="x", mode=platforms_pb2.PLATFORM_MODE_QUOTA),
            "platform.push_endpoint.kind",
        ),
        (
            platforms_pb2.Platform(
                platform_id="x",
                mode=platforms_pb2.PLATFORM_MODE_QUOTA,
                push_endpoint=platforms_pb2.PushEndpoint(
                    kind=platforms_pb2.PUSH_ENDPOINT_KIND_HTTP, url="http://example.com/push"
                ),
            ),
            "platform.push_endpoint.url",
        ),
        (platforms_pb2.Platform(mode=platforms_pb2.PLATFORM_MODE_SHARED), "platform.platform_id"),
    ],
)
async def test_bad_platforms_are_refused_naming_the_field(
    sync_stack: SyncFactory, platform: platforms_pb2.Platform, field: str
) -> None:
    stack = await sync_stack()
    error = await refused(stack.admin.RegisterPlatform(request_id=unique("r"), platform=platform))
    assert error.code() is grpc.StatusCode.INVALID_ARGUMENT
    assert metadata_of(error)["field"] == field


async def test_credentials_must_name_a_known_secret(sync_stack: SyncFactory) -> None:
    stack = await sync_stack()
    platform = grpc_platform(unique("p"))
    platform.push_endpoint.credentials_ref = "no-such-secret"
    error = await refused(stack.admin.RegisterPlatform(request_id=unique("r"), platform=platform))
    assert reason_of(error) == "CREDENTIALS_REF_UNKNOWN"
    platform.push_endpoint.credentials_ref = "platform-token"
    reply = await stack.admin.RegisterPlatform(request_id=unique("r"), platform=platform)
    assert reply.platform.push_endpoint.credentials_ref == "platform-token"


async def test_update_changes_only_the_masked_fields(sync_stack: SyncFactory) -> None:
    stack = await sync_stack()
    platform_id = unique("p")
    await stack.admin.RegisterPlatform(request_id=unique("r"), platform=grpc_platform(platform_id))
    change = grpc_platform(platform_id, display_name="renamed", disabled=True)
    change.push_endpoint.url = "127.0.0.1:2"
    reply = await stack.admin.UpdatePlatform(
        request_id=unique("u"),
        platform=change,
        update_mask=field_mask_pb2.FieldMask(paths=["display_name", "ack_timeout"]),
    )
    assert reply.platform.display_name == "renamed"
    assert not reply.platform.disabled
    assert reply.platform.push_endpoint.url == "127.0.0.1:1"
    assert reply.platform.ack_timeout == seconds(60) or reply.platform.ack_timeout.seconds == 60
    missing = await refused(
        stack.admin.UpdatePlatform(request_id=unique("u"), platform=grpc_platform("nobody"))
    )
    assert reason_of(missing) == "PLATFORM_NOT_FOUND"
    listed = await stack.admin.ListPlatforms(page_size=1000)
    assert platform_id in {p.platform_id for p in listed.platforms}


async def test_policies_inherit_the_default_and_name_only_quota_platforms(
    sync_stack: SyncFactory,
) -> None:
    stack = await sync_stack()
    shared = unique("own-app")
    await stack.admin.RegisterPlatform(
        request_id=unique("r"),
        platform=platforms_pb2.Platform(
            platform_id=shared, mode=platforms_pb2.PLATFORM_MODE_SHARED
        ),
    )
    error = await refused(
        stack.admin.UpsertAllocationPolicy(
            request_id=unique("p"),
            policy=allocation_pb2.AllocationPolicy(
                enabled=True, shares=[allocation_pb2.PlatformShare(platform_id=shared, weight=1)]
            ),
        )
    )
    assert reason_of(error) == "ALLOCATION_PLATFORM_UNKNOWN"
    bad = await refused(
        stack.admin.UpsertAllocationPolicy(
            request_id=unique("p"),
            policy=allocation_pb2.AllocationPolicy(
                enabled=True, shares=[allocation_pb2.PlatformShare(platform_id=shared, weight=0)]
            ),
        )
    )
    assert metadata_of(bad)["field"] == "policy.shares[0].weight"
    quota_platform = unique("douyin")
    await stack.admin.RegisterPlatform(
        request_id=unique("r"), platform=grpc_platform(quota_platform)
    )
    await stack.admin.UpsertAllocationPolicy(
        request_id=unique("p"),
        policy=allocation_pb2.AllocationPolicy(
            enabled=True,
            pool_reserve_units=3,
            shares=[allocation_pb2.PlatformShare(platform_id=quota_platform, weight=2)],
        ),
    )
    try:
        inherited = await stack.admin.GetAllocationPolicy(sku_id="any-sku")
        assert inherited.policy.inherited and inherited.policy.pool_reserve_units == 3
        not_own = await refused(
            stack.admin.DeleteAllocationPolicy(request_id=unique("d"), sku_id="any-sku")
        )
        assert reason_of(not_own) == "ALLOCATION_POLICY_NOT_FOUND"
    finally:
        await disable_default(stack)


async def _one_platform(stack: SyncStack, on_hand: int) -> tuple[str, str]:
    sku_id = await stack.create_sku(on_hand=on_hand)
    platform = await stack.add_platform(rate=1)
    await stack.set_policy(sku_id, [(platform.platform_id, 1.0)], pool_reserve_units=2)
    await stack.admin.Rebalance(request_id=unique("pass"), sku_ids=[sku_id])
    return sku_id, platform.platform_id


async def test_the_sku_allocation_shows_reserve_quotas_and_listings(
    sync_stack: SyncFactory,
) -> None:
    stack = await sync_stack()
    sku_id, platform_id = await _one_platform(stack, on_hand=12)
    allocation = (await stack.admin.GetSkuAllocation(sku_id=sku_id)).allocation
    assert (allocation.unallocated_units, allocation.pool_reserve_units) == (2, 2)
    assert allocation.total_quota_units == 10
    (quota,) = allocation.quotas
    assert (quota.platform_id, quota.quota_units, quota.listed_units) == (platform_id, 10, 10)
    assert quota.push_status == quotas_pb2.PUSH_STATUS_IN_SYNC
    assert quota.reservation_id
    hold = await stack.stock.GetReservation(reservation_id=quota.reservation_id)
    assert hold.reservation.lines[0].quantity == 10
    dry = await stack.admin.Rebalance(request_id=unique("pass"), sku_ids=[sku_id], dry_run=True)
    assert dry.evaluated_sku_count == 1


async def test_acknowledgements_of_unknown_or_oversized_listings_are_refused(
    sync_stack: SyncFactory,
) -> None:
    stack = await sync_stack()
    sku_id, platform_id = await _one_platform(stack, on_hand=10)
    unknown = await refused(
        stack.service.AcknowledgeListing(
            request_id=unique("a"),
            platform_id=platform_id,
            sku_id=sku_id,
            version=99,
            listed_units=1,
        )
    )
    assert reason_of(unknown) == "LISTING_VERSION_UNKNOWN"
    too_many = await refused(
        stack.service.AcknowledgeListing(
            request_id=unique("a"),
            platform_id=platform_id,
            sku_id=sku_id,
            version=1,
            listed_units=11,
        )
    )
    assert reason_of(too_many) == "LISTED_QUANTITY_EXCEEDS_PUSH"
    late = await stack.service.AcknowledgeListing(
        request_id=unique("a"), platform_id=platform_id, sku_id=sku_id, version=1, listed_units=8
    )
    assert late.quota.acknowledged_version == 1


async def test_reconciliation_finds_and_repairs_an_orphan_hold(sync_stack: SyncFactory) -> None:
    stack = await sync_stack()
    sku_id, platform_id = await _one_platform(stack, on_hand=10)
    await stack.service.ReportSales(
        request_id=unique("s"),
        platform_id=platform_id,
        lines=[sales_pb2.SaleLine(order_id="o1", line_id="1", sku_id=sku_id, kind=1, quantity=2)],
    )
    clean = await stack.admin.Reconcile(
        request_id=unique("rec"),
        platform_id=platform_id,
        platform_counts=[
            reconciliation_pb2.PlatformCount(sku_id=sku_id, sold_units=2, listed_units=6)
        ],
    )
    assert clean.reconciliation.drift_count == 0
    assert clean.reconciliation.checked_pair_count == 1
    orphan_id = await orphan_hold(stack, platform_id, sku_id)
    report = await stack.admin.Reconcile(
        request_id=unique("rec"),
        platform_id=platform_id,
        repair=True,
        platform_counts=[
            reconciliation_pb2.PlatformCount(sku_id=sku_id, sold_units=3, listed_units=6)
        ],
    )
    drifts = {d.kind: d for d in report.reconciliation.drifts}
    assert set(drifts) == {
        reconciliation_pb2.DRIFT_KIND_SOLD_MISMATCH,
        reconciliation_pb2.DRIFT_KIND_ORPHAN_HOLD,
    }
    sold = drifts[reconciliation_pb2.DRIFT_KIND_SOLD_MISMATCH].compensation
    assert (sold.kind, sold.applied) == (reconciliation_pb2.COMPENSATION_KIND_MANUAL, False)
    release = drifts[reconciliation_pb2.DRIFT_KIND_ORPHAN_HOLD].compensation
    assert (release.kind, release.applied) == (
        reconciliation_pb2.COMPENSATION_KIND_RELEASE_HOLD,
        True,
    )
    hold = await stack.stock.GetReservation(reservation_id=orphan_id)
    assert hold.reservation.state == reservation_pb2.RESERVATION_STATE_RELEASED
    listed = await stack.admin.ListReconciliations(platform_id=platform_id, with_drift_only=True)
    assert [r.reconciliation_id for r in listed.reconciliations] == [
        report.reconciliation.reconciliation_id
    ]
    again = await stack.admin.GetReconciliation(
        reconciliation_id=report.reconciliation.reconciliation_id
    )
    assert len(again.reconciliation.drifts) == 2
    missing = await refused(stack.admin.GetReconciliation(reconciliation_id="nope"))
    assert reason_of(missing) == "RECONCILIATION_NOT_FOUND"


async def test_viewers_read_but_may_not_change(sync_stack: SyncFactory) -> None:
    stack = await sync_stack()
    viewer = type(stack.admin)(
        stack.admin.stub, API_KEYS.acme_viewer, requests=stack.admin.requests
    )
    await viewer.ListPlatforms()
    error = await refused(
        viewer.RegisterPlatform(request_id=unique("r"), platform=grpc_platform("v"))
    )
    assert reason_of(error) == "ROLE_NOT_ALLOWED"


async def test_restocked_units_are_split_by_the_weights_before_any_sale(
    sync_stack: SyncFactory,
) -> None:
    stack = await sync_stack()
    sku_id = await stack.create_sku(on_hand=40)
    big = await stack.add_platform(rate=1)
    small = await stack.add_platform(rate=1)
    await stack.set_policy(sku_id, [(big.platform_id, 3.0), (small.platform_id, 1.0)])
    await stack.admin.Rebalance(request_id=unique("pass"), sku_ids=[sku_id])
    quotas = await stack.quotas(sku_id)
    assert (quotas[big.platform_id].quota_units, quotas[small.platform_id].quota_units) == (30, 10)
    await stack.stock.Restock(request_id=unique("restock"), sku_id=sku_id, quantity=40)
    await stack.admin.Rebalance(request_id=unique("pass"), sku_ids=[sku_id])
    quotas = await stack.quotas(sku_id)
    assert (quotas[big.platform_id].quota_units, quotas[small.platform_id].quota_units) == (60, 20)
    assert big.listings[sku_id].listed_units == 60
    assert (await stack.sku_stock(sku_id)).sellable == 0


async def test_a_tenant_default_policy_covers_skus_without_their_own(
    sync_stack: SyncFactory, sync_db: asyncpg.Pool
) -> None:
    stack = await sync_stack()
    sku_id = await stack.create_sku(on_hand=7)
    platform = await stack.add_platform(rate=1)
    await stack.set_policy("", [(platform.platform_id, 1.0)])
    try:
        await stack.admin.Rebalance(request_id=unique("pass"))
        quotas = await stack.quotas(sku_id)
        assert quotas[platform.platform_id].quota_units == 7
    finally:
        await disable_default(stack)
        # The pass gave this platform a quota of every SKU of the tenant, earlier tests' too. Its
        # simulator stops with the test: left behind, those quotas would send every later
        # periodic pass pushing hundreds of SKUs to a closed port (and the end-to-end tests'
        # platforms would wait behind them).
        await sync_db.execute("DELETE FROM quotas WHERE platform_id = $1", platform.platform_id)


async def disable_default(stack: SyncStack) -> None:
    """The tenant default reaches every SKU of the tenant: later tests must not inherit it."""
    await stack.admin.UpsertAllocationPolicy(
        request_id=unique("policy"), policy=allocation_pb2.AllocationPolicy(enabled=False)
    )


async def test_overlapping_reconciliations_do_not_run_at_once(
    sync_stack: SyncFactory, postgres_dsn: str
) -> None:
    stack = await sync_stack()
    _, platform_id = await _one_platform(stack, on_hand=3)
    pool = await asyncpg.create_pool(postgres_dsn, min_size=1, max_size=2)
    assert pool is not None
    locks = PostgresReconciliationLocks(pool)
    try:
        async with locks.reconciling(TENANT, "") as whole_tenant:
            assert whole_tenant
            async with locks.reconciling(TENANT, platform_id) as one_platform:
                assert not one_platform
            busy = await refused(
                stack.admin.Reconcile(request_id=unique("rec"), platform_id=platform_id)
            )
            assert busy.code() is grpc.StatusCode.ABORTED
            assert reason_of(busy) == "RECONCILIATION_IN_PROGRESS"
        async with locks.reconciling(TENANT, platform_id) as one_platform:
            assert one_platform
            async with locks.reconciling(TENANT, "another") as other_platform:
                assert other_platform
        done = await stack.admin.Reconcile(request_id=unique("rec"), platform_id=platform_id)
        assert done.reconciliation.state == reconciliation_pb2.RECONCILIATION_STATE_SUCCEEDED
    finally:
        await pool.close()
