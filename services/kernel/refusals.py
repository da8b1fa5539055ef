"""What every domain's refusals have in common: a reason (a value of the service's ErrorReason
without its prefix) and the dynamic values that explain it. The runtime turns them into
google.rpc.Status; each service's domain/errors.py names its own."""

from __future__ import annotations

from collections.abc import Mapping
from typing import ClassVar


class Refusal(Exception):
    reason: ClassVar[str] = "INVALID_ARGUMENT"

    def __init__(self, message: str, **metadata: object) -> None:
        super().__init__(message)
        self._metadata = {key: str(value) for key, value in metadata.items()}

    @property
    def metadata(self) -> Mapping[str, str]:
        return self._metadata


class FieldRefusal(Refusal):
    """A field is missing, malformed or out of range; metadata `field` names it."""

    reason = "INVALID_ARGUMENT"

    def __init__(self, field: str, problem: str) -> None:
        super().__init__(f"{field}: {problem}", field=field)
