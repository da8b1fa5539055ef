"""Outbound gRPC channels: every unary call gets a deadline, the service's key and the trace."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import grpc
from google.rpc import error_details_pb2
from grpc_status import rpc_status
from opentelemetry import propagate

from services.runtime.auth import API_KEY_HEADER


def _with_metadata(details: grpc.aio.ClientCallDetails, api_key: str) -> list[tuple[str, str]]:
    metadata = list(details.metadata or ())
    if api_key and not any(key == API_KEY_HEADER for key, _ in metadata):
        metadata.append((API_KEY_HEADER, api_key))
    carrier: dict[str, str] = {}
    propagate.inject(carrier)
    metadata.extend(carrier.items())
    return metadata


def call_metadata(api_key: str) -> list[tuple[str, str]]:
    """The service's key and the current trace, for a call on a bare_channel."""
    metadata = [(API_KEY_HEADER, api_key)] if api_key else []
    carrier: dict[str, str] = {}
    propagate.inject(carrier)
    metadata.extend(carrier.items())
    return metadata


class _UnaryDefaults(grpc.aio.UnaryUnaryClientInterceptor):  # type: ignore[misc]
    def __init__(self, deadline: float, api_key: str) -> None:
        self._deadline = deadline
        self._api_key = api_key

    async def intercept_unary_unary(
        self, continuation: Callable[..., Any], details: grpc.aio.ClientCallDetails, request: Any
    ) -> Any:
        details = grpc.aio.ClientCallDetails(
            details.method,
            details.timeout if details.timeout is not None else self._deadline,
            _with_metadata(details, self._api_key),
            details.credentials,
            details.wait_for_ready,
        )
        return await continuation(details, request)


class _StreamDefaults(grpc.aio.UnaryStreamClientInterceptor):  # type: ignore[misc]
    """Streams (event followers) are long-lived: a key and the trace, but no default deadline."""

    def __init__(self, api_key: str) -> None:
        self._api_key = api_key

    async def intercept_unary_stream(
        self, continuation: Callable[..., Any], details: grpc.aio.ClientCallDetails, request: Any
    ) -> Any:
        details = grpc.aio.ClientCallDetails(
            details.method,
            details.timeout,
            _with_metadata(details, self._api_key),
            details.credentials,
            details.wait_for_ready,
        )
        return await continuation(details, request)


_OPTIONS = [("grpc.keepalive_time_ms", 20_000), ("grpc.enable_retries", 1)]


def channel(
    target: str,
    api_key: str,
    deadline_seconds: float,
    credentials: grpc.ChannelCredentials | None = None,
) -> grpc.aio.Channel:
    """A channel to another StreamStock service (or a platform) with the defaults above; with
    `credentials`, over TLS."""
    interceptors = [_UnaryDefaults(deadline_seconds, api_key), _StreamDefaults(api_key)]
    if credentials is not None:
        return grpc.aio.secure_channel(
            target, credentials, interceptors=interceptors, options=_OPTIONS
        )
    return grpc.aio.insecure_channel(target, interceptors=interceptors, options=_OPTIONS)


def bare_channel(target: str) -> grpc.aio.Channel:
    """A channel without the interceptors (an intercepted call costs grpc.aio an extra task):
    for a per-request hot path whose every call passes call_metadata() and its own timeout."""
    return grpc.aio.insecure_channel(target, options=_OPTIONS)


def _error_info(error: grpc.aio.AioRpcError) -> error_details_pb2.ErrorInfo | None:
    status = rpc_status.from_call(error)  # type: ignore[arg-type]
    for detail in status.details if status else ():
        info = error_details_pb2.ErrorInfo()
        if detail.Unpack(info):
            return info
    return None


def refusal_reason(error: grpc.aio.AioRpcError) -> str:
    """The ErrorInfo reason a StreamStock service refused with, else the status code's name."""
    info = _error_info(error)
    return str(info.reason) if info else str(error.code().name)


def pruned_events(error: grpc.aio.AioRpcError) -> tuple[int, int] | None:
    """For inventory's EVENTS_PRUNED refusal of WatchEvents: the first and last sequence its
    consumer will never read (it resumes after the last); None for any other error."""
    if refusal_reason(error) != "EVENTS_PRUNED":
        return None
    metadata = refusal_metadata(error)
    return int(metadata["after_sequence"]) + 1, int(metadata["oldest_sequence"]) - 1


def resume_after_pruned_events(
    error: grpc.aio.AioRpcError, reader: str, lost: str, logger: logging.Logger
) -> int | None:
    """For inventory's EVENTS_PRUNED refusal of WatchEvents: logs the gap at ERROR on `logger`,
    naming the `reader` and what the gap `lost` it, and returns the sequence to resume after;
    None for any other error."""
    gap = pruned_events(error)
    if gap is None:
        return None
    first, last = gap
    logger.error(
        "inventory pruned events %d to %d before %s read them (its event retention); %s;"
        " resuming after %d",
        first,
        last,
        reader,
        lost,
        last,
    )
    return last


def refusal_metadata(error: grpc.aio.AioRpcError) -> dict[str, str]:
    """The ErrorInfo metadata (the refusal's dynamic values) of a StreamStock refusal; empty
    without one."""
    info = _error_info(error)
    return dict(info.metadata) if info else {}
