"""Every group and command of `streamstock` explains itself with --help."""

from __future__ import annotations

import importlib
import tomllib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import typer
from typer.testing import CliRunner

from tests.cli.conftest import TERMINAL
from tools.cli.main import app


def command_paths(
    command: Any, path: tuple[str, ...] = ()
) -> Iterator[tuple[tuple[str, ...], bool]]:
    """Every group and command as (path, is a leaf command)."""
    children = getattr(command, "commands", {})
    yield path, not children
    for name, child in children.items():
        yield from command_paths(child, (*path, name))


LEAVES = dict(command_paths(typer.main.get_command(app)))
PATHS = list(LEAVES)


def test_every_context_has_its_group() -> None:
    groups = {path[0] for path in PATHS if path}
    assert {"stock", "policy", "holds", "events", "ledger", "reconcile", "alerts", "risk"} <= groups
    assert {"platforms", "quotas"} <= groups
    assert {("risk", "allow", "add"), ("risk", "deny", "remove"), ("risk", "shadow", "on")} <= set(
        PATHS
    )


@pytest.mark.parametrize("path", PATHS, ids=lambda path: " ".join(path) or "streamstock")
def test_help(path: tuple[str, ...]) -> None:
    result = CliRunner().invoke(app, [*path, "--help"], env=TERMINAL)
    assert result.exit_code == 0, result.output
    assert "Usage:" in result.stdout
    if LEAVES[path]:
        assert "--json" in result.stdout


def test_the_console_script_is_this_app() -> None:
    project = tomllib.loads((Path(__file__).parents[2] / "pyproject.toml").read_text())
    module, _, name = project["project"]["scripts"]["streamstock"].partition(":")
    assert getattr(importlib.import_module(module), name) is app
