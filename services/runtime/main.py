"""The process entry point shared by the services: settings, logs, build, serve until signalled."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from services.runtime import logs
from services.runtime.server import ServiceHost, ServiceParts
from services.runtime.settings import ServiceSettings

Build = Callable[[ServiceSettings], Awaitable[ServiceParts]]


async def serve(settings: ServiceSettings, build: Build) -> None:
    host = ServiceHost(settings, await build(settings))
    await host.serve_until_signalled()


def run(service: str, build: Build) -> None:
    settings = ServiceSettings.from_env(service)
    logs.configure(service, settings.log_level)
    asyncio.run(serve(settings, build))
