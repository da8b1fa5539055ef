"""OpenTelemetry traces and Prometheus metrics, built per server (no global registries)."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from opentelemetry import trace
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor, SpanExporter
from opentelemetry.sdk.trace.sampling import ParentBased, TraceIdRatioBased
from prometheus_client import CollectorRegistry, Counter, Histogram, start_http_server

log = logging.getLogger(__name__)

LATENCY_BUCKETS = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5)


@dataclass
class RpcMetrics:
    """The RED metrics of the gRPC server, labelled by method and status code."""

    registry: CollectorRegistry
    handled: Counter
    latency: Histogram

    @classmethod
    def create(cls) -> RpcMetrics:
        registry = CollectorRegistry()
        handled = Counter(
            "streamstock_grpc_server_handled",
            "RPCs completed, by method and status code.",
            ["method", "code"],
            registry=registry,
        )
        latency = Histogram(
            "streamstock_grpc_server_handling_seconds",
            "Time to serve an RPC, by method.",
            ["method"],
            buckets=LATENCY_BUCKETS,
            registry=registry,
        )
        return cls(registry, handled, latency)

    def serve(self, host: str, port: int) -> None:
        """Exposes /metrics over HTTP; port 0 keeps them in-process only (tests)."""
        if port:
            start_http_server(port, addr=host, registry=self.registry)


def tracer_provider(
    service: str, sample_ratio: float, exporter: SpanExporter | None
) -> TracerProvider:
    provider = TracerProvider(
        resource=Resource.create({"service.name": f"streamstock-{service}"}),
        sampler=ParentBased(TraceIdRatioBased(sample_ratio)),
    )
    if exporter is not None:
        provider.add_span_processor(BatchSpanProcessor(exporter))
    return provider


def otlp_exporter(endpoint: str) -> SpanExporter | None:
    """The OTLP exporter when an endpoint is configured and the exporter package is installed."""
    if not endpoint:
        return None
    try:
        from opentelemetry.exporter.otlp.proto.grpc.trace_exporter import OTLPSpanExporter
    except ImportError:
        log.warning("STREAMSTOCK_OTLP_ENDPOINT is set but the OTLP exporter is not installed")
        return None
    return OTLPSpanExporter(endpoint=endpoint, insecure=True)


def tracer(provider: TracerProvider, service: str) -> trace.Tracer:
    return provider.get_tracer(f"streamstock.{service}")
