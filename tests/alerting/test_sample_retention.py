"""Curve samples (about one row per second per selling SKU) are pruned once their plan closed
longer ago than the retention; a recent or live plan keeps its samples."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import asyncpg

from alerting.configuration import configure_session, session_plan
from alerting.harness import SESSION_START, Harness
from alerting.scripted_inventory import ScriptedInventory
from services.alerting.service_layer.retention import prune_samples


def at(minutes: float):
    return SESSION_START + timedelta(minutes=minutes)


async def samples(pool: asyncpg.Pool, sku: str) -> int:
    return int(
        await pool.fetchval("SELECT count(*) FROM consumption_samples WHERE sku_id = $1", sku)
    )


async def test_samples_of_plans_closed_before_the_retention_are_pruned(
    harness: Harness, tenant: str, alerting_pool: asyncpg.Pool
) -> None:
    early = session_plan(tenant, "sku-early")  # 20:00-22:00
    late = replace(
        session_plan(tenant, "sku-late"), start_time=at(180), end_time=at(300)
    )  # 23:00-01:00
    await configure_session(harness, early, None, [])
    await configure_session(harness, late, None, [])
    inventory = ScriptedInventory(tenant)
    await harness.feed(
        [inventory.create("sku-early", 1000, at(-1)), inventory.create("sku-late", 1000, at(-1))]
    )
    for second in range(5):
        await harness.feed([inventory.hold("sku-early", f"e{second}", 1, at(10 + second / 60))])
        await harness.feed([inventory.hold("sku-late", f"l{second}", 1, at(190 + second / 60))])
    assert (
        await samples(alerting_pool, "sku-early"),
        await samples(alerting_pool, "sku-late"),
    ) == (
        5,
        5,
    )
    # A day and an hour after the early plan closed, 22 hours after the late one.
    now = at(120) + timedelta(days=1, hours=1)
    assert await prune_samples(harness.store, now, timedelta(days=1), batch=2) == 5
    assert (
        await samples(alerting_pool, "sku-early"),
        await samples(alerting_pool, "sku-late"),
    ) == (
        0,
        5,
    )
    assert await prune_samples(harness.store, now, timedelta(days=1)) == 0
