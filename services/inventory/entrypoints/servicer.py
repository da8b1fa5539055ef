"""InventoryService over gRPC: checks the request, runs the use case, answers in protobuf."""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any, Protocol, TypeVar

import grpc
from streamstock.inventory.v1 import events_pb2, inventory_service_pb2_grpc
from streamstock.inventory.v1 import inventory_service_pb2 as api

from services.inventory.domain.errors import InvalidArgument
from services.inventory.domain.events import EventType
from services.inventory.domain.reservation import Reservation, ReservationPurpose, ReservationState
from services.inventory.entrypoints import access, mapping, requests
from services.inventory.entrypoints import validation as v
from services.inventory.service_layer import (
    administration,
    commands,
    expiry,
    queries,
    reconcile,
    reservations,
)
from services.inventory.service_layer.ports import EventSignal, EventWindow, ReservationFilter
from services.inventory.service_layer.unit import Unit
from services.runtime.errors import AccessError
from services.runtime.scope import Role, current_principal

Context = grpc.aio.ServicerContext


class _HoldCommand(Protocol):
    @property
    def tenant_id(self) -> str: ...
    @property
    def reservation_id(self) -> str: ...


_C = TypeVar("_C", bound=_HoldCommand)
# SweepExpired without a limit returns at most this many holds per call.
DEFAULT_SWEEP_LIMIT = 10_000


def _require_service_for_every_tenant(tenant_id: str, field: str = "tenant_id") -> str | None:
    """An empty tenant means every tenant, which only StreamStock's own services may ask for."""
    if tenant_id:
        return v.business_id(field, tenant_id)
    if current_principal().role is not Role.SERVICE:
        raise InvalidArgument(field, "is required")
    return None


