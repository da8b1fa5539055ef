"""Every retention has its setting (STREAMSTOCK_ALERTING_<ROWS>_RETENTION_SECONDS, 0 keeps the rows
forever), validated, documented in the README and set in the deployed config the service reads."""

from __future__ import annotations

import dataclasses
from datetime import timedelta
from pathlib import Path

import pytest

from services.alerting.service_layer.retention import KEEP_FOREVER, Retentions
from services.alerting.settings import AlertingSettings
from services.runtime.settings import SettingsError
from tools.manifests.pods import environment, services
from tools.manifests.render import OVERLAYS, render

README = Path(__file__).parents[2] / "services" / "alerting" / "README.md"
DAY = timedelta(days=1)


def retention_variables() -> list[str]:
    return [
        f"STREAMSTOCK_ALERTING_{field.name.upper()}"
        for field in dataclasses.fields(AlertingSettings)
        if field.name.endswith("_retention_seconds")
    ]


def test_the_defaults_keep_requests_a_week_and_history_for_months() -> None:
    assert AlertingSettings.from_env({}).retentions == Retentions(
        changes=7 * DAY,
        samples=30 * DAY,
        requests=7 * DAY,
        alerts=90 * DAY,
        deliveries=90 * DAY,
        read_inbox=30 * DAY,
        unread_inbox=90 * DAY,
        reminders=30 * DAY,
        quarantined=90 * DAY,
    )
    assert len(retention_variables()) == len(dataclasses.fields(Retentions))


def test_each_retention_is_read_from_its_variable_and_zero_keeps_forever() -> None:
    variables = retention_variables()
    for n, variable in enumerate(variables):
        env = {v: str(3600 * (i + 1)) for i, v in enumerate(variables)}
        env[variable] = "0"
        spans = dataclasses.astuple(AlertingSettings.from_env(env).retentions)
        assert spans == tuple(
            KEEP_FOREVER if i == n else timedelta(hours=i + 1) for i in range(len(variables))
        )


@pytest.mark.parametrize("value", ["-1", "soon", "nan", "inf"])
def test_a_retention_that_is_not_a_finite_number_of_seconds_is_refused(value: str) -> None:
    for variable in retention_variables():
        with pytest.raises(SettingsError, match=variable):
            AlertingSettings.from_env({variable: value})


def test_every_retention_is_documented_and_deployed_as_the_service_reads_it() -> None:
    readme = README.read_text()
    for variable in retention_variables():
        assert f"`{variable}`" in readme
    for overlay in OVERLAYS:
        manifests = render(overlay)
        (alerting,) = [w for w in services(manifests) if w.name == "alerting"]
        env = environment(alerting.container("service"), manifests)
        assert set(retention_variables()) <= set(env)
        deployed = AlertingSettings.from_env({k: v.value for k, v in env.items() if v.value})
        for variable in retention_variables():
            field = variable.removeprefix("STREAMSTOCK_ALERTING_").lower()
            assert getattr(deployed, field) == float(env[variable].value or "nan")
