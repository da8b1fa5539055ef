"""SyncService over gRPC: protobuf in, use cases, protobuf out. Domain errors become rich statuses
in the shared interceptor."""

from __future__ import annotations

import base64
from collections.abc import Callable
from typing import Any

import grpc
from streamstock.sync.v1 import (
    allocation_pb2,
    errors_pb2,
    platforms_pb2,
    quotas_pb2,
    reconciliation_pb2,
    sales_pb2,
    sync_service_pb2_grpc,
)

from services.sync.domain.errors import InvalidArgument
from services.sync.domain.policy import PlatformMode
from services.sync.domain.quota import PushStatus
from services.sync.entrypoints import codec, update_mask
from services.sync.entrypoints.access import act_as_platform
from services.sync.entrypoints.idempotency import fingerprint, once
from services.sync.service_layer import (
    listings,
    platforms,
    reads,
    rebalancer,
    reconciler,
    sales,
)
from services.sync.service_layer.deps import Ports
from services.sync.service_layer.ports import RequestLog

Context = grpc.aio.ServicerContext


def _token(*parts: str) -> str:
    return base64.urlsafe_b64encode("\x1f".join(parts).encode()).decode()


def _untoken(token: str, count: int) -> list[str]:
    if not token:
        return [""] * count
    try:
        parts = base64.urlsafe_b64decode(token.encode()).decode().split("\x1f")
    except (ValueError, UnicodeDecodeError) as error:
        raise InvalidArgument("page_token", "is not a token this service issued") from error
    if len(parts) != count:
        raise InvalidArgument("page_token", "is not a token this service issued")
    return parts


