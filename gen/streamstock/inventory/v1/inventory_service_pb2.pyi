import datetime

from google.protobuf import duration_pb2 as _duration_pb2
from streamstock.inventory.v1 import events_pb2 as _events_pb2
from streamstock.inventory.v1 import reservation_pb2 as _reservation_pb2
from streamstock.inventory.v1 import stock_pb2 as _stock_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class ErrorReason(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    ERROR_REASON_UNSPECIFIED: _ClassVar[ErrorReason]
    ERROR_REASON_INVALID_ARGUMENT: _ClassVar[ErrorReason]
    ERROR_REASON_REQUEST_ID_REUSED: _ClassVar[ErrorReason]
    ERROR_REASON_API_KEY_MISSING: _ClassVar[ErrorReason]
    ERROR_REASON_API_KEY_UNKNOWN: _ClassVar[ErrorReason]
    ERROR_REASON_TENANT_MISMATCH: _ClassVar[ErrorReason]
    ERROR_REASON_ROLE_NOT_ALLOWED: _ClassVar[ErrorReason]
    ERROR_REASON_SKU_NOT_FOUND: _ClassVar[ErrorReason]
    ERROR_REASON_SKU_ALREADY_EXISTS: _ClassVar[ErrorReason]
    ERROR_REASON_RESERVATION_NOT_FOUND: _ClassVar[ErrorReason]
    ERROR_REASON_INSUFFICIENT_STOCK: _ClassVar[ErrorReason]
    ERROR_REASON_PURCHASE_LIMIT_EXCEEDED: _ClassVar[ErrorReason]
    ERROR_REASON_MAX_PER_ORDER_EXCEEDED: _ClassVar[ErrorReason]
    ERROR_REASON_SALE_NOT_ACTIVE: _ClassVar[ErrorReason]
    ERROR_REASON_LOCK_STAGE_MISMATCH: _ClassVar[ErrorReason]
    ERROR_REASON_RESERVATION_EXPIRED: _ClassVar[ErrorReason]
    ERROR_REASON_RESERVATION_NOT_ACTIVE: _ClassVar[ErrorReason]
    ERROR_REASON_EXTENSION_NOT_ALLOWED: _ClassVar[ErrorReason]
    ERROR_REASON_WITHHELD_EXCEEDS_AVAILABLE: _ClassVar[ErrorReason]
    ERROR_REASON_ON_HAND_BELOW_COMMITTED: _ClassVar[ErrorReason]
    ERROR_REASON_RISK_BLOCKED: _ClassVar[ErrorReason]
    ERROR_REASON_RISK_CHALLENGE_REQUIRED: _ClassVar[ErrorReason]
    ERROR_REASON_RISK_UNAVAILABLE: _ClassVar[ErrorReason]
    ERROR_REASON_SALE_STATUS_CHANGED: _ClassVar[ErrorReason]
    ERROR_REASON_PLATFORM_MISMATCH: _ClassVar[ErrorReason]
    ERROR_REASON_REQUEST_RACED: _ClassVar[ErrorReason]
    ERROR_REASON_STORAGE_UNAVAILABLE: _ClassVar[ErrorReason]
    ERROR_REASON_EVENTS_PRUNED: _ClassVar[ErrorReason]
ERROR_REASON_UNSPECIFIED: ErrorReason
ERROR_REASON_INVALID_ARGUMENT: ErrorReason
ERROR_REASON_REQUEST_ID_REUSED: ErrorReason
ERROR_REASON_API_KEY_MISSING: ErrorReason
ERROR_REASON_API_KEY_UNKNOWN: ErrorReason
ERROR_REASON_TENANT_MISMATCH: ErrorReason
ERROR_REASON_ROLE_NOT_ALLOWED: ErrorReason
ERROR_REASON_SKU_NOT_FOUND: ErrorReason
ERROR_REASON_SKU_ALREADY_EXISTS: ErrorReason
ERROR_REASON_RESERVATION_NOT_FOUND: ErrorReason
ERROR_REASON_INSUFFICIENT_STOCK: ErrorReason
ERROR_REASON_PURCHASE_LIMIT_EXCEEDED: ErrorReason
ERROR_REASON_MAX_PER_ORDER_EXCEEDED: ErrorReason
ERROR_REASON_SALE_NOT_ACTIVE: ErrorReason
ERROR_REASON_LOCK_STAGE_MISMATCH: ErrorReason
ERROR_REASON_RESERVATION_EXPIRED: ErrorReason
ERROR_REASON_RESERVATION_NOT_ACTIVE: ErrorReason
ERROR_REASON_EXTENSION_NOT_ALLOWED: ErrorReason
ERROR_REASON_WITHHELD_EXCEEDS_AVAILABLE: ErrorReason
ERROR_REASON_ON_HAND_BELOW_COMMITTED: ErrorReason
ERROR_REASON_RISK_BLOCKED: ErrorReason
ERROR_REASON_RISK_CHALLENGE_REQUIRED: ErrorReason
ERROR_REASON_RISK_UNAVAILABLE: ErrorReason
ERROR_REASON_SALE_STATUS_CHANGED: ErrorReason
ERROR_REASON_PLATFORM_MISMATCH: ErrorReason
ERROR_REASON_REQUEST_RACED: ErrorReason
ERROR_REASON_STORAGE_UNAVAILABLE: ErrorReason
ERROR_REASON_EVENTS_PRUNED: ErrorReason

class ReserveLine(_message.Message):
    __slots__ = ("sku_id", "quantity")
    SKU_ID_FIELD_NUMBER: _ClassVar[int]
    QUANTITY_FIELD_NUMBER: _ClassVar[int]
    sku_id: str
    quantity: int
    def __init__(self, sku_id: _Optional[str] = ..., quantity: _Optional[int] = ...) -> None: ...

class CreateSkuRequest(_message.Message):
    __slots__ = ("tenant_id", "request_id", "sku_id", "title", "on_hand", "policy", "sale_status")
    TENANT_ID_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    SKU_ID_FIELD_NUMBER: _ClassVar[int]
    TITLE_FIELD_NUMBER: _ClassVar[int]
    ON_HAND_FIELD_NUMBER: _ClassVar[int]
    POLICY_FIELD_NUMBER: _ClassVar[int]
    SALE_STATUS_FIELD_NUMBER: _ClassVar[int]
    tenant_id: str
    request_id: str
    sku_id: str
    title: str
    on_hand: int
    policy: _stock_pb2.SalePolicy
    sale_status: _stock_pb2.SaleStatus
    def __init__(self, tenant_id: _Optional[str] = ..., request_id: _Optional[str] = ..., sku_id: _Optional[str] = ..., title: _Optional[str] = ..., on_hand: _Optional[int] = ..., policy: _Optional[_Union[_stock_pb2.SalePolicy, _Mapping]] = ..., sale_status: _Optional[_Union[_stock_pb2.SaleStatus, str]] = ...) -> None: ...

class CreateSkuResponse(_message.Message):
    __slots__ = ("sku",)
    SKU_FIELD_NUMBER: _ClassVar[int]
    sku: _stock_pb2.Sku
    def __init__(self, sku: _Optional[_Union[_stock_pb2.Sku, _Mapping]] = ...) -> None: ...

class GetSkuRequest(_message.Message):
    __slots__ = ("tenant_id", "sku_id")
    TENANT_ID_FIELD_NUMBER: _ClassVar[int]
    SKU_ID_FIELD_NUMBER: _ClassVar[int]
    tenant_id: str
    sku_id: str
    def __init__(self, tenant_id: _Optional[str] = ..., sku_id: _Optional[str] = ...) -> None: ...

class GetSkuResponse(_message.Message):
    __slots__ = ("sku",)
    SKU_FIELD_NUMBER: _ClassVar[int]
    sku: _stock_pb2.Sku
    def __init__(self, sku: _Optional[_Union[_stock_pb2.Sku, _Mapping]] = ...) -> None: ...

class ListSkusRequest(_message.Message):
    __slots__ = ("tenant_id", "page_size", "page_token")
    TENANT_ID_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    tenant_id: str
    page_size: int
    page_token: str
    def __init__(self, tenant_id: _Optional[str] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ...) -> None: ...

class ListSkusResponse(_message.Message):
    __slots__ = ("skus", "next_page_token")
    SKUS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    skus: _containers.RepeatedCompositeFieldContainer[_stock_pb2.Sku]
    next_page_token: str
    def __init__(self, skus: _Optional[_Iterable[_Union[_stock_pb2.Sku, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class RestockRequest(_message.Message):
    __slots__ = ("tenant_id", "request_id", "sku_id", "quantity", "note")
    TENANT_ID_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    SKU_ID_FIELD_NUMBER: _ClassVar[int]
    QUANTITY_FIELD_NUMBER: _ClassVar[int]
    NOTE_FIELD_NUMBER: _ClassVar[int]
    tenant_id: str
    request_id: str
    sku_id: str
    quantity: int
    note: str
    def __init__(self, tenant_id: _Optional[str] = ..., request_id: _Optional[str] = ..., sku_id: _Optional[str] = ..., quantity: _Optional[int] = ..., note: _Optional[str] = ...) -> None: ...

class RestockResponse(_message.Message):
    __slots__ = ("sku",)
    SKU_FIELD_NUMBER: _ClassVar[int]
    sku: _stock_pb2.Sku
    def __init__(self, sku: _Optional[_Union[_stock_pb2.Sku, _Mapping]] = ...) -> None: ...

class AdjustStockRequest(_message.Message):
    __slots__ = ("tenant_id", "request_id", "sku_id", "on_hand_delta", "reason", "note")
    TENANT_ID_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    SKU_ID_FIELD_NUMBER: _ClassVar[int]
    ON_HAND_DELTA_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    NOTE_FIELD_NUMBER: _ClassVar[int]
    tenant_id: str
    request_id: str
    sku_id: str
    on_hand_delta: int
    reason: _stock_pb2.AdjustmentReason
    note: str
    def __init__(self, tenant_id: _Optional[str] = ..., request_id: _Optional[str] = ..., sku_id: _Optional[str] = ..., on_hand_delta: _Optional[int] = ..., reason: _Optional[_Union[_stock_pb2.AdjustmentReason, str]] = ..., note: _Optional[str] = ...) -> None: ...

class AdjustStockResponse(_message.Message):
    __slots__ = ("sku",)
    SKU_FIELD_NUMBER: _ClassVar[int]
    sku: _stock_pb2.Sku
    def __init__(self, sku: _Optional[_Union[_stock_pb2.Sku, _Mapping]] = ...) -> None: ...

class SetWithheldRequest(_message.Message):
    __slots__ = ("tenant_id", "request_id", "sku_id", "kind", "quantity")
    TENANT_ID_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    SKU_ID_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    QUANTITY_FIELD_NUMBER: _ClassVar[int]
    tenant_id: str
    request_id: str
    sku_id: str
    kind: _stock_pb2.WithholdKind
    quantity: int
    def __init__(self, tenant_id: _Optional[str] = ..., request_id: _Optional[str] = ..., sku_id: _Optional[str] = ..., kind: _Optional[_Union[_stock_pb2.WithholdKind, str]] = ..., quantity: _Optional[int] = ...) -> None: ...

class SetWithheldResponse(_message.Message):
    __slots__ = ("sku",)
    SKU_FIELD_NUMBER: _ClassVar[int]
    sku: _stock_pb2.Sku
    def __init__(self, sku: _Optional[_Union[_stock_pb2.Sku, _Mapping]] = ...) -> None: ...

class SetSaleStatusRequest(_message.Message):
    __slots__ = ("tenant_id", "request_id", "sku_id", "sale_status", "reason", "expected_sale_status")
    TENANT_ID_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    SKU_ID_FIELD_NUMBER: _ClassVar[int]
    SALE_STATUS_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    EXPECTED_SALE_STATUS_FIELD_NUMBER: _ClassVar[int]
    tenant_id: str
    request_id: str
    sku_id: str
    sale_status: _stock_pb2.SaleStatus
    reason: str
    expected_sale_status: _stock_pb2.SaleStatus
    def __init__(self, tenant_id: _Optional[str] = ..., request_id: _Optional[str] = ..., sku_id: _Optional[str] = ..., sale_status: _Optional[_Union[_stock_pb2.SaleStatus, str]] = ..., reason: _Optional[str] = ..., expected_sale_status: _Optional[_Union[_stock_pb2.SaleStatus, str]] = ...) -> None: ...

class SetSaleStatusResponse(_message.Message):
    __slots__ = ("sku",)
    SKU_FIELD_NUMBER: _ClassVar[int]
    sku: _stock_pb2.Sku
    def __init__(self, sku: _Optional[_Union[_stock_pb2.Sku, _Mapping]] = ...) -> None: ...

class UpdateSalePolicyRequest(_message.Message):
    __slots__ = ("tenant_id", "request_id", "sku_id", "policy")
    TENANT_ID_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    SKU_ID_FIELD_NUMBER: _ClassVar[int]
    POLICY_FIELD_NUMBER: _ClassVar[int]
    tenant_id: str
    request_id: str
    sku_id: str
    policy: _stock_pb2.SalePolicy
    def __init__(self, tenant_id: _Optional[str] = ..., request_id: _Optional[str] = ..., sku_id: _Optional[str] = ..., policy: _Optional[_Union[_stock_pb2.SalePolicy, _Mapping]] = ...) -> None: ...

class UpdateSalePolicyResponse(_message.Message):
    __slots__ = ("sku",)
    SKU_FIELD_NUMBER: _ClassVar[int]
    sku: _stock_pb2.Sku
    def __init__(self, sku: _Optional[_Union[_stock_pb2.Sku, _Mapping]] = ...) -> None: ...

class ReserveRequest(_message.Message):
    __slots__ = ("tenant_id", "request_id", "user_id", "order_id", "lines", "lock_stage", "purpose", "buyer")
    TENANT_ID_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    ORDER_ID_FIELD_NUMBER: _ClassVar[int]
    LINES_FIELD_NUMBER: _ClassVar[int]
    LOCK_STAGE_FIELD_NUMBER: _ClassVar[int]
    PURPOSE_FIELD_NUMBER: _ClassVar[int]
    BUYER_FIELD_NUMBER: _ClassVar[int]
    tenant_id: str
    request_id: str
    user_id: str
    order_id: str
    lines: _containers.RepeatedCompositeFieldContainer[ReserveLine]
    lock_stage: _stock_pb2.LockStage
    purpose: _reservation_pb2.ReservationPurpose
    buyer: _reservation_pb2.BuyerContext
    def __init__(self, tenant_id: _Optional[str] = ..., request_id: _Optional[str] = ..., user_id: _Optional[str] = ..., order_id: _Optional[str] = ..., lines: _Optional[_Iterable[_Union[ReserveLine, _Mapping]]] = ..., lock_stage: _Optional[_Union[_stock_pb2.LockStage, str]] = ..., purpose: _Optional[_Union[_reservation_pb2.ReservationPurpose, str]] = ..., buyer: _Optional[_Union[_reservation_pb2.BuyerContext, _Mapping]] = ...) -> None: ...

class ReserveResponse(_message.Message):
    __slots__ = ("reservation",)
    RESERVATION_FIELD_NUMBER: _ClassVar[int]
    reservation: _reservation_pb2.Reservation
    def __init__(self, reservation: _Optional[_Union[_reservation_pb2.Reservation, _Mapping]] = ...) -> None: ...

class PurchaseRequest(_message.Message):
    __slots__ = ("tenant_id", "request_id", "user_id", "order_id", "lines", "payment_reference", "buyer")
    TENANT_ID_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    ORDER_ID_FIELD_NUMBER: _ClassVar[int]
    LINES_FIELD_NUMBER: _ClassVar[int]
    PAYMENT_REFERENCE_FIELD_NUMBER: _ClassVar[int]
    BUYER_FIELD_NUMBER: _ClassVar[int]
    tenant_id: str
    request_id: str
    user_id: str
    order_id: str
    lines: _containers.RepeatedCompositeFieldContainer[ReserveLine]
    payment_reference: str
    buyer: _reservation_pb2.BuyerContext
    def __init__(self, tenant_id: _Optional[str] = ..., request_id: _Optional[str] = ..., user_id: _Optional[str] = ..., order_id: _Optional[str] = ..., lines: _Optional[_Iterable[_Union[ReserveLine, _Mapping]]] = ..., payment_reference: _Optional[str] = ..., buyer: _Optional[_Union[_reservation_pb2.BuyerContext, _Mapping]] = ...) -> None: ...

class PurchaseResponse(_message.Message):
    __slots__ = ("reservation",)
    RESERVATION_FIELD_NUMBER: _ClassVar[int]
    reservation: _reservation_pb2.Reservation
    def __init__(self, reservation: _Optional[_Union[_reservation_pb2.Reservation, _Mapping]] = ...) -> None: ...

class ConfirmReservationRequest(_message.Message):
    __slots__ = ("tenant_id", "request_id", "reservation_id", "payment_reference")
    TENANT_ID_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    RESERVATION_ID_FIELD_NUMBER: _ClassVar[int]
    PAYMENT_REFERENCE_FIELD_NUMBER: _ClassVar[int]
    tenant_id: str
    request_id: str
    reservation_id: str
    payment_reference: str
    def __init__(self, tenant_id: _Optional[str] = ..., request_id: _Optional[str] = ..., reservation_id: _Optional[str] = ..., payment_reference: _Optional[str] = ...) -> None: ...

class ConfirmReservationResponse(_message.Message):
    __slots__ = ("reservation",)
    RESERVATION_FIELD_NUMBER: _ClassVar[int]
    reservation: _reservation_pb2.Reservation
    def __init__(self, reservation: _Optional[_Union[_reservation_pb2.Reservation, _Mapping]] = ...) -> None: ...

class ReleaseReservationRequest(_message.Message):
    __slots__ = ("tenant_id", "request_id", "reservation_id", "reason")
    TENANT_ID_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    RESERVATION_ID_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    tenant_id: str
    request_id: str
    reservation_id: str
    reason: _reservation_pb2.ReleaseReason
    def __init__(self, tenant_id: _Optional[str] = ..., request_id: _Optional[str] = ..., reservation_id: _Optional[str] = ..., reason: _Optional[_Union[_reservation_pb2.ReleaseReason, str]] = ...) -> None: ...

class ReleaseReservationResponse(_message.Message):
    __slots__ = ("reservation",)
    RESERVATION_FIELD_NUMBER: _ClassVar[int]
    reservation: _reservation_pb2.Reservation
    def __init__(self, reservation: _Optional[_Union[_reservation_pb2.Reservation, _Mapping]] = ...) -> None: ...

class ExtendReservationRequest(_message.Message):
    __slots__ = ("tenant_id", "request_id", "reservation_id", "extension")
    TENANT_ID_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    RESERVATION_ID_FIELD_NUMBER: _ClassVar[int]
    EXTENSION_FIELD_NUMBER: _ClassVar[int]
    tenant_id: str
    request_id: str
    reservation_id: str
    extension: _duration_pb2.Duration
    def __init__(self, tenant_id: _Optional[str] = ..., request_id: _Optional[str] = ..., reservation_id: _Optional[str] = ..., extension: _Optional[_Union[datetime.timedelta, _duration_pb2.Duration, _Mapping]] = ...) -> None: ...

class ExtendReservationResponse(_message.Message):
    __slots__ = ("reservation",)
    RESERVATION_FIELD_NUMBER: _ClassVar[int]
    reservation: _reservation_pb2.Reservation
    def __init__(self, reservation: _Optional[_Union[_reservation_pb2.Reservation, _Mapping]] = ...) -> None: ...

class ResizeReservationRequest(_message.Message):
    __slots__ = ("tenant_id", "request_id", "reservation_id", "sku_id", "quantity", "challenge_pass_token")
    TENANT_ID_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    RESERVATION_ID_FIELD_NUMBER: _ClassVar[int]
    SKU_ID_FIELD_NUMBER: _ClassVar[int]
    QUANTITY_FIELD_NUMBER: _ClassVar[int]
    CHALLENGE_PASS_TOKEN_FIELD_NUMBER: _ClassVar[int]
    tenant_id: str
    request_id: str
    reservation_id: str
    sku_id: str
    quantity: int
    challenge_pass_token: str
    def __init__(self, tenant_id: _Optional[str] = ..., request_id: _Optional[str] = ..., reservation_id: _Optional[str] = ..., sku_id: _Optional[str] = ..., quantity: _Optional[int] = ..., challenge_pass_token: _Optional[str] = ...) -> None: ...

class ResizeReservationResponse(_message.Message):
    __slots__ = ("reservation",)
    RESERVATION_FIELD_NUMBER: _ClassVar[int]
    reservation: _reservation_pb2.Reservation
    def __init__(self, reservation: _Optional[_Union[_reservation_pb2.Reservation, _Mapping]] = ...) -> None: ...

class ConsumeReservationRequest(_message.Message):
    __slots__ = ("tenant_id", "request_id", "reservation_id", "sku_id", "quantity", "order_id")
    TENANT_ID_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    RESERVATION_ID_FIELD_NUMBER: _ClassVar[int]
    SKU_ID_FIELD_NUMBER: _ClassVar[int]
    QUANTITY_FIELD_NUMBER: _ClassVar[int]
    ORDER_ID_FIELD_NUMBER: _ClassVar[int]
    tenant_id: str
    request_id: str
    reservation_id: str
    sku_id: str
    quantity: int
    order_id: str
    def __init__(self, tenant_id: _Optional[str] = ..., request_id: _Optional[str] = ..., reservation_id: _Optional[str] = ..., sku_id: _Optional[str] = ..., quantity: _Optional[int] = ..., order_id: _Optional[str] = ...) -> None: ...

class ConsumeReservationResponse(_message.Message):
    __slots__ = ("reservation",)
    RESERVATION_FIELD_NUMBER: _ClassVar[int]
    reservation: _reservation_pb2.Reservation
    def __init__(self, reservation: _Optional[_Union[_reservation_pb2.Reservation, _Mapping]] = ...) -> None: ...

class ReturnSoldRequest(_message.Message):
    __slots__ = ("tenant_id", "request_id", "sku_id", "quantity", "order_id", "note")
    TENANT_ID_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    SKU_ID_FIELD_NUMBER: _ClassVar[int]
    QUANTITY_FIELD_NUMBER: _ClassVar[int]
    ORDER_ID_FIELD_NUMBER: _ClassVar[int]
    NOTE_FIELD_NUMBER: _ClassVar[int]
    tenant_id: str
    request_id: str
    sku_id: str
    quantity: int
    order_id: str
    note: str
    def __init__(self, tenant_id: _Optional[str] = ..., request_id: _Optional[str] = ..., sku_id: _Optional[str] = ..., quantity: _Optional[int] = ..., order_id: _Optional[str] = ..., note: _Optional[str] = ...) -> None: ...

class ReturnSoldResponse(_message.Message):
    __slots__ = ("sku",)
    SKU_FIELD_NUMBER: _ClassVar[int]
    sku: _stock_pb2.Sku
    def __init__(self, sku: _Optional[_Union[_stock_pb2.Sku, _Mapping]] = ...) -> None: ...

class GetReservationRequest(_message.Message):
    __slots__ = ("tenant_id", "reservation_id")
    TENANT_ID_FIELD_NUMBER: _ClassVar[int]
    RESERVATION_ID_FIELD_NUMBER: _ClassVar[int]
    tenant_id: str
    reservation_id: str
    def __init__(self, tenant_id: _Optional[str] = ..., reservation_id: _Optional[str] = ...) -> None: ...

class GetReservationResponse(_message.Message):
    __slots__ = ("reservation",)
    RESERVATION_FIELD_NUMBER: _ClassVar[int]
    reservation: _reservation_pb2.Reservation
    def __init__(self, reservation: _Optional[_Union[_reservation_pb2.Reservation, _Mapping]] = ...) -> None: ...

class ListReservationsRequest(_message.Message):
    __slots__ = ("tenant_id", "user_id", "order_id", "sku_id", "state", "page_size", "page_token")
    TENANT_ID_FIELD_NUMBER: _ClassVar[int]
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    ORDER_ID_FIELD_NUMBER: _ClassVar[int]
    SKU_ID_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    tenant_id: str
    user_id: str
    order_id: str
    sku_id: str
    state: _reservation_pb2.ReservationState
    page_size: int
    page_token: str
    def __init__(self, tenant_id: _Optional[str] = ..., user_id: _Optional[str] = ..., order_id: _Optional[str] = ..., sku_id: _Optional[str] = ..., state: _Optional[_Union[_reservation_pb2.ReservationState, str]] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ...) -> None: ...

class ListReservationsResponse(_message.Message):
    __slots__ = ("reservations", "next_page_token")
    RESERVATIONS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    reservations: _containers.RepeatedCompositeFieldContainer[_reservation_pb2.Reservation]
    next_page_token: str
    def __init__(self, reservations: _Optional[_Iterable[_Union[_reservation_pb2.Reservation, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class WatchEventsRequest(_message.Message):
    __slots__ = ("tenant_id", "after_sequence", "event_types", "sku_ids")
    TENANT_ID_FIELD_NUMBER: _ClassVar[int]
    AFTER_SEQUENCE_FIELD_NUMBER: _ClassVar[int]
    EVENT_TYPES_FIELD_NUMBER: _ClassVar[int]
    SKU_IDS_FIELD_NUMBER: _ClassVar[int]
    tenant_id: str
    after_sequence: int
    event_types: _containers.RepeatedScalarFieldContainer[_events_pb2.EventType]
    sku_ids: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, tenant_id: _Optional[str] = ..., after_sequence: _Optional[int] = ..., event_types: _Optional[_Iterable[_Union[_events_pb2.EventType, str]]] = ..., sku_ids: _Optional[_Iterable[str]] = ...) -> None: ...

class WatchEventsResponse(_message.Message):
    __slots__ = ("events", "head_sequence")
    EVENTS_FIELD_NUMBER: _ClassVar[int]
    HEAD_SEQUENCE_FIELD_NUMBER: _ClassVar[int]
    events: _containers.RepeatedCompositeFieldContainer[_events_pb2.InventoryEvent]
    head_sequence: int
    def __init__(self, events: _Optional[_Iterable[_Union[_events_pb2.InventoryEvent, _Mapping]]] = ..., head_sequence: _Optional[int] = ...) -> None: ...

class ListLedgerEntriesRequest(_message.Message):
    __slots__ = ("tenant_id", "sku_id", "page_size", "page_token")
    TENANT_ID_FIELD_NUMBER: _ClassVar[int]
    SKU_ID_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    tenant_id: str
    sku_id: str
    page_size: int
    page_token: str
    def __init__(self, tenant_id: _Optional[str] = ..., sku_id: _Optional[str] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ...) -> None: ...

class ListLedgerEntriesResponse(_message.Message):
    __slots__ = ("entries", "next_page_token")
    ENTRIES_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    entries: _containers.RepeatedCompositeFieldContainer[_stock_pb2.LedgerEntry]
    next_page_token: str
    def __init__(self, entries: _Optional[_Iterable[_Union[_stock_pb2.LedgerEntry, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class ReconcileRequest(_message.Message):
    __slots__ = ("tenant_id", "request_id", "sku_ids", "repair")
    TENANT_ID_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    SKU_IDS_FIELD_NUMBER: _ClassVar[int]
    REPAIR_FIELD_NUMBER: _ClassVar[int]
    tenant_id: str
    request_id: str
    sku_ids: _containers.RepeatedScalarFieldContainer[str]
    repair: bool
    def __init__(self, tenant_id: _Optional[str] = ..., request_id: _Optional[str] = ..., sku_ids: _Optional[_Iterable[str]] = ..., repair: _Optional[bool] = ...) -> None: ...

class SkuDrift(_message.Message):
    __slots__ = ("sku_id", "recorded", "recomputed", "repaired")
    SKU_ID_FIELD_NUMBER: _ClassVar[int]
    RECORDED_FIELD_NUMBER: _ClassVar[int]
    RECOMPUTED_FIELD_NUMBER: _ClassVar[int]
    REPAIRED_FIELD_NUMBER: _ClassVar[int]
    sku_id: str
    recorded: _stock_pb2.StockLevels
    recomputed: _stock_pb2.StockLevels
    repaired: bool
    def __init__(self, sku_id: _Optional[str] = ..., recorded: _Optional[_Union[_stock_pb2.StockLevels, _Mapping]] = ..., recomputed: _Optional[_Union[_stock_pb2.StockLevels, _Mapping]] = ..., repaired: _Optional[bool] = ...) -> None: ...

class ReconcileResponse(_message.Message):
    __slots__ = ("checked", "drifts")
    CHECKED_FIELD_NUMBER: _ClassVar[int]
    DRIFTS_FIELD_NUMBER: _ClassVar[int]
    checked: int
    drifts: _containers.RepeatedCompositeFieldContainer[SkuDrift]
    def __init__(self, checked: _Optional[int] = ..., drifts: _Optional[_Iterable[_Union[SkuDrift, _Mapping]]] = ...) -> None: ...

class SweepExpiredRequest(_message.Message):
    __slots__ = ("tenant_id", "request_id", "limit")
    TENANT_ID_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    LIMIT_FIELD_NUMBER: _ClassVar[int]
    tenant_id: str
    request_id: str
    limit: int
    def __init__(self, tenant_id: _Optional[str] = ..., request_id: _Optional[str] = ..., limit: _Optional[int] = ...) -> None: ...

class SweepExpiredResponse(_message.Message):
    __slots__ = ("expired",)
    EXPIRED_FIELD_NUMBER: _ClassVar[int]
    expired: int
    def __init__(self, expired: _Optional[int] = ...) -> None: ...
