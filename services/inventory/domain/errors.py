"""Inventory's domain errors. Each carries the ErrorReason (without prefix) and its dynamic values."""

from __future__ import annotations

from services.kernel.refusals import FieldRefusal, Refusal


class InventoryError(Refusal):
    """Base of every refusal the domain can explain to a caller."""


class InvalidArgument(FieldRefusal, InventoryError):
    """A field is missing, malformed or out of range; metadata `field` names it."""


class RequestIdReused(InventoryError):
    reason = "REQUEST_ID_REUSED"


class RequestRaced(InventoryError):
    """A batch of holds whose request ids other calls kept answering first gave up; nothing
    changed, and the caller may send the same request again."""

    reason = "REQUEST_RACED"


class SkuNotFound(InventoryError):
    reason = "SKU_NOT_FOUND"


class PlatformMismatch(InventoryError):
    """The caller's key is bound to another platform than the buyer's."""

    reason = "PLATFORM_MISMATCH"


class SkuAlreadyExists(InventoryError):
    reason = "SKU_ALREADY_EXISTS"


class ReservationNotFound(InventoryError):
    reason = "RESERVATION_NOT_FOUND"


class InsufficientStock(InventoryError):
    reason = "INSUFFICIENT_STOCK"


class PurchaseLimitExceeded(InventoryError):
    reason = "PURCHASE_LIMIT_EXCEEDED"


class MaxPerOrderExceeded(InventoryError):
    reason = "MAX_PER_ORDER_EXCEEDED"


class SaleNotActive(InventoryError):
    reason = "SALE_NOT_ACTIVE"


class UnexpectedSaleStatus(InventoryError):
    """A compare-and-set of the sale status found the SKU in another status."""

    reason = "SALE_STATUS_CHANGED"


class LockStageMismatch(InventoryError):
    reason = "LOCK_STAGE_MISMATCH"


class ReservationExpired(InventoryError):
    reason = "RESERVATION_EXPIRED"


class ReservationNotActive(InventoryError):
    reason = "RESERVATION_NOT_ACTIVE"


class ExtensionNotAllowed(InventoryError):
    reason = "EXTENSION_NOT_ALLOWED"


class WithheldExceedsAvailable(InventoryError):
    reason = "WITHHELD_EXCEEDS_AVAILABLE"


class OnHandBelowCommitted(InventoryError):
    reason = "ON_HAND_BELOW_COMMITTED"


class RiskBlocked(InventoryError):
    reason = "RISK_BLOCKED"


class RiskChallengeRequired(InventoryError):
    reason = "RISK_CHALLENGE_REQUIRED"


class RiskUnavailable(InventoryError):
    reason = "RISK_UNAVAILABLE"


class EventsPruned(InventoryError):
    """Events after the consumer's sequence were deleted by the event log's retention; metadata:
    after_sequence (where the stream stood), oldest_sequence (from which every event is kept)."""

    reason = "EVENTS_PRUNED"
