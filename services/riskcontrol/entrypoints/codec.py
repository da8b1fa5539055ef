"""Protobuf <-> domain for the riskcontrol servicer. Enum numbers are shared with the contract."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from enum import Enum
from typing import Any, TypeVar

from google.protobuf import duration_pb2, timestamp_pb2
from streamstock.riskcontrol.v1 import (
    access_list_pb2,
    assessment_pb2,
    errors_pb2,
    rules_pb2,
    signals_pb2,
)
from streamstock.riskcontrol.v1 import (
    riskcontrol_service_pb2 as service_pb2,
)

from services.riskcontrol.domain.attempt import Attempt, AttemptKind, AttemptLine, EnforcementMode
from services.riskcontrol.domain.errors import InvalidArgument, RiskControlError
from services.riskcontrol.domain.keys import KeyLevel, KeySpec
from services.riskcontrol.domain.records import (
    AccessListEntry,
    Challenge,
    DecisionRecord,
    ShadowSetting,
)
from services.riskcontrol.domain.rules import LockStage, Rule, RuleSet
from services.riskcontrol.domain.scoring import Reason
from services.riskcontrol.service_layer.ports import Page
from services.runtime.errors import status_code

E = TypeVar("E", bound=Enum)
DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 1000


def member(enum: type[E], number: int, field: str) -> E:
    """The domain member of a contract enum value; UNSPECIFIED and unknown values are bad input."""
    if number == 0:
        raise InvalidArgument(field, "is required")
    try:
        return enum(number)
    except ValueError:
        raise InvalidArgument(field, f"has unknown value {number}") from None


def optional_member(enum: type[E], number: int, field: str) -> E | None:
    return None if number == 0 else member(enum, number, field)


def timestamp(moment: datetime | None) -> timestamp_pb2.Timestamp | None:
    if moment is None:
        return None
    value = timestamp_pb2.Timestamp()
    value.FromDatetime(moment.astimezone(UTC))
    return value


def moment(value: timestamp_pb2.Timestamp) -> datetime:
    return value.ToDatetime(tzinfo=UTC)


def duration(span: timedelta | None) -> duration_pb2.Duration | None:
    if span is None:
        return None
    value = duration_pb2.Duration()
    value.FromTimedelta(span)
    return value


def page(size: int, token: str) -> Page:
    if size < 0:
        raise InvalidArgument("page_size", "must not be negative")
    return Page(min(size or DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE), token)


def attempt(request: service_pb2.AssessRequest) -> Attempt:
    a = request.attempt
    if not request.HasField("attempt"):
        raise InvalidArgument("attempt", "is required")
    return Attempt(
        tenant_id=request.tenant_id,
        request_id=request.request_id,
        kind=member(AttemptKind, a.kind, "attempt.kind"),
        lines=tuple(
            AttemptLine(ln.sku_id, ln.quantity, ln.previous_quantity, ln.purchase_limit)
            for ln in a.lines
        ),
        lock_stage=member(LockStage, a.lock_stage, "attempt.lock_stage"),
        user_id=a.user_id,
        order_id=a.order_id,
        platform_id=a.platform_id,
        ip=a.ip,
        device_id=a.device_id,
        challenge_pass_token=a.challenge_pass_token,
        reservation_id=a.reservation_id,
        caller_mode=optional_member(EnforcementMode, request.caller_mode, "caller_mode")
        or EnforcementMode.ENFORCE,
    )


def assess_result(
    outcome: DecisionRecord | RiskControlError, path: str
) -> service_pb2.AssessBatchResult:
    """One result of AssessBatch; `path` names the request in the batch (`requests[3]`)."""
    if isinstance(outcome, DecisionRecord):
        return service_pb2.AssessBatchResult(response=assess_response(outcome))
    if isinstance(outcome, InvalidArgument):
        outcome = outcome.within(path)
    return service_pb2.AssessBatchResult(
        refusal=service_pb2.AssessRefusal(
            code=status_code(outcome.reason).value[0],
            reason=errors_pb2.ErrorReason.Value(f"ERROR_REASON_{outcome.reason}"),
            metadata=outcome.metadata,
            message=str(outcome),
        )
    )


def key_spec(key: signals_pb2.RiskKey, field: str) -> KeySpec:
    return KeySpec(
        member(KeyLevel, key.level, f"{field}.level"),
        key.sku_id, key.order_id, key.user_id, key.ip, key.device_id,
    )  # fmt: skip


def reason(value: Reason) -> assessment_pb2.Reason:
    return assessment_pb2.Reason(
        rule_id=value.rule_id,
        signal=value.signal.value if value.signal else _list_signal(value.rule_id),
        key_level=value.key_level.value,
        key=value.key,
        window=duration(value.window),
        observed=value.observed,
        threshold=value.threshold,
        score=value.score,
        shadow=value.shadow,
    )


def _list_signal(rule_id: str) -> int:
    if rule_id == "deny_list":
        return signals_pb2.RISK_SIGNAL_DENY_LIST
    return signals_pb2.RISK_SIGNAL_ALLOW_LIST


def challenge(value: Challenge | None) -> assessment_pb2.Challenge | None:
    if value is None:
        return None
    return assessment_pb2.Challenge(
        challenge_id=value.challenge_id,
        kind=value.kind.value,
        expire_time=timestamp(value.expire_time),
        state=value.state.value,
        user_id=value.user_id,
        sku_ids=list(value.sku_ids),
        decision_id=value.decision_id,
    )


def assess_response(record: DecisionRecord) -> service_pb2.AssessResponse:
    verdict = record.verdict
    return service_pb2.AssessResponse(
        decision_id=record.decision_id,
        decision=verdict.decision.value,
        score=verdict.score,
        reasons=[reason(r) for r in verdict.reasons],
        enforcement=verdict.enforcement.value,
        shadow_decision=verdict.shadow_decision.value,
        shadow_score=verdict.shadow_score,
        challenge=challenge(record.challenge),
        pass_token_status=record.pass_token.value,
        rules_version=record.rules_version,
    )


def decision_record(record: DecisionRecord) -> assessment_pb2.DecisionRecord:
    a, verdict = record.attempt, record.verdict
    return assessment_pb2.DecisionRecord(
        decision_id=record.decision_id,
        request_id=a.request_id,
        assess_time=timestamp(record.assess_time),
        kind=a.kind.value,
        lines=[
            assessment_pb2.AttemptLine(
                sku_id=ln.sku_id,
                quantity=ln.quantity,
                previous_quantity=ln.previous_quantity,
                purchase_limit=ln.purchase_limit,
            )
            for ln in a.lines
        ],
        lock_stage=a.lock_stage.value,
        platform_id=a.platform_id,
        user_id=a.user_id,
        order_id=a.order_id,
        ip_hash=record.ip_hash,
        device_hash=record.device_hash,
        reservation_id=a.reservation_id,
        decision=verdict.decision.value,
        shadow_decision=verdict.shadow_decision.value,
        score=verdict.score,
        shadow_score=verdict.shadow_score,
        reasons=[reason(r) for r in verdict.reasons],
        enforcement=verdict.enforcement.value,
        challenge=challenge(record.challenge),
        pass_token_status=record.pass_token.value,
        rules_version=record.rules_version,
    )


def access_list_entry(entry: AccessListEntry) -> access_list_pb2.AccessListEntry:
    return access_list_pb2.AccessListEntry(
        entry_id=entry.entry_id,
        list=entry.access_list.value,
        key_level=entry.key_level.value,
        key=entry.key,
        expire_time=timestamp(entry.expire_time),
        note=entry.note,
        created_by=entry.created_by,
        update_time=timestamp(entry.update_time),
    )


def rule(value: Rule) -> rules_pb2.Rule:
    return rules_pb2.Rule(
        rule_id=value.rule_id,
        description=value.description,
        signal=value.signal.value,
        key_level=value.key_level.value,
        window=duration(value.window),
        threshold=value.threshold,
        score=value.score,
        minimum_decision=value.minimum_decision.value if value.minimum_decision else 0,
        shadow=value.shadow,
        lock_stages=sorted(stage.value for stage in value.lock_stages),
    )


def shadow_mode(setting: ShadowSetting, document_shadow: bool) -> rules_pb2.ShadowMode:
    return rules_pb2.ShadowMode(
        enabled=setting.enabled(document_shadow),
        document_enabled=document_shadow,
        override=setting.override.value,
        override_reason=setting.reason,
        override_update_time=timestamp(setting.update_time),
    )


def rule_set(value: RuleSet, setting: ShadowSetting, extra: dict[str, Any]) -> rules_pb2.RuleSet:
    return rules_pb2.RuleSet(
        version=value.version,
        source=value.source,
        rules=[rule(r) for r in value.rules],
        thresholds=rules_pb2.ScoreThresholds(
            challenge_score=value.thresholds.challenge_score,
            block_score=value.thresholds.block_score,
        ),
        shadow_mode=shadow_mode(setting, value.shadow),
        **extra,
    )
