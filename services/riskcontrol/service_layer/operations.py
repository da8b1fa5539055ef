"""Operator use cases: rules in force and their validation, the shadow override, counters of a key."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from services.riskcontrol.domain.attempt import validate_request_id
from services.riskcontrol.domain.errors import InvalidArgument
from services.riskcontrol.domain.keys import KeyHasher, KeySpec
from services.riskcontrol.domain.records import ShadowOverride, ShadowSetting
from services.riskcontrol.domain.rules import RuleSet, RulesInvalid, Signal, Violation
from services.riskcontrol.domain.signals import Probe, ProbeKind
from services.riskcontrol.service_layer.access_lists import fingerprint
from services.riskcontrol.service_layer.ports import Clock, Registry, RulesParser, SignalStore
from services.riskcontrol.service_layer.rulebook import RuleBook, ShadowBook

MAX_REASON_LENGTH = 1000


@dataclass(frozen=True)
class SignalReading:
    signal: Signal
    window: timedelta
    value: float
    observe_time: datetime


@dataclass
class Operations:
    rules: RuleBook
    parser: RulesParser
    shadow: ShadowBook
    registry: Registry
    store: SignalStore
    hasher: KeyHasher
    clock: Clock

    def validate(self, document: str) -> tuple[RuleSet | None, tuple[Violation, ...]]:
        try:
            return self.parser.parse(document, "ValidateRules"), ()
        except RulesInvalid as invalid:
            return None, invalid.violations

    async def set_shadow(
        self, tenant_id: str, request_id: str, override: ShadowOverride, reason: str
    ) -> ShadowSetting:
        validate_request_id(request_id)
        if len(reason) > MAX_REASON_LENGTH:
            raise InvalidArgument("reason", f"must be at most {MAX_REASON_LENGTH} characters")
        setting = ShadowSetting(override, reason, self.clock.now())
        stored = await self.registry.set_shadow(
            tenant_id, setting, request_id, fingerprint(override, reason)
        )
        self.shadow.settings[tenant_id] = stored
        return stored

    async def refresh_shadow(self) -> None:
        self.shadow.settings = await self.registry.shadow_settings()

    async def signals(
        self, tenant_id: str, spec: KeySpec, wanted: set[Signal]
    ) -> tuple[str, list[SignalReading]]:
        """The counters the rules keep on the key (units attempted for the purchase-limit tally)."""
        key = spec.canonical(tenant_id, self.hasher, "key")
        rule_set = self.rules.in_force()
        slots = sorted(
            {(r.signal, r.window) for r in rule_set.rules if r.key_level is spec.level
             and (not wanted or r.signal in wanted)},
            key=lambda slot: (slot[0].value, slot[1]),
        )  # fmt: skip
        probes = [
            Probe(signal, spec.level, key, int(window.total_seconds() * 1000), 0, ProbeKind.EVENTS)
            for signal, window in slots
        ]
        now = self.clock.now()
        values = await self.store.read(tenant_id, probes, now)
        readings = [
            SignalReading(signal, window, value, now)
            for (signal, window), value in zip(slots, values, strict=True)
        ]
        return key, readings
