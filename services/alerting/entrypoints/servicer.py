"""The AlertingService servicer: protobuf <-> use cases. Validation errors name the field."""

from __future__ import annotations

import hashlib
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import timedelta
from typing import Any, TypeVar

import grpc
from google.protobuf.message import Message
from streamstock.alerting.v1 import (
    alerting_service_pb2_grpc,
    alerts_pb2,
    deliveries_pb2,
    forecast_pb2,
    plans_pb2,
    policies_pb2,
    quarantine_pb2,
    receivers_pb2,
    reminders_pb2,
)

from services.alerting.domain.alerts import AlertState
from services.alerting.domain.deliveries import DeliveryStatus
from services.alerting.domain.errors import (
    AlertNotFound,
    InvalidArgument,
    PlanNotFound,
    ReceiverNotFound,
)
from services.alerting.domain.plan import PlanState
from services.alerting.domain.reminders import BuyerReminderSettings, ReminderStatus
from services.alerting.entrypoints import codec
from services.alerting.entrypoints.watch import watch_alerts
from services.alerting.service_layer import acknowledge, configure, forecasting
from services.alerting.service_layer.idempotency import Idempotency, run_idempotent
from services.alerting.service_layer.ports import Clock, Page, Store, Transaction

Response = TypeVar("Response", bound=Message)

DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 1000
MIN_RESOLUTION = timedelta(seconds=1)
MAX_CURVE_POINTS = 10_000


def page_of(request: Any) -> Page:
    if request.page_size < 0:
        raise InvalidArgument("page_size", "must not be negative")
    return Page(min(request.page_size or DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE), request.page_token)


def tenant_of(request: Any) -> str:
    return codec.required_id(request.tenant_id, "tenant_id")


def _enum_values(values: Any, enum: Any, field: str) -> list[int]:
    try:
        return [enum(v).value for v in values]
    except ValueError as exc:
        raise InvalidArgument(field, "names an unknown value") from exc


