"""Every overlay renders with kustomize and every object passes the strict Kubernetes schemas."""

from __future__ import annotations

from collections import Counter

import pytest
from rendered_overlays import find, rendered

from tools.manifests.render import DEPLOY_ROOT, RenderError, render_directory
from tools.manifests.schemas import KUBERNETES_VERSIONS, schema_violations

SERVICES = ("inventory", "riskcontrol", "alerting", "sync")
PER_SERVICE_KINDS = (
    "Deployment",
    "Service",
    "ServiceAccount",
    "PodDisruptionBudget",
    "HorizontalPodAutoscaler",
    "NetworkPolicy",
)


def test_every_object_passes_the_strict_schemas(manifests: list[dict]) -> None:
    assert schema_violations(manifests) == []


def test_each_service_has_its_own_objects_and_config(manifests: list[dict]) -> None:
    for service in SERVICES:
        for kind in PER_SERVICE_KINDS:
            find(manifests, kind, service)
        find(manifests, "ConfigMap", f"{service}-config")


def test_every_object_lives_in_the_overlay_namespace(overlay: str, manifests: list[dict]) -> None:
    namespaces = Counter(
        m["metadata"].get("namespace") for m in manifests if m["kind"] != "Namespace"
    )
    (namespace,) = [m["metadata"]["name"] for m in manifests if m["kind"] == "Namespace"]
    assert set(namespaces) == {namespace}
    assert namespace.startswith("streamstock")


def test_the_namespace_enforces_the_restricted_pod_security_standard(manifests: list[dict]) -> None:
    (namespace,) = [m for m in manifests if m["kind"] == "Namespace"]
    assert namespace["metadata"]["labels"]["pod-security.kubernetes.io/enforce"] == "restricted"


def test_an_unknown_field_fails_strict_validation() -> None:
    manifests = rendered("dev")
    deployment = find(manifests, "Deployment", "inventory")
    deployment["spec"]["template"]["spec"]["containers"][0]["securityContxt"] = {}

    violations = schema_violations([deployment], KUBERNETES_VERSIONS[:1])

    assert len(violations) == 1 and "Deployment/inventory" in violations[0]


def test_a_wrong_type_fails_validation() -> None:
    manifests = rendered("prod")
    autoscaler = find(manifests, "HorizontalPodAutoscaler", "sync")
    autoscaler["spec"]["minReplicas"] = "three"

    assert schema_violations([autoscaler]) != []


def test_a_broken_kustomization_is_reported(tmp_path) -> None:
    (tmp_path / "kustomization.yaml").write_text("resources:\n  - missing.yaml\n")

    with pytest.raises(RenderError, match=r"missing\.yaml"):
        render_directory(tmp_path)


def test_the_base_alone_names_no_datastore() -> None:
    """Endpoints belong to overlays: the base must not quietly point at some database."""
    config = find(render_directory(DEPLOY_ROOT / "base"), "ConfigMap", "streamstock-config")
    assert "STREAMSTOCK_POSTGRES_DSN" not in config["data"]
    assert "STREAMSTOCK_REDIS_ENDPOINT" not in config["data"]


def test_a_kind_without_a_bundled_schema_is_a_violation_not_a_pass() -> None:
    monitor = {
        "apiVersion": "monitoring.coreos.com/v1",
        "kind": "PodMonitor",
        "metadata": {"name": "x"},
    }

    assert len(schema_violations([monitor])) == len(KUBERNETES_VERSIONS)
