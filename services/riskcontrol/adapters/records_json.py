"""Decision records as JSON documents for PostgreSQL (the audit keeps the whole record)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from services.riskcontrol.domain.attempt import Attempt, AttemptKind, AttemptLine, EnforcementMode
from services.riskcontrol.domain.keys import KeyLevel
from services.riskcontrol.domain.records import (
    Challenge,
    ChallengeKind,
    ChallengeState,
    DecisionRecord,
)
from services.riskcontrol.domain.rules import Decision, LockStage, Signal
from services.riskcontrol.domain.scoring import PassTokenStatus, Reason, Verdict


def encode(record: DecisionRecord) -> dict[str, Any]:
    attempt, verdict = record.attempt, record.verdict
    return {
        "decision_id": record.decision_id,
        "assess_time": record.assess_time.isoformat(),
        "ip_hash": record.ip_hash,
        "device_hash": record.device_hash,
        "rules_version": record.rules_version,
        "pass_token": record.pass_token.name,
        "attempt": {
            "request_id": attempt.request_id, "kind": attempt.kind.name,
            "lines": [[ln.sku_id, ln.quantity, ln.previous_quantity, ln.purchase_limit] for ln in attempt.lines],
            "lock_stage": attempt.lock_stage.name, "user_id": attempt.user_id,
            "order_id": attempt.order_id, "platform_id": attempt.platform_id,
            "reservation_id": attempt.reservation_id, "caller_mode": attempt.caller_mode.name,
        },
        "verdict": {
            "decision": verdict.decision.name, "score": verdict.score,
            "shadow_decision": verdict.shadow_decision.name, "shadow_score": verdict.shadow_score,
            "enforcement": verdict.enforcement.name,
            "reasons": [_reason(r) for r in verdict.reasons],
        },
        "challenge": _challenge(record.challenge),
    }  # fmt: skip


def _reason(reason: Reason) -> dict[str, Any]:
    return {
        "rule_id": reason.rule_id,
        "signal": reason.signal.name if reason.signal else None,
        "key_level": reason.key_level.name,
        "key": reason.key,
        "window_s": reason.window.total_seconds() if reason.window else None,
        "observed": reason.observed,
        "threshold": reason.threshold,
        "score": reason.score,
        "shadow": reason.shadow,
    }


def _challenge(challenge: Challenge | None) -> dict[str, Any] | None:
    if challenge is None:
        return None
    return {
        "challenge_id": challenge.challenge_id, "kind": challenge.kind.name,
        "expire_time": challenge.expire_time.isoformat(), "state": challenge.state.name,
        "user_id": challenge.user_id, "sku_ids": list(challenge.sku_ids),
        "decision_id": challenge.decision_id,
    }  # fmt: skip


def decode(tenant_id: str, data: dict[str, Any]) -> DecisionRecord:
    a, v = data["attempt"], data["verdict"]
    attempt = Attempt(
        tenant_id=tenant_id, request_id=a["request_id"], kind=AttemptKind[a["kind"]],
        lines=tuple(AttemptLine(*line) for line in a["lines"]),
        lock_stage=LockStage[a["lock_stage"]], user_id=a["user_id"], order_id=a["order_id"],
        platform_id=a["platform_id"], reservation_id=a["reservation_id"],
        caller_mode=EnforcementMode[a["caller_mode"]],
    )  # fmt: skip
    verdict = Verdict(
        Decision[v["decision"]], v["score"], Decision[v["shadow_decision"]], v["shadow_score"],
        tuple(_decode_reason(r) for r in v["reasons"]), EnforcementMode[v["enforcement"]],
    )  # fmt: skip
    c = data["challenge"]
    challenge = None
    if c is not None:
        challenge = Challenge(
            c["challenge_id"], ChallengeKind[c["kind"]], datetime.fromisoformat(c["expire_time"]),
            ChallengeState[c["state"]], c["user_id"], tuple(c["sku_ids"]), c["decision_id"],
        )  # fmt: skip
    return DecisionRecord(
        data["decision_id"], attempt, datetime.fromisoformat(data["assess_time"]),
        data["ip_hash"], data["device_hash"], verdict, challenge,
        PassTokenStatus[data["pass_token"]], data["rules_version"],
    )  # fmt: skip


def _decode_reason(r: dict[str, Any]) -> Reason:
    return Reason(
        r["rule_id"], Signal[r["signal"]] if r["signal"] else None, KeyLevel[r["key_level"]],
        r["key"], timedelta(seconds=r["window_s"]) if r["window_s"] is not None else None,
        r["observed"], r["threshold"], r["score"], r["shadow"],
    )  # fmt: skip
