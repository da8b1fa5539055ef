"""What alerting's use cases need from the outside world, as protocols the adapters implement."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Collection, Mapping, Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Protocol

from services.alerting.domain.alerts import ActionResult, Alert, AlertChange
from services.alerting.domain.deliveries import Delivery, DeliveryStatus
from services.alerting.domain.events import StockEvent, StockLevels
from services.alerting.domain.plan import LiveSessionPlan, PlanState
from services.alerting.domain.policy import AlertPolicy, ResponseAction, Tier
from services.alerting.domain.receivers import Channel, Receiver
from services.alerting.domain.reminders import BuyerReminder, BuyerReminderSettings
from services.alerting.domain.sale_status import SkuSaleStatus, resume_on_recovery
from services.alerting.domain.session import SessionConsumption

SkuKey = tuple[str, str]  # (tenant, sku)
SessionKey = tuple[str, str, str]  # (tenant, sku, session); session '' for alerts outside plans


class Clock(Protocol):
    def now(self) -> datetime: ...


class IdFactory(Protocol):
    def alert_id(self) -> str: ...

    def reminder_id(self) -> str: ...


class EventSource(Protocol):
    """Inventory's event log from a sequence on, in batches, then live; endless until cancelled."""

    def batches(self, after_sequence: int) -> AsyncIterator[Sequence[StockEvent]]: ...


class DeliveryFailed(Exception):
    """A channel refused or could not take a notification; the attempt is retried with backoff."""


class SaleStatusChangedMeanwhile(Exception):
    """inventory refused a resume: the SKU is no longer in the pause alerting set (someone else
    changed its status after the follower last saw it). Not retried: the resume is skipped."""


@dataclass(frozen=True)
class Notification:
    delivery: Delivery
    alert: Alert
    receiver: Receiver


class NotificationSender(Protocol):
    async def send(self, notification: Notification) -> None:
        """Hands the notification to the channel or raises DeliveryFailed."""
        ...


class ReminderSender(Protocol):
    async def send(self, reminder: BuyerReminder) -> None:
        """Posts the reminder to the buyer's platform or raises DeliveryFailed."""
        ...


class SaleController(Protocol):
    async def set_sale_status(
        self, tenant_id: str, sku_id: str, action: ResponseAction, request_id: str, reason: str
    ) -> None:
        """Pauses, stops or resumes a SKU's sale in inventory or raises DeliveryFailed; a resume
        applies only from the pause, else SaleStatusChangedMeanwhile."""
        ...


@dataclass
class FollowContext:
    """The state the event fold reads and changes for the SKUs of one batch."""

    levels: dict[SkuKey, StockLevels] = field(default_factory=dict)
    plans: dict[SkuKey, list[LiveSessionPlan]] = field(default_factory=dict)
    consumption: dict[SessionKey, SessionConsumption] = field(default_factory=dict)
    open_alerts: dict[SessionKey, dict[Tier, Alert]] = field(default_factory=dict)
    policies: dict[SkuKey, AlertPolicy] = field(default_factory=dict)
    receivers: dict[str, list[Receiver]] = field(default_factory=dict)
    reminder_settings: dict[str, BuyerReminderSettings] = field(default_factory=dict)
    sale_status: dict[SkuKey, SkuSaleStatus] = field(default_factory=dict)

    def recovery(self, key: SkuKey, now: datetime) -> Callable[[Alert], Alert]:
        """Completes an alert of the SKU that clears (the resume of a sale it paused)."""
        status = self.sale_status.get(key)
        return lambda alert: resume_on_recovery(alert, status, now)


@dataclass(frozen=True)
class SaleActionRequest:
    tenant_id: str
    sku_id: str
    alert_id: str
    action: ResponseAction


