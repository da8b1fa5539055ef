"""The container build, checked by reading the Dockerfile (no Docker engine runs here)."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest
from rendered_overlays import rendered

from tools.devstack.ports import SERVICE_NAMES
from tools.devstack.stack import MIGRATE_MODULE, service_module_argv
from tools.manifests.checks import migrate_command, service_command
from tools.manifests.dockerfile import (
    default_command,
    dockerfile_violations,
    image_user,
    stages,
)
from tools.manifests.pods import workloads

ROOT = Path(__file__).resolve().parents[2]
DOCKERFILE = (ROOT / "Dockerfile").read_text()


def test_the_dockerfile_follows_the_build_rules() -> None:
    assert dockerfile_violations(DOCKERFILE) == []


def test_the_image_runs_what_the_local_stack_runs() -> None:
    """`python -m services.<name>` and `python -m services.runtime.migrate`, in the image and in
    the manifests alike, as tools/devstack starts them."""
    assert default_command(DOCKERFILE) == ["python", "-m", "services.inventory"]
    for name in SERVICE_NAMES:
        assert service_command(name)[1:] == service_module_argv(name)[1:]
    assert migrate_command() == ["python", "-m", MIGRATE_MODULE]


def test_the_image_user_is_the_user_the_pods_run_as() -> None:
    uid, gid = (int(part) for part in image_user(DOCKERFILE).split(":"))
    for workload in workloads(rendered("prod")):
        security = workload.pod_spec["securityContext"]
        assert (security["runAsUser"], security["runAsGroup"]) == (uid, gid), workload


def test_the_base_image_is_the_python_the_project_requires() -> None:
    requires = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["requires-python"]
    assert requires == ">=3.11,<3.12"
    assert {stage.base.split(":")[1][:5] for stage in stages(DOCKERFILE)} == {"3.11."}


def test_the_build_context_leaves_local_state_out() -> None:
    ignored = set((ROOT / ".dockerignore").read_text().split())
    assert {".git", ".venv", ".tools", ".local"} <= ignored


@pytest.mark.parametrize(
    ("change", "reported"),
    [
        (
            ("FROM python:3.11.7-slim-bookworm AS runtime", "FROM python:3.11-slim AS runtime"),
            "pinned",
        ),
        (("FROM python:3.11.7-slim-bookworm AS build", "FROM python:latest AS build"), "pinned"),
        (("USER 10001:10001", "USER streamstock"), "numeric non-root"),
        (("USER 10001:10001", "USER 0"), "numeric non-root"),
        (
            ("uv sync --frozen --no-dev", "uv sync --no-dev"),
            "uv sync --frozen",
        ),
        (('ENTRYPOINT ["python", "-m"]', "ENTRYPOINT python -m"), "exec (JSON) form"),
        (
            ("COPY --from=build /app/.venv /app/.venv", "RUN pip install streamstock"),
            "copies nothing",
        ),
    ],
)
def test_a_planted_build_mistake_is_reported(change: tuple[str, str], reported: str) -> None:
    old, new = change
    assert old in DOCKERFILE

    violations = dockerfile_violations(DOCKERFILE.replace(old, new))

    assert any(reported in line for line in violations), violations


def test_a_single_stage_build_is_reported() -> None:
    single = DOCKERFILE.split("FROM python:3.11.7-slim-bookworm AS runtime")[0]

    assert dockerfile_violations(single) == ["not a multi-stage build"]
