"""sync's domain errors. Each carries its ErrorReason (without prefix) and its dynamic values."""

from __future__ import annotations

from services.kernel.refusals import FieldRefusal, Refusal


class SyncError(Refusal):
    """Base of every refusal sync can explain to a caller."""


class InvalidArgument(FieldRefusal, SyncError):
    """A field is missing, malformed or out of range; metadata `field` names it."""


class RequestIdReused(SyncError):
    reason = "REQUEST_ID_REUSED"


class PlatformNotFound(SyncError):
    reason = "PLATFORM_NOT_FOUND"


class PlatformMismatch(SyncError):
    """The caller's key is bound to another platform than the one the request names."""

    reason = "PLATFORM_MISMATCH"


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
