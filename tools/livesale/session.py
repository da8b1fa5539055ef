"""What every actor of a running session shares: the scenario, the compressed clock, the stubs
with their keys, the tally and the random source (seeded: a scenario replays the same crowd)."""

from __future__ import annotations

import asyncio
import itertools
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from streamstock.inventory.v1 import inventory_service_pb2_grpc

from tools.livesale.calls import Caller
from tools.livesale.scenario import PlatformPlan, Scenario
from tools.livesale.tally import SessionTally
from tools.livesale.timescale import format_clock


@dataclass(frozen=True)
class ApiKeys:
    """The keys the run presents: setup and observation as an admin, buying as a platform
    backend (the simulated QUOTA platforms report their sales with it too)."""

    admin: str
    platform: str


@dataclass
class Session:
    """A session being played."""

    scenario: Scenario
    tag: str  # makes this run's SKU, order and user ids unique in a database that outlives it
    tally: SessionTally
    inventory: inventory_service_pb2_grpc.InventoryServiceStub
    as_admin: Caller
    as_platform: Caller
    random: random.Random
    monotonic: Callable[[], float] = time.monotonic
    started: float = field(default=0.0)
    _ids: itertools.count[int] = field(default_factory=itertools.count)

    def start_clock(self) -> None:
        self.started = self.monotonic()

    def sku_id(self, plan_id: str) -> str:
        """The SKU id in inventory of the scenario's SKU `plan_id`."""
        return f"{plan_id}.{self.tag}"

    def platform_id(self, plan: PlatformPlan) -> str:
        """The platform id the services see for the scenario's platform `plan`."""
        return f"{plan.platform_id}-{self.tag}"

    def next_id(self, kind: str) -> str:
        return f"{kind}-{self.tag}-{next(self._ids)}"

    def now(self) -> float:
        """Session seconds since the session began."""
        return self.scenario.timescale.to_session(self.monotonic() - self.started)

    def real_elapsed(self) -> float:
        return self.monotonic() - self.started

    def clock(self) -> str:
        return format_clock(self.now())

    async def sleep(self, session_seconds: float) -> None:
        await asyncio.sleep(self.scenario.timescale.to_real(session_seconds))

    async def sleep_until(self, session_time: float) -> None:
        await self.sleep(max(0.0, session_time - self.now()))

    def over(self) -> bool:
        return self.now() >= self.scenario.duration

    def note(self, line: str) -> None:
        self.tally.note(self.clock(), line)
