"""The architecture of STYLE.md holds: layers point inward, domains use the standard library only,
services never import each other, and the runtime imports no service (.importlinter)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import grimp
import pytest

REPO = Path(__file__).resolve().parents[2]
LINT_IMPORTS = REPO / ".venv" / "bin" / "lint-imports"
CONFIG = ".importlinter"
SERVICE_NAMES = ("inventory", "riskcontrol", "alerting", "sync")

pytestmark = pytest.mark.timeout(60)


def lint_imports(cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(LINT_IMPORTS), "--config", CONFIG, "--no-cache"],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_every_import_contract_is_kept() -> None:
    outcome = lint_imports(REPO)
    assert outcome.returncode == 0, outcome.stdout + outcome.stderr


@pytest.fixture
def services_copy(tmp_path: Path) -> Path:
    """A copy of services/ and the contracts that a test may break."""
    shutil.copy2(REPO / CONFIG, tmp_path / CONFIG)
    shutil.copytree(
        REPO / "services", tmp_path / "services", ignore=shutil.ignore_patterns("__pycache__")
    )
    return tmp_path


@pytest.mark.parametrize(
    ("module", "source", "broken_contract"),
    [
        (
            "inventory/domain/leak.py",
            "import grpc\n",
            "inventory: the domain imports only the standard library and itself",
        ),
        (
            "inventory/domain/upward.py",
            "from services.inventory.service_layer import commands\n",
            "inventory: entrypoints and adapters above the service layer above the domain",
        ),
        (
            "inventory/adapters/handler_call.py",
            "from services.inventory.service_layer import commands\n",
            "inventory: adapters use only the service layer's ports",
        ),
        (
            "sync/entrypoints/peek.py",
            "from services.inventory.domain import stock\n",
            "no service imports another service's modules",
        ),
        (
            "runtime/shortcut.py",
            "import services.inventory.bootstrap\n",
            "the shared runtime imports no service",
        ),
    ],
    ids=[
        "domain-imports-grpc",
        "domain-imports-service-layer",
        "adapter-imports-commands",
        "service-imports-service",
        "runtime-imports-service",
    ],
)
def test_a_forbidden_import_breaks_its_contract(
    services_copy: Path, module: str, source: str, broken_contract: str
) -> None:
    (services_copy / "services" / module).write_text(source)

    outcome = lint_imports(services_copy)

    report = outcome.stdout + outcome.stderr
    assert outcome.returncode != 0, report
    assert f"{broken_contract} BROKEN" in report, report


@pytest.mark.parametrize("name", SERVICE_NAMES)
def test_a_domain_imports_only_the_standard_library_and_itself(name: str) -> None:
    # The forbidden contract lists known packages; this catches any other third-party import too.
    # The shared kernel (services.kernel, itself standard library only) is the one exception.
    graph = grimp.build_graph("services", include_external_packages=True, cache_dir=None)
    domain = f"services.{name}.domain"
    assert domain in graph.modules
    outside = {
        f"{importer} -> {imported}"
        for importer in graph.find_descendants(domain) | {domain}
        for imported in graph.find_modules_directly_imported_by(importer)
        if imported != domain
        and not imported.startswith(f"{domain}.")
        and not imported.startswith("services.kernel")
        and imported.split(".")[0] not in sys.stdlib_module_names
    }
    assert sorted(outside) == []


def test_the_shared_kernel_imports_only_the_standard_library() -> None:
    graph = grimp.build_graph("services", include_external_packages=True, cache_dir=None)
    kernel = "services.kernel"
    outside = {
        f"{importer} -> {imported}"
        for importer in graph.find_descendants(kernel) | {kernel}
        for imported in graph.find_modules_directly_imported_by(importer)
        if not imported.startswith(kernel) and imported.split(".")[0] not in sys.stdlib_module_names
    }
    assert sorted(outside) == []
