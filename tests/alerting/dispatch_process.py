"""A dispatcher in a process of its own, so a test can kill it with SIGKILL in mid-send.

python -m alerting.dispatch_process <dsn> <now as ISO 8601> <gateway url>
"""

from __future__ import annotations

import asyncio
import sys
from datetime import datetime

import asyncpg

from alerting.harness import Harness, ManualClock, SequentialIds
from services.alerting.adapters.http_channels import HttpPoster
from services.alerting.adapters.postgres_store import PostgresStore


async def main(dsn: str, now: str, gateway_url: str) -> None:
    pool = await asyncpg.create_pool(
        dsn, min_size=1, max_size=2, server_settings={"search_path": "alerting"}
    )
    assert pool is not None
    harness = Harness(
        PostgresStore(pool),
        ManualClock(datetime.fromisoformat(now)),
        SequentialIds("process"),
        HttpPoster(timeout_seconds=600),
        gateway_url,
    )
    print("dispatching", flush=True)
    await harness.dispatcher(send_timeout=600).run_once()


if __name__ == "__main__":
    asyncio.run(main(*sys.argv[1:4]))
