"""A platform's gRPC endpoint is reached over TLS unless its host is loopback, so its bearer
token never travels in clear to a remote platform: the same plaintext platform answers a push
addressed to 127.0.0.1 and never sees one addressed to another address of this machine."""

from __future__ import annotations

from typing import Any

import grpc
import pytest
from streamstock.sync.v1 import platform_listing_service_pb2 as listing_pb2
from streamstock.sync.v1 import platform_listing_service_pb2_grpc as listing_grpc

from services.sync.adapters.platform_pusher import PlatformPusher
from services.sync.domain.policy import EndpointKind, Platform, PlatformMode, PushEndpoint
from services.sync.domain.quota import Listing
from services.sync.service_layer.ports import PushFailed


class PlaintextPlatform(listing_grpc.PlatformListingServiceServicer):  # type: ignore[misc]
    def __init__(self) -> None:
        self.authorizations: list[str] = []

    async def PushListing(self, request: Any, context: grpc.aio.ServicerContext) -> Any:
        self.authorizations.append(
            dict(context.invocation_metadata() or ()).get("authorization", "")
        )
        return listing_pb2.PushListingResponse(
            acknowledged_version=request.version, listed_units=request.listed_units
        )


def _platform(url: str) -> Platform:
    endpoint = PushEndpoint(EndpointKind.GRPC, url, "token", request_timeout_seconds=1.0)
    return Platform("shop", "Shop", PlatformMode.QUOTA, endpoint)


async def test_only_a_loopback_grpc_platform_is_pushed_in_plaintext() -> None:
    platform = PlaintextPlatform()
    server = grpc.aio.server()
    listing_grpc.add_PlatformListingServiceServicer_to_server(platform, server)
    port = server.add_insecure_port("0.0.0.0:0")  # reachable at every address of the machine
    await server.start()
    pusher = PlatformPusher(lambda ref: "s3cret", attempts=1)
    try:
        ack = await pusher.push(
            "acme", _platform(f"127.0.0.1:{port}"), "sku", Listing(1, 5, 0), 0.0
        )
        assert ack is not None and ack.acknowledged_version == 1
        assert platform.authorizations == ["Bearer s3cret"]
        # 127.0.0.2 reaches the same server, but is not a loopback name: TLS, which it refuses.
        with pytest.raises(PushFailed):
            await pusher.push("acme", _platform(f"127.0.0.2:{port}"), "sku", Listing(2, 5, 0), 0.0)
        assert platform.authorizations == ["Bearer s3cret"]  # the token never went in clear
    finally:
        await pusher.close()
        await server.stop(0)
