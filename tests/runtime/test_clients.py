"""Outbound calls on a bare channel carry what the intercepted channel adds: key and trace."""

from __future__ import annotations

from opentelemetry.sdk.trace import TracerProvider

from services.runtime.auth import API_KEY_HEADER
from services.runtime.clients import call_metadata


def test_call_metadata_carries_the_key_and_the_current_trace() -> None:
    tracer = TracerProvider().get_tracer(__name__)
    with tracer.start_as_current_span("hold") as span:
        metadata = dict(call_metadata("service-key"))
    trace_id = format(span.get_span_context().trace_id, "032x")
    assert metadata[API_KEY_HEADER] == "service-key"
    assert trace_id in metadata["traceparent"]


def test_call_metadata_without_a_key_carries_no_key() -> None:
    assert API_KEY_HEADER not in dict(call_metadata(""))