@dataclass
class Writes:
    """Everything one transaction of derived state writes; alerts by id hold their last version."""

    levels: dict[SkuKey, tuple[StockLevels, datetime]] = field(default_factory=dict)
    consumption: dict[SessionKey, SessionConsumption] = field(default_factory=dict)
    samples: dict[tuple[str, str, str, datetime], tuple[int, int]] = field(default_factory=dict)
    sale_status: dict[SkuKey, SkuSaleStatus] = field(default_factory=dict)
    alerts: dict[str, Alert] = field(default_factory=dict)
    changes: list[AlertChange] = field(default_factory=list)
    deliveries: list[Delivery] = field(default_factory=list)
    resolved: list[Alert] = field(default_factory=list)
    stopped: list[str] = field(default_factory=list)
    suppressed: list[str] = field(default_factory=list)
    sale_actions: list[SaleActionRequest] = field(default_factory=list)
    reminders: list[BuyerReminder] = field(default_factory=list)
    closed_holds: list[tuple[str, str]] = field(default_factory=list)
    # The follower's new checkpoint (follower, last sequence applied, that event's time, when it
    # was applied): stored with the SKUs' state in one statement, under the row lock the
    # transaction took first.
    checkpoint: tuple[str, int, datetime, datetime] | None = None

    @property
    def enqueues_work(self) -> bool:
        return bool(self.deliveries or self.sale_actions or self.reminders)


@dataclass(frozen=True)
class ClaimedDelivery:
    delivery: Delivery
    alert: Alert
    receiver: Receiver | None


@dataclass(frozen=True)
class DeliveryOutcome:
    delivery: Delivery
    status: DeliveryStatus
    next_attempt: datetime | None
    error: str


@dataclass(frozen=True)
class ClaimedAction:
    request: SaleActionRequest
    attempt_count: int
    alert: Alert


@dataclass(frozen=True)
class ActionOutcome:
    request: SaleActionRequest
    result: ActionResult
    next_attempt: datetime | None


@dataclass(frozen=True)
class Page:
    size: int
    token: str


@dataclass(frozen=True)
class QuarantinedEvent:
    """An inventory event the follower set aside because applying it failed the same way every
    time (service_layer/poison.py); the event itself is still in inventory's log."""

    sequence: int
    tenant_id: str
    sku_id: str
    occur_time: datetime
    error: str
    quarantine_time: datetime


