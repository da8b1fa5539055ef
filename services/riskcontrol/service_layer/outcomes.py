"""ReportOutcome and the inventory event follower: facts about orders feed the signals."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime

from services.riskcontrol.domain import feedback
from services.riskcontrol.domain.attempt import (
    validate_identifier,
    validate_ip,
    validate_request_id,
)
from services.riskcontrol.domain.errors import (
    DecisionNotFound,
    InvalidArgument,
    OutcomeDecisionMismatch,
)
from services.riskcontrol.domain.keys import Identity, KeyHasher
from services.riskcontrol.domain.records import OutcomeKind
from services.riskcontrol.domain.rules import MAX_WINDOW
from services.riskcontrol.service_layer.access_lists import fingerprint
from services.riskcontrol.service_layer.ports import (
    AuditLog,
    Clock,
    FeedbackCursor,
    HoldChange,
    HoldFact,
    IdFactory,
    InventoryEvents,
    Registry,
    SignalStore,
)
from services.runtime.periodic import stopping

log = logging.getLogger(__name__)

# Marks a request fingerprint made with the keyed IP and device hashes.
KEYED_FINGERPRINT = "keyed:"


@dataclass(frozen=True)
class OutcomeReport:
    tenant_id: str
    request_id: str
    kind: OutcomeKind
    order_id: str
    user_id: str
    sku_id: str = ""
    quantity: int = 0
    ip: str = ""
    device_id: str = ""
    decision_id: str = ""
    occur_time: datetime | None = None
    note: str = ""


@dataclass
class Outcomes:
    registry: Registry
    audit: AuditLog
    store: SignalStore
    hasher: KeyHasher
    clock: Clock
    ids: IdFactory

    async def report(self, report: OutcomeReport) -> tuple[str, list[str]]:
        _validate(report)
        identity = await self._identity(report)
        digest = self._fingerprint(report)
        outcome_id = self.ids.new_id("out")
        now = self.clock.now()
        details = {
            "order_id": report.order_id, "user_id": report.user_id, "sku_id": report.sku_id,
            "quantity": report.quantity, "ip_hash": identity.ip_hash,
            "device_hash": identity.device_hash, "decision_id": report.decision_id,
            "occur_time": (report.occur_time or now).isoformat(), "note": report.note,
        }  # fmt: skip
        earlier = await self.registry.record_outcome(
            report.tenant_id, outcome_id, report.request_id, digest, report.kind, details, now,
            # A retry of a report recorded before fingerprints used the keyed hashes.
            also_accepted=(fingerprint(report),),
        )  # fmt: skip
        if earlier is not None:
            return earlier
        ops = feedback.outcome(report.kind, identity, report.sku_id, outcome_id)
        await self.store.record_feedback(report.tenant_id, ops, now, MAX_WINDOW)
        keys = sorted({op.key for op in ops})
        await self.registry.save_outcome_keys(report.tenant_id, outcome_id, keys)
        return outcome_id, keys

    def _fingerprint(self, report: OutcomeReport) -> str:
        """The report's digest with its IP and device as keyed hashes (never a plain digest of
        them, which 2^32 guesses would reverse for an IPv4), marked as such."""
        keyed = replace(
            report,
            ip=self.hasher.digest(report.tenant_id, report.ip),
            device_id=self.hasher.digest(report.tenant_id, report.device_id),
        )
        return KEYED_FINGERPRINT + fingerprint(keyed)

    async def _identity(self, report: OutcomeReport) -> Identity:
        ip_hash = self.hasher.digest(report.tenant_id, report.ip)
        device_hash = self.hasher.digest(report.tenant_id, report.device_id)
        if report.decision_id:
            await self.audit.flush()
            record = await self.audit.get(report.tenant_id, report.decision_id)
            if record is None:
                raise DecisionNotFound("the decision is not known", decision_id=report.decision_id)
            attempt = record.attempt
            if (attempt.user_id, attempt.order_id) != (report.user_id, report.order_id) or (
                report.sku_id and report.sku_id not in attempt.sku_ids
            ):
                raise OutcomeDecisionMismatch(
                    "the decision is about another user, order or SKU",
                    decision_id=report.decision_id,
                )
            ip_hash = ip_hash or record.ip_hash
            device_hash = device_hash or record.device_hash
        return Identity(report.user_id, report.order_id, ip_hash, device_hash)


def _validate(report: OutcomeReport) -> None:
    validate_request_id(report.request_id)
    validate_identifier(report.order_id, "order_id")
    validate_identifier(report.user_id, "user_id")
    validate_identifier(report.sku_id, "sku_id", required=False)
    validate_identifier(report.device_id, "device_id", required=False)
    validate_identifier(report.decision_id, "decision_id", required=False)
    validate_ip(report.ip, "ip")
    if report.quantity < 0:
        raise InvalidArgument("quantity", "must not be negative")


CONSUMER = "inventory-events"


@dataclass
class EventFollower:
    """Follows inventory's events from the last sequence it processed, across restarts."""

    events: InventoryEvents
    cursor: FeedbackCursor
    store: SignalStore
    hasher: KeyHasher
    clock: Clock
    retry_seconds: float = 1.0

    async def run(self) -> None:
        while True:
            try:
                await self.follow_once()
            except Exception:
                log.warning("inventory event stream broke; resuming", exc_info=True)
            if stopping():
                # The stream client swallowed (or turned into an error) the cancellation that
                # stops the service: do not resume.
                raise asyncio.CancelledError
            await asyncio.sleep(self.retry_seconds)

    async def follow_once(self) -> None:
        after = await self.cursor.last_sequence(CONSUMER)
        async for batch in self.events.follow(after):
            await self.apply(batch.facts)
            await self.cursor.save(CONSUMER, batch.last_sequence)

    async def apply(self, facts: Sequence[HoldFact]) -> None:
        by_tenant: dict[str, list[feedback.FeedbackOp]] = {}
        for fact in facts:
            identity = Identity(
                fact.user_id,
                fact.order_id,
                self.hasher.digest(fact.tenant_id, fact.ip),
                self.hasher.digest(fact.tenant_id, fact.device_id),
            )
            by_tenant.setdefault(fact.tenant_id, []).extend(_ops(fact, identity))
        for tenant_id, ops in by_tenant.items():
            if ops:
                await self.store.record_feedback(tenant_id, ops, self.clock.now(), MAX_WINDOW)


def _ops(fact: HoldFact, identity: Identity) -> list[feedback.FeedbackOp]:
    if fact.change is HoldChange.EXPIRED:
        member = f"{fact.reservation_id}:{fact.sku_id}"
        return feedback.unpaid_expiry(identity, fact.sku_id, member)
    if fact.change is HoldChange.RELEASED:
        return feedback.release(identity, fact.sku_id, fact.reservation_id, fact.quantity)
    if fact.change is HoldChange.RESIZED or (
        fact.change is HoldChange.CREATED and fact.risk_decision_id
    ):
        return feedback.hold_made(
            identity, fact.sku_id, fact.reservation_id, fact.line_quantity, fact.risk_decision_id
        )
    return []