class InventoryServicer(inventory_service_pb2_grpc.InventoryServiceServicer):  # type: ignore[misc]
    def __init__(self, unit: Unit, holds: reservations.Holds, signal: EventSignal) -> None:
        self._unit = unit
        self._holds = holds
        self._signal = signal

    # Stock administration.

    async def CreateSku(self, request: api.CreateSkuRequest, context: Context) -> Any:
        sku = await administration.create_sku(self._unit, requests.create_sku(request))
        return api.CreateSkuResponse(sku=mapping.sku(sku))

    async def GetSku(self, request: api.GetSkuRequest, context: Context) -> Any:
        sku = await queries.get_sku(
            self._unit, v.tenant(request), v.business_id("sku_id", request.sku_id)
        )
        return api.GetSkuResponse(sku=mapping.sku(sku))

    async def ListSkus(self, request: api.ListSkusRequest, context: Context) -> Any:
        size = v.page_size(request.page_size)
        cursor = v.read_page_token(request.page_token, (str,))
        skus = await queries.list_skus(
            self._unit, v.tenant(request), cursor[0] if cursor else "", size
        )
        token = v.page_token([skus[-1].sku_id]) if len(skus) == size else ""
        return api.ListSkusResponse(skus=[mapping.sku(s) for s in skus], next_page_token=token)

    async def Restock(self, request: api.RestockRequest, context: Context) -> Any:
        sku = await administration.restock(self._unit, requests.restock(request))
        return api.RestockResponse(sku=mapping.sku(sku))

    async def AdjustStock(self, request: api.AdjustStockRequest, context: Context) -> Any:
        sku = await administration.adjust_stock(self._unit, requests.adjust_stock(request))
        return api.AdjustStockResponse(sku=mapping.sku(sku))

    async def SetWithheld(self, request: api.SetWithheldRequest, context: Context) -> Any:
        sku = await administration.set_withheld(self._unit, requests.set_withheld(request))
        return api.SetWithheldResponse(sku=mapping.sku(sku))

    async def SetSaleStatus(self, request: api.SetSaleStatusRequest, context: Context) -> Any:
        sku = await administration.set_sale_status(self._unit, requests.set_sale_status(request))
        return api.SetSaleStatusResponse(sku=mapping.sku(sku))

    async def UpdateSalePolicy(self, request: api.UpdateSalePolicyRequest, context: Context) -> Any:
        command = requests.update_sale_policy(request)
        sku = await administration.update_sale_policy(self._unit, command)
        return api.UpdateSalePolicyResponse(sku=mapping.sku(sku))

    async def ReturnSold(self, request: api.ReturnSoldRequest, context: Context) -> Any:
        sku = await administration.return_sold(self._unit, requests.return_sold(request))
        return api.ReturnSoldResponse(sku=mapping.sku(sku))

    # Holds.

    async def Reserve(self, request: api.ReserveRequest, context: Context) -> Any:
        command = access.for_buyer_of_key_platform(requests.reserve(request))
        if command.purpose is ReservationPurpose.PLATFORM_QUOTA:
            _require_role(Role.SERVICE)
        reservation = await self._holds.reserve(command)
        response = api.ReserveResponse()
        mapping.fill_reservation(response.reservation, reservation)
        return response

    async def Purchase(self, request: api.PurchaseRequest, context: Context) -> Any:
        command = access.for_buyer_of_key_platform(requests.purchase(request))
        reservation = await self._holds.reserve(command)
        response = api.PurchaseResponse()
        mapping.fill_reservation(response.reservation, reservation)
        return response

    async def ConfirmReservation(
        self, request: api.ConfirmReservationRequest, context: Context
    ) -> Any:
        reservation = await self._change_hold(requests.confirm(request), reservations.confirm)
        return api.ConfirmReservationResponse(reservation=mapping.reservation(reservation))

    async def ReleaseReservation(
        self, request: api.ReleaseReservationRequest, context: Context
    ) -> Any:
        reservation = await self._change_hold(requests.release(request), reservations.release)
        return api.ReleaseReservationResponse(reservation=mapping.reservation(reservation))

    async def ExtendReservation(
        self, request: api.ExtendReservationRequest, context: Context
    ) -> Any:
        reservation = await self._change_hold(requests.extend(request), reservations.extend)
        return api.ExtendReservationResponse(reservation=mapping.reservation(reservation))

    async def ResizeReservation(
        self, request: api.ResizeReservationRequest, context: Context
    ) -> Any:
        reservation = await self._change_hold(requests.resize(request), self._resize)
        return api.ResizeReservationResponse(reservation=mapping.reservation(reservation))

    async def ConsumeReservation(
        self, request: api.ConsumeReservationRequest, context: Context
    ) -> Any:
        reservation = await self._change_hold(requests.consume(request), reservations.consume)
        return api.ConsumeReservationResponse(reservation=mapping.reservation(reservation))

    async def GetReservation(self, request: api.GetReservationRequest, context: Context) -> Any:
        tenant_id = v.tenant(request)
        reservation_id = v.business_id("reservation_id", request.reservation_id)
        reservation = await queries.get_reservation(self._unit, tenant_id, reservation_id)
        access.require_key_platform(reservation.buyer.platform_id)  # one read for both
        return api.GetReservationResponse(reservation=mapping.reservation(reservation))

    async def ListReservations(self, request: api.ListReservationsRequest, context: Context) -> Any:
        size = v.page_size(request.page_size)
        cursor = v.read_page_token(request.page_token, (int, str))
        before = (v.from_micros(cursor[0]), cursor[1]) if cursor else None
        state = v.enum("state", request.state, ReservationState) if request.state else None
        found = await queries.list_reservations(
            self._unit, v.tenant(request), _filter(request), state, before, size
        )
        token = ""
        if len(found) == size:
            last = found[-1]
            token = v.page_token([v.micros(last.created_at), last.reservation_id])
        return api.ListReservationsResponse(
            reservations=[mapping.reservation(r) for r in found], next_page_token=token
        )

    async def _change_hold(
        self, command: _C, change: Callable[[Unit, _C], Awaitable[Reservation]]
    ) -> Reservation:
        """One hold's change, by a key that may act on that hold."""
        await access.require_hold_of_key_platform(
            self._unit, command.tenant_id, command.reservation_id
        )
        return await change(self._unit, command)

    async def _resize(self, _unit: Unit, command: commands.Resize) -> Reservation:
        return await self._holds.resize(command)

    # Event log, ledger and maintenance.

    async def WatchEvents(
        self, request: api.WatchEventsRequest, context: Context
    ) -> AsyncIterator[api.WatchEventsResponse]:
        tenant_id = _require_service_for_every_tenant(request.tenant_id)
        if request.after_sequence < 0:
            raise InvalidArgument("after_sequence", "must not be negative")
        window = EventWindow(
            tenant_id,
            request.after_sequence,
            request.after_sequence,
            frozenset(
                v.enum(f"event_types[{i}]", t, EventType) for i, t in enumerate(request.event_types)
            ),
            frozenset(v.business_id(f"sku_ids[{i}]", s) for i, s in enumerate(request.sku_ids)),
        )
        async for payloads, head in queries.watch_events(self._unit.store, self._signal, window):
            yield api.WatchEventsResponse(
                events=[_event(sequence, payload) for sequence, payload in payloads],
                head_sequence=head,
            )

    async def ListLedgerEntries(
        self, request: api.ListLedgerEntriesRequest, context: Context
    ) -> Any:
        size = v.page_size(request.page_size)
        cursor = v.read_page_token(request.page_token, (int,))
        records = await queries.ledger_entries(
            self._unit,
            v.tenant(request),
            v.business_id("sku_id", request.sku_id),
            cursor[0] if cursor else 0,
            size,
        )
        token = v.page_token([records[-1].entry_id]) if len(records) == size else ""
        return api.ListLedgerEntriesResponse(
            entries=[mapping.ledger_entry(r) for r in records], next_page_token=token
        )

    async def Reconcile(self, request: api.ReconcileRequest, context: Context) -> Any:
        result = await reconcile.reconcile(self._unit, requests.reconcile(request))
        return api.ReconcileResponse(
            checked=result.checked,
            drifts=[
                api.SkuDrift(
                    sku_id=d.sku_id,
                    recorded=mapping.stock_levels(d.recorded),
                    recomputed=mapping.stock_levels(d.recomputed),
                    repaired=d.repaired,
                )
                for d in result.drifts
            ],
        )

    async def SweepExpired(self, request: api.SweepExpiredRequest, context: Context) -> Any:
        tenant_id = _require_service_for_every_tenant(request.tenant_id)
        key = v.request_id(request)
        limit = v.quantity("limit", request.limit, 0, 1_000_000) or DEFAULT_SWEEP_LIMIT
        report = await expiry.sweep_once(self._unit, key, limit, tenant_id)
        return api.SweepExpiredResponse(expired=report.expired)


def _event(sequence: int, payload: bytes) -> events_pb2.InventoryEvent:
    event = events_pb2.InventoryEvent.FromString(payload)
    event.sequence = sequence
    return event


def _require_role(*roles: Role) -> None:
    principal = current_principal()
    if principal.role not in roles:
        raise AccessError(
            "ROLE_NOT_ALLOWED",
            "platform quota holds are taken by StreamStock's sync service",
            role=principal.role.value,
        )


def _filter(request: api.ListReservationsRequest) -> ReservationFilter:
    given = [
        ReservationFilter(field, value)  # type: ignore[arg-type]
        for field, value in (
            ("user", request.user_id),
            ("order", request.order_id),
            ("sku", request.sku_id),
        )
        if value
    ]
    if len(given) != 1:
        raise InvalidArgument("user_id", "set exactly one of user_id, order_id and sku_id")
    (chosen,) = given
    v.business_id(f"{chosen.field}_id", chosen.value)
    # A platform key bound to one platform lists the holds of that platform only.
    return dataclasses.replace(chosen, platform_id=current_principal().platform_id)
