"""QUOTA-mode platforms: registered in sync, which holds their quotas in inventory and pushes the
listed quantities to simulated platforms (tools/platform_sim) that sell from them and report their
sales back. Without sync or the simulator, the platform's buyers call inventory directly instead,
and the console says so."""

from __future__ import annotations

import importlib
from collections.abc import Sequence
from typing import Any

from google.protobuf import duration_pb2
from streamstock.sync.v1 import allocation_pb2, platforms_pb2, sync_service_pb2_grpc

from tools.livesale.calls import Caller, Refused
from tools.livesale.scenario import PlatformPlan, SkuPlan
from tools.livesale.session import Session
from tools.livesale.tally import PlatformBooks

SIMULATOR_MODULE = "tools.platform_sim.platform"


def _seconds(value: float) -> duration_pb2.Duration:
    duration = duration_pb2.Duration()
    duration.FromMilliseconds(round(value * 1000))
    return duration


class QuotaPlatforms:
    """The simulated QUOTA platforms of a session, started and stopped together."""

    def __init__(self, simulators: Sequence[Any]) -> None:
        self.simulators = list(simulators)

    @classmethod
    async def start(
        cls,
        session: Session,
        plans: Sequence[PlatformPlan],
        sync_channel: Any,
        *,
        admin: Caller,
        platform_key: str,
    ) -> QuotaPlatforms | str:
        """Registers and starts every QUOTA platform; a reason text when sync cannot run them."""
        try:
            simulator = importlib.import_module(SIMULATOR_MODULE)
        except ImportError:
            return "the platform simulator (tools/platform_sim) is not on this branch"
        sync = sync_service_pb2_grpc.SyncServiceStub(sync_channel)
        started = cls([])
        try:
            for plan in plans:
                platform = simulator.SimulatedPlatform(
                    tenant_id=session.scenario.tenant_id,
                    platform_id=session.platform_id(plan),
                    sync_channel=sync_channel,
                    api_key=platform_key,
                    units_per_second=session.scenario.timescale.rate_to_real(
                        plan.buyers_per_minute * session.scenario.buyers.pay_probability
                    ),
                    seed=session.scenario.seed,
                )
                port = await platform.start()
                started.simulators.append(platform)
                await admin(sync.RegisterPlatform, _registration(session, plan, port))
            await _allocate(session, plans, sync, admin)
        except Refused as refusal:
            await started.stop()
            return f"sync answered {refusal.reason}"
        except TypeError as error:  # a simulator from another version of tools/platform_sim
            await started.stop()
            return f"the platform simulator does not fit: {error}"
        for platform in started.simulators:
            platform.run([session.sku_id(sku.sku_id) for sku in session.scenario.skus])
        return started

    def books(self) -> dict[str, PlatformBooks]:
        """Each platform's own count of what it sold and what sync rejected, by platform id."""
        return {
            platform.platform_id: PlatformBooks(
                sold={
                    sku_id: listing.sold_units
                    for sku_id, listing in platform.listings.items()
                    if listing.sold_units
                },
                rejected=platform.tally.refused,
            )
            for platform in self.simulators
        }

    def settled(self) -> bool:
        """True when every sale the platforms made has been reported to sync and answered."""
        return all(platform.outbox_empty for platform in self.simulators)

    async def stop_selling(self) -> None:
        for platform in self.simulators:
            await platform.stop_selling()

    async def stop(self) -> None:
        for platform in self.simulators:
            await platform.stop()


def _registration(
    session: Session, plan: PlatformPlan, port: int
) -> platforms_pb2.RegisterPlatformRequest:
    return platforms_pb2.RegisterPlatformRequest(
        tenant_id=session.scenario.tenant_id,
        request_id=session.next_id("register"),
        platform=platforms_pb2.Platform(
            platform_id=session.platform_id(plan),
            display_name=plan.platform_id,
            mode=platforms_pb2.PLATFORM_MODE_QUOTA,
            push_endpoint=platforms_pb2.PushEndpoint(
                kind=platforms_pb2.PUSH_ENDPOINT_KIND_GRPC,
                url=f"127.0.0.1:{port}",
                request_timeout=_seconds(0.5),
            ),
            ack_timeout=_seconds(5.0),
        ),
    )


async def _allocate(
    session: Session,
    plans: Sequence[PlatformPlan],
    sync: sync_service_pb2_grpc.SyncServiceStub,
    admin: Caller,
) -> None:
    """One allocation policy per SKU: the QUOTA platforms share the pool by weight, then by their
    measured velocity (its half-life compressed like every other session duration); the SHARED
    platforms' share of the weights stays in the pool, where they sell from."""
    quota_weight = sum(plan.quota_weight for plan in plans)
    shared_weight = sum(
        plan.quota_weight for plan in session.scenario.platforms if plan.mode == "SHARED"
    )
    half_life = _seconds(session.scenario.timescale.to_real(10 * 60))
    for sku in session.scenario.skus:
        await admin(
            sync.UpsertAllocationPolicy,
            allocation_pb2.UpsertAllocationPolicyRequest(
                tenant_id=session.scenario.tenant_id,
                request_id=session.next_id("allocate"),
                policy=allocation_pb2.AllocationPolicy(
                    sku_id=session.sku_id(sku.sku_id),
                    enabled=True,
                    pool_reserve_units=_pool_reserve(sku, shared_weight, quota_weight),
                    shares=[
                        allocation_pb2.PlatformShare(
                            platform_id=session.platform_id(plan), weight=plan.quota_weight
                        )
                        for plan in plans
                    ],
                    velocity_half_life=half_life,
                ),
            ),
        )


def _pool_reserve(sku: SkuPlan, shared_weight: float, quota_weight: float) -> int:
    sellable = sku.on_hand - sum(sku.withheld.values())
    return round(sellable * shared_weight / (shared_weight + quota_weight))
