"""A platform answering pushes over HTTP as a test tells it to: at once, later, failing, or not at
all (served by the conftest's `http_platform` fixture)."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web


@dataclass
class HttpPlatform:
    """Answers pushes at once, or with 202 when `later` is set; the `failures` queued are answered
    first, one per request, with that HTTP status. While `failing`, every push is answered 503;
    while `swallowing`, none is answered at all (a host that drops requests: the pusher's deadline
    ends each attempt) until the test ends."""

    later: bool = False
    failures: list[int] = field(default_factory=list)
    failing: bool = False
    swallowing: bool = False
    released: asyncio.Event = field(default_factory=asyncio.Event)
    pushes: list[dict[str, Any]] = field(default_factory=list)
    push_times: list[float] = field(default_factory=list)
    authorizations: list[str] = field(default_factory=list)

    async def handle(self, request: web.Request) -> web.Response:
        self.authorizations.append(request.headers.get("Authorization", ""))
        self.push_times.append(time.monotonic())
        body = await request.json()
        self.pushes.append(body)
        if self.swallowing:
            await self.released.wait()
        if self.swallowing or self.failing:
            return web.Response(status=503)
        if self.failures:
            return web.Response(status=self.failures.pop(0))
        if self.later:
            return web.Response(status=202)
        return web.json_response(
            {
                "acknowledgedVersion": body["version"],
                "listedUnits": body.get("listedUnits", "0"),  # JSON leaves zeros out
                "platformSoldUnits": body.get("soldUnitsApplied", "0"),
            }
        )
