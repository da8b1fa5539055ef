"""Assess: plan the signals, run them atomically in the store, score, audit."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import timedelta
from typing import Protocol

from services.riskcontrol.domain.attempt import Attempt, EnforcementMode, validate_attempt
from services.riskcontrol.domain.errors import SignalStoreUnavailable
from services.riskcontrol.domain.keys import KeyHasher
from services.riskcontrol.domain.records import (
    Challenge,
    ChallengeKind,
    ChallengeState,
    DecisionRecord,
    challenge_id_for,
)
from services.riskcontrol.domain.rules import Decision
from services.riskcontrol.domain.scoring import enforced, score_attempt
from services.riskcontrol.domain.signals import plan_signals
from services.riskcontrol.service_layer.ports import (
    AuditLog,
    Clock,
    IdFactory,
    ScriptAttempt,
    SignalStore,
)
from services.riskcontrol.service_layer.rulebook import RuleBook, ShadowBook


class DecisionMetrics(Protocol):
    def observe(self, record: DecisionRecord) -> None: ...


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

    async def assess(self, attempt: Attempt, budget_seconds: float) -> DecisionRecord:
        validate_attempt(attempt)
        rule_set = self.rules.in_force()
        global_shadow = self.shadow.of(attempt.tenant_id).enabled(rule_set.shadow)
        identity = attempt.identity(self.hasher)
        attempt_id = self.ids.new_id("dec")
        plan = plan_signals(rule_set, attempt, identity, attempt_id)
        now = self.clock.now()
        script = ScriptAttempt(
            attempt=attempt,
            attempt_id=attempt_id,
            fingerprint=attempt.fingerprint(),
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
        try:
            async with asyncio.timeout(budget_seconds):
                result = await self.store.assess(script)
        except TimeoutError as exc:
            raise SignalStoreUnavailable(
                "the signal store did not answer within the assessment budget",
                budget_ms=round(budget_seconds * 1000),
            ) from exc
        if result.replay:
            original = await self._original(attempt.tenant_id, result.attempt_id)
            if original is not None:
                return original
        verdict = score_attempt(
            plan,
            result.observed,
            result.lists,
            result.token,
            rule_set.thresholds,
            global_shadow,
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
        record = DecisionRecord(
            result.attempt_id,
            attempt,
            result.now,
            identity.ip_hash,
            identity.device_hash,
            verdict,
            challenge,
            result.token,
            rule_set.version,
        )
        if not result.replay:
            self.audit.record(record)
            self.metrics.observe(record)
        return record

    async def _original(self, tenant_id: str, decision_id: str) -> DecisionRecord | None:
        """The audited record of a replayed request (the retry gets the original decision)."""
        await self.audit.flush()
        return await self.audit.get(tenant_id, decision_id)
