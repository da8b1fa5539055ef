"""Windows slide with the clock: the Assessor over the real Redis signal store, with a clock of the
test's own (the Assessor takes its Clock as a port, so no waiting and no test-only code)."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from services.riskcontrol.adapters.rules_yaml import YamlRulesParser
from services.riskcontrol.adapters.signal_store import RedisSignalStore
from services.riskcontrol.adapters.system import RandomIds
from services.riskcontrol.domain import feedback
from services.riskcontrol.domain.attempt import Attempt, AttemptKind, AttemptLine
from services.riskcontrol.domain.keys import KeyHasher
from services.riskcontrol.domain.records import DecisionRecord
from services.riskcontrol.domain.rules import MAX_WINDOW, Decision, LockStage
from services.riskcontrol.service_layer.assessment import Assessor
from services.riskcontrol.service_layer.rulebook import RuleBook, ShadowBook
from services.riskcontrol.settings import DEFAULT_RULES_FILE
from tests.riskcontrol.helpers import new_tenant

START = datetime(2026, 11, 11, 20, 0, tzinfo=UTC)
_requests = itertools.count()


@dataclass
class SaleClock:
    now_: datetime = START

    def now(self) -> datetime:
        return self.now_

    def at(self, seconds: float) -> None:
        self.now_ = START + timedelta(seconds=seconds)


@dataclass
class KeptDecisions:
    """The audit and metrics ports: what the test does not judge here, kept in memory."""

    records: list[DecisionRecord] = field(default_factory=list)

    def record(self, record: DecisionRecord) -> None:
        self.records.append(record)

    def observe(self, record: DecisionRecord) -> None:
        pass

    async def flush(self) -> None:
        pass

    async def get(self, tenant_id: str, decision_id: str) -> DecisionRecord | None:
        return next((r for r in self.records if r.decision_id == decision_id), None)


def assessor(redis_client: Any, clock: SaleClock) -> Assessor:
    parser = YamlRulesParser()
    rules = RuleBook(parser, clock)
    rules.reload(DEFAULT_RULES_FILE.read_text(), str(DEFAULT_RULES_FILE))
    kept = KeptDecisions()
    return Assessor(
        RedisSignalStore(redis_client), kept, rules, ShadowBook({}),  # type: ignore[arg-type]
        KeyHasher(b"test-secret"), clock, RandomIds(), kept,
    )  # fmt: skip


def attempt(tenant: str, user: str, quantity: int = 1, limit: int = 0) -> Attempt:
    number = next(_requests)
    return Attempt(
        tenant, f"req-{number}", AttemptKind.HOLD, (AttemptLine("sku-1", quantity, 0, limit),),
        LockStage.CART, user, f"order-{number}",
    )  # fmt: skip


async def inventory_held(risk: Assessor, record: DecisionRecord) -> None:
    """inventory's created event for the allowed attempt's hold, as the follower applies it."""
    held, (line,) = record.attempt, record.attempt.lines
    ops = feedback.hold_made(
        held.identity(risk.hasher), line.sku_id, f"r-{held.order_id}", line.quantity,
        record.decision_id,
    )  # fmt: skip
    await risk.store.record_feedback(held.tenant_id, ops, risk.clock.now(), MAX_WINDOW)


def fired(record: DecisionRecord) -> set[str]:
    return {reason.rule_id for reason in record.verdict.reasons if not reason.shadow}


async def test_a_burst_straddling_a_window_edge_still_fires(redis_client: Any) -> None:
    """user-attempt-burst: more than 5 attempts by a user in 10 s. Five at 9.9 s and one at 10.1 s
    fall in two 10 s buckets of a fixed window; the sliding window sees six within 0.2 s."""
    clock = SaleClock()
    risk, tenant = assessor(redis_client, clock), new_tenant()
    clock.at(9.9)
    before_edge = [await risk.assess(attempt(tenant, "tapper"), 2.0) for _ in range(5)]
    clock.at(10.1)
    after_edge = await risk.assess(attempt(tenant, "tapper"), 2.0)
    clock.at(19.95)  # the five at 9.9 s have slid out of the window
    later = await risk.assess(attempt(tenant, "tapper"), 2.0)

    assert all(r.decision is Decision.ALLOW for r in before_edge)
    assert after_edge.decision is Decision.CHALLENGE and fired(after_edge) == {"user-attempt-burst"}
    (reason,) = after_edge.verdict.reasons
    assert (reason.observed, reason.threshold) == (6, 5)
    assert later.decision is Decision.ALLOW and not fired(later)


async def test_units_under_the_purchase_limit_do_not_age_out_while_the_user_keeps_buying(
    redis_client: Any,
) -> None:
    """A purchase limit is a cap for the sale, not a rate (the seed's 限购): units held (their
    holds made, as inventory's events tell) 2 h 10 min ago still count while the user kept buying; the 2 h window is the tally's memory after the
    user's last counted attempt."""
    clock = SaleClock()
    risk, tenant = assessor(redis_client, clock), new_tenant()
    first = await risk.assess(attempt(tenant, "collector", limit=2), 2.0)
    await inventory_held(risk, first)
    clock.at(110 * 60)
    second = await risk.assess(attempt(tenant, "collector", limit=2), 2.0)
    await inventory_held(risk, second)
    clock.at(130 * 60)
    third = await risk.assess(attempt(tenant, "collector", limit=2), 2.0)

    assert [first.decision, second.decision] == [Decision.ALLOW, Decision.ALLOW]
    assert third.decision is Decision.BLOCK and fired(third) == {"purchase-limit-exceeded"}
