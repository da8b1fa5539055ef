"""The committed gen/ tree is exactly what `make generate` writes from protos/ today."""

from __future__ import annotations

from pathlib import Path

import pytest

from tools.contracts import GENERATED_ROOT, PACKAGE, generate

pytestmark = pytest.mark.timeout(60)


def tree(root: Path) -> dict[str, bytes]:
    """Every generated file under root by relative path (bytecode caches are not generated code)."""
    return {
        path.relative_to(root).as_posix(): path.read_bytes()
        for path in root.rglob("*")
        if path.is_file() and "__pycache__" not in path.parts
    }


def test_committed_generated_code_matches_a_fresh_generation(tmp_path: Path) -> None:
    generate(tmp_path)
    fresh = tree(tmp_path / PACKAGE)
    committed = tree(GENERATED_ROOT / PACKAGE)
    assert fresh, "generation produced nothing"

    missing = sorted(fresh.keys() - committed.keys())
    extra = sorted(committed.keys() - fresh.keys())
    differing = sorted(
        name for name in fresh.keys() & committed.keys() if fresh[name] != committed[name]
    )
    assert (missing, extra, differing) == ([], [], []), (
        "gen/ is stale, run `make generate` and commit the result: "
        f"missing {missing}, not generated {extra}, different {differing}"
    )
