"""The pods a rendered overlay would run: workloads, their containers and their environment."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

from tools.manifests.render import Manifest

WORKLOAD_KINDS: Final = ("Deployment", "StatefulSet", "Job", "DaemonSet", "CronJob")
SERVICE_COMPONENT: Final = "grpc-service"
MIGRATIONS_COMPONENT: Final = "migrations"
_REFERENCE = re.compile(r"\$\(([A-Za-z_][A-Za-z0-9_]*)\)")


@dataclass(frozen=True)
class Workload:
    """A workload object and its pod template."""

    manifest: Manifest

    @property
    def kind(self) -> str:
        return str(self.manifest["kind"])

    @property
    def name(self) -> str:
        return str(self.manifest["metadata"]["name"])

    @property
    def namespace(self) -> str:
        return str(self.manifest["metadata"].get("namespace", "default"))

    @property
    def template(self) -> dict[str, Any]:
        spec = self.manifest["spec"]
        if self.kind == "CronJob":
            spec = spec["jobTemplate"]["spec"]
        template: dict[str, Any] = spec["template"]
        return template

    @property
    def pod_spec(self) -> dict[str, Any]:
        spec: dict[str, Any] = self.template["spec"]
        return spec

    @property
    def labels(self) -> dict[str, str]:
        return dict(self.template.get("metadata", {}).get("labels", {}))

    @property
    def component(self) -> str:
        return self.labels.get("app.kubernetes.io/component", "")

    def containers(self) -> Iterator[dict[str, Any]]:
        """Init containers first, then the others."""
        yield from self.pod_spec.get("initContainers", [])
        yield from self.pod_spec.get("containers", [])

    def container(self, name: str) -> dict[str, Any]:
        for container in self.containers():
            if container["name"] == name:
                return container
        raise KeyError(f"{self.kind}/{self.name} has no container {name!r}")

    def __str__(self) -> str:
        return f"{self.kind}/{self.name}"


def workloads(manifests: Sequence[Manifest]) -> list[Workload]:
    return [Workload(m) for m in manifests if m.get("kind") in WORKLOAD_KINDS]


def services(manifests: Sequence[Manifest]) -> list[Workload]:
    """The StreamStock gRPC service Deployments."""
    return [w for w in workloads(manifests) if w.component == SERVICE_COMPONENT]


def by_kind(manifests: Sequence[Manifest], kind: str) -> list[Manifest]:
    return [m for m in manifests if m.get("kind") == kind]


def config_maps(manifests: Sequence[Manifest]) -> dict[str, Mapping[str, str]]:
    return {m["metadata"]["name"]: m.get("data", {}) for m in by_kind(manifests, "ConfigMap")}


@dataclass(frozen=True)
class EnvVar:
    """One variable as the kubelet would set it: a literal (references expanded) or a Secret key."""

    name: str
    value: str | None
    secret: tuple[str, str] | None = None


def environment(container: Mapping[str, Any], manifests: Sequence[Manifest]) -> dict[str, EnvVar]:
    """envFrom first, then env in order, with $(VAR) expanded the way the kubelet does it."""
    maps = config_maps(manifests)
    resolved: dict[str, EnvVar] = {}
    for source in container.get("envFrom", []):
        if "configMapRef" in source:
            for name, value in maps.get(source["configMapRef"]["name"], {}).items():
                resolved[name] = EnvVar(name, str(value))
        if "secretRef" in source:
            resolved["<envFrom secretRef>"] = EnvVar("<envFrom secretRef>", None)
    for variable in container.get("env", []):
        name = variable["name"]
        if "value" in variable:
            resolved[name] = EnvVar(name, _expand(str(variable["value"]), resolved))
            continue
        reference = variable.get("valueFrom", {})
        if "secretKeyRef" in reference:
            key = reference["secretKeyRef"]
            resolved[name] = EnvVar(name, None, (key["name"], key["key"]))
        elif "configMapKeyRef" in reference:
            key = reference["configMapKeyRef"]
            resolved[name] = EnvVar(name, maps.get(key["name"], {}).get(key["key"]))
        else:
            resolved[name] = EnvVar(name, None)
    return resolved


def _expand(value: str, defined: Mapping[str, EnvVar]) -> str:
    """Secret-sourced variables stay as `$(NAME)`: what matters is that a secret fills them."""

    def substitute(match: re.Match[str]) -> str:
        variable = defined.get(match[1])
        if variable is None or variable.value is None:
            return match[0]
        return variable.value

    return _REFERENCE.sub(substitute, value)


def references(value: str) -> list[str]:
    return _REFERENCE.findall(value)
