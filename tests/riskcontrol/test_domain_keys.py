"""Keyed hashes of IPs and device ids stay the same across releases (counters, list entries and
the audit join on them), whatever the implementation does to make them cheap."""

from __future__ import annotations

import hashlib
import hmac

from hypothesis import given
from hypothesis import strategies as st

from services.riskcontrol.domain.keys import KeyHasher

SECRET = b"dev-secret-for-keys"


@given(tenant=st.text(min_size=1, max_size=20), value=st.text(min_size=1, max_size=40))
def test_a_digest_is_the_truncated_hmac_sha256_of_tenant_and_value(tenant: str, value: str) -> None:
    hasher = KeyHasher(SECRET)
    expected = hmac.new(SECRET, f"{tenant}\x00{value}".encode(), hashlib.sha256).hexdigest()[:20]
    assert hasher.digest(tenant, value) == expected
    assert hasher.digest(tenant, value) == expected  # the keyed state is copied, not consumed


def test_no_value_has_no_digest_and_tenants_differ() -> None:
    hasher = KeyHasher(SECRET)
    assert hasher.digest("t1", "") == ""
    assert hasher.digest("t1", "10.0.0.1") != hasher.digest("t2", "10.0.0.1")
