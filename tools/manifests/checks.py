"""Policies every rendered overlay must satisfy; each check returns one line per violation."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any, Final

from services.runtime.server import CLEANUP_FLOOR_SECONDS, CLEANUP_SECONDS, TASKS_STOP_SECONDS
from tools.manifests.pods import (
    MIGRATIONS_COMPONENT,
    Workload,
    by_kind,
    config_maps,
    environment,
    references,
    services,
    workloads,
)
from tools.manifests.render import Manifest
from tools.manifests.selectors import selector_matches

Check = Callable[[Sequence[Manifest]], list[str]]

GRPC_PORT: Final = 50051
SERVICE_CONTAINER: Final = "service"
MIGRATE_MODULE: Final = "services.runtime.migrate"
DRAIN_GRACE_VARIABLE: Final = "STREAMSTOCK_DRAIN_GRACE_SECONDS"
DEFAULT_DRAIN_GRACE_SECONDS: Final = 10.0  # ServiceSettings.drain_grace_seconds
# What a service does after its drain, with room for the floor of up to 8 cleanups.
AFTER_DRAIN_SECONDS: Final = TASKS_STOP_SECONDS + CLEANUP_SECONDS + 8 * CLEANUP_FLOOR_SECONDS
# Names that hold credentials: only ever filled from a Secret.
_CREDENTIAL_NAME = re.compile(r"PASSWORD|SECRET|TOKEN|API_KEY|CREDENTIAL", re.IGNORECASE)
# Credentials written into a URL: `scheme://user:<password>@host` or `?password=<password>`.
_URL_PASSWORD = re.compile(r"://[^/@\s]*:([^/@\s]+)@|[?&]password=([^&\s]+)")


def service_command(name: str) -> list[str]:
    """What the image runs for a service: the command `make run` uses (tools/devstack)."""
    return ["python", "-m", f"services.{name}"]


def migrate_command() -> list[str]:
    return ["python", "-m", MIGRATE_MODULE]


def _effective(pod: Mapping[str, Any], container: Mapping[str, Any], field: str) -> Any:
    """A container's security setting, falling back to the pod's as Kubernetes does."""
    own = container.get("securityContext", {})
    return own[field] if field in own else pod.get("securityContext", {}).get(field)


def _each_container(manifests: Sequence[Manifest]) -> Iterator[tuple[Workload, dict[str, Any]]]:
    for workload in workloads(manifests):
        for container in workload.containers():
            yield workload, container


def hardening_violations(manifests: Sequence[Manifest]) -> list[str]:
    """Non-root numeric user, read-only root, no escalation, no capabilities, RuntimeDefault."""
    violations = []
    for workload, container in _each_container(manifests):
        where = f"{workload} container {container['name']}"
        own = container.get("securityContext", {})
        user = _effective(workload.pod_spec, container, "runAsUser")
        seccomp = _effective(workload.pod_spec, container, "seccompProfile") or {}
        if _effective(workload.pod_spec, container, "runAsNonRoot") is not True:
            violations.append(f"{where}: runAsNonRoot is not true")
        if not isinstance(user, int) or isinstance(user, bool) or user == 0:
            violations.append(f"{where}: runAsUser {user!r} is not a numeric non-root user")
        if own.get("readOnlyRootFilesystem") is not True:
            violations.append(f"{where}: readOnlyRootFilesystem is not true")
        if own.get("allowPrivilegeEscalation") is not False:
            violations.append(f"{where}: allowPrivilegeEscalation is not false")
        capabilities = own.get("capabilities", {})
        if "ALL" not in capabilities.get("drop", []) or capabilities.get("add"):
            violations.append(f"{where}: capabilities do not drop ALL (or add some)")
        if own.get("privileged"):
            violations.append(f"{where}: privileged")
        if seccomp.get("type") != "RuntimeDefault":
            violations.append(f"{where}: seccompProfile is not RuntimeDefault")
    return violations


def resource_violations(manifests: Sequence[Manifest]) -> list[str]:
    violations = []
    for workload, container in _each_container(manifests):
        resources = container.get("resources", {})
        for bound in ("requests", "limits"):
            for resource in ("cpu", "memory"):
                if resource not in resources.get(bound, {}):
                    violations.append(
                        f"{workload} container {container['name']}: no {resource} {bound}"
                    )
    return violations


def probe_violations(manifests: Sequence[Manifest]) -> list[str]:
    """Native gRPC startup, readiness ("") and liveness ("liveness") probes: not the same check."""
    return [
        f"{workload}: {problem}"
        for workload in services(manifests)
        for problem in _probe_problems(workload.container(SERVICE_CONTAINER))
    ]


def _probe_problems(container: Mapping[str, Any]) -> list[str]:
    probes: dict[str, dict[str, Any]] = {
        kind: container.get(f"{kind}Probe") or {} for kind in ("startup", "readiness", "liveness")
    }
    missing = [kind for kind, probe in probes.items() if "grpc" not in probe]
    if missing:
        return [f"no native gRPC {kind} probe" for kind in missing]
    problems = [
        f"{kind} probe is not on port {GRPC_PORT}"
        for kind, probe in probes.items()
        if probe["grpc"].get("port") != GRPC_PORT
    ]
    health = {kind: probe["grpc"].get("service", "") for kind, probe in probes.items()}
    if health["readiness"] != "" or health["startup"] != "":
        problems.append("startup and readiness must ask readiness (service '')")
    if health["liveness"] != "liveness":
        problems.append("liveness must ask service 'liveness', not readiness")
    if _probe_budget(probes["startup"]) <= _probe_budget(probes["readiness"]):
        problems.append("the startup probe gives no more time than readiness")
    return problems


def _probe_budget(probe: Mapping[str, Any]) -> int:
    return int(probe.get("periodSeconds", 10)) * int(probe.get("failureThreshold", 3))


def grace_violations(manifests: Sequence[Manifest]) -> list[str]:
    """The kubelet's SIGKILL must come after the preStop pause, the whole drain grace and what
    a service does after it (its background tasks, then its cleanups, each with a bound)."""
    violations = []
    for workload in services(manifests):
        container = workload.container(SERVICE_CONTAINER)
        variable = environment(container, manifests).get(DRAIN_GRACE_VARIABLE)
        drain = (
            float(variable.value) if variable and variable.value else DEFAULT_DRAIN_GRACE_SECONDS
        )
        pause = container.get("lifecycle", {}).get("preStop", {}).get("sleep", {}).get("seconds", 0)
        grace = workload.pod_spec.get("terminationGracePeriodSeconds", 30)
        if grace <= drain + pause + AFTER_DRAIN_SECONDS:
            violations.append(
                f"{workload}: terminationGracePeriodSeconds {grace} is not longer than the "
                f"preStop pause {pause} s + drain grace {drain} s + the stop after the drain "
                f"{AFTER_DRAIN_SECONDS} s"
            )
    return violations


def secret_violations(manifests: Sequence[Manifest]) -> list[str]:
    """Secrets are referenced, never embedded: no Secret object, credentials only by secretKeyRef."""
    violations = [
        f"Secret/{m['metadata']['name']} is embedded" for m in by_kind(manifests, "Secret")
    ]
    for name, data in config_maps(manifests).items():
        for key, value in data.items():
            if _CREDENTIAL_NAME.search(key) or _URL_PASSWORD.search(str(value)):
                violations.append(f"ConfigMap/{name} holds a credential in {key}")
    for workload, container in _each_container(manifests):
        where = f"{workload} container {container['name']}"
        if any("secretRef" in source for source in container.get("envFrom", [])):
            violations.append(f"{where}: envFrom secretRef (use env with secretKeyRef)")
        resolved = environment(container, manifests)
        for variable in container.get("env", []):
            name = variable["name"]
            if _CREDENTIAL_NAME.search(name) and resolved[name].secret is None:
                violations.append(f"{where}: {name} is not from a secretKeyRef")
            value = resolved[name].value or ""
            for match in _URL_PASSWORD.finditer(value):
                password = match[1] or match[2]
                used = references(password)
                if not used or any(
                    resolved.get(ref) is None or resolved[ref].secret is None for ref in used
                ):
                    violations.append(f"{where}: {name} embeds a password in its URL")
    return violations


def availability_violations(manifests: Sequence[Manifest]) -> list[str]:
    """Every service has a PodDisruptionBudget and a HorizontalPodAutoscaler that fit it."""
    violations = []
    budgets = by_kind(manifests, "PodDisruptionBudget")
    autoscalers = by_kind(manifests, "HorizontalPodAutoscaler")
    for workload in services(manifests):
        matching = [
            b for b in budgets if selector_matches(b["spec"].get("selector", {}), workload.labels)
        ]
        if len(matching) != 1:
            violations.append(f"{workload}: {len(matching)} PodDisruptionBudgets select it")
        elif matching[0]["spec"].get("maxUnavailable", 0) in (0, "0%"):
            violations.append(f"{workload}: its PodDisruptionBudget blocks every eviction")
        scaling = [
            a
            for a in autoscalers
            if a["spec"]["scaleTargetRef"]["name"] == workload.name
            and a["spec"]["scaleTargetRef"]["kind"] == "Deployment"
        ]
        if len(scaling) != 1:
            violations.append(f"{workload}: {len(scaling)} HorizontalPodAutoscalers scale it")
        if "replicas" in workload.manifest["spec"]:
            violations.append(f"{workload}: sets replicas, which would fight its autoscaler")
    return violations


def migration_violations(manifests: Sequence[Manifest]) -> list[str]:
    """A migrations Job exists, and every service pod waits for it with `migrate --check`."""
    jobs = [w for w in workloads(manifests) if w.component == MIGRATIONS_COMPONENT]
    job_images = {
        c["image"]
        for job in jobs
        for c in job.containers()
        if c.get("command") == migrate_command()
    }
    if not job_images:
        return [f"no Job runs {' '.join(migrate_command())}"]
    violations = []
    for workload in services(manifests):
        image = workload.container(SERVICE_CONTAINER)["image"]
        if image not in job_images:
            violations.append(f"{workload}: the migrations Job does not run image {image}")
        gates = [
            c
            for c in workload.pod_spec.get("initContainers", [])
            if c.get("command", [])[:4] == [*migrate_command(), "--check"]
        ]
        if not gates:
            violations.append(f"{workload}: no init container waits for the migrations")
        elif any(gate["image"] != image for gate in gates):
            violations.append(f"{workload}: the migrations gate checks another image's migrations")
    return violations


def command_violations(manifests: Sequence[Manifest]) -> list[str]:
    """Each service container runs `python -m services.<name>`, as the local stack does."""
    violations = []
    for workload in services(manifests):
        command = workload.container(SERVICE_CONTAINER).get("command")
        if command != service_command(workload.name):
            violations.append(
                f"{workload}: command {command} is not {service_command(workload.name)}"
            )
    return violations


ALL_CHECKS: Final[Mapping[str, Check]] = {
    "hardening": hardening_violations,
    "resources": resource_violations,
    "probes": probe_violations,
    "grace": grace_violations,
    "secrets": secret_violations,
    "availability": availability_violations,
    "migrations": migration_violations,
    "commands": command_violations,
}
