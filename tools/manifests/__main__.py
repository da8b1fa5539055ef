"""Render every overlay (or those named) and print every violation; exit 1 if there is any.

python -m tools.manifests [dev] [prod]
"""

from __future__ import annotations

import sys

from tools.manifests.checks import ALL_CHECKS
from tools.manifests.render import OVERLAYS, render
from tools.manifests.schemas import schema_violations


def main(overlays: list[str]) -> int:
    failed = False
    for overlay in overlays or OVERLAYS:
        manifests = render(overlay)
        violations = {"schemas": schema_violations(manifests)}
        violations.update({name: check(manifests) for name, check in ALL_CHECKS.items()})
        for check, lines in violations.items():
            for line in lines:
                print(f"{overlay}: {check}: {line}")
        failed = failed or any(violations.values())
        print(
            f"{overlay}: {len(manifests)} objects, {sum(map(len, violations.values()))} violations"
        )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
