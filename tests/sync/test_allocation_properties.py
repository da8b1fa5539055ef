"""Property tests of the allocation maths (hypothesis)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from services.sync.domain.allocation import Claim, Hysteresis, allocate, damp, largest_remainder

platform_ids = st.sampled_from(["douyin", "kuaishou", "taobao", "own-app", "xhs"])


@st.composite
def claims(draw: st.DrawFn, with_limits: bool = True) -> list[Claim]:
    ids = draw(st.lists(platform_ids, min_size=1, max_size=5, unique=True))
    result = []
    for platform_id in ids:
        demand = draw(st.one_of(st.just(0.0), st.floats(0.001, 1000.0)))
        low = draw(st.integers(0, 50)) if with_limits else 0
        high = draw(st.one_of(st.just(0), st.integers(low, low + 500))) if with_limits else 0
        result.append(Claim(platform_id, demand, low, high))
    return result


pools = st.integers(0, 100_000)


@given(pools, claims(with_limits=False))
def test_without_limits_the_sum_equals_the_pool_when_anyone_has_demand(
    pool: int, platform_claims: list[Claim]
) -> None:
    targets = allocate(pool, platform_claims)
    expected = pool if any(c.demand > 0 for c in platform_claims) else 0
    assert sum(targets.values()) == expected
    assert all(units >= 0 for units in targets.values())


@given(pools, claims())
def test_targets_respect_min_and_max_and_never_exceed_the_pool(
    pool: int, platform_claims: list[Claim]
) -> None:
    targets = allocate(pool, platform_claims)
    assert sum(targets.values()) <= pool
    minimums = sum(min(c.min_units, c.cap(pool)) for c in platform_claims)
    for claim in platform_claims:
        units = targets[claim.platform_id]
        if claim.max_units:
            assert units <= claim.max_units
        if minimums <= pool:
            assert units >= claim.min_units or units == claim.cap(pool)


@given(pools, claims())
def test_sum_equals_the_pool_unless_every_claim_is_capped_or_idle(
    pool: int, platform_claims: list[Claim]
) -> None:
    targets = allocate(pool, platform_claims)
    room = [c for c in platform_claims if c.demand > 0 and targets[c.platform_id] < c.cap(pool)]
    if room:
        assert sum(targets.values()) == pool


@given(pools, claims())
def test_equal_inputs_give_equal_outputs_in_any_order(
    pool: int, platform_claims: list[Claim]
) -> None:
    first = allocate(pool, platform_claims)
    assert allocate(pool, list(reversed(platform_claims))) == first
    assert allocate(pool, platform_claims) == first


@given(st.integers(0, 10_000), st.integers(1, 5), st.floats(0.01, 100))
def test_equal_demands_differ_by_at_most_one_unit(pool: int, count: int, demand: float) -> None:
    ids = ["a", "b", "c", "d", "e"][:count]
    targets = largest_remainder(pool, [(p, demand) for p in ids])
    assert sum(targets.values()) == pool
    assert max(targets.values()) - min(targets.values()) <= 1


@given(pools, claims(with_limits=False))
def test_largest_remainder_stays_within_one_unit_of_the_exact_share(
    pool: int, platform_claims: list[Claim]
) -> None:
    weight = sum(c.demand for c in platform_claims)
    targets = largest_remainder(pool, [(c.platform_id, c.demand) for c in platform_claims])
    for claim in platform_claims:
        exact = pool * claim.demand / weight if weight else 0
        assert abs(targets[claim.platform_id] - exact) < 1 + 1e-6


@settings(max_examples=300)
@given(
    st.dictionaries(platform_ids, st.integers(0, 1000), min_size=1),
    st.dictionaries(platform_ids, st.integers(0, 1000), min_size=1),
    st.integers(0, 1000),
    st.integers(0, 20),
    st.floats(0, 1),
)
def test_damping_never_needs_more_stock_than_is_free(
    currents: dict[str, int],
    wanted: dict[str, int],
    free: int,
    units: int,
    fraction: float,
) -> None:
    result = damp(currents, wanted, free, Hysteresis(units, fraction))
    assert sum(result.values()) <= sum(currents.values()) + free
    for platform_id, quota in result.items():
        current = currents.get(platform_id, 0)
        if quota != current:
            assert abs(wanted.get(platform_id, 0) - current) >= units
        if quota > current:
            assert quota <= wanted.get(platform_id, 0)


@given(st.dictionaries(platform_ids, st.integers(1, 1000), min_size=1), st.integers(0, 100))
def test_targets_within_hysteresis_cause_no_move(currents: dict[str, int], free: int) -> None:
    nudged = {p: q + 1 for p, q in currents.items()}
    assert damp(currents, nudged, free, Hysteresis(2, 0.0)) == currents
