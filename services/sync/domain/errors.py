"""sync's domain errors. Each carries its ErrorReason (without prefix) and its dynamic values."""

from __future__ import annotations

from collections.abc import Mapping
from typing import ClassVar


class SyncError(Exception):
    """Base of every refusal sync can explain to a caller."""

    reason: ClassVar[str] = "INVALID_ARGUMENT"

    def __init__(self, message: str, **metadata: object) -> None:
        super().__init__(message)
        self._metadata = {key: str(value) for key, value in metadata.items()}

    @property
    def metadata(self) -> Mapping[str, str]:
        return self._metadata


class InvalidArgument(SyncError):
    """A field is missing, malformed or out of range; metadata `field` names it."""

    reason = "INVALID_ARGUMENT"

    def __init__(self, field: str, problem: str) -> None:
        super().__init__(f"{field}: {problem}", field=field)


class RequestIdReused(SyncError):
    reason = "REQUEST_ID_REUSED"


class PlatformNotFound(SyncError):
    reason = "PLATFORM_NOT_FOUND"


class PlatformAlreadyExists(SyncError):
    reason = "PLATFORM_ALREADY_EXISTS"


class PlatformNotQuotaMode(SyncError):
    reason = "PLATFORM_NOT_QUOTA_MODE"


class PlatformHasQuotas(SyncError):
    reason = "PLATFORM_HAS_QUOTAS"


class CredentialsRefUnknown(SyncError):
    reason = "CREDENTIALS_REF_UNKNOWN"


class AllocationPolicyNotFound(SyncError):
    reason = "ALLOCATION_POLICY_NOT_FOUND"


class AllocationPlatformUnknown(SyncError):
    reason = "ALLOCATION_PLATFORM_UNKNOWN"


class QuotaNotFound(SyncError):
    reason = "QUOTA_NOT_FOUND"


class ListingVersionUnknown(SyncError):
    reason = "LISTING_VERSION_UNKNOWN"


class ListedQuantityExceedsPush(SyncError):
    reason = "LISTED_QUANTITY_EXCEEDS_PUSH"


class ReconciliationNotFound(SyncError):
    reason = "RECONCILIATION_NOT_FOUND"


class ReconciliationInProgress(SyncError):
    reason = "RECONCILIATION_IN_PROGRESS"


class InventoryUnavailable(SyncError):
    """inventory did not answer in time; nothing was applied and the call may be retried."""

    reason = "INVENTORY_UNAVAILABLE"
