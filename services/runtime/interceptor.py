"""The server interceptor: request scope, authentication, tenancy, errors, traces and metrics.

Every RPC but health and reflection passes through `RequestPipeline.admit` (who is calling, may they
call this, for this tenant) and then the handler; a domain error leaving the handler becomes a
rich status through the one table in errors.py. Nothing a caller can send becomes INTERNAL.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import grpc
from opentelemetry import propagate, trace

from services.runtime import auth, scope, storage
from services.runtime.errors import (
    StorageUnavailable,
    is_domain_error,
    status_code,
    to_grpc_status,
)
from services.runtime.failures import FailureLog
from services.runtime.telemetry import RpcMetrics

log = logging.getLogger(__name__)

UnaryBehavior = Callable[[Any, grpc.aio.ServicerContext], Awaitable[Any]]
StreamBehavior = Callable[[Any, grpc.aio.ServicerContext], AsyncIterator[Any]]


@dataclass
class RequestPipeline:
    """What happens around every RPC of one service."""

    error_domain: str
    keys: auth.ApiKeyRegistry
    access: auth.AccessPolicy
    tracer: trace.Tracer
    metrics: RpcMetrics
    storage_failures: FailureLog = field(default_factory=lambda: FailureLog(log, "storage"))

    def admit(self, method: str, request: object, context: grpc.aio.ServicerContext) -> None:
        principal = self.keys.authenticate(context.invocation_metadata() or ())
        scope.enter(principal, method)
        self.access.check(principal, method.rsplit("/", 1)[-1])
        auth.check_tenant(principal, request)

    def explained(self, error: BaseException) -> BaseException:
        """A store that did not answer becomes STORAGE_UNAVAILABLE (UNAVAILABLE: retry the same
        request), logged now and then with a count; any other error is left as it is."""
        if not storage.unavailable(error):
            return error
        self.storage_failures.failed(type(error).__name__, str(error))
        return StorageUnavailable(type(error).__name__)

    def code_of(self, error: BaseException, context: grpc.aio.ServicerContext) -> grpc.StatusCode:
        if is_domain_error(error):
            return status_code(error.reason)  # type: ignore[attr-defined]
        if isinstance(error, asyncio.CancelledError):
            return grpc.StatusCode.CANCELLED
        code = context.code()
        return code if isinstance(code, grpc.StatusCode) else grpc.StatusCode.INTERNAL

    async def conclude(
        self, error: BaseException, method: str, context: grpc.aio.ServicerContext
    ) -> None:
        """Turns a domain error into its rich status; anything else propagates unchanged."""
        if is_domain_error(error):
            status = to_grpc_status(error, self.error_domain)  # type: ignore[arg-type]
            await context.abort_with_status(status)
        if not isinstance(error, (grpc.aio.AbortError, asyncio.CancelledError, GeneratorExit)):
            log.error("unexpected error in %s", method, exc_info=error)
        raise error

    def answer_refusal(self, error: BaseException, context: grpc.aio.ServicerContext) -> None:
        """Sets a domain error's rich status on a unary call (the handler then returns None)."""
        status = to_grpc_status(error, self.error_domain)  # type: ignore[arg-type]
        context.set_code(status.code)
        context.set_details(status.details)
        context.set_trailing_metadata(status.trailing_metadata)

    def record(self, method: str, code: grpc.StatusCode, started: float) -> None:
        self.metrics.handled.labels(method, code.name).inc()
        self.metrics.latency.labels(method).observe(time.perf_counter() - started)


class ServiceInterceptor(grpc.aio.ServerInterceptor):
    """Wraps unary and server-streaming handlers in the request pipeline."""

    def __init__(self, pipeline: RequestPipeline) -> None:
        self._pipeline = pipeline

    async def intercept_service(
        self,
        continuation: Callable[[grpc.HandlerCallDetails], Awaitable[grpc.RpcMethodHandler]],
        details: grpc.HandlerCallDetails,
    ) -> grpc.RpcMethodHandler:
        handler = await continuation(details)
        method: str = details.method  # type: ignore[attr-defined]
        if handler is None or method.startswith(auth.PUBLIC_METHOD_PREFIXES):
            return handler
        if handler.unary_unary:
            return grpc.unary_unary_rpc_method_handler(
                self._unary(method, handler.unary_unary),
                request_deserializer=handler.request_deserializer,
                response_serializer=handler.response_serializer,
            )
        if handler.unary_stream:
            return grpc.unary_stream_rpc_method_handler(
                self._stream(method, handler.unary_stream),
                request_deserializer=handler.request_deserializer,
                response_serializer=handler.response_serializer,
            )
        # No contract has client-streaming RPCs; one added later must not bypass the pipeline.
        return grpc.unary_unary_rpc_method_handler(_refuse_unsupported)

    def _span(self, method: str, context: grpc.aio.ServicerContext) -> Any:
        carrier = {k: v for k, v in (context.invocation_metadata() or ()) if isinstance(v, str)}
        # Refusals are answers, not faults: no exception events (formatting a traceback per
        # refused hold costs more than the hold); the status code is set by the pipeline.
        return self._pipeline.tracer.start_as_current_span(
            method,
            context=propagate.extract(carrier),
            kind=trace.SpanKind.SERVER,
            record_exception=False,
            set_status_on_exception=False,
        )

    def _unary(self, method: str, behavior: UnaryBehavior) -> UnaryBehavior:
        pipeline = self._pipeline

        async def serve(request: Any, context: grpc.aio.ServicerContext) -> Any:
            started = time.perf_counter()
            code = grpc.StatusCode.OK
            with self._span(method, context):
                try:
                    pipeline.admit(method, request, context)
                    return await behavior(request, context)
                except BaseException as raised:
                    error = pipeline.explained(raised)
                    code = pipeline.code_of(error, context)
                    if is_domain_error(error):
                        # A refusal is an answer: its status goes out with the (empty) response
                        # in one batch, without abort's extra round and exception.
                        pipeline.answer_refusal(error, context)
                        return None
                    await pipeline.conclude(error, method, context)
                finally:
                    pipeline.record(method, code, started)

        return serve

    def _stream(self, method: str, behavior: StreamBehavior) -> StreamBehavior:
        pipeline = self._pipeline

        async def serve(request: Any, context: grpc.aio.ServicerContext) -> AsyncIterator[Any]:
            started = time.perf_counter()
            code = grpc.StatusCode.OK
            with self._span(method, context):
                try:
                    pipeline.admit(method, request, context)
                    async for response in behavior(request, context):
                        yield response
                except BaseException as raised:
                    error = pipeline.explained(raised)
                    code = pipeline.code_of(error, context)
                    await pipeline.conclude(error, method, context)
                finally:
                    pipeline.record(method, code, started)

        return serve


async def _refuse_unsupported(request: Any, context: grpc.aio.ServicerContext) -> None:
    await context.abort(grpc.StatusCode.UNIMPLEMENTED, "client-streaming RPCs are not served")
