"""A gRPC server whose servicers record each request and answer with a fixed response.

alerting, riskcontrol and sync stand behind it while their behaviour is being written: the tests
see the exact request a CLI command builds (and the key it sends) and how it prints the answer.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import grpc
from google.protobuf.message import Message

from services.runtime.auth import API_KEY_HEADER
from tools.devstack.ports import LOOPBACK


@dataclass
class Recorded:
    """The calls a recording server received: (method, request, API key)."""

    calls: list[tuple[str, Message, str]] = field(default_factory=list)

    def only(self, method: str) -> Message:
        requests = [request for name, request, _ in self.calls if name == method]
        assert len(requests) == 1, self.calls
        return requests[0]


def _key(context: grpc.aio.ServicerContext) -> str:
    return dict(context.invocation_metadata() or ()).get(API_KEY_HEADER, "")


def recording_servicer(
    base: type, answers: Mapping[str, Message | list[Message]], recorded: Recorded
) -> Any:
    """A subclass of a generated servicer answering `answers` (a list answers a server stream)."""

    def unary(name: str, response: Message) -> Callable[..., Any]:
        async def method(self: Any, request: Message, context: grpc.aio.ServicerContext) -> Message:
            recorded.calls.append((name, request, _key(context)))
            return response

        return method

    def stream(name: str, responses: list[Message]) -> Callable[..., Any]:
        async def method(
            self: Any, request: Message, context: grpc.aio.ServicerContext
        ) -> AsyncIterator[Message]:
            recorded.calls.append((name, request, _key(context)))
            for response in responses:
                yield response

        return method

    methods = {
        name: stream(name, answer) if isinstance(answer, list) else unary(name, answer)
        for name, answer in answers.items()
    }
    return type(f"Recording{base.__name__}", (base,), methods)()


async def serve(
    registrations: list[tuple[Callable[[Any, grpc.aio.Server], None], Any]],
) -> tuple[grpc.aio.Server, str]:
    """Starts a loopback server with (add_XServicer_to_server, servicer) pairs; returns its address."""
    server = grpc.aio.server()
    for add_to_server, servicer in registrations:
        add_to_server(servicer, server)
    port = server.add_insecure_port(f"{LOOPBACK}:0")
    await server.start()
    return server, f"{LOOPBACK}:{port}"
