"""What the riskcontrol use cases need from the outside world, as protocols the adapters implement."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import Enum
from typing import Protocol

from services.riskcontrol.domain.attempt import Attempt
from services.riskcontrol.domain.errors import RequestIdReused
from services.riskcontrol.domain.feedback import FeedbackOp
from services.riskcontrol.domain.keys import KeyLevel
from services.riskcontrol.domain.records import (
    AccessListEntry,
    DecisionRecord,
    OutcomeKind,
    ShadowSetting,
)
from services.riskcontrol.domain.rules import RuleSet
from services.riskcontrol.domain.scoring import AccessList, ListHit, PassTokenStatus
from services.riskcontrol.domain.signals import Check, Probe


class Clock(Protocol):
    def now(self) -> datetime: ...


class IdFactory(Protocol):
    def new_id(self, prefix: str) -> str: ...

    def pass_token(self) -> str: ...


@dataclass(frozen=True)
class ScriptAttempt:
    """Everything the signal store needs to assess an attempt in one atomic step."""

    attempt: Attempt
    attempt_id: str
    fingerprint: str
    now: datetime
    probes: Sequence[Probe]
    enforced_checks: Sequence[Check]
    list_keys: Sequence[tuple[KeyLevel, str]]
    ip_hash: str
    device_hash: str
    challenge_score: float
    block_score: float
    enforce: bool
    challenge_expire_time: datetime


@dataclass(frozen=True)
class ScriptResult:
    """What the store observed; `replay` when the request id was already assessed."""

    attempt_id: str
    now: datetime
    observed: Sequence[float]
    lists: Sequence[ListHit]
    token: PassTokenStatus
    replay: bool


@dataclass(frozen=True)
class ChallengeCompletion:
    status: str
    state: str = ""
    token: str = ""
    token_expire_time: datetime | None = None


@dataclass(frozen=True)
class StoredChallenge:
    user_id: str
    sku_ids: tuple[str, ...]
    expire_time: datetime
    state: str
    decision_id: str
    ip_hash: str
    device_hash: str


class SignalStore(Protocol):
    """The counters (Redis): every method is one atomic script on one tenant's slot."""

    async def assess(
        self, scripts: Sequence[ScriptAttempt]
    ) -> list[ScriptResult | RequestIdReused]:
        """The attempts of one tenant in one atomic step each, in order, in one round trip: a
        result per attempt, or RequestIdReused for a reused request id. Raises
        SignalStoreUnavailable when down."""
        ...

    async def read(self, tenant_id: str, probes: Sequence[Probe], now: datetime) -> list[float]: ...

    async def record_feedback(
        self, tenant_id: str, ops: Sequence[FeedbackOp], now: datetime, retention: timedelta
    ) -> None: ...

    async def challenge(self, tenant_id: str, challenge_id: str) -> StoredChallenge | None: ...

    async def complete_challenge(
        self,
        tenant_id: str,
        challenge_id: str,
        request_id: str,
        passed: bool,
        token: str,
        now: datetime,
        token_expire_time: datetime,
        failure_keys: Sequence[str],
        retention: timedelta,
    ) -> ChallengeCompletion: ...

    async def put_list_entry(self, tenant_id: str, entry: AccessListEntry) -> None: ...

    async def remove_list_entry(self, tenant_id: str, key: str) -> None: ...


@dataclass(frozen=True)
class DecisionFilter:
    sku_id: str = ""
    user_id: str = ""
    order_id: str = ""
    ip_hash: str = ""
    device_hash: str = ""
    decisions: tuple[int, ...] = ()
    rule_id: str = ""
    shadow_differs_only: bool = False
    start_time: datetime | None = None
    end_time: datetime | None = None


@dataclass(frozen=True)
class Page:
    size: int
    token: str


class AuditLog(Protocol):
    """Decision records (PostgreSQL), written off the Assess path in batches."""

    def record(self, record: DecisionRecord) -> None: ...

    async def flush(self) -> None: ...

    async def get(self, tenant_id: str, decision_id: str) -> DecisionRecord | None: ...

    async def list(
        self, tenant_id: str, where: DecisionFilter, page: Page
    ) -> tuple[list[DecisionRecord], str]: ...


