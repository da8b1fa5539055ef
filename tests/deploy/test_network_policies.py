"""The NetworkPolicies allow exactly the calls of DESIGN.md, computed from the rendered policies
over every pod of the overlay and the peers around it."""

from __future__ import annotations

import pytest
from rendered_overlays import find, rendered

from tools.manifests.network import Connection, Peer, Port, allowed_connections, namespace_peer
from tools.manifests.render import Manifest

SERVICES = ("inventory", "riskcontrol", "alerting", "sync")
GRPC, METRICS = "50051/TCP", "9464/TCP"


def outside_peers(namespace: str) -> list[Peer]:
    """Who is around the namespace. Callers mark their namespaces with streamstock.dev/caller."""
    return [
        namespace_peer(
            "platform-backend",
            "shop",
            {"app": "checkout"},
            "10.245.0.1",
            namespace_labels={"streamstock.dev/caller": "platform"},
        ),
        namespace_peer(
            "operator-console",
            "ops",
            {"app": "console"},
            "10.245.0.2",
            namespace_labels={"streamstock.dev/caller": "operator"},
        ),
        namespace_peer("stranger", "elsewhere", {"app": "checkout"}, "10.245.0.3"),
        # A pod started by hand in StreamStock's own namespace: the default deny covers it.
        namespace_peer("debug-pod", namespace, {"run": "debug"}, "10.244.9.9", (Port(8080),)),
        namespace_peer(
            "prometheus", "monitoring", {"app.kubernetes.io/name": "prometheus"}, "10.245.0.4"
        ),
        namespace_peer(
            "otel-collector",
            "observability",
            {"app.kubernetes.io/name": "opentelemetry-collector"},
            "10.245.0.5",
            (Port(4317),),
        ),
        namespace_peer(
            "kube-dns",
            "kube-system",
            {"k8s-app": "kube-dns"},
            "10.96.0.10",
            (Port(53, "UDP"), Port(53, "TCP")),
        ),
        Peer("internet", "203.0.113.10", ports=(Port(443), Port(80))),
        Peer("cloud-metadata", "169.254.169.254", ports=(Port(80), Port(443))),
        Peer("private-host", "10.0.0.5", ports=(Port(443), Port(5432), Port(6379))),
        Peer("managed-postgres", "10.40.0.10", ports=(Port(5432),)),
        Peer("managed-redis", "10.40.1.10", ports=(Port(6379),)),
    ]


# DESIGN.md: platform backends call inventory, riskcontrol (outcomes, challenges) and sync (sale
# reports, listing acknowledgements); operators' tools call all four; inventory calls Assess;
# riskcontrol, alerting and sync follow inventory's events and call its RPCs.
GRPC_CALLS = {
    ("platform-backend", "inventory"),
    ("platform-backend", "riskcontrol"),
    ("platform-backend", "sync"),
    *(("operator-console", service) for service in SERVICES),
    ("inventory", "riskcontrol"),
    ("riskcontrol", "inventory"),
    ("alerting", "inventory"),
    ("sync", "inventory"),
}
COMMON: set[Connection] = {
    *((caller, callee, GRPC) for caller, callee in GRPC_CALLS),
    *(("prometheus", service, METRICS) for service in SERVICES),
    *(
        (client, "kube-dns", dns)
        for client in (*SERVICES, "migrate")
        for dns in ("53/UDP", "53/TCP")
    ),
    # Webhooks and SMS/phone gateways; the platforms' listing APIs.
    ("alerting", "internet", "443/TCP"),
    ("sync", "internet", "443/TCP"),
}
EXPECTED: dict[str, set[Connection]] = {
    "dev": COMMON
    | {(client, "postgres", "5432/TCP") for client in (*SERVICES, "migrate")}
    | {(service, "redis", "6379/TCP") for service in SERVICES},
    "prod": COMMON
    | {(client, "managed-postgres", "5432/TCP") for client in (*SERVICES, "migrate")}
    | {(service, "managed-redis", "6379/TCP") for service in SERVICES}
    | {(service, "otel-collector", "4317/TCP") for service in SERVICES},
}


def namespace_of(manifests: list[Manifest]) -> str:
    (namespace,) = [m["metadata"]["name"] for m in manifests if m["kind"] == "Namespace"]
    return namespace


def connections(manifests: list[Manifest]) -> set[Connection]:
    return allowed_connections(manifests, outside_peers(namespace_of(manifests)))


def test_exactly_the_designed_calls_are_allowed(overlay: str, manifests: list[Manifest]) -> None:
    allowed = connections(manifests)

    assert allowed - EXPECTED[overlay] == set(), "allowed but not designed"
    assert EXPECTED[overlay] - allowed == set(), "designed but blocked"


def test_a_planted_extra_call_is_caught() -> None:
    manifests = rendered("prod")
    policy = find(manifests, "NetworkPolicy", "sync")
    policy["spec"]["egress"].append(
        {
            "to": [{"podSelector": {"matchLabels": {"app.kubernetes.io/name": "riskcontrol"}}}],
            "ports": [{"protocol": "TCP", "port": 50051}],
        }
    )
    find(manifests, "NetworkPolicy", "riskcontrol")["spec"]["ingress"][0]["from"].append(
        {"podSelector": {"matchLabels": {"app.kubernetes.io/name": "sync"}}}
    )

    assert connections(manifests) - EXPECTED["prod"] == {("sync", "riskcontrol", GRPC)}


def test_one_side_alone_does_not_open_a_call() -> None:
    """sync's egress to riskcontrol is useless while riskcontrol's ingress refuses sync."""
    manifests = rendered("dev")
    find(manifests, "NetworkPolicy", "sync")["spec"]["egress"].append(
        {"to": [{"podSelector": {"matchLabels": {"app.kubernetes.io/name": "riskcontrol"}}}]}
    )

    assert connections(manifests) == EXPECTED["dev"]


def test_without_the_default_deny_a_pod_started_by_hand_is_wide_open() -> None:
    manifests = rendered("dev")
    manifests.remove(find(manifests, "NetworkPolicy", "default-deny"))

    extra = connections(manifests) - EXPECTED["dev"]

    assert ("stranger", "debug-pod", "8080/TCP") in extra
    assert ("debug-pod", "internet", "443/TCP") in extra
    assert ("debug-pod", "postgres", "5432/TCP") not in extra  # postgres keeps its own ingress


@pytest.mark.parametrize("private", ["private-host", "cloud-metadata"])
def test_outbound_https_never_reaches_private_networks(overlay: str, private: str) -> None:
    allowed = connections(rendered(overlay))

    assert not {c for c in allowed if c[1] == private}
