"""What differs between dev and prod, read through the services' own settings parser."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from rendered_overlays import find, rendered

from services.inventory.settings import InventorySettings
from services.runtime.settings import ServiceSettings
from services.runtime.telemetry import otlp_exporter
from tools.manifests.pods import Workload, by_kind, environment, services, workloads
from tools.manifests.render import Manifest

# DESIGN.md: whom each service calls.
PEERS = {
    "inventory": {"riskcontrol"},
    "riskcontrol": {"inventory"},
    "alerting": {"inventory"},
    "sync": {"inventory"},
}


def settings_of(workload: Workload, manifests: list[Manifest]) -> ServiceSettings:
    """The settings the service would read in its pod; Secret values are stand-ins."""
    env = environment(workload.container("service"), manifests)
    values = {
        name: variable.value if variable.value is not None else f"<{name} from a Secret>"
        for name, variable in env.items()
    }
    return ServiceSettings.from_env(workload.name, values)


def service_names(manifests: list[Manifest]) -> set[str]:
    return {m["metadata"]["name"] for m in by_kind(manifests, "Service")}


def test_every_service_listens_where_its_probes_service_and_scrapes_look(
    manifests: list[Manifest],
) -> None:
    for workload in services(manifests):
        settings = settings_of(workload, manifests)
        container = workload.container("service")
        ports = {p["name"]: p["containerPort"] for p in container["ports"]}
        annotations = workload.template["metadata"]["annotations"]

        assert settings.grpc_host == "0.0.0.0"
        assert settings.grpc_port == ports["grpc"] == container["readinessProbe"]["grpc"]["port"]
        assert settings.metrics_port == ports["metrics"] == int(annotations["prometheus.io/port"])


def test_every_service_knows_exactly_the_peers_it_calls(manifests: list[Manifest]) -> None:
    for workload in services(manifests):
        peers = settings_of(workload, manifests).peers

        assert set(peers) == PEERS[workload.name]
        for peer, address in peers.items():
            host, port = address.rsplit(":", 1)
            assert host == peer and host in service_names(manifests) and port == "50051"


def test_redis_url_is_the_endpoint_plus_the_secret_password(manifests: list[Manifest]) -> None:
    for workload in services(manifests):
        url = settings_of(workload, manifests).redis_url
        assert url.endswith("?password=$(STREAMSTOCK_REDIS_PASSWORD)")


def test_prod_uses_external_datastores_and_a_redis_cluster() -> None:
    manifests = rendered("prod")
    in_cluster = service_names(manifests)
    assert not by_kind(manifests, "StatefulSet")
    for workload in services(manifests):
        settings = settings_of(workload, manifests)
        postgres = urlsplit(settings.postgres_dsn)
        redis = urlsplit(settings.redis_url)

        assert settings.redis_cluster is True
        assert postgres.hostname not in in_cluster and "." in (postgres.hostname or "")
        assert "sslmode=verify-full" in postgres.query
        assert redis.scheme == "rediss" and redis.hostname not in in_cluster


def test_prod_exports_traces_to_the_collector() -> None:
    manifests = rendered("prod")
    for workload in services(manifests):
        endpoint = settings_of(workload, manifests).otlp_endpoint
        assert endpoint.startswith("otel-collector.observability.svc")
        assert otlp_exporter(endpoint) is not None, "the image cannot export to it"


def test_prod_runs_more_replicas_than_dev() -> None:
    minimum = {
        overlay: {
            a["spec"]["scaleTargetRef"]["name"]: a["spec"]["minReplicas"]
            for a in by_kind(rendered(overlay), "HorizontalPodAutoscaler")
        }
        for overlay in ("dev", "prod")
    }
    assert set(minimum["prod"]) == set(PEERS)
    for service in PEERS:
        assert minimum["prod"][service] >= 3 > minimum["dev"][service]


@pytest.mark.parametrize(("store", "port"), [("postgres", 5432), ("redis", 6379)])
def test_dev_runs_its_datastores_as_statefulsets_on_persistent_volumes(
    store: str, port: int
) -> None:
    manifests = rendered("dev")
    (statefulset,) = [
        w for w in workloads(manifests) if w.kind == "StatefulSet" and w.name == store
    ]
    claims = {c["metadata"]["name"] for c in statefulset.manifest["spec"]["volumeClaimTemplates"]}
    mounted = {m["name"] for m in statefulset.container(store)["volumeMounts"]}
    service = find(manifests, "Service", store)

    assert claims and claims <= mounted
    assert statefulset.manifest["spec"]["serviceName"] == store
    assert [p["port"] for p in service["spec"]["ports"]] == [port]


def test_dev_services_use_the_in_cluster_datastores() -> None:
    manifests = rendered("dev")
    for workload in services(manifests):
        settings = settings_of(workload, manifests)

        assert urlsplit(settings.postgres_dsn).hostname == "postgres"
        assert urlsplit(settings.redis_url).hostname == "redis"
        assert settings.redis_cluster is False
        assert settings.otlp_endpoint == ""


def postgres_clients(manifests: list[Manifest]) -> list[tuple[Workload, dict]]:
    """Every container that connects to PostgreSQL (it is given the DSN)."""
    return [
        (workload, each)
        for workload in workloads(manifests)
        for each in workload.containers()
        if "STREAMSTOCK_POSTGRES_DSN" in environment(each, manifests)
    ]


def unmounted_ca_bundles(manifests: list[Manifest]) -> list[str]:
    problems = []
    for workload, each in postgres_clients(manifests):
        dsn = environment(each, manifests)["STREAMSTOCK_POSTGRES_DSN"].value or ""
        query = dict(part.split("=", 1) for part in urlsplit(dsn).query.split("&") if part)
        bundle = query.get("sslrootcert")
        mounts = [m["mountPath"] for m in each.get("volumeMounts", [])]
        if bundle and not any(bundle.startswith(f"{mount}/") for mount in mounts):
            problems.append(f"{workload} container {each['name']}")
    return problems


def test_every_postgres_client_can_verify_the_server_certificate(overlay: str) -> None:
    manifests = rendered(overlay)
    clients = {(w.kind, c["name"]) for w, c in postgres_clients(manifests)}

    assert {
        ("Deployment", "service"),
        ("Deployment", "wait-for-migrations"),
        ("Job", "migrate"),
    } <= clients
    assert unmounted_ca_bundles(manifests) == []


def test_a_client_without_the_ca_bundle_is_caught() -> None:
    manifests = rendered("prod")
    job = find(manifests, "Job", "streamstock-migrate")
    job["spec"]["template"]["spec"]["containers"][0]["volumeMounts"] = []

    assert unmounted_ca_bundles(manifests) == ["Job/streamstock-migrate container migrate"]


def test_inventory_reads_its_own_settings_from_its_config(manifests: list[Manifest]) -> None:
    inventory = next(w for w in services(manifests) if w.name == "inventory")
    env = environment(inventory.container("service"), manifests)

    settings = InventorySettings.from_env({k: v.value for k, v in env.items() if v.value})

    assert (settings.sweep_interval_seconds, settings.max_hold_batch) == (
        float(env["STREAMSTOCK_SWEEP_INTERVAL_SECONDS"].value or "nan"),
        int(env["STREAMSTOCK_MAX_HOLD_BATCH"].value or "-1"),
    )