@dataclass(frozen=True)
class RecordedRequest:
    fingerprint: str
    result: dict[str, object]


class Registry(Protocol):
    """Operator state in PostgreSQL: list entries, shadow overrides, outcomes, idempotency."""

    async def recorded_request(self, tenant_id: str, request_id: str) -> RecordedRequest | None: ...

    async def add_list_entry(
        self, tenant_id: str, entry: AccessListEntry, request_id: str, fingerprint: str
    ) -> tuple[AccessListEntry, bool]:
        """Stores (or replaces on the same list) the entry; raises AccessListConflict."""
        ...

    async def remove_list_entry(
        self, tenant_id: str, entry_id: str, request_id: str, fingerprint: str, now: datetime
    ) -> AccessListEntry: ...

    async def list_entries(
        self,
        tenant_id: str,
        access_list: AccessList | None,
        level: KeyLevel | None,
        key: str,
        include_expired: bool,
        now: datetime,
        page: Page,
    ) -> tuple[list[AccessListEntry], str]: ...

    async def live_entries(self, now: datetime) -> list[tuple[str, AccessListEntry]]: ...

    async def shadow_settings(self) -> dict[str, ShadowSetting]: ...

    async def set_shadow(
        self, tenant_id: str, setting: ShadowSetting, request_id: str, fingerprint: str
    ) -> ShadowSetting: ...

    async def record_outcome(
        self,
        tenant_id: str,
        outcome_id: str,
        request_id: str,
        fingerprint: str,
        kind: OutcomeKind,
        details: dict[str, object],
        now: datetime,
        also_accepted: Sequence[str] = (),
    ) -> tuple[str, list[str]] | None:
        """None when stored; the original (outcome_id, updated keys) for a retry: a request
        recorded with `fingerprint` or one of `also_accepted`. Raises RequestIdReused."""
        ...

    async def save_outcome_keys(
        self, tenant_id: str, outcome_id: str, keys: Sequence[str]
    ) -> None: ...


class RetentionStore(Protocol):
    """Deletes what is past its retention, at most `limit` rows per call (one short transaction
    each); every method returns how many rows it deleted."""

    async def forget_requests(self, answered_before: datetime, limit: int) -> int: ...

    async def forget_decisions(self, assessed_before: datetime, limit: int) -> int: ...

    async def forget_outcomes(self, recorded_before: datetime, limit: int) -> int: ...

    async def forget_list_entries(self, ended_before: datetime, limit: int) -> int:
        """Entries that stopped applying (expired or removed) before the time."""
        ...


class FeedbackCursor(Protocol):
    async def last_sequence(self, consumer: str) -> int: ...

    async def save(self, consumer: str, sequence: int) -> None: ...


class RulesParser(Protocol):
    def parse(self, document: str, source: str) -> RuleSet:
        """Raises RulesInvalid with every violation and its line."""
        ...


class HoldChange(Enum):
    EXPIRED = 1
    RELEASED = 2
    CONFIRMED = 3
    RESIZED = 4
    CREATED = 5


@dataclass(frozen=True)
class HoldFact:
    """One buyer-hold change from inventory's event stream: `quantity` is the units the change
    moved (negative when a resize shrank the line), `line_quantity` what the line holds after,
    `risk_decision_id` riskcontrol's decision that admitted the hold or its latest growth."""

    tenant_id: str
    sku_id: str
    change: HoldChange
    reservation_id: str
    user_id: str
    order_id: str
    quantity: int
    ip: str
    device_id: str
    line_quantity: int = 0
    risk_decision_id: str = ""


@dataclass(frozen=True)
class EventBatch:
    facts: Sequence[HoldFact]
    last_sequence: int


class InventoryEvents(Protocol):
    def follow(self, after_sequence: int) -> AsyncIterator[EventBatch]: ...
