"""The purchase-limit tally counts holds inventory made and attempts still in flight: the domain's
reading (domain/tally.py), and the Redis scripts against a model of it over random sequences of
allowed attempts, created holds (confirmed in time or late), releases, replays and time passing,
on the real signal store with a clock of the test's own."""

from __future__ import annotations

import asyncio
import itertools
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from services.riskcontrol.domain import feedback, tally
from services.riskcontrol.domain.attempt import Attempt, AttemptKind, AttemptLine
from services.riskcontrol.domain.keys import KeyLevel
from services.riskcontrol.domain.records import DecisionRecord
from services.riskcontrol.domain.rules import MAX_WINDOW, Decision, LockStage, Signal
from services.riskcontrol.domain.signals import Probe, ProbeKind
from services.riskcontrol.service_layer.assessment import Assessor
from tests.riskcontrol.helpers import new_tenant
from tests.riskcontrol.test_sliding_window import SaleClock, assessor

GRACE_MS = 120_000
NOW = 1_800_000_000_000
SKU, USER = "sku-t", "buyer"
_numbers = itertools.count()


def test_an_attempt_counts_until_the_grace_and_a_hold_for_ever() -> None:
    fields = {tally.attempt_field(NOW, "dec_a"): 2, tally.hold_field("r1"): 1, "order-7": 3}

    in_flight = tally.counted(fields, NOW + GRACE_MS - 1, GRACE_MS)
    after_grace = tally.counted(fields, NOW + GRACE_MS, GRACE_MS)

    assert (in_flight, after_grace) == (6, 4)
    assert tally.counted(fields, NOW + 100 * GRACE_MS, GRACE_MS) == 4


def test_only_well_formed_attempt_fields_lapse() -> None:
    assert tally.attempt_time(tally.attempt_field(NOW, "dec_a:b")) == NOW
    assert tally.attempt_time("p:soon:dec_a") is None  # an order id of the previous version
    assert tally.attempt_time(tally.hold_field("r1")) is None
    assert not tally.lapsed("p:1", NOW, GRACE_MS)


fields_strategy = st.dictionaries(
    st.one_of(
        st.builds(tally.attempt_field, st.integers(NOW - 3 * GRACE_MS, NOW), st.text("dec_01", min_size=1)),
        st.builds(tally.hold_field, st.text("r0123", min_size=1)),
        st.text("o123", min_size=1),
    ),
    st.integers(1, 5),
    max_size=8,
)  # fmt: skip


@given(fields_strategy, st.integers(0, 3 * GRACE_MS), st.integers(0, 3 * GRACE_MS))
def test_the_tally_only_falls_as_time_passes_and_never_below_the_holds(
    fields: dict[str, int], later: int, more: int
) -> None:
    holds = sum(units for name, units in fields.items() if tally.attempt_time(name) is None)
    now = tally.counted(fields, NOW, GRACE_MS)
    then = tally.counted(fields, NOW + later, GRACE_MS)
    still_later = tally.counted(fields, NOW + later + more, GRACE_MS)

    assert now >= then >= still_later >= holds
    assert tally.counted(fields, NOW + 3 * GRACE_MS + 1, GRACE_MS) == holds


@dataclass
class Model:
    """What the tally should count: holds by reservation, attempts in Redis by decision."""

    holds: dict[str, int] = field(default_factory=dict)
    # decision id -> (time ms, units) of provisional attempts still stored in the tally
    attempts: dict[str, tuple[int, int]] = field(default_factory=dict)

    def counted(self, now_ms: int) -> int:
        live = sum(units for at, units in self.attempts.values() if at > now_ms - GRACE_MS)
        return sum(self.holds.values()) + live


@dataclass
class Run:
    risk: Assessor
    clock: SaleClock
    tenant: str
    model: Model = field(default_factory=Model)
    decided: list[DecisionRecord] = field(default_factory=list)

    def now_ms(self) -> int:
        return int(self.clock.now().timestamp() * 1000)

    async def attempt(self, units: int) -> None:
        """An attempt riskcontrol allows; 3 s after the last, a pace user-attempt-burst allows."""
        self.wait(3)
        number = next(_numbers)
        line = AttemptLine(SKU, units, 0, 1000)
        record = await self.risk.assess(
            Attempt(self.tenant, f"req-{number}", AttemptKind.HOLD, (line,), LockStage.CART,
                    USER, f"order-{number}"),
            2.0,
        )  # fmt: skip
        assert record.decision is Decision.ALLOW
        now = self.now_ms()
        # The writing attempt deletes lapsed attempts, then adds its own.
        self.model.attempts = {
            d: (at, u) for d, (at, u) in self.model.attempts.items() if at > now - GRACE_MS
        }
        self.model.attempts[record.decision_id] = (now, units)
        self.decided.append(record)

    async def created(self, pick: int) -> None:
        """inventory made the hold of an earlier attempt (in time or late, maybe again)."""
        if not self.decided:
            return
        record = self.decided[pick % len(self.decided)]
        units = record.attempt.lines[0].quantity
        reservation = f"r-{record.decision_id}"
        stored = record.decision_id in self.model.attempts
        tally_lives = bool(self.model.holds or self.model.attempts)
        if stored or tally_lives or reservation in self.model.holds:
            self.model.holds[reservation] = units
        self.model.attempts.pop(record.decision_id, None)
        await self._apply(
            feedback.hold_made(self._identity(record), SKU, reservation, units, record.decision_id)
        )

    async def released(self, pick: int) -> None:
        if not self.decided:
            return
        record = self.decided[pick % len(self.decided)]
        reservation = f"r-{record.decision_id}"
        self.model.holds.pop(reservation, None)
        units = record.attempt.lines[0].quantity
        await self._apply(feedback.release(self._identity(record), SKU, reservation, units))

    def wait(self, seconds: int) -> None:
        self.clock.now_ = self.clock.now_ + timedelta(seconds=seconds)

    def _identity(self, record: DecisionRecord) -> Any:
        return record.attempt.identity(self.risk.hasher)

    async def _apply(self, ops: list[feedback.FeedbackOp]) -> None:
        await self.risk.store.record_feedback(self.tenant, ops, self.clock.now(), MAX_WINDOW)

    async def read(self) -> float:
        key = f"sku:{SKU}|user:{USER}"
        probe = Probe(Signal.PURCHASE_LIMIT_RATIO, KeyLevel.USER_SKU, key, 0, 0, ProbeKind.LIMIT)
        (value,) = await self.risk.store.read(self.tenant, [probe], self.clock.now())
        return value


steps = st.lists(
    st.one_of(
        st.tuples(st.just("attempt"), st.integers(1, 3)),
        st.tuples(st.just("created"), st.integers(0, 20)),
        st.tuples(st.just("released"), st.integers(0, 20)),
        st.tuples(st.just("wait"), st.sampled_from([1, 30, 119, 121, 600])),
    ),
    max_size=14,
)


async def test_the_scripts_count_what_the_model_counts(redis_client: Any) -> None:
    loop = asyncio.get_running_loop()

    async def play(sequence: list[tuple[str, int]]) -> None:
        run = Run(assessor(redis_client, SaleClock()), SaleClock(), new_tenant())
        run.risk.clock = run.clock
        for action, value in sequence:
            if action == "wait":
                run.wait(value)
            else:
                await getattr(run, action)(value)
            assert await run.read() == run.model.counted(run.now_ms()), (action, value)

    @settings(
        max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
    )
    @given(sequence=steps)
    def check(sequence: list[tuple[str, int]]) -> None:
        asyncio.run_coroutine_threadsafe(play(sequence), loop).result(30)

    await asyncio.to_thread(check)
