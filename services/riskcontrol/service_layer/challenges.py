"""CompleteChallenge: a pass yields a single-use pass token; a failure counts as a signal."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from services.riskcontrol.domain.attempt import validate_identifier, validate_request_id
from services.riskcontrol.domain.errors import (
    ChallengeAlreadyCompleted,
    ChallengeExpired,
    ChallengeNotFound,
    RequestIdReused,
)
from services.riskcontrol.domain.keys import Identity, KeyLevel, canonical_key
from services.riskcontrol.domain.records import Challenge, ChallengeKind, ChallengeState
from services.riskcontrol.domain.rules import MAX_WINDOW
from services.riskcontrol.service_layer.ports import Clock, IdFactory, SignalStore


@dataclass(frozen=True)
class CompletedChallenge:
    challenge: Challenge
    pass_token: str
    pass_token_expire_time: datetime | None


@dataclass
class Challenges:
    store: SignalStore
    clock: Clock
    ids: IdFactory
    pass_token_ttl: timedelta = timedelta(minutes=5)

    async def complete(
        self, tenant_id: str, request_id: str, challenge_id: str, passed: bool
    ) -> CompletedChallenge:
        validate_request_id(request_id)
        validate_identifier(challenge_id, "challenge_id")
        stored = await self.store.challenge(tenant_id, challenge_id)
        if stored is None:
            raise ChallengeNotFound("the challenge is not known", challenge_id=challenge_id)
        now = self.clock.now()
        identity = Identity(stored.user_id, "", stored.ip_hash, stored.device_hash)
        levels = (KeyLevel.USER, KeyLevel.IP, KeyLevel.DEVICE)
        failure_keys = [k for k in (canonical_key(lv, identity) for lv in levels) if k]
        completion = await self.store.complete_challenge(
            tenant_id, challenge_id, request_id, passed, self.ids.pass_token(), now,
            now + self.pass_token_ttl, failure_keys, MAX_WINDOW,
        )  # fmt: skip
        if completion.status == "reused":
            raise RequestIdReused(
                "the request_id was used with another result", request_id=request_id
            )
        if completion.status == "expired":
            raise ChallengeExpired(
                "the challenge expired", challenge_id=challenge_id,
                expire_time=stored.expire_time.isoformat(),
            )  # fmt: skip
        if completion.status == "completed":
            raise ChallengeAlreadyCompleted(
                "the challenge was already completed", challenge_id=challenge_id,
                state=f"CHALLENGE_STATE_{completion.state.upper()}",
            )  # fmt: skip
        challenge = Challenge(
            challenge_id, ChallengeKind.CAPTCHA, stored.expire_time,
            ChallengeState[completion.state.upper()], stored.user_id, stored.sku_ids,
            stored.decision_id,
        )  # fmt: skip
        return CompletedChallenge(challenge, completion.token, completion.token_expire_time)
