"""`streamstock platforms` and `streamstock quotas`: sync's view of the selling platforms."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Annotated

import typer
from streamstock.sync.v1 import platforms_pb2, quotas_pb2

from tools.cli import output
from tools.cli.options import Json, PageSize, PageToken, choice, enum_value
from tools.cli.session import session_of

platforms_app = typer.Typer(
    help="The selling platforms sync pushes stock to.", no_args_is_help=True
)
quotas_app = typer.Typer(help="Per-platform quotas and listed quantities.", no_args_is_help=True)


def print_platforms(title: str, platforms: Iterable[platforms_pb2.Platform]) -> None:
    output.rows(
        title,
        (
            "platform",
            "name",
            "mode",
            "disabled",
            "reachable",
            "failures",
            "last success",
            "last error",
        ),
        (
            (
                platform.platform_id,
                platform.display_name,
                output.label(platform, "mode"),
                platform.disabled,
                platform.health.reachable,
                platform.health.consecutive_failures,
                output.when(platform.health.last_success_time) or "-",
                platform.health.last_error or "-",
            )
            for platform in platforms
        ),
    )


@platforms_app.command("list")
def list_platforms(
    ctx: typer.Context,
    mode: Annotated[
        str | None,
        choice(platforms_pb2.PlatformMode, help="Only quota or shared platforms."),
    ] = None,
    page_size: PageSize = 0,
    page_token: PageToken = "",
    as_json: Json = False,
) -> None:
    """List the tenant's platforms with the health of their push endpoints."""
    session = session_of(ctx, as_json)
    request = platforms_pb2.ListPlatformsRequest(
        tenant_id=session.tenant,
        mode=enum_value(platforms_pb2.PlatformMode, mode),
        page_size=page_size,
        page_token=page_token,
    )
    response = session.call(session.sync().ListPlatforms, request)
    output.listing(
        as_json,
        response,
        lambda: print_platforms(f"Platforms of {session.tenant}", response.platforms),
    )


def print_quotas(title: str, quotas: Iterable[quotas_pb2.PlatformQuota]) -> None:
    output.rows(
        title,
        (
            "SKU",
            "platform",
            "quota",
            "listed",
            "sold",
            "target",
            "per min",
            "version pushed/acked",
            "push",
        ),
        (
            (
                quota.sku_id,
                quota.platform_id,
                quota.quota_units,
                quota.listed_units,
                quota.sold_units,
                quota.target_units,
                f"{quota.velocity_per_minute:.1f}",
                f"{quota.pushed_version}/{quota.acknowledged_version}",
                output.label(quota, "push_status"),
            )
            for quota in quotas
        ),
    )


@quotas_app.command("list")
def list_quotas(
    ctx: typer.Context,
    sku: Annotated[str, typer.Option(help="Only quotas of this SKU.")] = "",
    platform: Annotated[str, typer.Option(help="Only quotas of this platform.")] = "",
    push_status: Annotated[
        list[str] | None,
        choice(quotas_pb2.PushStatus, help="Only this push status (repeatable)."),
    ] = None,
    page_size: PageSize = 0,
    page_token: PageToken = "",
    as_json: Json = False,
) -> None:
    """List quotas per SKU and platform: quota, listed and sold units, target, velocity, push status."""
    session = session_of(ctx, as_json)
    request = quotas_pb2.ListPlatformQuotasRequest(
        tenant_id=session.tenant,
        sku_id=sku,
        platform_id=platform,
        push_statuses=[enum_value(quotas_pb2.PushStatus, chosen) for chosen in push_status or []],
        page_size=page_size,
        page_token=page_token,
    )
    response = session.call(session.sync().ListPlatformQuotas, request)
    output.listing(
        as_json,
        response,
        lambda: print_quotas(f"Platform quotas of {session.tenant}", response.quotas),
    )


@quotas_app.command("allocation")
def allocation(
    ctx: typer.Context,
    sku_id: Annotated[str, typer.Argument(help="The SKU.")],
    as_json: Json = False,
) -> None:
    """Show a SKU's whole pool: unallocated units, reserve and every platform's quota."""
    session = session_of(ctx, as_json)
    request = quotas_pb2.GetSkuAllocationRequest(tenant_id=session.tenant, sku_id=sku_id)
    pool = session.call(session.sync().GetSkuAllocation, request).allocation
    if as_json:
        output.print_json(pool)
        return
    output.record(
        f"Allocation of {sku_id}",
        [
            ("enabled", pool.enabled),
            ("unallocated", pool.unallocated_units),
            ("pool reserve", pool.pool_reserve_units),
            ("total quota", pool.total_quota_units),
            ("last rebalance", output.when(pool.last_rebalance_time) or "-"),
        ],
    )
    print_quotas(f"Quotas of {sku_id}", pool.quotas)
