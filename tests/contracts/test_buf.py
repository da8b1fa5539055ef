"""The contracts lint clean and break nothing published (buf, against the committed baseline)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
BUF = REPO / ".venv" / "bin" / "buf"
BASELINE = REPO / "protos" / "baseline" / "streamstock.binpb"
STOCK_PROTO = Path("protos/streamstock/inventory/v1/stock.proto")

# A published field of StockLevels: removing or renumbering it breaks every client that reads it.
PUBLISHED_FIELD = "  int64 sellable = 5;\n"

pytestmark = pytest.mark.timeout(60)


def buf(*args: str, cwd: Path = REPO) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(BUF), *args], cwd=cwd, capture_output=True, text=True, timeout=60, check=False
    )


def test_buf_lint_is_clean() -> None:
    outcome = buf("lint")
    assert outcome.returncode == 0, outcome.stdout + outcome.stderr


def test_the_baseline_is_an_image_outside_the_linted_module() -> None:
    assert BASELINE.is_file()
    listed = buf("ls-files")
    assert listed.returncode == 0, listed.stderr
    files = listed.stdout.split()
    assert files, "buf sees no contract at all"
    assert all(name.endswith(".proto") for name in files), files
    assert not any(name.startswith("protos/baseline/") for name in files), files


def test_contracts_break_nothing_in_the_published_baseline() -> None:
    outcome = buf("breaking", "--against", str(BASELINE))
    assert outcome.returncode == 0, outcome.stdout + outcome.stderr


@pytest.fixture
def contracts_copy(tmp_path: Path) -> Path:
    """A private copy of buf.yaml and protos/ that a test may break."""
    shutil.copy2(REPO / "buf.yaml", tmp_path / "buf.yaml")
    shutil.copytree(REPO / "protos", tmp_path / "protos")
    return tmp_path


def test_an_untouched_copy_passes_the_breaking_check(contracts_copy: Path) -> None:
    # The control for the test below: the copy alone must not be what fails.
    outcome = buf("breaking", "--against", str(BASELINE), cwd=contracts_copy)
    assert outcome.returncode == 0, outcome.stdout + outcome.stderr


@pytest.mark.parametrize(
    "replacement",
    ["", "  int64 sellable = 15;\n"],
    ids=["field-deleted", "field-renumbered"],
)
def test_the_breaking_check_fails_a_broken_published_field(
    contracts_copy: Path, replacement: str
) -> None:
    proto = contracts_copy / STOCK_PROTO
    text = proto.read_text()
    assert text.count(PUBLISHED_FIELD) == 1, f"{STOCK_PROTO} no longer has {PUBLISHED_FIELD!r}"
    proto.write_text(text.replace(PUBLISHED_FIELD, replacement))

    outcome = buf("breaking", "--against", str(BASELINE), cwd=contracts_copy)

    report = outcome.stdout + outcome.stderr
    assert outcome.returncode != 0, report
    assert "stock.proto" in report and "sellable" in report, report
