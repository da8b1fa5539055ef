"""Webhook signing keys, resolved by reference from the environment; keys never cross the API.

`STREAMSTOCK_ALERTING_SECRET_<REF>` holds the key of secret_ref `<ref>` (upper-cased, non
alphanumerics as `_`); a Kubernetes Secret mounted as environment supplies them.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping

PREFIX = "STREAMSTOCK_ALERTING_SECRET_"


def variable_name(secret_ref: str) -> str:
    return PREFIX + re.sub(r"[^A-Za-z0-9]", "_", secret_ref).upper()


class EnvironmentSecrets:
    def __init__(self, env: Mapping[str, str] | None = None) -> None:
        self.env = os.environ if env is None else env

    def key(self, secret_ref: str) -> bytes | None:
        value = self.env.get(variable_name(secret_ref)) if secret_ref else None
        return value.encode() if value else None

    def knows(self, secret_ref: str) -> bool:
        return self.key(secret_ref) is not None
