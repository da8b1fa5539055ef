"""riskcontrol's own settings, read from the environment next to the shared ServiceSettings."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from services.runtime.settings import SettingsError

DEFAULT_RULES_FILE = Path(__file__).resolve().parent / "rules" / "default.yaml"
# Local runs and tests only; a deployment sets its own secret (a Kubernetes Secret).
DEVELOPMENT_KEY_SECRET = "streamstock-development-only-risk-key-secret"


@dataclass(frozen=True)
class RiskSettings:
    rules_file: Path = DEFAULT_RULES_FILE
    key_secret: str = DEVELOPMENT_KEY_SECRET
    assess_budget_seconds: float = 0.1
    rules_poll_seconds: float = 1.0
    follow_inventory: bool = True

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> RiskSettings:
        env = os.environ if env is None else env
        try:
            budget_ms = float(env.get("STREAMSTOCK_RISKCONTROL_ASSESS_BUDGET_MS", "100"))
            poll = float(env.get("STREAMSTOCK_RISKCONTROL_RULES_POLL_SECONDS", "1"))
        except ValueError as exc:
            raise SettingsError(f"riskcontrol number setting is malformed: {exc}") from exc
        return cls(
            rules_file=Path(env.get("STREAMSTOCK_RISKCONTROL_RULES_FILE") or DEFAULT_RULES_FILE),
            key_secret=env.get("STREAMSTOCK_RISKCONTROL_KEY_SECRET") or DEVELOPMENT_KEY_SECRET,
            assess_budget_seconds=budget_ms / 1000,
            rules_poll_seconds=poll,
            follow_inventory=env.get("STREAMSTOCK_RISKCONTROL_FOLLOW_INVENTORY", "1")
            not in ("0", "false", "no"),
        )
