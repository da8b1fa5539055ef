"""Assess: plan the signals, run them atomically in the store, score, audit.

A batch of attempts of one tenant is assessed in one store round trip (one script, each attempt
atomic in turn) and audited with the background writer's next batch. Single attempts of a tenant
that arrive while one of its batches is in the store queue and become its next batch, so a crowd
of Assess calls costs one script per batch, not one per call; alone, an attempt is a batch of one
and waits for nothing. An attempt refused on its own (bad input, reused request id) gets its
refusal as its outcome and costs the others nothing; what stops every attempt (no rules, no store)
raises.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from services.riskcontrol.domain.attempt import (
    MAX_BATCH,
    Attempt,
    EnforcementMode,
    validate_attempt,
    validate_batch_size,
)
from services.riskcontrol.domain.errors import (
    InvalidArgument,
    RequestIdReused,
    RiskControlError,
    SignalStoreUnavailable,
)
from services.riskcontrol.domain.keys import Identity, KeyHasher
from services.riskcontrol.domain.records import (
    Challenge,
    ChallengeKind,
    ChallengeState,
    DecisionRecord,
    challenge_id_for,
)
from services.riskcontrol.domain.rules import Decision, RuleSet
from services.riskcontrol.domain.scoring import enforced, score_attempt
from services.riskcontrol.domain.signals import SignalPlan, plan_signals
from services.riskcontrol.service_layer.ports import (
    AuditLog,
    Clock,
    IdFactory,
    ScriptAttempt,
    ScriptResult,
    SignalStore,
)
from services.riskcontrol.service_layer.rulebook import RuleBook, ShadowBook
from services.runtime.coalescer import Coalescer, Handover

# What one attempt of a batch comes to: its decision, or the refusal Assess would have raised.
Outcome = DecisionRecord | RiskControlError


class DecisionMetrics(Protocol):
    def observe(self, record: DecisionRecord) -> None: ...


@dataclass(frozen=True)
class _Planned:
    """An attempt ready for the store: its position in the batch, keys, plan and script."""

    position: int
    identity: Identity
    plan: SignalPlan
    global_shadow: bool
    script: ScriptAttempt


@dataclass(frozen=True)
class _Single:
    """An Assess call waiting for its tenant's next batch: the attempt and when its budget ends
    (event loop time)."""

    attempt: Attempt
    deadline: float


@dataclass
class Assessor:
    store: SignalStore
    audit: AuditLog
    rules: RuleBook
    shadow: ShadowBook
    hasher: KeyHasher
    clock: Clock
    ids: IdFactory
    metrics: DecisionMetrics
    challenge_ttl: timedelta = timedelta(minutes=5)

    def __post_init__(self) -> None:
        self._singles: Coalescer[str, _Single, DecisionRecord] = Coalescer(
            self._assess_singles, MAX_BATCH
        )

    async def assess(self, attempt: Attempt, budget_seconds: float) -> DecisionRecord:
        """The attempt's decision, assessed with the tenant's other single attempts in flight.
        Raises its refusal, or SignalStoreUnavailable when its budget runs out first (the attempt
        stays queued and is decided with its batch, so a retry with its request id replays it)."""
        deadline = asyncio.get_running_loop().time() + budget_seconds
        try:
            async with asyncio.timeout(budget_seconds):
                return await self._singles.submit(attempt.tenant_id, _Single(attempt, deadline))
        except TimeoutError as exc:
            raise _out_of_budget(budget_seconds) from exc

    async def _assess_singles(
        self, tenant_id: str, singles: list[_Single], _next_may_start: Handover
    ) -> list[Outcome]:
        """Given the budget of its most patient caller; each caller stops at its own."""
        now = asyncio.get_running_loop().time()
        budget = max(max(single.deadline for single in singles) - now, 0.001)
        return await self.assess_batch([single.attempt for single in singles], budget)

    async def assess_batch(
        self, attempts: Sequence[Attempt], budget_seconds: float
    ) -> list[Outcome]:
        """One outcome per attempt (all of one tenant), in order. Raises RulesUnavailable and
        SignalStoreUnavailable, which no attempt can be assessed without."""
        validate_batch_size(len(attempts))
        outcomes: list[Outcome | None] = [None] * len(attempts)
        valid: list[tuple[int, Attempt]] = []
        for position, attempt in enumerate(attempts):
            try:
                validate_attempt(attempt)
            except InvalidArgument as refusal:
                outcomes[position] = refusal
                continue
            valid.append((position, attempt))
        if valid:
            await self._decide(valid, outcomes, budget_seconds)
        answered = [outcome for outcome in outcomes if outcome is not None]
        assert len(answered) == len(attempts), "every attempt gets an outcome"
        return answered

    async def _decide(
        self,
        valid: list[tuple[int, Attempt]],
        outcomes: list[Outcome | None],
        budget_seconds: float,
    ) -> None:
        rule_set = self.rules.in_force()
        now = self.clock.now()
        planned = [self._plan(position, attempt, rule_set, now) for position, attempt in valid]
        results = await self._run([p.script for p in planned], budget_seconds)
        replays: list[tuple[_Planned, ScriptResult]] = []
        for item, result in zip(planned, results, strict=True):
            if isinstance(result, RequestIdReused):
                outcomes[item.position] = result
            elif result.replay:
                replays.append((item, result))
            else:
                record = self._record(item, result, rule_set)
                self.audit.record(record)
                self.metrics.observe(record)
                outcomes[item.position] = record
        if replays:
            await self._replay(replays, outcomes, rule_set)

    def _plan(self, position: int, attempt: Attempt, rule_set: RuleSet, now: datetime) -> _Planned:
        global_shadow = self.shadow.of(attempt.tenant_id).enabled(rule_set.shadow)
        identity = attempt.identity(self.hasher)
        attempt_id = self.ids.new_id("dec")
        plan = plan_signals(rule_set, attempt, identity, attempt_id)
        script = ScriptAttempt(
            attempt=attempt,
            attempt_id=attempt_id,
            fingerprint=attempt.fingerprint(identity),
            now=now,
            probes=plan.probes,
            enforced_checks=[c for c in plan.checks if enforced(c.rule, global_shadow)],
            list_keys=plan.list_keys,
            ip_hash=identity.ip_hash,
            device_hash=identity.device_hash,
            challenge_score=rule_set.thresholds.challenge_score,
            block_score=rule_set.thresholds.block_score,
            enforce=not global_shadow and attempt.caller_mode is EnforcementMode.ENFORCE,
            challenge_expire_time=now + self.challenge_ttl,
        )
        return _Planned(position, identity, plan, global_shadow, script)

    async def _run(
        self, scripts: list[ScriptAttempt], budget_seconds: float
    ) -> list[ScriptResult | RequestIdReused]:
        try:
            async with asyncio.timeout(budget_seconds):
                return await self.store.assess(scripts)
        except TimeoutError as exc:
            raise _out_of_budget(budget_seconds) from exc

    def _record(self, item: _Planned, result: ScriptResult, rule_set: RuleSet) -> DecisionRecord:
        attempt = item.script.attempt
        verdict = score_attempt(
            item.plan,
            result.observed,
            result.lists,
            result.token,
            rule_set.thresholds,
            item.global_shadow,
            attempt.caller_mode,
        )
        challenge = None
        if verdict.decision is Decision.CHALLENGE:
            challenge = Challenge(
                challenge_id_for(result.attempt_id),
                ChallengeKind.CAPTCHA,
                result.now + self.challenge_ttl,
                ChallengeState.PENDING,
                attempt.user_id,
                attempt.sku_ids,
                result.attempt_id,
            )
        return DecisionRecord(
            result.attempt_id,
            attempt,
            result.now,
            item.identity.ip_hash,
            item.identity.device_hash,
            verdict,
            challenge,
            result.token,
            rule_set.version,
        )

    async def _replay(
        self,
        replays: list[tuple[_Planned, ScriptResult]],
        outcomes: list[Outcome | None],
        rule_set: RuleSet,
    ) -> None:
        """Retries get the original decision: from this batch (a request repeated within it) or
        from the audit. A decision the audit lost is scored again from what the store kept."""
        decided = {o.decision_id: o for o in outcomes if isinstance(o, DecisionRecord)}
        await self.audit.flush()
        for item, result in replays:
            original = decided.get(result.attempt_id) or await self.audit.get(
                item.script.attempt.tenant_id, result.attempt_id
            )
            outcomes[item.position] = original or self._record(item, result, rule_set)


def _out_of_budget(budget_seconds: float) -> SignalStoreUnavailable:
    return SignalStoreUnavailable(
        "the signal store did not answer within the assessment budget",
        budget_ms=round(budget_seconds * 1000),
    )
