"""Rendered overlays for the deploy tests, and handles on their objects to plant violations in."""

from __future__ import annotations

import copy
import re
from typing import Any

from tools.manifests.render import Manifest, render

_RENDERED: dict[str, list[Manifest]] = {}


def rendered(overlay: str) -> list[Manifest]:
    """A deep copy, so a test that plants a violation never touches another test's objects."""
    if overlay not in _RENDERED:
        _RENDERED[overlay] = render(overlay)
    return copy.deepcopy(_RENDERED[overlay])


def find(manifests: list[Manifest], kind: str, name: str) -> dict[str, Any]:
    """The object itself (not a copy), by name or generated name (with kustomize's hash)."""
    matches = [
        m
        for m in manifests
        if m["kind"] == kind
        and re.fullmatch(rf"{re.escape(name)}(-[a-z0-9]{{10}})?", m["metadata"]["name"])
    ]
    assert len(matches) == 1, f"{kind}/{name}: {len(matches)} objects"
    return matches[0]


def container(
    manifests: list[Manifest], kind: str, name: str, container_name: str
) -> dict[str, Any]:
    spec = find(manifests, kind, name)["spec"]["template"]["spec"]
    for each in [*spec.get("initContainers", []), *spec["containers"]]:
        if each["name"] == container_name:
            return each
    raise AssertionError(f"{kind}/{name} has no container {container_name}")