class SyncServicer(sync_service_pb2_grpc.SyncServiceServicer):  # type: ignore[misc]
    def __init__(
        self,
        ports: Ports,
        requests: RequestLog,
        secret_exists: Callable[[str], bool],
        dedup_window: float = 0.0,
    ) -> None:
        """dedup_window: seconds sale lines are remembered after their occur_time (0: for ever)."""
        self._ports = ports
        self._sales = sales.SaleReports(ports, dedup_window=dedup_window)
        self._requests = requests
        self._secret_exists = secret_exists

    # platforms

    async def RegisterPlatform(self, request: Any, context: Context) -> Any:
        async def compute() -> Any:
            record = await platforms.register_platform(
                self._ports,
                request.tenant_id,
                codec.platform_of(request.platform),
                self._secret_exists,
            )
            return platforms_pb2.RegisterPlatformResponse(platform=codec.platform_message(record))

        return await once(
            self._requests,
            "RegisterPlatform",
            request,
            platforms_pb2.RegisterPlatformResponse,
            compute,
        )

    async def UpdatePlatform(self, request: Any, context: Context) -> Any:
        platform_id = request.platform.platform_id
        if not platform_id:
            raise InvalidArgument("platform.platform_id", "is required")
        paths = update_mask.paths_of(request.platform, list(request.update_mask.paths))

        async def compute() -> Any:
            record = await platforms.update_platform(
                self._ports,
                request.tenant_id,
                platform_id,
                lambda current: update_mask.apply(current, request.platform, paths),
                self._secret_exists,
            )
            return platforms_pb2.UpdatePlatformResponse(platform=codec.platform_message(record))

        return await once(
            self._requests, "UpdatePlatform", request, platforms_pb2.UpdatePlatformResponse, compute
        )

    async def GetPlatform(self, request: Any, context: Context) -> Any:
        act_as_platform(request.platform_id)
        record = await platforms.get_platform(self._ports, request.tenant_id, request.platform_id)
        return platforms_pb2.GetPlatformResponse(platform=codec.platform_message(record))

    async def ListPlatforms(self, request: Any, context: Context) -> Any:
        limit = reads.page_size(request.page_size)
        (after,) = _untoken(request.page_token, 1)
        if request.mode not in (0, 1, 2):
            raise InvalidArgument("mode", "is not a known mode")
        mode = PlatformMode(request.mode) if request.mode else None
        async with self._ports.store.transaction() as tx:
            found = await tx.list_platforms(request.tenant_id, mode, after, limit + 1)
        page = found[:limit]
        token = _token(page[-1].platform.platform_id) if len(found) > limit else ""
        return platforms_pb2.ListPlatformsResponse(
            platforms=[codec.platform_message(r) for r in page], next_page_token=token
        )

    # allocation policies

    async def UpsertAllocationPolicy(self, request: Any, context: Context) -> Any:
        async def compute() -> Any:
            stored = await platforms.upsert_policy(
                self._ports, request.tenant_id, codec.policy_of(request.policy)
            )
            return allocation_pb2.UpsertAllocationPolicyResponse(
                policy=codec.policy_message(stored.policy, False, stored.update_time)
            )

        return await once(
            self._requests,
            "UpsertAllocationPolicy",
            request,
            allocation_pb2.UpsertAllocationPolicyResponse,
            compute,
        )

    async def GetAllocationPolicy(self, request: Any, context: Context) -> Any:
        policy, inherited, updated = await platforms.get_policy(
            self._ports, request.tenant_id, request.sku_id
        )
        shown = codec.policy_message(policy, inherited, updated)
        shown.sku_id = request.sku_id
        return allocation_pb2.GetAllocationPolicyResponse(policy=shown)

    async def ListAllocationPolicies(self, request: Any, context: Context) -> Any:
        limit = reads.page_size(request.page_size)
        (after,) = _untoken(request.page_token, 1)
        # The default's sku_id is '' and sorts first; a page token is the last SKU id shown.
        async with self._ports.store.transaction() as tx:
            found = await tx.list_policies(request.tenant_id, after, limit + 1)
            if not request.page_token:
                default = await tx.policy(request.tenant_id, "")
                found = ([default] if default else []) + found
        page = found[:limit]
        token = _token(page[-1].policy.sku_id) if len(found) > limit else ""
        return allocation_pb2.ListAllocationPoliciesResponse(
            policies=[codec.policy_message(r.policy, False, r.update_time) for r in page],
            next_page_token=token,
        )

    async def DeleteAllocationPolicy(self, request: Any, context: Context) -> Any:
        async def compute() -> Any:
            found = await platforms.delete_policy(self._ports, request.tenant_id, request.sku_id)
            if found is None:
                return allocation_pb2.DeleteAllocationPolicyResponse()
            shown = codec.policy_message(*found)
            shown.sku_id = request.sku_id
            return allocation_pb2.DeleteAllocationPolicyResponse(policy=shown)

        return await once(
            self._requests,
            "DeleteAllocationPolicy",
            request,
            allocation_pb2.DeleteAllocationPolicyResponse,
            compute,
        )

    # quotas and listings

    async def ListPlatformQuotas(self, request: Any, context: Context) -> Any:
        act_as_platform(request.platform_id)
        statuses = []
        for index, status in enumerate(request.push_statuses):
            if status not in {s.value for s in PushStatus}:
                raise InvalidArgument(f"push_statuses[{index}]", "is not a known status")
            statuses.append(PushStatus(status))
        sku_after, platform_after = _untoken(request.page_token, 2)
        page = await reads.list_quotas(
            self._ports,
            request.tenant_id,
            (request.sku_id, request.platform_id, statuses),
            (sku_after, platform_after),
            request.page_size,
        )
        return quotas_pb2.ListPlatformQuotasResponse(
            quotas=[codec.quota_message(r, v) for r, v in page.quotas],
            next_page_token=_token(*page.next_after) if page.next_after else "",
        )

    async def GetSkuAllocation(self, request: Any, context: Context) -> Any:
        pool = await reads.sku_allocation(self._ports, request.tenant_id, request.sku_id)
        return quotas_pb2.GetSkuAllocationResponse(
            allocation=quotas_pb2.SkuAllocation(
                sku_id=pool.sku_id,
                enabled=pool.enabled,
                unallocated_units=pool.unallocated_units,
                pool_reserve_units=pool.pool_reserve_units,
                total_quota_units=sum(r.quota.quota_units for r, _ in pool.quotas),
                quotas=[codec.quota_message(r, v) for r, v in pool.quotas],
                last_rebalance_time=codec.timestamp(pool.last_rebalance_time),
                observe_time=codec.timestamp(pool.observe_time),
            )
        )

    async def AcknowledgeListing(self, request: Any, context: Context) -> Any:
        act_as_platform(request.platform_id)
        for name in ("platform_id", "sku_id"):
            if not getattr(request, name):
                raise InvalidArgument(name, "is required")
        if request.version <= 0:
            raise InvalidArgument("version", "must be positive")
        if request.listed_units < 0:
            raise InvalidArgument("listed_units", "must not be negative")

        async def compute() -> Any:
            sold = request.platform_sold_units if request.HasField("platform_sold_units") else None
            _, superseded = await listings.acknowledge(
                self._ports,
                request.tenant_id,
                request.platform_id,
                request.sku_id,
                (request.version, request.listed_units, sold),
            )
            async with self._ports.store.transaction() as tx:
                record = await tx.quota(request.tenant_id, request.sku_id, request.platform_id)
            assert record is not None
            if not superseded:
                await rebalancer.rebalance_sku(
                    self._ports, request.tenant_id, request.sku_id, False
                )
            return quotas_pb2.AcknowledgeListingResponse(
                quota=codec.quota_message(record, 0.0), superseded=superseded
            )

        return await once(
            self._requests,
            "AcknowledgeListing",
            request,
            quotas_pb2.AcknowledgeListingResponse,
            compute,
        )

    # sales

    async def ReportSales(self, request: Any, context: Context) -> Any:
        """The request id is looked up with the other reports of the batch (sales.SaleReports)."""
        act_as_platform(request.platform_id)
        lines = codec.sale_lines_of(list(request.lines))
        receipt = sales.Receipt(
            request.request_id,
            fingerprint(request),
            lambda results: _sales_reply(results).SerializeToString(),
        )
        answer = await self._sales.report(request.tenant_id, request.platform_id, lines, receipt)
        return sales_pb2.ReportSalesResponse.FromString(answer.reply)

    # rebalancing

    async def Rebalance(self, request: Any, context: Context) -> Any:
        async def compute() -> Any:
            result = await rebalancer.rebalance(
                self._ports, request.tenant_id, list(request.sku_ids), request.dry_run
            )
            changes = [p for p in result.plans if p.differs or p.outcome in (1, 3)]
            return quotas_pb2.RebalanceResponse(
                rebalance_id=self._ports.new_id(),
                evaluated_sku_count=result.evaluated,
                changed_sku_count=sum(1 for p in result.plans if p.differs and p.outcome in (1, 4)),
                changes=[
                    quotas_pb2.SkuRebalance(
                        sku_id=p.sku_id,
                        outcome=int(p.outcome),
                        targets=[
                            quotas_pb2.QuotaTarget(
                                platform_id=platform_id,
                                current_units=p.currents.get(platform_id, 0),
                                target_units=target,
                                velocity_per_minute=p.velocities.get(platform_id, 0.0),
                            )
                            for platform_id, target in sorted(p.targets.items())
                        ],
                    )
                    for p in changes
                ],
            )

        return await once(
            self._requests, "Rebalance", request, quotas_pb2.RebalanceResponse, compute
        )

    # reconciliation

    async def Reconcile(self, request: Any, context: Context) -> Any:
        counts = codec.counts_of(list(request.platform_counts))

        async def compute() -> Any:
            run = await reconciler.reconcile(
                self._ports,
                request.tenant_id,
                (request.platform_id, list(request.sku_ids)),
                request.repair,
                counts,
            )
            return reconciliation_pb2.ReconcileResponse(
                reconciliation=codec.reconciliation_message(run, with_drifts=True)
            )

        return await once(
            self._requests, "Reconcile", request, reconciliation_pb2.ReconcileResponse, compute
        )

    async def ListReconciliations(self, request: Any, context: Context) -> Any:
        limit = reads.page_size(request.page_size)
        before = None
        if request.page_token:
            start, reconciliation_id = _untoken(request.page_token, 2)
            try:
                before = (float(start), reconciliation_id)
            except ValueError as error:
                raise InvalidArgument("page_token", "is not a token this service issued") from error
        window = (
            codec.seconds_of(request.start_time) if request.HasField("start_time") else None,
            codec.seconds_of(request.end_time) if request.HasField("end_time") else None,
        )
        async with self._ports.store.transaction() as tx:
            found = await tx.list_reconciliations(
                request.tenant_id,
                request.platform_id,
                request.with_drift_only,
                window,
                before,
                limit + 1,
            )
        page = found[:limit]
        token = (
            _token(repr(page[-1].start_time), page[-1].reconciliation_id)
            if len(found) > limit
            else ""
        )
        return reconciliation_pb2.ListReconciliationsResponse(
            reconciliations=[codec.reconciliation_message(r, with_drifts=False) for r in page],
            next_page_token=token,
        )

    async def GetReconciliation(self, request: Any, context: Context) -> Any:
        if not request.reconciliation_id:
            raise InvalidArgument("reconciliation_id", "is required")
        run = await reconciler.get_reconciliation(
            self._ports, request.tenant_id, request.reconciliation_id
        )
        return reconciliation_pb2.GetReconciliationResponse(
            reconciliation=codec.reconciliation_message(run, with_drifts=True)
        )


def _sales_reply(results: list[sales.LineResult]) -> Any:
    return sales_pb2.ReportSalesResponse(
        results=[
            sales_pb2.SaleLineResult(
                order_id=r.line.order_id,
                line_id=r.line.line_id,
                kind=int(r.line.kind),
                outcome=int(r.verdict.outcome),
                applied_units=r.verdict.units if r.verdict.outcome == 1 else 0,
                reason=_reason_number(r.verdict.reason),
                detail=r.verdict.detail,
            )
            for r in results
        ]
    )


def _reason_number(reason: str) -> int:
    return errors_pb2.ErrorReason.Value(f"ERROR_REASON_{reason}") if reason else 0
