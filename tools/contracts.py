"""Generates the Python code of the protobuf contracts into one package under gen/.

`make generate` runs this; tests/contracts regenerates into a temporary folder and fails when the
committed code differs, so nobody edits generated code and nobody forgets to regenerate.
"""

from __future__ import annotations

import shutil
import sys
from importlib import resources
from pathlib import Path

from grpc_tools import protoc

REPO = Path(__file__).resolve().parent.parent
PROTO_ROOT = REPO / "protos"
GENERATED_ROOT = REPO / "gen"
PACKAGE = "streamstock"


def proto_files() -> list[Path]:
    return sorted(p for p in (PROTO_ROOT / PACKAGE).rglob("*.proto"))


def generate(out_dir: Path) -> None:
    """Writes messages, type stubs and gRPC stubs for every contract into out_dir/streamstock."""
    shutil.rmtree(out_dir / PACKAGE, ignore_errors=True)
    out_dir.mkdir(parents=True, exist_ok=True)
    well_known = str(resources.files("grpc_tools") / "_proto")
    args = [
        "grpc_tools.protoc",
        f"-I{PROTO_ROOT}",
        f"-I{well_known}",
        f"--python_out={out_dir}",
        f"--pyi_out={out_dir}",
        f"--grpc_python_out={out_dir}",
        *(str(p.relative_to(PROTO_ROOT)) for p in proto_files()),
    ]
    if protoc.main(args) != 0:
        raise SystemExit("protoc failed")
    for folder in [out_dir / PACKAGE, *(p for p in (out_dir / PACKAGE).rglob("*") if p.is_dir())]:
        (folder / "__init__.py").write_text('"""Generated from protos/ by `make generate`."""\n')


def main() -> None:
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else GENERATED_ROOT
    generate(out)


if __name__ == "__main__":
    main()
