"""The cooldown of a platform whose pushes fail (domain/breaker.py): none while reachable, doubling
from the base with every failed push in a row, never above the cap, off with a base of 0, started
again by a claimed probe; its
settings, and the deployment setting them as the service reads them."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from services.runtime.settings import SettingsError
from services.sync.domain.breaker import Cooldown
from services.sync.settings import SyncSettings
from tests.sync.test_retention_rules import deployed_environment
from tools.manifests.render import OVERLAYS

COOLDOWN = Cooldown(base_seconds=5.0, cap_seconds=60.0)
FAILED_AT = 1_000.0


def cooling(
    cooldown: Cooldown,
    reachable: bool,
    failures: int,
    last_failure_time: float | None,
    now: float,
    probe_time: float | None = None,
) -> bool:
    """Whether pushes to the platform wait at `now`, as the pass breaker judges it."""
    until = cooldown.retry_time(reachable, failures, last_failure_time, probe_time)
    return until is not None and now < until


def test_a_reachable_platform_never_cools_down() -> None:
    assert COOLDOWN.retry_time(True, 0, None) is None
    # Reachable again after a success: the failures are reset, but even a stale count or failure
    # time left beside reachable=true keeps nothing waiting.
    assert COOLDOWN.retry_time(True, 7, FAILED_AT) is None
    assert not cooling(COOLDOWN, True, 7, FAILED_AT, FAILED_AT)


def test_an_unreachable_platform_waits_out_the_base_after_its_first_failure() -> None:
    assert COOLDOWN.retry_time(False, 1, FAILED_AT) == FAILED_AT + 5.0
    assert cooling(COOLDOWN, False, 1, FAILED_AT, FAILED_AT)
    assert cooling(COOLDOWN, False, 1, FAILED_AT, FAILED_AT + 4.999)
    # At the retry time exactly the next push goes out: it is the probe.
    assert not cooling(COOLDOWN, False, 1, FAILED_AT, FAILED_AT + 5.0)


def test_the_cooldown_doubles_with_every_failure_in_a_row_up_to_the_cap() -> None:
    assert [COOLDOWN.seconds(n) for n in range(1, 7)] == [5.0, 10.0, 20.0, 40.0, 60.0, 60.0]
    assert COOLDOWN.seconds(10_000) == 60.0  # no overflow however long the outage
    assert COOLDOWN.retry_time(False, 3, FAILED_AT) == FAILED_AT + 20.0
    assert cooling(COOLDOWN, False, 3, FAILED_AT, FAILED_AT + 19.0)
    assert not cooling(COOLDOWN, False, 2, FAILED_AT, FAILED_AT + 19.0)


def test_a_claimed_probe_starts_the_cooldown_again_until_its_outcome() -> None:
    probed_at = FAILED_AT + 5.0
    assert COOLDOWN.retry_time(False, 1, FAILED_AT, probed_at) == probed_at + 5.0
    assert cooling(COOLDOWN, False, 1, FAILED_AT, probed_at + 4.0, probe_time=probed_at)
    # A claim older than the last failure (the probe failed) changes nothing: the failure counts.
    failed_again = probed_at + 1.0
    assert COOLDOWN.retry_time(False, 2, failed_again, probed_at) == failed_again + 10.0
    # A probe that succeeded leaves the platform reachable: its claim keeps nothing waiting.
    assert COOLDOWN.retry_time(True, 0, FAILED_AT, probed_at) is None


def test_no_failure_on_record_or_a_zero_base_means_no_wait() -> None:
    assert COOLDOWN.seconds(0) == 0.0
    assert COOLDOWN.retry_time(False, 0, FAILED_AT) is None  # unreachable before any push
    assert COOLDOWN.retry_time(False, 2, None) is None
    off = Cooldown(base_seconds=0.0, cap_seconds=60.0)
    assert off.retry_time(False, 5, FAILED_AT) is None
    assert not cooling(off, False, 5, FAILED_AT, FAILED_AT)


@given(
    base=st.floats(0.01, 100.0),
    cap=st.floats(0.0, 1_000.0),
    failures=st.integers(1, 2_000),
)
def test_the_cooldown_never_shrinks_with_more_failures_and_never_passes_the_cap(
    base: float, cap: float, failures: int
) -> None:
    cooldown = Cooldown(base, cap)
    assert cooldown.seconds(failures) <= cooldown.seconds(failures + 1) <= cap
    assert cooldown.seconds(1) == min(base, cap)


def test_the_cooldown_defaults_to_the_rebalance_interval_capped_at_a_minute() -> None:
    settings = SyncSettings.from_env({})
    assert settings.platform_cooldown_seconds == settings.rebalance_interval_seconds == 5.0
    assert settings.platform_cooldown_max_seconds == 60.0
    off = SyncSettings.from_env({"STREAMSTOCK_SYNC_PLATFORM_COOLDOWN_SECONDS": "0"})
    assert off.platform_cooldown_seconds == 0
    for name in (
        "STREAMSTOCK_SYNC_PLATFORM_COOLDOWN_SECONDS",
        "STREAMSTOCK_SYNC_PLATFORM_COOLDOWN_MAX_SECONDS",
    ):
        for bad in ("-1", "nan", "inf", "soon"):
            with pytest.raises(SettingsError, match=name):
                SyncSettings.from_env({name: bad})


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_the_deployment_sets_the_cooldown_as_the_service_reads_it(overlay: str) -> None:
    env = deployed_environment(overlay)
    settings = SyncSettings.from_env({k: v for k, v in env.items() if v})
    assert (settings.platform_cooldown_seconds, settings.platform_cooldown_max_seconds) == (
        float(env["STREAMSTOCK_SYNC_PLATFORM_COOLDOWN_SECONDS"] or "nan"),
        float(env["STREAMSTOCK_SYNC_PLATFORM_COOLDOWN_MAX_SECONDS"] or "nan"),
    )
