"""`streamstock ledger list` and `streamstock reconcile`: the books behind the counters."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Annotated

import grpc
import typer
from streamstock.inventory.v1 import inventory_service_pb2 as api
from streamstock.inventory.v1 import stock_pb2

from tools.cli import output
from tools.cli.options import Json, PageSize, PageToken, RequestId
from tools.cli.policy import SkuId
from tools.cli.session import Session, request_id, session_of

app = typer.Typer(help="Read a SKU's ledger.", no_args_is_help=True)

# `reconcile` found drift it did not repair (1 is a failed call or a SKU not found, 2 a usage
# error).
DRIFT_EXIT_STATUS = 3


def print_ledger(sku_id: str, entries: Iterable[stock_pb2.LedgerEntry]) -> None:
    output.rows(
        f"Ledger of {sku_id}",
        (
            "entry",
            "time",
            "reason",
            "on hand",
            "withheld",
            "reserved",
            "sold",
            "reference",
            "note",
        ),
        (
            (
                entry.entry_id,
                output.when(entry.create_time),
                output.label(entry, "reason"),
                f"{entry.on_hand_delta:+d}",
                f"{entry.withheld_delta:+d}",
                f"{entry.reserved_delta:+d}",
                f"{entry.sold_delta:+d}",
                entry.reference,
                entry.note,
            )
            for entry in entries
        ),
    )


@app.command("list")
def list_entries(
    ctx: typer.Context,
    sku_id: SkuId,
    page_size: PageSize = 0,
    page_token: PageToken = "",
    as_json: Json = False,
) -> None:
    """List a SKU's ledger entries in commit order."""
    session = session_of(ctx, as_json)
    request = api.ListLedgerEntriesRequest(
        tenant_id=session.tenant, sku_id=sku_id, page_size=page_size, page_token=page_token
    )
    response = session.call(session.inventory().ListLedgerEntries, request)
    output.listing(
        as_json,
        response,
        lambda: print_ledger(sku_id, response.entries),
    )


def reconcile(
    ctx: typer.Context,
    sku_ids: Annotated[
        list[str] | None, typer.Argument(help="SKUs to check (none: all of the tenant's).")
    ] = None,
    repair: Annotated[
        bool, typer.Option(help="Correct drifted counters (booked as REPAIR entries).")
    ] = False,
    given_request_id: RequestId = None,
    as_json: Json = False,
) -> None:
    """Recompute counters from the ledger and report (with --repair, fix) any drift.

    Exits with status 3 when drift remains unrepaired, so scripts can alert on it, and with
    status 1 when a SKU asked for does not exist.
    """
    session = session_of(ctx, as_json)
    request = api.ReconcileRequest(
        tenant_id=session.tenant,
        request_id=request_id(given_request_id),
        sku_ids=sku_ids or [],
        repair=repair,
    )
    response = session.call(session.inventory().Reconcile, request)
    missing = _not_found(session, sku_ids) if response.checked < len(set(sku_ids or [])) else []
    if as_json:
        document = output.as_dict(response)
        if missing:
            document["not_found"] = missing
        output.print_json(document)
    else:
        output.line(f"checked {response.checked} SKUs, {len(response.drifts)} drifted")
        if response.drifts:
            output.rows(
                "Drift (recorded -> recomputed)",
                ("SKU", "on hand", "withheld", "reserved", "sold", "sellable", "repaired"),
                (
                    (
                        drift.sku_id,
                        *(
                            f"{getattr(drift.recorded, name)} -> {getattr(drift.recomputed, name)}"
                            for name in ("on_hand", "withheld", "reserved", "sold", "sellable")
                        ),
                        drift.repaired,
                    )
                    for drift in response.drifts
                ),
            )
    if missing:
        output.console(stderr=True).print(
            f"error: SKU not found, not checked: {', '.join(missing)}", markup=False
        )
        raise typer.Exit(1)
    if any(not drift.repaired for drift in response.drifts):
        raise typer.Exit(DRIFT_EXIT_STATUS)


def _not_found(session: Session, sku_ids: list[str] | None) -> list[str]:
    """The SKUs asked for that do not exist (Reconcile only counts the ones it checked)."""
    missing = []
    stub = session.inventory()
    for sku_id in dict.fromkeys(sku_ids or []):
        try:
            stub.GetSku(
                api.GetSkuRequest(tenant_id=session.tenant, sku_id=sku_id),
                metadata=session.metadata,
                timeout=session.timeout,
            )
        except grpc.RpcError as error:
            if isinstance(error, grpc.Call) and error.code() == grpc.StatusCode.NOT_FOUND:
                missing.append(sku_id)
            else:
                session.fail(error)
    return missing