class Transaction(Protocol):
    """One PostgreSQL transaction; every write of a use case happens in exactly one."""

    # --- the event follower -------------------------------------------------------------------
    async def lock_checkpoint(self, follower: str) -> int: ...

    async def quarantine_event(
        self, follower: str, event: StockEvent, error: str, now: datetime
    ) -> bool:
        """Records an event the follower cannot apply and moves the checkpoint past it, under
        the checkpoint's row lock; False when the checkpoint had already passed it."""
        ...

    async def follow_from(self, follower: str) -> int:
        """lock_checkpoint for a batch of the follower, in the same round trip letting this
        transaction commit without waiting for its log to reach the disk."""
        ...

    async def load_follow_context(
        self, keys: Collection[SkuKey], since: datetime, until: datetime, reminders: bool
    ) -> FollowContext: ...

    async def due_tick_skus(
        self,
        now: datetime,
        quiet: timedelta,
        repeats_since: datetime | None,
        default_repeat: timedelta,
    ) -> list[SkuKey]:
        """The SKUs with an open alert that time alone may change now, in order (the ticker goes
        through them in slices): quiet ones, without an event for `quiet` by the stream's clock
        (now less the follower's delay at its last batch: the follower evaluates the others at
        each of their events, and a follower running behind must not make every SKU look quiet);
        those with an open alert the follower does not evaluate (a session alert whose plan is not
        live, a SKU-wide alert while a plan is live); and those with a firing, unacknowledged
        alert whose next repeat came due after `repeats_since` (None: any repeat due;
        `default_repeat` where no policy is stored)."""
        ...

    async def load_open_context(self, now: datetime, keys: Sequence[SkuKey]) -> FollowContext:
        """The open alerts of these SKUs with their plans, consumption, policies and receivers
        (for the ticker)."""
        ...

    async def save_writes(self, writes: Writes, now: datetime, log_changes: bool = True) -> None:
        """Writes the fold's result; deliveries insert with ON CONFLICT DO NOTHING (dedup). The
        alert changes are logged last unless `log_changes` is False: then the caller logs them
        with log_changes as the transaction's last statement."""
        ...

    async def log_changes(self, writes: Writes, now: datetime) -> None:
        """Appends the writes' alert changes to the change log, in order. It holds the log's
        lock (sequences become visible in order) until the transaction ends, so it comes last."""
        ...

    async def notified_channels(
        self, alert_ids: Collection[str]
    ) -> dict[str, dict[str, set[Channel]]]:
        """{alert_id: {receiver_id: channels}} of the notifications sent or on their way."""
        ...

    # --- the dispatcher -------------------------------------------------------------------------
    async def claim_deliveries(
        self, now: datetime, lease_until: datetime, limit: int
    ) -> list[ClaimedDelivery]:
        """Claims due deliveries that head their receiver, channel and SKU, with their alerts and
        receivers."""
        ...

    async def claim_listed_deliveries(
        self, now: datetime, lease_until: datetime, among: Collection[str]
    ) -> list[Delivery]:
        """The same claim, of these delivery ids only (the caller has their alerts and receivers)."""
        ...

    async def finish_deliveries(self, outcomes: Sequence[DeliveryOutcome], now: datetime) -> None:
        """Records attempts; DELIVERED IN_APP deliveries land in the inbox in this transaction."""
        ...

    async def next_due_time(self) -> datetime | None: ...

    async def claim_sale_actions(
        self, now: datetime, lease_until: datetime, limit: int
    ) -> list[ClaimedAction]: ...

    async def finish_sale_actions(
        self, outcomes: Sequence[ActionOutcome], wait: bool
    ) -> list[ActionOutcome]:
        """Records the actions' outcomes and their results in their alerts, under the alerts' row
        locks (not the follower's checkpoint lock): every writer of an alert whose action is
        pending reads it locked (load_follow_context, open_alerts_of with lock). Without `wait`,
        outcomes whose alert another writer holds are left out and returned (so a batch never
        waits on row locks while holding others); with it, the caller passes one outcome."""
        ...

    async def claim_reminders(
        self, now: datetime, lease_until: datetime, limit: int
    ) -> list[BuyerReminder]: ...

    async def finish_reminder(
        self, reminder: BuyerReminder, now: datetime, next_attempt: datetime | None, error: str
    ) -> None: ...

    # --- configuration and queries ----------------------------------------------------------------
    async def replay_request(
        self, tenant_id: str, request_id: str, method: str, fingerprint: str
    ) -> bytes | None:
        """The stored response of a retry; raises RequestIdReused for different content."""
        ...

    async def record_request(
        self,
        tenant_id: str,
        request_id: str,
        method: str,
        fingerprint: str,
        response: bytes,
        now: datetime,
    ) -> None:
        """Stores the response of a request id answered `now` (its retention counts from then)."""
        ...

    async def get_plan(
        self, tenant_id: str, session_id: str, sku_id: str
    ) -> LiveSessionPlan | None: ...

    async def lock_plan(
        self, tenant_id: str, session_id: str, sku_id: str
    ) -> LiveSessionPlan | None: ...

    async def plans_of_sku(self, tenant_id: str, sku_id: str) -> list[LiveSessionPlan]: ...

    async def save_plan(self, plan: LiveSessionPlan) -> None: ...

    async def list_plans(
        self,
        tenant_id: str,
        session_id: str,
        sku_id: str,
        page: Page,
        states: Collection[PlanState] = (),
        now: datetime | None = None,
    ) -> tuple[list[LiveSessionPlan], str]:
        """Plans newest first; with `states`, only those in one of them at `now`."""
        ...

    async def get_policy(self, tenant_id: str, sku_id: str) -> AlertPolicy | None: ...

    async def save_policy(self, policy: AlertPolicy) -> None: ...

    async def delete_policy(self, tenant_id: str, sku_id: str) -> bool: ...

    async def list_policies(self, tenant_id: str, page: Page) -> tuple[list[AlertPolicy], str]: ...

    async def get_receiver(self, tenant_id: str, receiver_id: str) -> Receiver | None: ...

    async def save_receiver(self, receiver: Receiver) -> None: ...

    async def delete_receiver(self, tenant_id: str, receiver_id: str, now: datetime) -> None: ...

    async def list_receivers(self, tenant_id: str, page: Page) -> tuple[list[Receiver], str]: ...

    async def lock_alert(self, tenant_id: str, alert_id: str) -> Alert | None: ...

    async def get_alert(self, tenant_id: str, alert_id: str) -> Alert | None: ...

    async def list_alerts(
        self, tenant_id: str, filters: Mapping[str, object], page: Page
    ) -> tuple[list[Alert], str]: ...

    async def open_alerts_of(
        self, tenant_id: str, sku_id: str, session_id: str, lock: bool = False
    ) -> list[Alert]:
        """With `lock`, for a writer of the alerts: a sale action's result lands in an alert
        under its row lock (finish_sale_actions), so a writer locks what it read."""
        ...

    async def consumption_of(
        self, tenant_id: str, session_id: str, sku_id: str
    ) -> SessionConsumption | None: ...

    async def samples_of(
        self, tenant_id: str, session_id: str, sku_id: str
    ) -> list[tuple[datetime, int, int]]: ...

    async def levels_of(self, tenant_id: str, sku_id: str) -> StockLevels | None: ...

    async def list_inbox(
        self, tenant_id: str, receiver_id: str, unacknowledged_only: bool, page: Page
    ) -> tuple[list[tuple[str, Delivery, Alert]], str]: ...

    async def list_deliveries(
        self, tenant_id: str, filters: Mapping[str, object], page: Page
    ) -> tuple[list[Delivery], str]: ...

    async def get_reminder_settings(self, tenant_id: str) -> BuyerReminderSettings | None: ...

    async def save_reminder_settings(self, settings: BuyerReminderSettings) -> None: ...

    async def list_reminders(
        self, tenant_id: str, filters: Mapping[str, object], page: Page
    ) -> tuple[list[BuyerReminder], str]: ...

    async def changes_after(
        self, tenant_id: str, after_sequence: int, limit: int
    ) -> list[tuple[int, AlertChange, datetime]]: ...

    async def change_horizon(self, tenant_id: str) -> int:
        """The highest sequence pruned from the tenant's change log (0: nothing pruned)."""
        ...

    async def latest_change(self, tenant_id: str) -> int:
        """The tenant's latest change sequence, or its horizon when everything was pruned."""
        ...

    async def prune_changes(self, older_than: datetime, limit: int) -> int:
        """Deletes up to `limit` changes from the log's prefix older than `older_than`, never an
        open alert's last change; returns how many."""
        ...

    async def prune_samples(self, closed_before: datetime, limit: int) -> int:
        """Deletes up to `limit` curve samples of plans that closed before `closed_before`;
        returns how many."""
        ...

    # --- retention: each deletes up to `limit` rows and returns how many ---------------------------
    async def prune_requests(self, answered_before: datetime, limit: int) -> int:
        """Request records answered before the time: a retry of their ids is a new request."""
        ...

    async def prune_inbox(self, created_before: datetime, acknowledged: bool, limit: int) -> int:
        """Inbox items that arrived before the time, of alerts no longer open that were (or, with
        `acknowledged` False, were never) acknowledged."""
        ...

    async def prune_deliveries(self, created_before: datetime, limit: int) -> int:
        """Finished, unclaimed deliveries scheduled before the time, of alerts no longer open, and
        not in an inbox (an inbox item shows its delivery)."""
        ...

    async def prune_alerts(self, resolved_before: datetime, limit: int) -> int:
        """Alerts resolved before the time with their finished sale actions; never one with a
        pending sale action, a delivery still scheduled or retrying, or an inbox item."""
        ...

    async def prune_reminders(self, before: datetime, limit: int) -> int:
        """Buyer reminders no longer pending, made before the time and whose hold expired before
        it (no event of that hold can come again and make a second reminder)."""
        ...

    async def prune_quarantined(self, quarantined_before: datetime, limit: int) -> int:
        """Quarantined events set aside before the time."""
        ...

    async def list_quarantined(
        self, tenant_id: str, sku_id: str, page: Page
    ) -> tuple[list[QuarantinedEvent], str]:
        """The tenant's quarantined events (of one SKU when `sku_id` is set), newest first."""
        ...


class Store(Protocol):
    def transaction(self) -> AbstractAsyncContextManager[Transaction]: ...


class Wakeup(Protocol):
    """Lets the dispatcher sleep until new work is committed (in this or another instance)."""

    def notify(self) -> None: ...

    async def wait(self, timeout: float) -> None: ...
