"""Offline, strict validation against the Kubernetes schemas bundled with kubernetes-validate."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Final

import kubernetes_validate

from tools.manifests.render import Manifest

# The oldest minor the manifests promise to work on (gRPC probes, preStop sleep, matchLabelKeys,
# unhealthyPodEvictionPolicy are all there) and the newest bundled one.
KUBERNETES_VERSIONS: Final = ("1.33.0", "1.37.0")


def schema_violations(
    manifests: Iterable[Manifest], versions: Iterable[str] = KUBERNETES_VERSIONS
) -> list[str]:
    """One line per object that a strict schema rejects (unknown fields included)."""
    violations = []
    for manifest in manifests:
        for version in versions:
            try:
                kubernetes_validate.validate(manifest, version, strict=True)
            except (
                kubernetes_validate.ValidationError,
                kubernetes_validate.SchemaNotFoundError,
            ) as error:
                violations.append(f"{describe(manifest)} on Kubernetes {version}: {error.message}")
    return violations


def describe(manifest: Manifest) -> str:
    return f"{manifest.get('kind')}/{manifest.get('metadata', {}).get('name')}"
