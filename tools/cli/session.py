"""The connection settings of one invocation and the calls made with them.

Sync gRPC channels (a CLI makes a handful of calls): every call carries the API key and, unless it
is a stream, the --timeout deadline. A failed call is reported (tools.cli.errors) and ends the
command with exit status 1.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from typing import Any, NoReturn, TypeVar

import grpc
import typer
from streamstock.alerting.v1.alerting_service_pb2_grpc import AlertingServiceStub
from streamstock.inventory.v1.inventory_service_pb2_grpc import InventoryServiceStub
from streamstock.riskcontrol.v1.riskcontrol_service_pb2_grpc import RiskControlServiceStub
from streamstock.sync.v1.sync_service_pb2_grpc import SyncServiceStub

from services.runtime.auth import API_KEY_HEADER
from tools.cli import errors, output

Response = TypeVar("Response")


@dataclass
class Session:
    """Where the services are, who calls them, for which tenant, and how results are printed."""

    addresses: Mapping[str, str]
    api_key: str
    tenant: str
    timeout: float
    as_json: bool = False
    channels: dict[str, grpc.Channel] = field(default_factory=dict)

    def printing(self, as_json: bool) -> Session:
        """The same connections, printing JSON or tables (each command has its --json)."""
        return replace(self, as_json=as_json)

    def channel(self, service: str) -> grpc.Channel:
        if service not in self.channels:
            self.channels[service] = grpc.insecure_channel(self.addresses[service])
        return self.channels[service]

    def inventory(self) -> InventoryServiceStub:
        return InventoryServiceStub(self.channel("inventory"))

    def riskcontrol(self) -> RiskControlServiceStub:
        return RiskControlServiceStub(self.channel("riskcontrol"))

    def alerting(self) -> AlertingServiceStub:
        return AlertingServiceStub(self.channel("alerting"))

    def sync(self) -> SyncServiceStub:
        return SyncServiceStub(self.channel("sync"))

    @property
    def metadata(self) -> tuple[tuple[str, str], ...]:
        return ((API_KEY_HEADER, self.api_key),)

    def call(self, method: Callable[..., Response], request: Any) -> Response:
        """One unary call with the key and the deadline; a failure ends the command."""
        try:
            return method(request, metadata=self.metadata, timeout=self.timeout)
        except grpc.RpcError as error:
            self.fail(error)

    @contextmanager
    def stream(self, method: Callable[..., Any], request: Any) -> Iterator[Iterator[Any]]:
        """A server stream without deadline; Ctrl-C or leaving the block cancels it."""
        responses = method(request, metadata=self.metadata)
        try:
            yield responses
        except KeyboardInterrupt:
            output.console(stderr=True).print("stopped")
        except grpc.RpcError as error:
            self.fail(error)
        finally:
            responses.cancel()

    def follow(
        self,
        method: Callable[..., Any],
        request: Any,
        *,
        limit: int,
        describe: Callable[[Any], str],
        items: Callable[[Iterator[Any]], Iterator[Any]] = iter,
        resume: Callable[[errors.CallError], Any | None] | None = None,
    ) -> None:
        """Prints a stream's items as they come (one JSON line each with --json) until `limit`
        items (0: until Ctrl-C or the server ends it). `resume` may answer a refusal of the stream
        with the request that opens it again; without one (None), the refusal ends the command."""
        printed = 0
        while request is not None:
            with self.stream(method, request) as responses:
                request = None  # opened again only if `resume` answers a refusal
                try:
                    for item in items(responses):
                        if self.as_json:
                            output.print_json(item, compact=True)
                        else:
                            output.line(describe(item))
                        printed += 1
                        if printed == limit:
                            return
                except grpc.RpcError as error:
                    request = resume(errors.CallError.of(error)) if resume else None
                    if request is None:
                        raise

    def fail(self, error: grpc.RpcError) -> NoReturn:
        errors.report(errors.CallError.of(error), as_json=self.as_json)
        raise typer.Exit(1)

    def close(self) -> None:
        for channel in self.channels.values():
            channel.close()
        self.channels.clear()


def session_of(ctx: typer.Context, as_json: bool) -> Session:
    """The session the root command built, printing as this command was asked to."""
    session = ctx.find_object(Session)
    if session is None:
        raise RuntimeError("the streamstock callback did not run")
    return session.printing(as_json)


def request_id(given: str | None) -> str:
    """The idempotency key of a mutation: the caller's (to retry safely) or a new one."""
    if given:
        return given
    generated = f"cli-{uuid.uuid4()}"
    output.console(stderr=True).print(f"[dim]request_id {generated}[/]")
    return generated
