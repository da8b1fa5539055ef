"""Pushing listing versions to platforms: PlatformListingService over gRPC or the same message as
JSON over HTTP, with the platform's bearer token, a deadline per attempt and retries with backoff."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import UTC, datetime

import aiohttp
import grpc
from google.protobuf import json_format, timestamp_pb2
from streamstock.sync.v1 import platform_listing_service_pb2 as listing_pb2
from streamstock.sync.v1 import platform_listing_service_pb2_grpc as listing_grpc

from services.runtime import clients
from services.sync.domain.backoff import delays
from services.sync.domain.policy import EndpointKind, Platform
from services.sync.domain.quota import Listing
from services.sync.service_layer.ports import PushAck, PushFailed

log = logging.getLogger(__name__)

_RETRYABLE = (
    grpc.StatusCode.UNAVAILABLE,
    grpc.StatusCode.DEADLINE_EXCEEDED,
    grpc.StatusCode.RESOURCE_EXHAUSTED,
)


def push_request(
    tenant_id: str, platform_id: str, sku_id: str, listing: Listing, push_time: float
) -> listing_pb2.PushListingRequest:
    stamp = timestamp_pb2.Timestamp()
    stamp.FromDatetime(datetime.fromtimestamp(push_time, UTC))
    return listing_pb2.PushListingRequest(
        tenant_id=tenant_id,
        request_id=f"push:{platform_id}:{sku_id}:{listing.version}",
        platform_id=platform_id,
        sku_id=sku_id,
        version=listing.version,
        listed_units=listing.listed_units,
        sold_units_applied=listing.sold_units_applied,
        push_time=stamp,
    )


class _Permanent(Exception):
    """The platform refused the push for a reason a retry does not change."""


class PlatformPusher:
    def __init__(
        self,
        token_of: Callable[[str], str | None],
        attempts: int = 3,
        backoff: tuple[float, float] = (0.05, 1.0),
        channel_factory: Callable[[str, float], grpc.aio.Channel] | None = None,
    ) -> None:
        self._token_of = token_of
        self._attempts = attempts
        self._backoff = backoff
        self._channels: dict[str, grpc.aio.Channel] = {}
        self._session: aiohttp.ClientSession | None = None
        self._channel_factory = channel_factory or _platform_channel

    async def push(
        self, tenant_id: str, platform: Platform, sku_id: str, listing: Listing, push_time: float
    ) -> PushAck | None:
        request = push_request(tenant_id, platform.platform_id, sku_id, listing, push_time)
        waits = delays(self._attempts, *self._backoff, key=request.request_id)
        error = "no attempt made"
        for attempt in range(self._attempts):
            try:
                return await self._attempt(platform, request)
            except _Permanent as refused:
                raise PushFailed(str(refused)) from refused
            except (grpc.aio.AioRpcError, aiohttp.ClientError, TimeoutError) as failure:
                error = _describe(failure)
            if attempt < len(waits):
                await asyncio.sleep(waits[attempt])
        raise PushFailed(error)

    async def _attempt(
        self, platform: Platform, request: listing_pb2.PushListingRequest
    ) -> PushAck | None:
        if platform.endpoint.kind is EndpointKind.HTTP:
            return await self._http(platform, request)
        return await self._grpc(platform, request)

    def _metadata(self, platform: Platform) -> list[tuple[str, str]]:
        ref = platform.endpoint.credentials_ref
        token = self._token_of(ref) if ref else None
        return [("authorization", f"Bearer {token}")] if token else []

    async def _grpc(self, platform: Platform, request: listing_pb2.PushListingRequest) -> PushAck:
        endpoint = platform.endpoint
        channel = self._channels.get(endpoint.url)
        if channel is None:
            channel = self._channel_factory(endpoint.url, endpoint.request_timeout_seconds)
            self._channels[endpoint.url] = channel
        stub = listing_grpc.PlatformListingServiceStub(channel)
        try:
            reply = await stub.PushListing(
                request, timeout=endpoint.request_timeout_seconds, metadata=self._metadata(platform)
            )
        except grpc.aio.AioRpcError as error:
            if error.code() not in _RETRYABLE:
                raise _Permanent(_describe(error)) from error
            raise
        return PushAck(reply.acknowledged_version, reply.listed_units, reply.platform_sold_units)

    async def _http(
        self, platform: Platform, request: listing_pb2.PushListingRequest
    ) -> PushAck | None:
        endpoint = platform.endpoint
        if self._session is None:
            self._session = aiohttp.ClientSession()
        headers = dict(self._metadata(platform))
        timeout = aiohttp.ClientTimeout(total=endpoint.request_timeout_seconds)
        body = json_format.MessageToDict(request)
        async with self._session.post(
            endpoint.url, json=body, headers=headers, timeout=timeout
        ) as reply:
            if reply.status == 202:
                return None
            if reply.status >= 500 or reply.status == 429:
                raise aiohttp.ClientResponseError(reply.request_info, (), status=reply.status)
            if reply.status >= 300:
                raise _Permanent(f"HTTP {reply.status}")
            answer = json_format.ParseDict(
                await reply.json(), listing_pb2.PushListingResponse(), ignore_unknown_fields=True
            )
        return PushAck(answer.acknowledged_version, answer.listed_units, answer.platform_sold_units)

    async def close(self) -> None:
        for channel in self._channels.values():
            await channel.close()
        if self._session is not None:
            await self._session.close()


def _describe(failure: BaseException) -> str:
    if isinstance(failure, grpc.aio.AioRpcError):
        return f"{failure.code().name}: {failure.details()}"
    return f"{type(failure).__name__}: {failure}"


LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "[::1]")


def _platform_channel(target: str, deadline_seconds: float) -> grpc.aio.Channel:
    """A platform's gRPC endpoint is reached over TLS (its bearer token must not travel in
    clear), except on a loopback host (a simulator or a sidecar), as for HTTP endpoints."""
    host = target.rsplit(":", 1)[0] if not target.startswith("[") else target.split("]")[0] + "]"
    if host in LOOPBACK_HOSTS:
        return clients.channel(target, "", deadline_seconds)
    return clients.channel(target, "", deadline_seconds, grpc.ssl_channel_credentials())
