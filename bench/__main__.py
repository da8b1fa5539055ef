"""`python -m bench [name ...]`: runs the named benchmarks (all by default)."""

from __future__ import annotations

import importlib
import sys

BENCHMARKS = ("inventory", "riskcontrol", "alerting", "sync")


def main(names: list[str]) -> None:
    for name in names or BENCHMARKS:
        try:
            module = importlib.import_module(f"bench.{name}")
        except ModuleNotFoundError:
            print(f"bench {name}: not written yet", file=sys.stderr)
            continue
        module.main()


if __name__ == "__main__":
    main(sys.argv[1:])
