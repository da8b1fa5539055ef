"""The risk check in front of buyer holds: riskcontrol's Assess, per the SKUs' sale policies.

A SKU's policy says OFF, SHADOW (ask and record, never refuse) or ENFORCE, with a deadline and
what to do when riskcontrol does not answer in time (fail open: hold; fail closed: refuse).
Policies are read through a short cache: the check must not cost a database read per hold.
"""

from __future__ import annotations

import dataclasses
from datetime import datetime, timedelta

from services.inventory.domain.policy import SalePolicy
from services.inventory.domain.reservation import ReservationPurpose
from services.inventory.domain.risk import RiskCheck
from services.inventory.domain.sku import Sku
from services.inventory.service_layer import commands
from services.inventory.service_layer.ports import Resizing, RiskAssessor, RiskAssessorUnavailable
from services.inventory.service_layer.unit import Unit

# How long a policy read from PostgreSQL (or seen in a batch) is trusted.
POLICY_TTL = timedelta(seconds=1)


class RiskScreen:
    def __init__(self, unit: Unit, assessor: RiskAssessor | None) -> None:
        self._unit = unit
        self._assessor = assessor
        self._policies: dict[tuple[str, str], tuple[SalePolicy, datetime]] = {}

    def remember(self, skus: list[Sku]) -> None:
        now = self._unit.clock.now()
        for sku in skus:
            self._policies[(sku.tenant_id, sku.sku_id)] = (sku.policy, now)

    async def _policy(self, tenant_id: str, sku_id: str) -> SalePolicy | None:
        now = self._unit.clock.now()
        cached = self._policies.get((tenant_id, sku_id))
        if cached is not None and now - cached[1] < POLICY_TTL:
            return cached[0]
        sku = await self._unit.store.get_sku(tenant_id, sku_id, now)
        if sku is None:
            return None
        self._policies[(tenant_id, sku_id)] = (sku.policy, now)
        return sku.policy

    async def screen(self, cmd: commands.Reserve) -> commands.Reserve:
        """The attempt with riskcontrol's decision id, or the refusal riskcontrol asks for."""
        if cmd.purpose is not ReservationPurpose.BUYER:
            return cmd  # platform quotas are taken by sync, not by buyers
        decision_id = await self._decision(cmd)
        return (
            cmd if decision_id is None else dataclasses.replace(cmd, risk_decision_id=decision_id)
        )

    async def screen_resize(self, cmd: commands.Resize) -> commands.Resize:
        """A buyer hold grown by a resize is screened as a RESIZE attempt; shrinking is not.
        Returns the resize with riskcontrol's decision id, or raises its refusal. Reads the hold
        without locking it: the resize's transaction checks everything again."""
        hold = await self._unit.store.get_reservation(cmd.tenant_id, cmd.reservation_id)
        if hold is None or hold.purpose is not ReservationPurpose.BUYER:
            return cmd
        previous = next((ln.quantity for ln in hold.lines if ln.sku_id == cmd.sku_id), 0)
        if previous <= 0 or cmd.quantity <= previous:
            return cmd  # a shrink, or a line the transaction will refuse
        attempt = commands.Reserve(
            tenant_id=cmd.tenant_id,
            key=cmd.key,
            user_id=hold.user_id,
            order_id=hold.order_id,
            lines=(commands.HoldLine(cmd.sku_id, cmd.quantity),),
            lock_stage=hold.lock_stage,
            purpose=hold.purpose,
            buyer=hold.buyer,
            challenge_pass_token=cmd.challenge_pass_token,
        )
        decision_id = await self._decision(attempt, Resizing(hold.reservation_id, previous))
        return cmd if not decision_id else dataclasses.replace(cmd, risk_decision_id=decision_id)

    async def _decision(
        self, attempt: commands.Reserve, resizing: Resizing | None = None
    ) -> str | None:
        """riskcontrol's decision id ("" when unanswered and the SKUs fail open), None when no
        SKU of the attempt asks for a check; raises the refusal riskcontrol asks for."""
        policies = {
            line.sku_id: await self._policy(attempt.tenant_id, line.sku_id)
            for line in attempt.lines
        }
        known = {sku_id: p for sku_id, p in policies.items() if p is not None}
        check = RiskCheck.of(list(known.values()))
        if not check.wanted:
            return None
        if self._assessor is None:
            return check.unanswered()
        limits = {sku_id: p.per_user_limit for sku_id, p in known.items()}
        try:
            verdict = await self._assessor.assess(attempt, check, limits, resizing)
        except RiskAssessorUnavailable:
            return check.unanswered()
        return check.apply(verdict)