class AlertingServicer(alerting_service_pb2_grpc.AlertingServiceServicer):  # type: ignore[misc]
    def __init__(
        self, store: Store, clock: Clock, secrets: configure.SecretScopes, watch_poll: float = 0.2
    ) -> None:
        self.store = store
        self.clock = clock
        self.secrets = secrets
        self.watch_poll = watch_poll

    async def _mutate(
        self,
        request: Any,
        method: str,
        response_type: type[Response],
        work: Callable[[Transaction], Awaitable[Response]],
    ) -> Response:
        tenant_id = tenant_of(request)
        request_id = codec.required_id(request.request_id, "request_id")
        content = type(request)()
        content.CopyFrom(request)
        content.request_id = ""
        fingerprint = hashlib.sha256(content.SerializeToString(deterministic=True)).hexdigest()
        key = Idempotency(tenant_id, request_id, method, fingerprint)
        raw = await run_idempotent(
            self.store, key, work, lambda r: r.SerializeToString(), self.clock.now()
        )
        return response_type.FromString(raw)

    # --- plans ------------------------------------------------------------------------------------

    async def UpsertLiveSessionPlan(self, request: Any, context: Any) -> Any:
        tenant_id = tenant_of(request)
        plan = codec.plan_from(tenant_id, request.plan)

        async def work(tx: Transaction) -> plans_pb2.UpsertLiveSessionPlanResponse:
            now = self.clock.now()
            stored, created = await configure.upsert_plan(tx, plan, now)
            return plans_pb2.UpsertLiveSessionPlanResponse(
                plan=codec.plan_message(stored, now), created=created
            )

        return await self._mutate(
            request, "UpsertLiveSessionPlan", plans_pb2.UpsertLiveSessionPlanResponse, work
        )

    async def GetLiveSessionPlan(self, request: Any, context: Any) -> Any:
        tenant_id = tenant_of(request)
        session_id = codec.required_id(request.session_id, "session_id")
        sku_id = codec.required_id(request.sku_id, "sku_id")
        async with self.store.transaction() as tx:
            plan = await tx.get_plan(tenant_id, session_id, sku_id)
        if plan is None:
            raise PlanNotFound("no such plan", session_id=session_id, sku_id=sku_id)
        return plans_pb2.GetLiveSessionPlanResponse(plan=codec.plan_message(plan, self.clock.now()))

    async def ListLiveSessionPlans(self, request: Any, context: Any) -> Any:
        tenant_id = tenant_of(request)
        page = page_of(request)
        states = {PlanState(v) for v in _enum_values(request.states, PlanState, "states")}
        session_id = codec.optional_id(request.session_id, "session_id")
        sku_id = codec.optional_id(request.sku_id, "sku_id")
        now = self.clock.now()
        async with self.store.transaction() as tx:
            plans, token = await tx.list_plans(tenant_id, session_id, sku_id, page, states, now)
        return plans_pb2.ListLiveSessionPlansResponse(
            plans=[codec.plan_message(p, now) for p in plans], next_page_token=token
        )

    async def EndLiveSessionPlan(self, request: Any, context: Any) -> Any:
        tenant_id = tenant_of(request)
        session_id = codec.required_id(request.session_id, "session_id")
        sku_id = codec.optional_id(request.sku_id, "sku_id")

        async def work(tx: Transaction) -> plans_pb2.EndLiveSessionPlanResponse:
            now = self.clock.now()
            ended = await configure.end_plans(tx, tenant_id, session_id, sku_id, now)
            return plans_pb2.EndLiveSessionPlanResponse(
                plans=[codec.plan_message(p, now) for p in ended]
            )

        return await self._mutate(
            request, "EndLiveSessionPlan", plans_pb2.EndLiveSessionPlanResponse, work
        )

    # --- policies -----------------------------------------------------------------------------------

    async def UpsertAlertPolicy(self, request: Any, context: Any) -> Any:
        tenant_id = tenant_of(request)
        policy = codec.policy_from(tenant_id, request.policy)

        async def work(tx: Transaction) -> policies_pb2.UpsertAlertPolicyResponse:
            stored = await configure.upsert_policy(tx, policy, self.clock.now())
            return policies_pb2.UpsertAlertPolicyResponse(policy=codec.policy_message(stored))

        return await self._mutate(
            request, "UpsertAlertPolicy", policies_pb2.UpsertAlertPolicyResponse, work
        )

    async def GetAlertPolicy(self, request: Any, context: Any) -> Any:
        tenant_id = tenant_of(request)
        sku_id = codec.optional_id(request.sku_id, "sku_id")
        async with self.store.transaction() as tx:
            policy = await configure.effective_policy(tx, tenant_id, sku_id)
        return policies_pb2.GetAlertPolicyResponse(policy=codec.policy_message(policy))

    async def ListAlertPolicies(self, request: Any, context: Any) -> Any:
        tenant_id = tenant_of(request)
        page = page_of(request)
        async with self.store.transaction() as tx:
            policies, token = await tx.list_policies(tenant_id, page)
        return policies_pb2.ListAlertPoliciesResponse(
            policies=[codec.policy_message(p) for p in policies], next_page_token=token
        )

    async def DeleteAlertPolicy(self, request: Any, context: Any) -> Any:
        tenant_id = tenant_of(request)
        sku_id = codec.required_id(request.sku_id, "sku_id")

        async def work(tx: Transaction) -> policies_pb2.DeleteAlertPolicyResponse:
            policy = await configure.delete_policy(tx, tenant_id, sku_id)
            return policies_pb2.DeleteAlertPolicyResponse(policy=codec.policy_message(policy))

        return await self._mutate(
            request, "DeleteAlertPolicy", policies_pb2.DeleteAlertPolicyResponse, work
        )

    # --- receivers ----------------------------------------------------------------------------------

    async def UpsertReceiver(self, request: Any, context: Any) -> Any:
        tenant_id = tenant_of(request)
        receiver = codec.receiver_from(tenant_id, request.receiver)

        async def work(tx: Transaction) -> receivers_pb2.UpsertReceiverResponse:
            stored, created = await configure.upsert_receiver(
                tx, receiver, self.secrets.for_tenant(tenant_id), self.clock.now()
            )
            return receivers_pb2.UpsertReceiverResponse(
                receiver=codec.receiver_message(stored), created=created
            )

        return await self._mutate(
            request, "UpsertReceiver", receivers_pb2.UpsertReceiverResponse, work
        )

    async def GetReceiver(self, request: Any, context: Any) -> Any:
        tenant_id = tenant_of(request)
        receiver_id = codec.required_id(request.receiver_id, "receiver_id")
        async with self.store.transaction() as tx:
            receiver = await tx.get_receiver(tenant_id, receiver_id)
        if receiver is None:
            raise ReceiverNotFound("no such receiver", receiver_id=receiver_id)
        return receivers_pb2.GetReceiverResponse(receiver=codec.receiver_message(receiver))

    async def ListReceivers(self, request: Any, context: Any) -> Any:
        tenant_id = tenant_of(request)
        page = page_of(request)
        async with self.store.transaction() as tx:
            receivers, token = await tx.list_receivers(tenant_id, page)
        return receivers_pb2.ListReceiversResponse(
            receivers=[codec.receiver_message(r) for r in receivers], next_page_token=token
        )

    async def DeleteReceiver(self, request: Any, context: Any) -> Any:
        tenant_id = tenant_of(request)
        receiver_id = codec.required_id(request.receiver_id, "receiver_id")

        async def work(tx: Transaction) -> receivers_pb2.DeleteReceiverResponse:
            removed = await configure.delete_receiver(tx, tenant_id, receiver_id, self.clock.now())
            return receivers_pb2.DeleteReceiverResponse(receiver=codec.receiver_message(removed))

        return await self._mutate(
            request, "DeleteReceiver", receivers_pb2.DeleteReceiverResponse, work
        )

    # --- alerts -------------------------------------------------------------------------------------

    async def ListAlerts(self, request: Any, context: Any) -> Any:
        tenant_id = tenant_of(request)
        page = page_of(request)
        filters: dict[str, object] = {}
        if request.states:
            filters["states"] = _enum_values(request.states, AlertState, "states")
        if request.tiers:
            filters["tiers"] = [t.value for t in codec.tiers(request.tiers, "tiers")]
        if request.sku_id:
            filters["sku_id"] = codec.required_id(request.sku_id, "sku_id")
        if request.session_id:
            filters["session_id"] = codec.required_id(request.session_id, "session_id")
        if request.HasField("acknowledged"):
            filters["acknowledged"] = request.acknowledged
        if request.HasField("start_time"):
            filters["start_time"] = codec.read_time(request, "start_time", "start_time", False)
        if request.HasField("end_time"):
            filters["end_time"] = codec.read_time(request, "end_time", "end_time", False)
        async with self.store.transaction() as tx:
            alerts, token = await tx.list_alerts(tenant_id, filters, page)
        return alerts_pb2.ListAlertsResponse(
            alerts=[codec.alert_message(a) for a in alerts], next_page_token=token
        )

    async def GetAlert(self, request: Any, context: Any) -> Any:
        tenant_id = tenant_of(request)
        alert_id = codec.required_id(request.alert_id, "alert_id")
        async with self.store.transaction() as tx:
            alert = await tx.get_alert(tenant_id, alert_id)
        if alert is None:
            raise AlertNotFound("no such alert", alert_id=alert_id)
        return alerts_pb2.GetAlertResponse(alert=codec.alert_message(alert))

    async def AcknowledgeAlert(self, request: Any, context: Any) -> Any:
        tenant_id = tenant_of(request)
        alert_id = codec.required_id(request.alert_id, "alert_id")
        if not request.acknowledged_by or len(request.acknowledged_by) > 200:
            raise InvalidArgument("acknowledged_by", "must be 1-200 characters")
        if len(request.comment) > 2000:
            raise InvalidArgument("comment", "must be at most 2000 characters")

        async def work(tx: Transaction) -> alerts_pb2.AcknowledgeAlertResponse:
            alert = await acknowledge.acknowledge(
                tx, tenant_id, alert_id, request.acknowledged_by, request.comment, self.clock.now()
            )
            return alerts_pb2.AcknowledgeAlertResponse(alert=codec.alert_message(alert))

        return await self._mutate(
            request, "AcknowledgeAlert", alerts_pb2.AcknowledgeAlertResponse, work
        )

    async def WatchAlerts(
        self, request: Any, context: grpc.aio.ServicerContext
    ) -> AsyncIterator[Any]:
        tenant_id = tenant_of(request)
        if request.after_sequence < 0:
            raise InvalidArgument("after_sequence", "must not be negative")
        tiers = {t.value for t in codec.tiers(request.tiers, "tiers")}
        skus = {codec.required_id(s, "sku_ids") for s in request.sku_ids}
        async for response in watch_alerts(
            self.store, tenant_id, request.after_sequence, skus, tiers, self.watch_poll
        ):
            yield response

    # --- inbox and deliveries -------------------------------------------------------------------------

    async def ListInboxItems(self, request: Any, context: Any) -> Any:
        tenant_id = tenant_of(request)
        page = page_of(request)
        receiver_id = codec.required_id(request.receiver_id, "receiver_id")
        async with self.store.transaction() as tx:
            if await tx.get_receiver(tenant_id, receiver_id) is None:
                raise ReceiverNotFound("no such receiver", receiver_id=receiver_id)
            items, token = await tx.list_inbox(
                tenant_id, receiver_id, request.unacknowledged_only, page
            )
        return deliveries_pb2.ListInboxItemsResponse(
            items=[
                deliveries_pb2.InboxItem(
                    item_id=item_id,
                    receiver_id=delivery.receiver_id,
                    kind=delivery.kind.value,
                    alert=codec.alert_message(alert),
                    create_time=codec.timestamp(delivery.deliver_time or delivery.create_time),
                )
                for item_id, delivery, alert in items
            ],
            next_page_token=token,
        )

    async def ListDeliveries(self, request: Any, context: Any) -> Any:
        tenant_id = tenant_of(request)
        page = page_of(request)
        filters: dict[str, object] = {}
        if request.alert_id:
            filters["alert_id"] = codec.required_id(request.alert_id, "alert_id")
        if request.receiver_id:
            filters["receiver_id"] = codec.required_id(request.receiver_id, "receiver_id")
        if request.channel:
            filters["channel"] = codec.channel(request.channel, "channel").value
        if request.statuses:
            filters["statuses"] = _enum_values(request.statuses, DeliveryStatus, "statuses")
        async with self.store.transaction() as tx:
            deliveries, token = await tx.list_deliveries(tenant_id, filters, page)
        return deliveries_pb2.ListDeliveriesResponse(
            deliveries=[codec.delivery_message(d) for d in deliveries], next_page_token=token
        )

    # --- forecast -----------------------------------------------------------------------------------

    async def GetForecast(self, request: Any, context: Any) -> Any:
        tenant_id = tenant_of(request)
        sku_id = codec.required_id(request.sku_id, "sku_id")
        session_id = codec.optional_id(request.session_id, "session_id")
        async with self.store.transaction() as tx:
            view = await forecasting.forecast(tx, tenant_id, sku_id, session_id, self.clock.now())
        return forecast_pb2.GetForecastResponse(forecast=codec.forecast_message(view))

    async def GetConsumptionCurve(self, request: Any, context: Any) -> Any:
        tenant_id = tenant_of(request)
        sku_id = codec.required_id(request.sku_id, "sku_id")
        session_id = codec.optional_id(request.session_id, "session_id")
        resolution = codec.read_span(request, "resolution", "resolution", timedelta(minutes=1))
        if resolution < MIN_RESOLUTION:
            raise InvalidArgument("resolution", "must be at least 1 second")
        async with self.store.transaction() as tx:
            plan = await forecasting.select_plan(
                tx, tenant_id, sku_id, session_id, self.clock.now()
            )
            if (plan.end_time - plan.start_time) / resolution > MAX_CURVE_POINTS:
                raise InvalidArgument(
                    "resolution", "gives more than 10,000 points over the session"
                )
            view = await forecasting.curve(
                tx, tenant_id, sku_id, plan.session_id, resolution, self.clock.now()
            )
        return codec.curve_message(view)

    # --- buyer reminders ------------------------------------------------------------------------------

    async def GetBuyerReminderSettings(self, request: Any, context: Any) -> Any:
        tenant_id = tenant_of(request)
        async with self.store.transaction() as tx:
            settings = await tx.get_reminder_settings(tenant_id) or BuyerReminderSettings(tenant_id)
        return reminders_pb2.GetBuyerReminderSettingsResponse(
            settings=codec.reminder_settings_message(settings)
        )

    async def UpdateBuyerReminderSettings(self, request: Any, context: Any) -> Any:
        tenant_id = tenant_of(request)
        settings = codec.reminder_settings_from(tenant_id, request.settings)

        async def work(tx: Transaction) -> reminders_pb2.UpdateBuyerReminderSettingsResponse:
            stored = await configure.update_reminder_settings(
                tx, settings, self.secrets.for_tenant(tenant_id), self.clock.now()
            )
            return reminders_pb2.UpdateBuyerReminderSettingsResponse(
                settings=codec.reminder_settings_message(stored)
            )

        return await self._mutate(
            request,
            "UpdateBuyerReminderSettings",
            reminders_pb2.UpdateBuyerReminderSettingsResponse,
            work,
        )

    async def ListBuyerReminders(self, request: Any, context: Any) -> Any:
        tenant_id = tenant_of(request)
        page = page_of(request)
        filters: dict[str, object] = {}
        for name in ("user_id", "reservation_id", "sku_id", "platform_id"):
            value = getattr(request, name)
            if value:
                filters[name] = codec.required_id(value, name)
        if request.statuses:
            filters["statuses"] = _enum_values(request.statuses, ReminderStatus, "statuses")
        async with self.store.transaction() as tx:
            reminders, token = await tx.list_reminders(tenant_id, filters, page)
        return reminders_pb2.ListBuyerRemindersResponse(
            reminders=[codec.reminder_message(r) for r in reminders], next_page_token=token
        )

    # --- quarantined events ---------------------------------------------------------------------------

    async def ListQuarantinedEvents(self, request: Any, context: Any) -> Any:
        tenant_id = tenant_of(request)
        page = page_of(request)
        sku_id = codec.optional_id(request.sku_id, "sku_id")
        async with self.store.transaction() as tx:
            events, token = await tx.list_quarantined(tenant_id, sku_id, page)
        return quarantine_pb2.ListQuarantinedEventsResponse(
            events=[
                quarantine_pb2.QuarantinedEvent(
                    sequence=event.sequence,
                    sku_id=event.sku_id,
                    occur_time=codec.timestamp(event.occur_time),
                    error=event.error,
                    quarantine_time=codec.timestamp(event.quarantine_time),
                )
                for event in events
            ],
            next_page_token=token,
        )
