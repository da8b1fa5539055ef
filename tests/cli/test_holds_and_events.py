"""`streamstock holds`, `events watch` and error reporting against the real inventory service."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sys

from tests.cli.conftest import TERMINAL, Cli, create_sku, table_rows, unique


async def test_reserve_confirm_then_list(cli: Cli) -> None:
    sku_id = await create_sku(cli, 10)
    user = unique("user")
    held = await cli.json("holds", "reserve", f"{sku_id}=3", f"--user={user}", "--order=o-1")
    assert held["state"] == "RESERVATION_STATE_ACTIVE"
    assert held["lines"][0]["quantity"] == "3"
    reservation_id = held["reservation_id"]

    confirmed = await cli.json("holds", "confirm", reservation_id, "--payment-ref=pay-1")
    assert confirmed["state"] == "RESERVATION_STATE_CONFIRMED"
    assert confirmed["payment_reference"] == "pay-1"

    rows = table_rows((await cli.ok("holds", "list", f"--user={user}")).stdout)
    assert [row[:5] for row in rows] == [[reservation_id, "CONFIRMED", user, "o-1", f"{sku_id} x3"]]
    stock = (await cli.json("stock", "get", sku_id))["stock"]
    assert (stock["sold"], stock["reserved"], stock["sellable"]) == ("3", "0", "7")


async def test_release_returns_units_and_get_shows_the_reason(cli: Cli) -> None:
    sku_id = await create_sku(cli, 4)
    held = await cli.json("holds", "reserve", f"{sku_id}:4", "--user=u", "--order=o")
    await cli.ok("holds", "release", held["reservation_id"], "--reason=buyer-cancelled")
    shown = await cli.json("holds", "get", held["reservation_id"])
    assert shown["release_reason"] == "RELEASE_REASON_BUYER_CANCELLED"
    assert (await cli.json("stock", "get", sku_id))["stock"]["sellable"] == "4"


async def test_extend_moves_the_deadline_when_the_policy_allows(cli: Cli) -> None:
    sku_id = await create_sku(cli, 4)
    await cli.ok(
        "policy", "set", sku_id, "--allow-extension", "--max-extension=5m", "--max-extensions=1"
    )
    held = await cli.json("holds", "reserve", f"{sku_id}=1", "--user=u", "--order=o")
    extended = await cli.json("holds", "extend", held["reservation_id"], "--by=2m")
    assert extended["extension_count"] == 1
    assert extended["expire_time"] > held["expire_time"]


async def test_reserving_more_than_sellable_fails_with_the_reason_and_its_metadata(
    cli: Cli,
) -> None:
    sku_id = await create_sku(cli, 2)
    refused = await cli.run("holds", "reserve", f"{sku_id}=5", "--user=u", "--order=o")
    stderr = cli.failed(refused)
    assert "FAILED_PRECONDITION INSUFFICIENT_STOCK" in stderr
    assert "sellable: 2" in stderr and "requested: 5" in stderr

    as_json = await cli.run("holds", "reserve", f"{sku_id}=5", "--user=u", "--order=o", "--json")
    cli.failed(as_json)
    error = json.loads(as_json.stdout)["error"]
    assert (error["code"], error["reason"]) == ("FAILED_PRECONDITION", "INSUFFICIENT_STOCK")
    assert error["metadata"]["sellable"] == "2"


async def test_bad_input_names_the_field(cli: Cli) -> None:
    sku_id = await create_sku(cli, 2)
    refused = await cli.run("stock", "restock", sku_id, "0")
    stderr = cli.failed(refused)
    assert "INVALID_ARGUMENT" in stderr
    assert "field quantity" in stderr


async def test_an_unknown_key_is_reported_as_unauthenticated(cli: Cli) -> None:
    stranger = Cli(addresses=cli.addresses, api_key="not-a-key", tenant="acme")
    stderr = stranger.failed(await stranger.run("stock", "list"))
    assert "UNAUTHENTICATED API_KEY_UNKNOWN" in stderr


async def test_no_service_listening_is_unavailable_not_a_traceback(cli: Cli) -> None:
    nowhere = Cli(addresses={"inventory": "127.0.0.1:1"})
    assert "UNAVAILABLE" in nowhere.failed(await nowhere.run("--timeout=2", "stock", "list"))


async def test_events_watch_stops_after_limit(cli: Cli) -> None:
    sku_id = await create_sku(cli, 5)
    await cli.ok("stock", "restock", sku_id, "2")
    await cli.ok("holds", "reserve", f"{sku_id}=1", "--user=u", "--order=o")

    streamed = await cli.ok("events", "watch", f"--sku={sku_id}", "--limit=3", "--json")
    events = [json.loads(line) for line in streamed.stdout.splitlines()]
    assert [
        next(k for k in ("sku_created", "stock_adjusted", "reservation_created") if k in e)
        for e in events
    ] == [
        "sku_created",
        "stock_adjusted",
        "reservation_created",
    ]
    sequences = [int(event["sequence"]) for event in events]
    assert sequences == sorted(sequences)

    resumed = await cli.ok(
        "events", "watch", f"--sku={sku_id}", f"--from={sequences[0]}", "--limit=2"
    )
    lines = resumed.stdout.splitlines()
    assert [line.split()[0] for line in lines] == [f"#{sequences[1]}", f"#{sequences[2]}"]
    assert "stock adjusted +2" in lines[0]
    assert "(sellable 6, reserved 1, sold 0)" in lines[1]


async def test_ctrl_c_stops_a_live_watch(cli: Cli) -> None:
    sku_id = await create_sku(cli, 5)
    watcher = await asyncio.create_subprocess_exec(
        sys.executable,
        "-c",
        "from tools.cli.main import app; app()",
        *cli.arguments(("events", "watch", f"--sku={sku_id}")),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        env={**os.environ, **TERMINAL},
    )
    try:
        assert watcher.stdout is not None
        first = await asyncio.wait_for(watcher.stdout.readline(), timeout=30)
        assert "sku created" in first.decode()
        await cli.ok("stock", "restock", sku_id, "1")
        live = await asyncio.wait_for(watcher.stdout.readline(), timeout=30)
        assert "stock adjusted +1" in live.decode()
        watcher.send_signal(signal.SIGINT)
        _, stderr = await asyncio.wait_for(watcher.communicate(), timeout=30)
    finally:
        if watcher.returncode is None:
            watcher.kill()
            await watcher.wait()
    assert watcher.returncode == 0, stderr.decode()
    assert "stopped" in stderr.decode()


async def test_purchase_sells_a_payment_stage_sku_in_one_step(cli: Cli) -> None:
    sku_id = await create_sku(cli, 5, "--lock-stage=payment", "--mode=regular")
    bought = await cli.json(
        "holds", "purchase", f"{sku_id}=2", "--user=u", "--order=o", "--payment-ref=p"
    )
    assert bought["state"] == "RESERVATION_STATE_CONFIRMED"
    assert (await cli.json("stock", "get", sku_id))["stock"]["sold"] == "2"


async def test_sweep_returns_expired_holds(cli: Cli) -> None:
    sku_id = await create_sku(cli, 5, "--ttl=1s")
    held = await cli.json("holds", "reserve", f"{sku_id}=2", "--user=u", "--order=o")
    deadline = asyncio.get_running_loop().time() + 30
    while (await cli.json("holds", "get", held["reservation_id"]))[
        "state"
    ] != "RESERVATION_STATE_EXPIRED":
        assert asyncio.get_running_loop().time() < deadline
        await asyncio.sleep(0.2)
    swept = await cli.ok("holds", "sweep")
    assert "expired holds returned to stock" in swept.stdout
    # Whoever swept it: this call, or the service's sweeper, which may still be committing the
    # batch this sweep passed over (reads show a due hold EXPIRED before it is booked).
    while (entries := (await cli.json("ledger", "list", sku_id))["entries"])[-1][
        "reason"
    ] != "LEDGER_REASON_EXPIRE":
        assert asyncio.get_running_loop().time() < deadline
        await asyncio.sleep(0.05)
    assert [(entry["reason"], entry["reserved_delta"]) for entry in entries[-1:]] == [
        ("LEDGER_REASON_EXPIRE", "-2")
    ]
    assert (await cli.json("stock", "get", sku_id))["stock"]["reserved"] == "0"


async def test_events_watch_filters_by_type(cli: Cli) -> None:
    sku_id = await create_sku(cli, 5)
    held = await cli.json("holds", "reserve", f"{sku_id}=1", "--user=u", "--order=o")
    streamed = await cli.ok(
        "events", "watch", f"--sku={sku_id}", "--type=reservation-created", "--limit=1", "--json"
    )
    (event,) = [json.loads(line) for line in streamed.stdout.splitlines()]
    assert event["reservation_created"]["reservation_id"] == held["reservation_id"]
