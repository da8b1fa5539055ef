"""`streamstock risk`: riskcontrol's allow and deny lists, audited decisions and shadow mode."""

from __future__ import annotations

import getpass
from typing import Annotated

import typer
from streamstock.riskcontrol.v1 import access_list_pb2, assessment_pb2, rules_pb2, signals_pb2
from streamstock.riskcontrol.v1 import riskcontrol_service_pb2 as api

from tools.cli import output
from tools.cli.options import Json, PageSize, PageToken, RequestId, choice, duration, enum_value
from tools.cli.session import Session, request_id, session_of

app = typer.Typer(
    help="Allow and deny lists, risk decisions and shadow mode.", no_args_is_help=True
)
decisions_app = typer.Typer(help="Audited risk decisions.", no_args_is_help=True)
shadow_app = typer.Typer(help="The tenant-wide shadow override.", no_args_is_help=True)

KeyLevel = Annotated[
    str | None,
    choice(
        signals_pb2.KeyLevel,
        "--level",
        help="The key's level [default: user, ip or device, whichever one is given].",
    ),
]
User = Annotated[str, typer.Option("--user", help="The user id of the key.")]
Ip = Annotated[str, typer.Option("--ip", help="The IP address of the key.")]
Device = Annotated[str, typer.Option("--device", help="The device id of the key.")]
Sku = Annotated[str, typer.Option("--sku", help="The SKU id of the key.")]
Order = Annotated[str, typer.Option("--order", help="The order id of the key.")]


def risk_key(
    level: str | None, *, user: str, ip: str, device: str, sku: str, order: str
) -> signals_pb2.RiskKey:
    """The key from its parts; with no --level the one given user, ip or device names it."""
    if level is None:
        given = [name for name, value in (("user", user), ("ip", ip), ("device", device)) if value]
        if len(given) != 1 or sku or order:
            raise typer.BadParameter("give --level, or exactly one of --user, --ip, --device")
        level = given[0]
    return signals_pb2.RiskKey(
        level=enum_value(signals_pb2.KeyLevel, level),
        user_id=user,
        ip=ip,
        device_id=device,
        sku_id=sku,
        order_id=order,
    )


def _print_entries(title: str, entries: list[access_list_pb2.AccessListEntry]) -> None:
    output.rows(
        title,
        ("entry", "list", "level", "key", "expires", "note", "by", "updated"),
        (
            (
                entry.entry_id,
                output.label(entry, "list"),
                output.label(entry, "key_level"),
                entry.key,
                output.when(entry.expire_time),
                entry.note,
                entry.created_by,
                output.when(entry.update_time),
            )
            for entry in entries
        ),
    )


def _print_entry(
    session: Session,
    response: api.AddAccessListEntryResponse | api.RemoveAccessListEntryResponse,
) -> None:
    if session.as_json:
        output.print_json(response)
        return
    _print_entries("Access list entry", [response.entry])


def access_list_app(access_list: int) -> typer.Typer:
    """The add/remove/list commands of one list (allow or deny)."""
    name = output.enum_label(access_list_pb2.AccessList.DESCRIPTOR, access_list).lower()
    lists = typer.Typer(help=f"The {name} list.", no_args_is_help=True)

    @lists.command("add")
    def add(
        ctx: typer.Context,
        level: KeyLevel = None,
        user: User = "",
        ip: Ip = "",
        device: Device = "",
        sku: Sku = "",
        order: Order = "",
        ttl: Annotated[str, typer.Option(help="How long the entry applies, e.g. 2h.")] = "24h",
        note: Annotated[str, typer.Option(help="Why the key is listed.")] = "",
        given_request_id: RequestId = None,
        as_json: Json = False,
    ) -> None:
        """Put a key (a user, IP or device, or a finer key with --level) on the list."""
        session = session_of(ctx, as_json)
        request = api.AddAccessListEntryRequest(
            tenant_id=session.tenant,
            request_id=request_id(given_request_id),
            list=access_list,
            key=risk_key(level, user=user, ip=ip, device=device, sku=sku, order=order),
            ttl=duration(ttl),
            note=note,
            created_by=getpass.getuser(),
        )
        response = session.call(session.riskcontrol().AddAccessListEntry, request)
        _print_entry(session, response)

    @lists.command("remove")
    def remove(
        ctx: typer.Context,
        entry_id: Annotated[str, typer.Argument(help="The entry, as `list` shows it.")],
        given_request_id: RequestId = None,
        as_json: Json = False,
    ) -> None:
        """Take an entry off the list before it expires."""
        session = session_of(ctx, as_json)
        request = api.RemoveAccessListEntryRequest(
            tenant_id=session.tenant, request_id=request_id(given_request_id), entry_id=entry_id
        )
        response = session.call(session.riskcontrol().RemoveAccessListEntry, request)
        _print_entry(session, response)

    @lists.command("list")
    def list_entries(
        ctx: typer.Context,
        include_expired: Annotated[bool, typer.Option(help="Also entries that expired.")] = False,
        page_size: PageSize = 0,
        page_token: PageToken = "",
        as_json: Json = False,
    ) -> None:
        """List the entries of the list, newest first."""
        session = session_of(ctx, as_json)
        request = api.ListAccessListEntriesRequest(
            tenant_id=session.tenant,
            list=access_list,
            include_expired=include_expired,
            page_size=page_size,
            page_token=page_token,
        )
        response = session.call(session.riskcontrol().ListAccessListEntries, request)
        if as_json:
            output.print_json(response)
            return
        _print_entries(f"{name.capitalize()} list of {session.tenant}", list(response.entries))
        output.next_page(response.next_page_token)

    return lists


