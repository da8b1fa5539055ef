"""What an operator types that the services cannot take as it is: a presale's balance date, numbers
beyond what a proto field carries, and service text that looks like rich markup."""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime, timedelta

import pytest
from rich.console import Console
from streamstock.alerting.v1 import alerts_pb2

from tests.cli.conftest import Cli, create_sku, record_of, table_rows, unique
from tools.cli.alerts import change_line


def _due(policy: dict[str, object]) -> datetime:
    return datetime.fromisoformat(str(policy["presale_balance_due_time"]))


async def test_a_presale_is_created_with_its_balance_date(cli: Cli) -> None:
    sku_id = unique("sku")
    created = await cli.json(
        "stock",
        "create",
        sku_id,
        "--on-hand=5",
        "--lock-stage=order",
        "--mode=presale",
        "--balance-due=2030-11-11T20:00:00+08:00",
    )
    assert created["policy"]["sale_mode"] == "SALE_MODE_PRESALE"
    assert _due(created["policy"]) == datetime(2030, 11, 11, 12, tzinfo=UTC)
    shown = record_of((await cli.ok("policy", "show", sku_id)).stdout)
    assert shown["presale balance due"] == "2030-11-11 12:00:00Z"


async def test_a_balance_date_may_be_a_span_from_now(cli: Cli) -> None:
    before = datetime.now(UTC)
    created = await cli.json(
        "stock", "create", unique("sku"), "--mode=presale", "--balance-due=14d"
    )
    assert (
        before + timedelta(days=14)
        <= _due(created["policy"])
        <= datetime.now(UTC) + timedelta(days=14)
    )


async def test_a_presale_without_balance_date_is_a_usage_error_naming_the_option(
    cli: Cli,
) -> None:
    sku_id = unique("sku")
    refused = await cli.run("stock", "create", sku_id, "--mode=presale")
    assert refused.exit_code == 2, refused.output
    assert "--balance-due" in refused.stderr
    assert "SKU_NOT_FOUND" in cli.failed(await cli.run("stock", "get", sku_id))


async def test_a_presale_turned_regular_drops_its_balance_date(cli: Cli) -> None:
    sku_id = await create_sku(cli, 5, "--mode=presale", "--balance-due=2030-01-01")
    regular = await cli.json("policy", "set", sku_id, "--mode=regular")
    assert regular["sale_mode"] == "SALE_MODE_REGULAR"
    assert "presale_balance_due_time" not in regular
    again = await cli.json("policy", "set", sku_id, "--mode=presale", "--balance-due=2031-02-03")
    assert _due(again) == datetime(2031, 2, 3, tzinfo=UTC)
    moved = await cli.json("policy", "set", sku_id, "--balance-due=2031-02-04T10:00:00Z")
    assert _due(moved) == datetime(2031, 2, 4, 10, tzinfo=UTC)


async def test_a_balance_date_on_a_non_presale_is_a_usage_error(cli: Cli) -> None:
    sku_id = await create_sku(cli, 5)
    refused = await cli.run("policy", "set", sku_id, "--balance-due=2030-01-01")
    assert refused.exit_code == 2, refused.output
    assert "--balance-due" in refused.stderr


def test_balance_dates_parse() -> None:
    from tools.cli.options import parse_moment

    now = datetime(2026, 11, 1, tzinfo=UTC)
    assert parse_moment("2026-11-11", now) == datetime(2026, 11, 11, tzinfo=UTC)
    assert parse_moment("2026-11-11T20:00:00+08:00", now) == datetime(2026, 11, 11, 12, tzinfo=UTC)
    assert parse_moment("10d", now) == datetime(2026, 11, 11, tzinfo=UTC)
    assert parse_moment("1h30m", now) == now + timedelta(minutes=90)


@pytest.mark.parametrize(
    ("args", "option"),
    [
        (("holds", "reserve", "sku=99999999999999999999", "--user=u", "--order=o"), "'lines'"),
        (("stock", "list", "--page-size=3000000000"), "--page-size"),
        (("holds", "sweep", "--limit=3000000000"), "--limit"),
        (("stock", "restock", "sku", "99999999999999999999"), "'quantity'"),
        (("stock", "create", "sku", "--on-hand=99999999999999999999"), "--on-hand"),
        (("policy", "set", "sku", "--max-extensions=3000000000"), "--max-extensions"),
        (("events", "watch", "--from=-1"), "--from"),
        (("stock", "create", "sku", "--ttl=99999999999999d"), "--ttl"),
    ],
)
async def test_a_number_beyond_its_field_is_a_usage_error_naming_the_option(
    cli: Cli, args: tuple[str, ...], option: str
) -> None:
    for as_json in ((), ("--json",)):
        result = await cli.run(*args, *as_json)
        assert result.exit_code == 2, (result.output, result.exception)
        assert "Traceback" not in result.output
        assert option in result.stderr


MARKUP = "Set [/b] [red]rouge[/red]"


async def test_service_text_that_looks_like_markup_is_printed_as_it_is(cli: Cli) -> None:
    sku_id = unique("sku")
    await cli.ok("stock", "create", sku_id, "--on-hand=3", f"--title={MARKUP}")
    await cli.ok("stock", "restock", sku_id, "1", f"--note={MARKUP}")

    listed = await cli.ok("stock", "list", "--page-size=1000")
    assert {row[0]: row[1] for row in table_rows(listed.stdout)}[sku_id] == MARKUP
    assert record_of((await cli.ok("stock", "get", sku_id)).stdout)["title"] == MARKUP
    ledger = table_rows((await cli.ok("ledger", "list", sku_id)).stdout)
    assert ledger[-1][-1] == MARKUP

    watched = await cli.ok("events", "watch", f"--sku={sku_id}", "--limit=2")
    created, restocked = watched.stdout.splitlines()
    assert created.endswith(f"sku created {MARKUP} (sellable 3, reserved 0, sold 0)")
    assert f"+1 RESTOCK {MARKUP} (sellable 4" in restocked


def test_an_alert_summary_that_looks_like_markup_is_printed_as_it_is() -> None:
    change = alerts_pb2.WatchAlertsResponse(
        sequence=7, alert=alerts_pb2.Alert(alert_id="a-[1]", sku_id="[b]x", summary=MARKUP)
    )
    printed = io.StringIO()
    Console(file=printed, width=240, highlight=False).print(change_line(change))
    assert printed.getvalue().rstrip().endswith(f"a-[1] {MARKUP}")
    assert "[b]x" in printed.getvalue()


async def test_reconcile_names_skus_it_did_not_find_and_fails(cli: Cli) -> None:
    known = await create_sku(cli, 2)
    missing = unique("no-such-sku")
    result = await cli.run("reconcile", known, missing)
    stderr = cli.failed(result)
    assert missing in stderr and known not in stderr
    assert "checked 1 SKUs" in result.stdout
    as_json = await cli.run("reconcile", missing, "--json")
    cli.failed(as_json)
    assert json.loads(as_json.stdout)["not_found"] == [missing]
