"""The dedup window's rule on one line, and the retention settings as the service and its
deployment read them."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from services.runtime.settings import SettingsError
from services.sync.domain.sales import LineOutcome, SaleKind, SaleLine, too_late
from services.sync.settings import SyncSettings
from tools.manifests.pods import environment, services
from tools.manifests.render import OVERLAYS, render

DAY = 86400.0
WINDOW_START = 1_800_000_000.0


def sale(occur_time: float) -> SaleLine:
    return SaleLine("o1", "1", "sku", SaleKind.SALE, 1, occur_time)


def test_a_line_before_the_window_is_refused_with_its_reason() -> None:
    verdict = too_late(sale(WINDOW_START - 1), WINDOW_START)

    assert verdict is not None
    assert (verdict.outcome, verdict.reason, verdict.units) == (
        LineOutcome.REJECTED,
        "SALE_LINE_TOO_LATE",
        0,
    )
    assert "2027-01-15T08:00:00+00:00" in verdict.detail  # the window's start, for people


def test_a_line_in_the_window_an_untimed_line_and_no_window_pass() -> None:
    assert too_late(sale(WINDOW_START), WINDOW_START) is None
    assert too_late(sale(0.0), WINDOW_START) is None  # no occur_time: cannot be aged
    assert too_late(sale(1.0), None) is None  # retention 0: no window


@given(occur=st.floats(1.0, 4e9), start=st.floats(1.0, 4e9))
def test_refused_exactly_when_it_happened_before_the_window(occur: float, start: float) -> None:
    assert (too_late(sale(occur), start) is not None) == (occur < start)


def test_the_retentions_default_to_a_week_a_month_and_a_quarter() -> None:
    settings = SyncSettings.from_env({})

    assert (
        settings.request_retention_seconds,
        settings.sale_line_retention_seconds,
        settings.reconciliation_retention_seconds,
    ) == (7 * DAY, 30 * DAY, 90 * DAY)


def test_a_retention_of_zero_keeps_for_ever_and_a_bad_one_is_refused() -> None:
    zero = SyncSettings.from_env({"STREAMSTOCK_SYNC_SALE_LINE_RETENTION_SECONDS": "0"})
    assert zero.sale_line_retention_seconds == 0
    for bad in ("-1", "nan", "inf", "soon"):
        with pytest.raises(SettingsError, match="STREAMSTOCK_SYNC_REQUEST_RETENTION_SECONDS"):
            SyncSettings.from_env({"STREAMSTOCK_SYNC_REQUEST_RETENTION_SECONDS": bad})


def deployed_environment(overlay: str) -> dict[str, str]:
    """sync's environment as the overlay deploys it."""
    manifests = render(overlay)
    sync = next(w for w in services(manifests) if w.name == "sync")
    return {k: v.value for k, v in environment(sync.container("service"), manifests).items()}


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_the_deployment_sets_every_retention_as_the_service_reads_it(overlay: str) -> None:
    env = deployed_environment(overlay)
    names = [name for name in env if name.startswith("STREAMSTOCK_SYNC_") and "RETENTION" in name]

    settings = SyncSettings.from_env({k: v for k, v in env.items() if v})

    assert sorted(names) == [
        "STREAMSTOCK_SYNC_RECONCILIATION_RETENTION_SECONDS",
        "STREAMSTOCK_SYNC_REQUEST_RETENTION_SECONDS",
        "STREAMSTOCK_SYNC_SALE_LINE_RETENTION_SECONDS",
    ]
    assert (
        settings.request_retention_seconds,
        settings.sale_line_retention_seconds,
        settings.reconciliation_retention_seconds,
    ) == (
        float(env["STREAMSTOCK_SYNC_REQUEST_RETENTION_SECONDS"] or "nan"),
        float(env["STREAMSTOCK_SYNC_SALE_LINE_RETENTION_SECONDS"] or "nan"),
        float(env["STREAMSTOCK_SYNC_RECONCILIATION_RETENTION_SECONDS"] or "nan"),
    )