def _decision_row(record: assessment_pb2.DecisionRecord) -> tuple[object, ...]:
    return (
        record.decision_id,
        output.when(record.assess_time),
        output.label(record, "decision"),
        output.label(record, "shadow_decision"),
        f"{record.score:.2f}",
        record.user_id,
        ", ".join(f"{line.sku_id} x{line.quantity}" for line in record.lines),
        ", ".join(reason.rule_id for reason in record.reasons),
    )


DECISION_COLUMNS = ("decision", "time", "outcome", "shadow", "score", "user", "lines", "rules")


@decisions_app.command("list")
def list_decisions(
    ctx: typer.Context,
    sku: Annotated[str, typer.Option(help="Only decisions on this SKU.")] = "",
    user: Annotated[str, typer.Option(help="Only decisions on this user.")] = "",
    order: Annotated[str, typer.Option(help="Only decisions on this order.")] = "",
    outcome: Annotated[
        list[str] | None,
        choice(
            assessment_pb2.Decision,
            "--outcome",
            help="Only this outcome (repeatable).",
        ),
    ] = None,
    rule: Annotated[str, typer.Option(help="Only decisions this rule took part in.")] = "",
    shadow_differs: Annotated[
        bool, typer.Option(help="Only decisions where shadow rules disagreed.")
    ] = False,
    page_size: PageSize = 0,
    page_token: PageToken = "",
    as_json: Json = False,
) -> None:
    """List audited decisions, newest first (IPs and devices appear only as hashes)."""
    session = session_of(ctx, as_json)
    request = api.ListDecisionsRequest(
        tenant_id=session.tenant,
        sku_id=sku,
        user_id=user,
        order_id=order,
        decisions=[enum_value(assessment_pb2.Decision, chosen) for chosen in outcome or []],
        rule_id=rule,
        shadow_differs_only=shadow_differs,
        page_size=page_size,
        page_token=page_token,
    )
    response = session.call(session.riskcontrol().ListDecisions, request)
    output.listing(
        as_json,
        response,
        lambda: output.rows(
            f"Risk decisions of {session.tenant}",
            DECISION_COLUMNS,
            map(_decision_row, response.decisions),
        ),
    )


@decisions_app.command("get")
def get_decision(
    ctx: typer.Context,
    decision_id: Annotated[
        str, typer.Argument(help="The decision, e.g. from a RISK_BLOCKED error.")
    ],
    as_json: Json = False,
) -> None:
    """Show one audited decision with its reasons."""
    session = session_of(ctx, as_json)
    request = api.GetDecisionRequest(tenant_id=session.tenant, decision_id=decision_id)
    record = session.call(session.riskcontrol().GetDecision, request).decision
    if as_json:
        output.print_json(record)
        return
    output.record(
        f"Decision {record.decision_id}",
        [
            *zip(DECISION_COLUMNS[1:], _decision_row(record)[1:], strict=True),
            ("order", record.order_id),
            ("platform", record.platform_id),
            ("reservation", record.reservation_id or "-"),
            ("enforcement", output.label(record, "enforcement")),
            ("rules version", record.rules_version),
            *(
                (f"reason {reason.rule_id}", f"{output.label(reason, 'signal')} on {reason.key}")
                for reason in record.reasons
            ),
        ],
    )


Reason = Annotated[str, typer.Option(help="Why, for the audit.")]


def print_shadow_mode(mode: rules_pb2.ShadowMode, as_json: bool) -> None:
    if as_json:
        output.print_json(mode)
        return
    output.record(
        "Shadow mode",
        [
            ("in force", mode.enabled),
            ("rules document says", mode.document_enabled),
            ("override", output.label(mode, "override")),
            ("reason", mode.override_reason or "-"),
            ("since", output.when(mode.override_update_time) or "-"),
        ],
    )


def _shadow_command(name: str, override: int, summary: str) -> None:
    """Registers `risk shadow <name>`, which sets the tenant-wide override."""

    def command(
        ctx: typer.Context,
        reason: Reason = "",
        given_request_id: RequestId = None,
        as_json: Json = False,
    ) -> None:
        session = session_of(ctx, as_json)
        request = api.SetShadowModeRequest(
            tenant_id=session.tenant,
            request_id=request_id(given_request_id),
            override=override,
            reason=reason,
        )
        print_shadow_mode(
            session.call(session.riskcontrol().SetShadowMode, request).shadow_mode, as_json
        )

    command.__doc__ = summary
    shadow_app.command(name)(command)


_shadow_command(
    "on",
    rules_pb2.SHADOW_OVERRIDE_FORCE_SHADOW,
    "Force shadow mode: decisions are logged and counted, callers are always told ALLOW.",
)
_shadow_command(
    "off",
    rules_pb2.SHADOW_OVERRIDE_NONE,
    "Clear the override: the rules document's own shadow setting applies again.",
)
_shadow_command(
    "enforce",
    rules_pb2.SHADOW_OVERRIDE_FORCE_ENFORCE,
    "Force enforcement even where the rules document says shadow.",
)

app.add_typer(access_list_app(access_list_pb2.ACCESS_LIST_ALLOW), name="allow")
app.add_typer(access_list_app(access_list_pb2.ACCESS_LIST_DENY), name="deny")
app.add_typer(decisions_app, name="decisions")
app.add_typer(shadow_app, name="shadow")
