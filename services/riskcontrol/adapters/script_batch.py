"""One Lua script called by many concurrent requests, sent to Redis in pipelines.

Every call made while the event loop runs one turn joins one pipeline (no transaction): one
connection checkout, one write and one read for the lot instead of one each. Each script still
runs atomically on its own; the pipeline only shares the round trip. A Redis Cluster client
splits the pipeline by the keys' slot, so the scripts stay on their tenant's node.
"""

from __future__ import annotations

import asyncio
from typing import Any

import redis.exceptions

_Call = tuple[list[str], list[Any], asyncio.Future[Any]]


class ScriptBatch:
    def __init__(self, client: Any, source: str) -> None:
        self._client = client
        self._script = client.register_script(source)
        self._pending: list[_Call] = []
        self._sending: set[asyncio.Task[None]] = set()

    async def __call__(self, keys: list[str], args: list[Any]) -> Any:
        loop = asyncio.get_running_loop()
        future: asyncio.Future[Any] = loop.create_future()
        self._pending.append((keys, args, future))
        if len(self._pending) == 1:
            loop.call_soon(self._send_pending)
        return await future

    def _send_pending(self) -> None:
        batch, self._pending = self._pending, []
        task = asyncio.create_task(self._send(batch))
        self._sending.add(task)
        task.add_done_callback(self._sending.discard)

    async def _send(self, batch: list[_Call]) -> None:
        try:
            replies = await self._pipeline(batch)
        except BaseException as exc:  # the connection failed or the service is stopping
            for _, _, future in batch:
                if not future.done():
                    future.set_exception(exc if isinstance(exc, Exception) else _stopped())
            if not isinstance(exc, Exception):
                raise
            return
        for (keys, args, future), reply in zip(batch, replies, strict=True):
            if future.done():
                continue  # the caller gave up (its budget ran out)
            if isinstance(reply, redis.exceptions.NoScriptError):
                # Redis restarted or flushed its scripts: this call loads it again.
                self._retry(keys, args, future)
            elif isinstance(reply, Exception):
                future.set_exception(reply)
            else:
                future.set_result(reply)

    async def _pipeline(self, batch: list[_Call]) -> list[Any]:
        sha = self._script.sha
        async with self._client.pipeline(transaction=False) as pipe:
            for keys, args, _ in batch:
                # The raw command: a cluster pipeline refuses its evalsha() helper (it cannot load
                # a missing script on the right node); a NOSCRIPT reply is retried on its own.
                pipe.execute_command("EVALSHA", sha, len(keys), *keys, *args)
            return list(await pipe.execute(raise_on_error=False))

    def _retry(self, keys: list[str], args: list[Any], future: asyncio.Future[Any]) -> None:
        async def again() -> None:
            try:
                reply = await self._script(keys=keys, args=args)
            except Exception as exc:
                if not future.done():
                    future.set_exception(exc)
                return
            if not future.done():
                future.set_result(reply)

        task = asyncio.create_task(again())
        self._sending.add(task)
        task.add_done_callback(self._sending.discard)


def _stopped() -> redis.exceptions.ConnectionError:
    return redis.exceptions.ConnectionError("the script batch was cancelled")
