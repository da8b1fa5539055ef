"""The counters in Redis, every operation one Lua script on one tenant's hash slot.

Key layout (the tenant is the hash tag, so all keys of a script share a Redis Cluster slot):
    rc:{tenant}:req:<request_id>          the first result of an Assess request id
    rc:{tenant}:pass:<token>              a pass token (user, SKUs, expiry, state)
    rc:{tenant}:challenge:<challenge_id>  a challenge (user, SKUs, expiry, state, hashes)
    rc:{tenant}:acl:<canonical key>       "allow:<entry id>" or "deny:<entry id>", expiring
    rc:{tenant}:<signal>:<canonical key>  a counter: sorted set (sliding log) or hash (tally,
                                          fields of domain/tally.py)

Tagging by tenant trades spreading one tenant over many nodes for a single script per Assess:
attempt keys span SKU, user, IP and device, and a script's keys must share a slot.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from importlib import resources
from typing import Any

import msgpack  # type: ignore[import-untyped]
import redis.exceptions

from services.riskcontrol.adapters.script_batch import ScriptBatch
from services.riskcontrol.domain import tally
from services.riskcontrol.domain.errors import RequestIdReused, SignalStoreUnavailable
from services.riskcontrol.domain.feedback import FeedbackOp
from services.riskcontrol.domain.keys import KeyLevel
from services.riskcontrol.domain.records import AccessListEntry
from services.riskcontrol.domain.rules import Decision, Signal
from services.riskcontrol.domain.scoring import AccessList, ListHit, PassTokenStatus
from services.riskcontrol.domain.signals import Probe
from services.riskcontrol.service_layer.ports import (
    ChallengeCompletion,
    ScriptAttempt,
    ScriptResult,
    StoredChallenge,
)

_UNAVAILABLE = (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError, OSError)
REQUEST_KEEP = timedelta(hours=24)
CHALLENGE_KEEP = timedelta(hours=24)
PROVISIONAL_GRACE = timedelta(seconds=120)  # RiskSettings.provisional_grace_seconds's default
_NO_TOKEN = "-"
_REQUEST_KEEP_MS = int(REQUEST_KEEP.total_seconds() * 1000)
_CHALLENGE_KEEP_MS = int(CHALLENGE_KEEP.total_seconds() * 1000)
_SIGNAL_NAMES = {signal: signal.name.lower() for signal in Signal}
_TOKENS = {status.name.lower(): status for status in PassTokenStatus}


def _ms(moment: datetime) -> int:
    return int(moment.timestamp() * 1000)


def _moment(ms: float) -> datetime:
    return datetime.fromtimestamp(ms / 1000, tz=UTC)


def _script(name: str) -> str:
    return resources.files("services.riskcontrol.adapters").joinpath(f"lua/{name}.lua").read_text()


class RedisSignalStore:
    """`provisional_grace`: how long an allowed attempt counts against a purchase limit without
    inventory's event confirming its hold (domain/tally.py)."""

    def __init__(self, client: Any, provisional_grace: timedelta = PROVISIONAL_GRACE) -> None:
        self._client = client
        self._grace_ms = int(provisional_grace.total_seconds() * 1000)
        self._assess = ScriptBatch(client, _script("assess"))
        self._complete = client.register_script(_script("complete_challenge"))
        self._feedback = client.register_script(_script("record_feedback"))

    @staticmethod
    def prefix(tenant_id: str) -> str:
        tag = tenant_id.replace("{", "(").replace("}", ")")
        return f"rc:{{{tag}}}:"

    def counter_key(self, tenant_id: str, signal: Signal, key: str) -> str:
        return f"{self.prefix(tenant_id)}{_SIGNAL_NAMES[signal]}:{key}"

    async def assess(
        self, scripts: Sequence[ScriptAttempt]
    ) -> list[ScriptResult | RequestIdReused]:
        """The attempts of one tenant in one script call, in order."""
        keys: list[str] = []
        documents = [self._document(script, keys) for script in scripts]
        # Keys go as bytes: redis-py passes bytes through, where it encodes each text again.
        encoded = [key.encode() for key in keys]
        raw = await self._run(self._assess, encoded, [msgpack.packb(documents)])
        return [_result(s, reply) for s, reply in zip(scripts, json.loads(raw), strict=True)]

    def _document(self, script: ScriptAttempt, keys: list[str]) -> list[Any]:
        """The attempt's position-coded document for assess.lua; appends its keys to `keys`."""
        attempt = script.attempt
        prefix = self.prefix(attempt.tenant_id)
        keys.append(f"{prefix}req:{attempt.request_id}")
        keys.append(f"{prefix}pass:{attempt.challenge_pass_token or _NO_TOKEN}")
        keys.append(f"{prefix}challenge:ch_{script.attempt_id}")
        keys.extend([f"{prefix}acl:{key}" for _, key in script.list_keys])
        # Probes on one key text share a group: a refusal on a key skips every write on it.
        groups: dict[str, int] = {}
        probes = []
        for p in script.probes:
            keys.append(f"{prefix}{_SIGNAL_NAMES[p.signal]}:{p.key}")
            group = groups.setdefault(p.key, len(groups) + 1)
            probes.append(
                [p.kind, p.window_ms, max(p.retention_ms, p.window_ms), p.member,
                 p.amount, p.limit, 1 if p.write else 0, p.previous, group]
            )  # fmt: skip
        checks = [
            [c.probe + 1, c.rule.threshold, c.rule.score, _floor(c.rule.minimum_decision)]
            for c in script.enforced_checks
        ]
        now_ms = _ms(script.now)
        expire_ms = _ms(script.challenge_expire_time)
        return [
            now_ms,
            script.fingerprint,
            script.attempt_id,
            attempt.user_id,
            list(attempt.sku_ids),
            attempt.challenge_pass_token,
            [groups.get(key, 0) for _, key in script.list_keys],
            probes,
            checks,
            script.challenge_score,
            script.block_score,
            1 if script.enforce else 0,
            script.ip_hash,
            script.device_hash,
            expire_ms,
            expire_ms - now_ms + _CHALLENGE_KEEP_MS,
            _REQUEST_KEEP_MS,
            self._grace_ms,
        ]

    async def read(self, tenant_id: str, probes: Sequence[Probe], now: datetime) -> list[float]:
        values = []
        for probe in probes:
            key = self.counter_key(tenant_id, probe.signal, probe.key)
            since = _ms(now) - probe.window_ms
            try:
                values.append(await self._read_one(key, probe, since, _ms(now)))
            except _UNAVAILABLE as exc:
                raise SignalStoreUnavailable(
                    "the signal store is not reachable", budget_ms=0
                ) from exc
        return values

    async def _read_one(self, key: str, probe: Probe, since: int, now_ms: int) -> float:
        if probe.signal is Signal.PURCHASE_LIMIT_RATIO:
            fields = await self._client.hgetall(key)
            units = {field.decode(): int(value) for field, value in fields.items()}
            return float(tally.counted(units, now_ms, self._grace_ms))
        if probe.signal is Signal.QUANTITY_VELOCITY:
            members = await self._client.zrangebyscore(key, since, "+inf")
            return float(sum(int(m.rsplit(b"|", 1)[1]) for m in members))
        return float(await self._client.zcount(key, since, "+inf"))

    async def record_feedback(
        self, tenant_id: str, ops: Sequence[FeedbackOp], now: datetime, retention: timedelta
    ) -> None:
        if not ops:
            return
        keys = [self.counter_key(tenant_id, op.signal, op.key) for op in ops]
        document = {
            "now": _ms(now),
            "retention": int(retention.total_seconds() * 1000),
            "ops": [_feedback_op(op) for op in ops],
        }
        await self._run(self._feedback, keys, [json.dumps(document)])

    async def challenge(self, tenant_id: str, challenge_id: str) -> StoredChallenge | None:
        try:
            fields = await self._client.hgetall(f"{self.prefix(tenant_id)}challenge:{challenge_id}")
        except _UNAVAILABLE as exc:
            raise SignalStoreUnavailable("the signal store is not reachable", budget_ms=0) from exc
        if not fields:
            return None
        text = {k.decode(): v.decode() for k, v in fields.items()}
        return StoredChallenge(
            text["user"],
            tuple(json.loads(text["skus"])),
            _moment(int(text["expire_ms"])),
            text["state"],
            text["decision"],
            text.get("ip", ""),
            text.get("device", ""),
        )

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
    ) -> ChallengeCompletion:
        prefix = self.prefix(tenant_id)
        keys = [
            f"{prefix}challenge:{challenge_id}",
            f"{prefix}pass:{token}",
            *(self.counter_key(tenant_id, Signal.CHALLENGE_FAILURES, k) for k in failure_keys),
        ]
        keep_ms = _ms(token_expire_time) - _ms(now) + int(CHALLENGE_KEEP.total_seconds() * 1000)
        args = [
            request_id, "passed" if passed else "failed", token, _ms(now),
            _ms(token_expire_time), keep_ms, int(retention.total_seconds() * 1000),
        ]  # fmt: skip
        result = json.loads(await self._run(self._complete, keys, args))
        expire_ms = int(result.get("token_expire_ms") or 0)
        return ChallengeCompletion(
            result["status"],
            result.get("state", ""),
            result.get("token", ""),
            _moment(expire_ms) if expire_ms else None,
        )

    async def put_list_entry(self, tenant_id: str, entry: AccessListEntry) -> None:
        value = f"{entry.access_list.name.lower()}:{entry.entry_id}"
        key = f"{self.prefix(tenant_id)}acl:{entry.key}"
        try:
            await self._client.set(key, value, pxat=_ms(entry.expire_time))
        except _UNAVAILABLE as exc:
            raise SignalStoreUnavailable("the signal store is not reachable", budget_ms=0) from exc

    async def remove_list_entry(self, tenant_id: str, key: str) -> None:
        try:
            await self._client.delete(f"{self.prefix(tenant_id)}acl:{key}")
        except _UNAVAILABLE as exc:
            raise SignalStoreUnavailable("the signal store is not reachable", budget_ms=0) from exc

    async def _run(self, script: Any, keys: Sequence[str | bytes], args: list[Any]) -> Any:
        try:
            return await script(keys=keys, args=args)
        except _UNAVAILABLE as exc:
            raise SignalStoreUnavailable("the signal store is not reachable", budget_ms=0) from exc


