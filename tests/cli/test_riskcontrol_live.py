"""`risk` against the real riskcontrol, for a tenant of the test's own (its lists and shadow
override never reach another test): deny and allow lists, audited decisions, shadow mode."""

from __future__ import annotations

from tests.cli.conftest import Cli, record_of, table_rows
from tests.riskcontrol.conftest import StartRisk, rules_file, start_risk  # noqa: F401 - fixtures


async def test_deny_list_round_trip_and_the_conflict_with_allow(start_risk: StartRisk) -> None:  # noqa: F811
    risk = await start_risk()
    cli = Cli(
        addresses={"riskcontrol": f"127.0.0.1:{risk.host.port}"},
        api_key=risk.admin_key,
        tenant=risk.tenant_id,
    )
    entry = (await cli.json("risk", "deny", "add", "--user=bob", "--ttl=2h", "--note=hoarder"))[
        "entry"
    ]
    assert (entry["list"], entry["key_level"], entry["note"]) == (
        "ACCESS_LIST_DENY",
        "KEY_LEVEL_USER",
        "hoarder",
    )

    rows = table_rows((await cli.ok("risk", "deny", "list")).stdout)
    assert [row[:3] for row in rows] == [[entry["entry_id"], "DENY", "USER"]]
    conflict = await cli.run("risk", "allow", "add", "--user=bob")
    assert "ACCESS_LIST_CONFLICT" in cli.failed(conflict)

    await cli.ok("risk", "deny", "remove", entry["entry_id"])
    assert (await cli.json("risk", "deny", "list"))["entries"] == []


async def test_decisions_and_shadow_mode(start_risk: StartRisk) -> None:  # noqa: F811
    risk = await start_risk()
    cli = Cli(
        addresses={"riskcontrol": f"127.0.0.1:{risk.host.port}"},
        api_key=risk.admin_key,
        tenant=risk.tenant_id,
    )
    decided = await risk.assess("carol", "o-1", sku="lipstick", quantity=2)

    rows = table_rows((await cli.ok("risk", "decisions", "list", "--user=carol")).stdout)
    assert [(row[0], row[5], row[6]) for row in rows] == [
        (decided.decision_id, "carol", "lipstick x2")
    ]
    shown = record_of((await cli.ok("risk", "decisions", "get", decided.decision_id)).stdout)
    assert shown["user"] == "carol"

    forced = record_of((await cli.ok("risk", "shadow", "on", "--reason=new rules")).stdout)
    assert (forced["in force"], forced["override"], forced["reason"]) == (
        "True",
        "FORCE_SHADOW",
        "new rules",
    )
    cleared = await cli.json("risk", "shadow", "off")
    assert cleared["override"] == "SHADOW_OVERRIDE_NONE"
