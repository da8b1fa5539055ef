"""Moving a quota's escrow hold in inventory to a number of units, idempotently."""

from __future__ import annotations

import hashlib
import re

from services.sync.domain.quota import Quota
from services.sync.service_layer.ports import Escrow, EscrowRefused

_REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{1,128}")


def inventory_request_id(kind: str, *parts: object) -> str:
    """A request id for inventory derived from a business key: readable when inventory's charset
    and length allow it, otherwise a digest of the key (still stable across retries)."""
    readable = ":".join(["sync", kind, *(str(p) for p in parts)])
    if _REQUEST_ID.fullmatch(readable):
        return readable
    return f"sync:{kind}:" + hashlib.sha256(readable.encode()).hexdigest()


HOLD_GONE = ("RESERVATION_NOT_ACTIVE", "RESERVATION_NOT_FOUND", "RESERVATION_EXPIRED")


def escrow_request_id(quota: Quota, units: int) -> str:
    """Stable for a retry of the same change, new for every next change of the quota."""
    return inventory_request_id("escrow", quota.platform_id, quota.sku_id, quota.escrow_seq, units)


async def set_escrow(escrow: Escrow, quota: Quota, units: int) -> Quota:
    """The quota with its hold at `units`: released at zero, opened again when it was released or
    drained. Raises EscrowRefused (INSUFFICIENT_STOCK) when a grow finds too little stock."""
    if units == quota.quota_units and (units == 0 or quota.reservation_id):
        return quota
    request_id = escrow_request_id(quota, units)
    if units == 0:
        if quota.reservation_id:
            await _release(escrow, quota, request_id)
        return quota.escrow(0, "")
    if quota.reservation_id:
        try:
            await escrow.resize_hold(
                quota.tenant_id, request_id, quota.reservation_id, quota.sku_id, units
            )
            return quota.escrow(units, quota.reservation_id)
        except EscrowRefused as refused:
            if refused.reason not in HOLD_GONE:
                raise
    reservation_id = await escrow.open_hold(
        quota.tenant_id, request_id, quota.platform_id, quota.sku_id, units
    )
    return quota.escrow(units, reservation_id)


async def _release(escrow: Escrow, quota: Quota, request_id: str) -> None:
    try:
        await escrow.release_hold(quota.tenant_id, request_id, quota.reservation_id)
    except EscrowRefused as refused:
        if refused.reason not in HOLD_GONE:
            raise