def _result(script: ScriptAttempt, reply: Any) -> ScriptResult | RequestIdReused:
    if reply[0] == "reused":
        _, stored, reply = reply
        # A record written before fingerprints used the keyed IP and device hashes (kept
        # REQUEST_KEEP): a retry of it still gets its original answer across the deploy.
        if stored != script.attempt.fingerprint_before_keyed_hashes():
            return RequestIdReused(
                "the request_id was used for another attempt",
                request_id=script.attempt.request_id,
            )
    attempt_id, now, token, observed, hits, _, replay = reply
    hits = _array(hits)
    return ScriptResult(
        attempt_id=attempt_id,
        now=_moment(now),
        observed=[float(v) for v in _array(observed)],
        lists=[_hit(script.list_keys[hits[i] - 1], hits[i + 1]) for i in range(0, len(hits), 2)],
        token=_TOKENS[token],
        replay=bool(replay),
    )


def _feedback_op(op: FeedbackOp) -> dict[str, Any]:
    return {"kind": op.action.value, "member": op.member, "amount": op.amount,
            "decision": op.decision, "fallback": op.fallback}  # fmt: skip


def _array(value: Any) -> list[Any]:
    """cjson encodes an empty Lua table as an object."""
    return value if isinstance(value, list) else []


def _floor(decision: Decision | None) -> int:
    return decision.value if decision is not None else Decision.ALLOW.value


def _hit(list_key: tuple[KeyLevel, str], value: str) -> ListHit:
    kind, _, entry_id = value.partition(":")
    return ListHit(AccessList[kind.upper()], list_key[0], list_key[1], entry_id)
