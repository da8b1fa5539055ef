"""riskcontrol: `python -m services.riskcontrol` serves; `... validate-rules FILE` checks a rules
document and prints every violation with its line (exit status 1 when there is one)."""

import sys


def validate_rules(path: str) -> int:
    from services.riskcontrol.adapters.rules_yaml import YamlRulesParser
    from services.riskcontrol.domain.rules import RulesInvalid

    try:
        text = open(path, encoding="utf-8").read()
    except OSError as exc:
        print(f"{path}: {exc.strerror}", file=sys.stderr)
        return 2
    try:
        rule_set = YamlRulesParser().parse(text, path)
    except RulesInvalid as invalid:
        for violation in invalid.violations:
            where = f"{path}:{violation.line}:{violation.column}"
            print(
                f"{where}: {violation.path or '(document)'}: {violation.message}", file=sys.stderr
            )
        return 1
    print(f"{path}: valid, {len(rule_set.rules)} rules, version {rule_set.version}")
    return 0


if len(sys.argv) == 3 and sys.argv[1] == "validate-rules":
    sys.exit(validate_rules(sys.argv[2]))
else:
    from services.riskcontrol.bootstrap import build
    from services.runtime.main import run

    run("riskcontrol", build)
