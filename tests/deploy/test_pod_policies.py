"""The policies of the issue hold for every container of every overlay, and each check catches a
violation planted in a rendered copy (so none of them can pass by looking at nothing)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest
from rendered_overlays import container, find, rendered

from tools.manifests.checks import ALL_CHECKS
from tools.manifests.pods import services, workloads
from tools.manifests.render import Manifest


@pytest.mark.parametrize("check", sorted(ALL_CHECKS))
def test_the_overlay_satisfies(check: str, manifests: list[Manifest]) -> None:
    assert ALL_CHECKS[check](manifests) == []


def test_the_checks_see_every_kind_of_container(overlay: str, manifests: list[Manifest]) -> None:
    """Init containers, the Job and (dev) the datastores are examined, not only the services."""
    examined = {(w.kind, c["name"]) for w in workloads(manifests) for c in w.containers()}
    assert {
        ("Deployment", "service"),
        ("Deployment", "wait-for-migrations"),
        ("Job", "migrate"),
    } <= examined
    if overlay == "dev":
        assert {("StatefulSet", "postgres"), ("StatefulSet", "redis")} <= examined
    assert sorted(w.name for w in services(manifests)) == [
        "alerting",
        "inventory",
        "riskcontrol",
        "sync",
    ]


@dataclass(frozen=True)
class Planted:
    """A violation planted in a rendered overlay, and the report line the check must produce."""

    overlay: str
    check: str
    plant: Callable[[list[Manifest]], None]
    reported: str


def service_container(
    name: str, container_name: str = "service"
) -> Callable[[list[Manifest]], dict]:
    return lambda manifests: container(manifests, "Deployment", name, container_name)


def pod(manifests: list[Manifest], kind: str, name: str) -> dict:
    return find(manifests, kind, name)["spec"]["template"]["spec"]


def _root_user(m: list[Manifest]) -> None:
    container(m, "StatefulSet", "postgres", "postgres")["securityContext"]["runAsUser"] = 0


def _no_non_root(m: list[Manifest]) -> None:
    del pod(m, "Deployment", "inventory")["securityContext"]["runAsNonRoot"]
    del service_container("inventory")(m)["securityContext"]["runAsNonRoot"]


def _named_user(m: list[Manifest]) -> None:
    service_container("sync")(m)["securityContext"]["runAsUser"] = "streamstock"


def _writable_init_root(m: list[Manifest]) -> None:
    service_container("alerting", "wait-for-migrations")(m)["securityContext"][
        "readOnlyRootFilesystem"
    ] = False


def _escalating_job(m: list[Manifest]) -> None:
    container(m, "Job", "streamstock-migrate", "migrate")["securityContext"][
        "allowPrivilegeEscalation"
    ] = True


def _added_capability(m: list[Manifest]) -> None:
    service_container("riskcontrol")(m)["securityContext"]["capabilities"]["add"] = ["NET_ADMIN"]


def _unconfined(m: list[Manifest]) -> None:
    service_container("inventory")(m)["securityContext"]["seccompProfile"] = {"type": "Unconfined"}


def _no_limits(m: list[Manifest]) -> None:
    del service_container("sync")(m)["resources"]["limits"]


def _liveness_is_readiness(m: list[Manifest]) -> None:
    service_container("riskcontrol")(m)["livenessProbe"]["grpc"]["service"] = ""


def _no_startup_probe(m: list[Manifest]) -> None:
    del service_container("alerting")(m)["startupProbe"]


def _tcp_readiness(m: list[Manifest]) -> None:
    service_container("sync")(m)["readinessProbe"] = {"tcpSocket": {"port": 50051}}


def _two_bad_services(m: list[Manifest]) -> None:
    """A violation in one service must not hide one in the next."""
    _no_startup_probe(m)
    service_container("sync")(m)["livenessProbe"]["grpc"]["service"] = ""


def _impatient_startup(m: list[Manifest]) -> None:
    service_container("inventory")(m)["startupProbe"]["failureThreshold"] = 1


def _probe_on_metrics_port(m: list[Manifest]) -> None:
    service_container("riskcontrol")(m)["livenessProbe"]["grpc"]["port"] = 9464


def _short_grace(m: list[Manifest]) -> None:
    pod(m, "Deployment", "inventory")["terminationGracePeriodSeconds"] = 12


def _long_drain(m: list[Manifest]) -> None:
    find(m, "ConfigMap", "streamstock-config")["data"]["STREAMSTOCK_DRAIN_GRACE_SECONDS"] = "60"


def _secret_object(m: list[Manifest]) -> None:
    m.append(
        {
            "apiVersion": "v1",
            "kind": "Secret",
            "metadata": {"name": "streamstock-postgres"},
            "stringData": {"password": "hunter2"},
        }
    )


def _literal_keys(m: list[Manifest]) -> None:
    env = service_container("inventory")(m)["env"]
    (entry,) = [e for e in env if e["name"] == "STREAMSTOCK_API_KEYS"]
    entry.pop("valueFrom")
    entry["value"] = f"{'0' * 64}:acme:admin"


def _password_in_dsn(m: list[Manifest]) -> None:
    find(m, "ConfigMap", "streamstock-config")["data"]["STREAMSTOCK_POSTGRES_DSN"] = (
        "postgresql://streamstock:hunter2@postgres:5432/streamstock"
    )


def _password_in_redis_url(m: list[Manifest]) -> None:
    env = service_container("riskcontrol")(m)["env"]
    (entry,) = [e for e in env if e["name"] == "STREAMSTOCK_REDIS_URL"]
    entry["value"] = "$(STREAMSTOCK_REDIS_ENDPOINT)?password=hunter2"


def _env_from_secret(m: list[Manifest]) -> None:
    service_container("alerting")(m)["envFrom"].append({"secretRef": {"name": "everything"}})


def _no_budget(m: list[Manifest]) -> None:
    m.remove(find(m, "PodDisruptionBudget", "sync"))


def _blocking_budget(m: list[Manifest]) -> None:
    find(m, "PodDisruptionBudget", "alerting")["spec"]["maxUnavailable"] = 0


def _autoscaler_elsewhere(m: list[Manifest]) -> None:
    find(m, "HorizontalPodAutoscaler", "riskcontrol")["spec"]["scaleTargetRef"]["name"] = "sync"


def _fixed_replicas(m: list[Manifest]) -> None:
    find(m, "Deployment", "inventory")["spec"]["replicas"] = 3


def _no_gate(m: list[Manifest]) -> None:
    del pod(m, "Deployment", "inventory")["initContainers"]


def _gate_of_another_release(m: list[Manifest]) -> None:
    service_container("sync", "wait-for-migrations")(m)["image"] = "streamstock:old"


def _no_job(m: list[Manifest]) -> None:
    m.remove(find(m, "Job", "streamstock-migrate"))


def _wrong_command(m: list[Manifest]) -> None:
    service_container("inventory")(m)["command"] = ["python", "-m", "services.sync"]


PLANTED = [
    Planted("dev", "hardening", _root_user, "StatefulSet/postgres container postgres: runAsUser 0"),
    Planted(
        "prod", "hardening", _no_non_root, "Deployment/inventory container service: runAsNonRoot"
    ),
    Planted(
        "prod", "hardening", _named_user, "Deployment/sync container service: runAsUser 'stream"
    ),
    Planted("dev", "hardening", _writable_init_root, "wait-for-migrations: readOnlyRootFilesystem"),
    Planted(
        "prod", "hardening", _escalating_job, "Job/streamstock-migrate container migrate: allowPriv"
    ),
    Planted(
        "dev", "hardening", _added_capability, "Deployment/riskcontrol container service: capabil"
    ),
    Planted(
        "prod", "hardening", _unconfined, "Deployment/inventory container service: seccompProfile"
    ),
    Planted("dev", "resources", _no_limits, "Deployment/sync container service: no cpu limits"),
    Planted("prod", "probes", _liveness_is_readiness, "Deployment/riskcontrol: liveness must ask"),
    Planted(
        "dev", "probes", _no_startup_probe, "Deployment/alerting: no native gRPC startup probe"
    ),
    Planted("prod", "probes", _tcp_readiness, "Deployment/sync: no native gRPC readiness probe"),
    Planted("dev", "probes", _two_bad_services, "Deployment/sync: liveness must ask"),
    Planted("prod", "probes", _impatient_startup, "Deployment/inventory: the startup probe"),
    Planted("dev", "probes", _probe_on_metrics_port, "riskcontrol: liveness probe is not on port"),
    Planted(
        "prod", "grace", _short_grace, "Deployment/inventory: terminationGracePeriodSeconds 12"
    ),
    Planted("dev", "grace", _long_drain, "drain grace 60.0 s"),
    Planted("prod", "secrets", _secret_object, "Secret/streamstock-postgres is embedded"),
    Planted("dev", "secrets", _literal_keys, "STREAMSTOCK_API_KEYS is not from a secretKeyRef"),
    Planted("prod", "secrets", _password_in_dsn, "holds a credential in STREAMSTOCK_POSTGRES_DSN"),
    Planted("dev", "secrets", _password_in_redis_url, "STREAMSTOCK_REDIS_URL embeds a password"),
    Planted("prod", "secrets", _env_from_secret, "Deployment/alerting container service: envFrom"),
    Planted("dev", "availability", _no_budget, "Deployment/sync: 0 PodDisruptionBudgets"),
    Planted(
        "prod", "availability", _blocking_budget, "Deployment/alerting: its PodDisruptionBudget"
    ),
    Planted("prod", "availability", _autoscaler_elsewhere, "Deployment/riskcontrol: 0 Horizontal"),
    Planted("dev", "availability", _fixed_replicas, "Deployment/inventory: sets replicas"),
    Planted("prod", "migrations", _no_gate, "Deployment/inventory: no init container waits"),
    Planted("dev", "migrations", _gate_of_another_release, "Deployment/sync: the migrations gate"),
    Planted("prod", "migrations", _no_job, "no Job runs python -m services.runtime.migrate"),
    Planted("dev", "commands", _wrong_command, "Deployment/inventory: command"),
]


@pytest.mark.parametrize("planted", PLANTED, ids=lambda p: p.plant.__name__.strip("_"))
def test_a_planted_violation_is_reported(planted: Planted) -> None:
    manifests = rendered(planted.overlay)
    planted.plant(manifests)

    violations = ALL_CHECKS[planted.check](manifests)

    assert any(planted.reported in line for line in violations), violations
