"""Which connections the rendered NetworkPolicies allow, computed rather than reviewed.

Every pod of the overlay and a set of outside peers (callers, Prometheus, DNS, the internet, ...)
is a `Peer`. A connection from A to a port of B is allowed when A's egress and B's ingress both
allow it; a pod that no policy of that direction selects is open in that direction, and a peer
outside the overlay's namespace is not governed by these policies at all.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final

from tools.manifests.pods import by_kind, workloads
from tools.manifests.render import Manifest
from tools.manifests.selectors import selector_matches

POD_NETWORK: Final = ipaddress.ip_network("10.244.0.0/16")


@dataclass(frozen=True)
class Port:
    number: int
    protocol: str = "TCP"
    name: str = ""

    def __str__(self) -> str:
        return f"{self.number}/{self.protocol}"


@dataclass(frozen=True)
class Peer:
    """Something that connects or listens: a pod (by labels) or an address outside the cluster."""

    name: str
    ip: str
    namespace: str = ""
    namespace_labels: Mapping[str, str] = field(default_factory=dict)
    labels: Mapping[str, str] = field(default_factory=dict)
    ports: tuple[Port, ...] = ()

    @property
    def is_pod(self) -> bool:
        return bool(self.namespace)


Connection = tuple[str, str, str]  # (from, to, "port/protocol")


def namespace_peer(
    name: str,
    namespace: str,
    labels: Mapping[str, str],
    ip: str,
    ports: tuple[Port, ...] = (),
    namespace_labels: Mapping[str, str] | None = None,
) -> Peer:
    """A pod in another namespace; namespaces always carry kubernetes.io/metadata.name."""
    return Peer(
        name,
        ip,
        namespace,
        {"kubernetes.io/metadata.name": namespace, **(namespace_labels or {})},
        labels,
        ports,
    )


def overlay_pods(manifests: Sequence[Manifest]) -> list[Peer]:
    """One peer per workload of the overlay, named after its app.kubernetes.io/name label."""
    peers = []
    for index, workload in enumerate(workloads(manifests)):
        ports = tuple(
            Port(p["containerPort"], p.get("protocol", "TCP"), p.get("name", ""))
            for container in workload.containers()
            for p in container.get("ports", [])
        )
        peers.append(
            namespace_peer(
                workload.labels.get("app.kubernetes.io/name", workload.name),
                workload.namespace,
                workload.labels,
                str(POD_NETWORK[index + 10]),
                ports,
            )
        )
    return peers


def allowed_connections(manifests: Sequence[Manifest], outside: Sequence[Peer]) -> set[Connection]:
    """Every (from, to, port) that the overlay's policies let through."""
    policies = by_kind(manifests, "NetworkPolicy")
    governed = {p["metadata"].get("namespace", "default") for p in policies}
    peers = [*overlay_pods(manifests), *outside]
    allowed = set()
    for source in peers:
        for target in peers:
            if source is target or not {source.namespace, target.namespace} & governed:
                continue  # a connection the overlay's policies have no say in
            for port in target.ports:
                egress = _allows(policies, source, "Egress", target, port)
                ingress = _allows(policies, target, "Ingress", source, port)
                if egress and ingress:
                    allowed.add((source.name, target.name, str(port)))
    return allowed


def _allows(
    policies: Sequence[Manifest],
    pod: Peer,
    direction: str,
    other: Peer,
    port: Port,
) -> bool:
    """Whether `pod`'s policies of `direction` let it talk with `other` on `port`."""
    if pod.namespace not in {p["metadata"].get("namespace", "default") for p in policies}:
        return True  # outside the overlay's namespace: its own policies decide, not these
    selecting = [
        p
        for p in policies
        if p["metadata"].get("namespace", "default") == pod.namespace
        and selector_matches(p["spec"].get("podSelector"), pod.labels)
        and direction in _policy_types(p)
    ]
    if not selecting:
        return True  # a pod no policy of this direction selects is not isolated
    rules_key, peers_key = ("egress", "to") if direction == "Egress" else ("ingress", "from")
    return any(
        _rule_allows(rule.get(peers_key), rule.get("ports"), policy, other, port)
        for policy in selecting
        for rule in policy["spec"].get(rules_key, [])
    )


def _policy_types(policy: Manifest) -> list[str]:
    spec = policy["spec"]
    if "policyTypes" in spec:
        return list(spec["policyTypes"])
    return ["Ingress", "Egress"] if "egress" in spec else ["Ingress"]


def _rule_allows(
    peers: list[dict[str, Any]] | None,
    ports: list[dict[str, Any]] | None,
    policy: Manifest,
    other: Peer,
    port: Port,
) -> bool:
    if ports and not any(_port_matches(rule_port, port) for rule_port in ports):
        return False
    if not peers:
        return True  # an empty `to`/`from` means every peer
    namespace = policy["metadata"].get("namespace", "default")
    return any(_peer_matches(rule_peer, namespace, other) for rule_peer in peers)


def _port_matches(rule_port: Mapping[str, Any], port: Port) -> bool:
    if rule_port.get("protocol", "TCP") != port.protocol:
        return False
    wanted = rule_port.get("port")
    if wanted is None:
        return True
    if isinstance(wanted, str):
        return wanted == port.name
    return int(wanted) <= port.number <= int(rule_port.get("endPort", wanted))


def _peer_matches(rule_peer: Mapping[str, Any], namespace: str, other: Peer) -> bool:
    if "ipBlock" in rule_peer:
        block = rule_peer["ipBlock"]
        address = ipaddress.ip_address(other.ip)
        return address in ipaddress.ip_network(block["cidr"]) and not any(
            address in ipaddress.ip_network(excluded) for excluded in block.get("except", [])
        )
    if not other.is_pod:
        return False
    if "namespaceSelector" in rule_peer:
        if not selector_matches(rule_peer["namespaceSelector"], other.namespace_labels):
            return False
    elif other.namespace != namespace:
        return False
    return selector_matches(rule_peer.get("podSelector"), other.labels)
