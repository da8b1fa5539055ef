"""The retentions are settings: defaults that serve the business (request ids 7 days, the audit
90 days), 0 keeps forever, nonsense refused at start, and the deployment's config says the same."""

from __future__ import annotations

from datetime import timedelta

import pytest

from services.riskcontrol.settings import RiskSettings
from services.runtime.settings import SettingsError
from tools.manifests.pods import environment, services
from tools.manifests.render import OVERLAYS, render

REQUESTS = "STREAMSTOCK_RISKCONTROL_REQUEST_RETENTION_SECONDS"
AUDIT = "STREAMSTOCK_RISKCONTROL_AUDIT_RETENTION_SECONDS"


def test_request_ids_are_kept_a_week_and_the_audit_ninety_days_by_default() -> None:
    settings = RiskSettings.from_env({})

    assert settings.request_retention == timedelta(days=7)
    assert settings.audit_retention == timedelta(days=90)


def test_zero_keeps_forever() -> None:
    settings = RiskSettings.from_env({REQUESTS: "0", AUDIT: "0"})

    assert (settings.request_retention, settings.audit_retention) == (None, None)


@pytest.mark.parametrize(
    "env",
    [
        {REQUESTS: "-1"},
        {AUDIT: "nan"},
        {REQUESTS: "a week"},
        # The audit must outlive the request records that answer with its rows ...
        {REQUESTS: str(30 * 86400), AUDIT: str(7 * 86400)},
        {REQUESTS: "0", AUDIT: str(90 * 86400)},
        # ... and Assess's replay records (a day).
        {REQUESTS: "3600", AUDIT: "7200"},
    ],
)
def test_a_retention_that_breaks_a_read_is_refused_at_start(env: dict[str, str]) -> None:
    with pytest.raises(SettingsError):
        RiskSettings.from_env(env)


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_the_deployment_sets_the_retentions_riskcontrol_reads(overlay: str) -> None:
    manifests = render(overlay)
    risk = next(w for w in services(manifests) if w.name == "riskcontrol")
    env = {k: v.value for k, v in environment(risk.container("service"), manifests).items()}

    settings = RiskSettings.from_env({k: v for k, v in env.items() if v})

    assert (env[REQUESTS], env[AUDIT]) == ("604800", "7776000")
    assert settings.request_retention == timedelta(days=7)
    assert settings.audit_retention == timedelta(days=90)
