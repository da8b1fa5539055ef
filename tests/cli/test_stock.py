"""`streamstock stock`, `policy`, `ledger` and `reconcile` against the real inventory service."""

from __future__ import annotations

import asyncpg

from tests.cli.conftest import Cli, create_sku, record_of, table_rows, unique
from tools.cli.ledger import DRIFT_EXIT_STATUS


async def test_create_restock_withhold_round_trip_in_json(cli: Cli) -> None:
    sku_id = unique("sku")
    created = await cli.json("stock", "create", sku_id, "--on-hand=10", "--title=Lipstick")
    assert created["sku_id"] == sku_id
    assert created["stock"]["on_hand"] == "10"
    assert created["policy"]["lock_stage"] == "LOCK_STAGE_CART"

    await cli.ok("stock", "restock", sku_id, "5", "--note=second truck")
    withheld = await cli.json("stock", "withhold", sku_id, "3", "--kind=vip")
    assert withheld["withheld"] == [{"kind": "WITHHOLD_KIND_VIP", "quantity": "3"}]

    stock = (await cli.json("stock", "get", sku_id))["stock"]
    assert (stock["on_hand"], stock["withheld"], stock["sellable"]) == ("15", "3", "12")


async def test_get_prints_a_readable_table(cli: Cli) -> None:
    sku_id = await create_sku(cli, 7)
    await cli.ok("stock", "withhold", sku_id, "2")
    table = (await cli.ok("stock", "get", sku_id)).stdout
    assert f"SKU {sku_id}" in table
    record = record_of(table)
    assert (record["on hand"], record["withheld"], record["sellable"]) == ("7", "2", "5")
    assert record["withheld by kind"] == "SAFETY 2"
    assert record["lock stage"] == "CART"


async def test_list_shows_the_new_skus(cli: Cli) -> None:
    first = await create_sku(cli, 1)
    second = await create_sku(cli, 2)
    listed = await cli.json("stock", "list", "--page-size=1000")
    assert {first, second} <= {sku["sku_id"] for sku in listed["skus"]}
    rows = table_rows((await cli.ok("stock", "list", "--page-size=1000")).stdout)
    by_sku = {row[0]: row for row in rows}
    assert by_sku[first][1:3] == ["Lipstick", "ON_SALE"]
    assert by_sku[second][3] == "2"


async def test_a_retry_with_the_same_request_id_restocks_once(cli: Cli) -> None:
    sku_id = await create_sku(cli, 1)
    for _ in range(2):
        await cli.ok("stock", "restock", sku_id, "4", "--request-id=delivery-42")
    assert (await cli.json("stock", "get", sku_id))["stock"]["on_hand"] == "5"


async def test_set_counts_and_adjust_corrects_on_hand(cli: Cli) -> None:
    sku_id = await create_sku(cli, 10)
    assert (await cli.json("stock", "set", sku_id, "8"))["stock"]["on_hand"] == "8"
    adjusted = await cli.json("stock", "adjust", sku_id, "--reason=damaged", "--", "-3")
    assert adjusted["stock"]["on_hand"] == "5"
    entries = (await cli.json("ledger", "list", sku_id))["entries"]
    assert [entry["on_hand_delta"] for entry in entries] == ["10", "-2", "-3"]


async def test_pause_and_resume_change_the_sale_status(cli: Cli) -> None:
    sku_id = await create_sku(cli, 3)
    assert (await cli.json("stock", "pause", sku_id, "--reason=RED"))[
        "sale_status"
    ] == "SALE_STATUS_PAUSED"
    refused = await cli.run("holds", "reserve", f"{sku_id}=1", "--user=u", "--order=o")
    assert "SALE_NOT_ACTIVE" in cli.failed(refused)
    assert (await cli.json("stock", "resume", sku_id))["sale_status"] == "SALE_STATUS_ON_SALE"


async def test_policy_set_changes_only_the_given_fields(cli: Cli) -> None:
    sku_id = await create_sku(cli, 3, "--max-per-order=2")
    policy = await cli.json(
        "policy", "set", sku_id, "--per-user-limit=4", "--ttl=10m", "--risk-mode=shadow"
    )
    assert policy["per_user_limit"] == "4"
    assert policy["hold_ttl"] == "600s"
    assert policy["risk_mode"] == "RISK_MODE_SHADOW"
    assert policy["max_per_order"] == "2"
    shown = record_of((await cli.ok("policy", "show", sku_id)).stdout)
    assert shown["hold ttl"] == "10m"
    assert shown["per-user limit"] == "4"
    assert shown["risk"].startswith("SHADOW")


async def test_reconcile_finds_no_drift(cli: Cli) -> None:
    sku_id = await create_sku(cli, 3)
    result = await cli.json("reconcile", sku_id)
    assert result == {"checked": "1", "drifts": []}
    assert "checked 1 SKUs, 0 drifted" in (await cli.ok("reconcile", sku_id)).stdout


async def test_reconcile_reports_drift_with_status_3_until_repaired(
    cli: Cli, postgres_dsn: str
) -> None:
    sku_id = await create_sku(cli, 10)
    connection = await asyncpg.connect(postgres_dsn)
    try:
        await connection.execute(
            "UPDATE inventory.skus SET on_hand = on_hand + 5 WHERE tenant_id = 'acme' AND sku_id = $1",
            sku_id,
        )
    finally:
        await connection.close()
    found = await cli.run("reconcile", sku_id)
    assert found.exit_code == DRIFT_EXIT_STATUS, found.output
    assert table_rows(found.stdout)[0][:2] == [sku_id, "15 -> 10"]

    repaired = await cli.json("reconcile", sku_id, "--repair")
    assert repaired["drifts"][0]["repaired"] is True
    assert (await cli.json("reconcile", sku_id))["drifts"] == []
    assert (await cli.json("stock", "get", sku_id))["stock"]["on_hand"] == "10"


async def test_a_malformed_duration_is_a_usage_error_and_creates_nothing(cli: Cli) -> None:
    sku_id = unique("sku")
    refused = await cli.run("stock", "create", sku_id, "--ttl=soon")
    assert refused.exit_code == 2
    assert "not a duration" in refused.stderr
    assert "SKU_NOT_FOUND" in cli.failed(await cli.run("stock", "get", sku_id))
