"""The dispatcher: hands due notifications, sale actions and buyer reminders to their channels.

Work is claimed from the outbox with `FOR UPDATE SKIP LOCKED` under a lease, so several instances
share it and a crashed instance's claims return after the lease. Each claimed item is sent
concurrently under its own timeout: a slow or failing channel never holds up the others, and the
outcomes of a round are recorded together in one transaction. Every attempt carries the delivery's
idempotency key, so a notification whose success was not recorded (crash after the send) is
recognised by the receiver when it comes again. At most one delivery per receiver, channel and SKU is claimed at a time, in due order, so a
receiver sees YELLOW, ORANGE and RED of a SKU in that order.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import timedelta

from services.alerting.domain.alerts import ActionResult, ActionStatus
from services.alerting.domain.deliveries import Backoff, DeliveryStatus, NotificationKind
from services.alerting.domain.policy import SALE_ACTIONS
from services.alerting.domain.receivers import Channel
from services.alerting.domain.reminders import BuyerReminder
from services.alerting.domain.sale_status import action_reason
from services.alerting.service_layer.ports import (
    ActionOutcome,
    ClaimedAction,
    ClaimedDelivery,
    Clock,
    DeliveryFailed,
    DeliveryOutcome,
    Notification,
    NotificationSender,
    ReminderSender,
    SaleController,
    SaleStatusChangedMeanwhile,
    Store,
    Wakeup,
)

log = logging.getLogger(__name__)

_STOP_ON_ACK = (NotificationKind.ESCALATION, NotificationKind.REPEAT)


@dataclass(frozen=True)
class DispatchSettings:
    lease: timedelta = timedelta(seconds=30)
    batch_size: int = 100
    send_timeout_seconds: float = 5.0
    idle_poll_seconds: float = 1.0
    backoff: Backoff = field(default_factory=Backoff)


def _cancel_reason(claimed: ClaimedDelivery) -> str:
    delivery, alert, receiver = claimed.delivery, claimed.alert, claimed.receiver
    if receiver is None:
        return "the receiver was removed"
    if receiver.muted:
        return "the receiver is muted"
    if delivery.kind in _STOP_ON_ACK and alert.acknowledgement is not None:
        return "the alert was acknowledged"
    if delivery.kind in _STOP_ON_ACK and not alert.is_open:
        return "the alert resolved"
    return ""


class Dispatcher:
    def __init__(
        self,
        store: Store,
        senders: Mapping[Channel, NotificationSender],
        reminders: ReminderSender,
        sales: SaleController,
        clock: Clock,
        wakeup: Wakeup,
        settings: DispatchSettings = DispatchSettings(),
    ) -> None:
        self.store = store
        self.senders = senders
        self.reminders = reminders
        self.sales = sales
        self.clock = clock
        self.wakeup = wakeup
        self.settings = settings
        self._handed: set[asyncio.Task[None]] = set()

    def hand_over(self, claimed: list[ClaimedDelivery]) -> None:
        """Sends notifications the follower claimed in its own transaction (see follow.Handoff)
        now, beside the claim rounds; run() lets them finish when the service drains."""
        task = asyncio.create_task(self._deliver_all(claimed))
        self._handed.add(task)
        task.add_done_callback(self._handed_done)

    def _handed_done(self, task: asyncio.Task[None]) -> None:
        self._handed.discard(task)
        if not task.cancelled() and task.exception() is not None:
            # The claims stay; the lease returns them to the claim rounds.
            log.error("handed-over deliveries failed", exc_info=task.exception())

    async def run(self) -> None:
        try:
            while True:
                handled = await self._drained_round()
                if handled == 0:
                    await self.wakeup.wait(await self._idle_seconds())
        except asyncio.CancelledError:
            if self._handed:
                await asyncio.wait(self._handed, timeout=self.settings.send_timeout_seconds + 1.0)
            raise

    async def _drained_round(self) -> int:
        """One round; when the service drains (the task is cancelled), the sends in flight get up
        to one send timeout to finish and be recorded, so a graceful stop leaves no claim behind
        for the lease to return (a crash still does, and the lease covers it)."""
        current = asyncio.ensure_future(self.run_once())
        try:
            return await asyncio.shield(current)
        except asyncio.CancelledError:
            await asyncio.wait([current], timeout=self.settings.send_timeout_seconds + 1.0)
            raise

    async def _idle_seconds(self) -> float:
        async with self.store.transaction() as tx:
            due = await tx.next_due_time()
        if due is None:
            return self.settings.idle_poll_seconds
        wait = (due - self.clock.now()).total_seconds()
        return min(self.settings.idle_poll_seconds, max(0.005, wait))

    async def run_once(self) -> int:
        now = self.clock.now()
        lease_until = now + self.settings.lease
        limit = self.settings.batch_size
        async with self.store.transaction() as tx:
            deliveries = await tx.claim_deliveries(now, lease_until, limit)
            actions = await tx.claim_sale_actions(now, lease_until, limit)
            reminders = await tx.claim_reminders(now, lease_until, limit)
        reminding = [self._remind(r) for r in reminders]
        await asyncio.gather(self._deliver_all(deliveries), self._act_all(actions), *reminding)
        return len(deliveries) + len(actions) + len(reminders)

    async def _deliver_all(self, claimed: list[ClaimedDelivery]) -> None:
        """Sends concurrently, then records every outcome in one transaction (one commit per round
        however many notifications went out, so the dispatcher never crowds out the follower)."""
        if not claimed:
            return
        outcomes = list(await asyncio.gather(*(self._deliver(c) for c in claimed)))
        async with self.store.transaction() as tx:
            await tx.finish_deliveries(outcomes, self.clock.now())

    async def _attempt(self, send: Callable[[], Awaitable[None]]) -> str:
        """Runs one send under the timeout; returns the error, empty on success."""
        try:
            await asyncio.wait_for(send(), self.settings.send_timeout_seconds)
        except DeliveryFailed as error:
            return str(error) or type(error).__name__
        except TimeoutError:
            return f"no answer within {self.settings.send_timeout_seconds} s"
        return ""

    async def _deliver(self, claimed: ClaimedDelivery) -> DeliveryOutcome:
        delivery = claimed.delivery
        cancel = _cancel_reason(claimed)
        if cancel:
            return DeliveryOutcome(delivery, DeliveryStatus.CANCELLED, None, cancel)
        assert claimed.receiver is not None
        sender = self.senders[delivery.channel]
        notification = Notification(delivery, claimed.alert, claimed.receiver)
        error = await self._attempt(lambda: sender.send(notification))
        now = self.clock.now()
        status, next_attempt = DeliveryStatus.DELIVERED, None
        if error:
            next_attempt = self.settings.backoff.next_attempt(delivery.attempt_count, now)
            status = DeliveryStatus.RETRYING if next_attempt else DeliveryStatus.FAILED
            log.warning("delivery %s failed: %s", delivery.idempotency_key, error)
        return DeliveryOutcome(delivery, status, next_attempt, error)

    async def _act_all(self, claimed: list[ClaimedAction]) -> None:
        """Runs the actions concurrently, then records their outcomes in one transaction; an
        outcome whose alert another writer holds is recorded on its own once that writer is
        done (a transaction waiting on one row lock holds no other)."""
        if not claimed:
            return
        outcomes = list(await asyncio.gather(*(self._act(c) for c in claimed)))
        async with self.store.transaction() as tx:
            held = await tx.finish_sale_actions(outcomes, wait=False)
        for outcome in held:
            async with self.store.transaction() as tx:
                await tx.finish_sale_actions([outcome], wait=True)

    async def _act(self, claimed: ClaimedAction) -> ActionOutcome:
        request = claimed.request
        if request.action in SALE_ACTIONS and not claimed.alert.is_open:
            # Resolved before its pause ran: pausing now would hold a sale nobody resumes.
            now = self.clock.now()
            skipped = ActionResult(
                request.action, ActionStatus.SKIPPED, now, "the alert resolved before it ran"
            )
            return ActionOutcome(request, skipped, None)
        try:
            error = await self._attempt(
                lambda: self.sales.set_sale_status(
                    request.tenant_id,
                    request.sku_id,
                    request.action,
                    f"alerting:{request.alert_id}:{request.action.name.lower()}",
                    action_reason(claimed.alert),
                )
            )
        except SaleStatusChangedMeanwhile as changed:
            detail = f"someone else changed the sale status meanwhile: {changed}"
            skipped = ActionResult(request.action, ActionStatus.SKIPPED, self.clock.now(), detail)
            return ActionOutcome(request, skipped, None)
        now = self.clock.now()
        next_attempt = None
        status = ActionStatus.SUCCEEDED
        if error:
            next_attempt = self.settings.backoff.next_attempt(claimed.attempt_count, now)
            status = ActionStatus.PENDING if next_attempt else ActionStatus.FAILED
        return ActionOutcome(
            request, ActionResult(request.action, status, now, error), next_attempt
        )

    async def _remind(self, reminder: BuyerReminder) -> None:
        error = await self._attempt(lambda: self.reminders.send(reminder))
        now = self.clock.now()
        next_attempt = None
        if error:
            next_attempt = self.settings.backoff.next_attempt(reminder.attempt_count, now)
        async with self.store.transaction() as tx:
            await tx.finish_reminder(replace(reminder), now, next_attempt, error)
