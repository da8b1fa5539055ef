import datetime

from google.protobuf import timestamp_pb2 as _timestamp_pb2
from streamstock.inventory.v1 import reservation_pb2 as _reservation_pb2
from streamstock.inventory.v1 import stock_pb2 as _stock_pb2
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class EventType(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    EVENT_TYPE_UNSPECIFIED: _ClassVar[EventType]
    EVENT_TYPE_SKU_CREATED: _ClassVar[EventType]
    EVENT_TYPE_STOCK_ADJUSTED: _ClassVar[EventType]
    EVENT_TYPE_WITHHELD_CHANGED: _ClassVar[EventType]
    EVENT_TYPE_SALE_STATUS_CHANGED: _ClassVar[EventType]
    EVENT_TYPE_SALE_POLICY_CHANGED: _ClassVar[EventType]
    EVENT_TYPE_RESERVATION_CREATED: _ClassVar[EventType]
    EVENT_TYPE_RESERVATION_CONFIRMED: _ClassVar[EventType]
    EVENT_TYPE_RESERVATION_RELEASED: _ClassVar[EventType]
    EVENT_TYPE_RESERVATION_EXPIRED: _ClassVar[EventType]
    EVENT_TYPE_RESERVATION_EXPIRING_SOON: _ClassVar[EventType]
    EVENT_TYPE_RESERVATION_EXTENDED: _ClassVar[EventType]
    EVENT_TYPE_RESERVATION_RESIZED: _ClassVar[EventType]
    EVENT_TYPE_RESERVATION_CONSUMED: _ClassVar[EventType]
    EVENT_TYPE_SOLD_RETURNED: _ClassVar[EventType]
EVENT_TYPE_UNSPECIFIED: EventType
EVENT_TYPE_SKU_CREATED: EventType
EVENT_TYPE_STOCK_ADJUSTED: EventType
EVENT_TYPE_WITHHELD_CHANGED: EventType
EVENT_TYPE_SALE_STATUS_CHANGED: EventType
EVENT_TYPE_SALE_POLICY_CHANGED: EventType
EVENT_TYPE_RESERVATION_CREATED: EventType
EVENT_TYPE_RESERVATION_CONFIRMED: EventType
EVENT_TYPE_RESERVATION_RELEASED: EventType
EVENT_TYPE_RESERVATION_EXPIRED: EventType
EVENT_TYPE_RESERVATION_EXPIRING_SOON: EventType
EVENT_TYPE_RESERVATION_EXTENDED: EventType
EVENT_TYPE_RESERVATION_RESIZED: EventType
EVENT_TYPE_RESERVATION_CONSUMED: EventType
EVENT_TYPE_SOLD_RETURNED: EventType

class InventoryEvent(_message.Message):
    __slots__ = ("sequence", "tenant_id", "sku_id", "occur_time", "stock", "sku_created", "stock_adjusted", "withheld_changed", "sale_status_changed", "sale_policy_changed", "reservation_created", "reservation_confirmed", "reservation_released", "reservation_expired", "reservation_expiring_soon", "reservation_extended", "reservation_resized", "reservation_consumed", "sold_returned")
    SEQUENCE_FIELD_NUMBER: _ClassVar[int]
    TENANT_ID_FIELD_NUMBER: _ClassVar[int]
    SKU_ID_FIELD_NUMBER: _ClassVar[int]
    OCCUR_TIME_FIELD_NUMBER: _ClassVar[int]
    STOCK_FIELD_NUMBER: _ClassVar[int]
    SKU_CREATED_FIELD_NUMBER: _ClassVar[int]
    STOCK_ADJUSTED_FIELD_NUMBER: _ClassVar[int]
    WITHHELD_CHANGED_FIELD_NUMBER: _ClassVar[int]
    SALE_STATUS_CHANGED_FIELD_NUMBER: _ClassVar[int]
    SALE_POLICY_CHANGED_FIELD_NUMBER: _ClassVar[int]
    RESERVATION_CREATED_FIELD_NUMBER: _ClassVar[int]
    RESERVATION_CONFIRMED_FIELD_NUMBER: _ClassVar[int]
    RESERVATION_RELEASED_FIELD_NUMBER: _ClassVar[int]
    RESERVATION_EXPIRED_FIELD_NUMBER: _ClassVar[int]
    RESERVATION_EXPIRING_SOON_FIELD_NUMBER: _ClassVar[int]
    RESERVATION_EXTENDED_FIELD_NUMBER: _ClassVar[int]
    RESERVATION_RESIZED_FIELD_NUMBER: _ClassVar[int]
    RESERVATION_CONSUMED_FIELD_NUMBER: _ClassVar[int]
    SOLD_RETURNED_FIELD_NUMBER: _ClassVar[int]
    sequence: int
    tenant_id: str
    sku_id: str
    occur_time: _timestamp_pb2.Timestamp
    stock: _stock_pb2.StockLevels
    sku_created: SkuCreated
    stock_adjusted: StockAdjusted
    withheld_changed: WithheldChanged
    sale_status_changed: SaleStatusChanged
    sale_policy_changed: SalePolicyChanged
    reservation_created: ReservationEvent
    reservation_confirmed: ReservationEvent
    reservation_released: ReservationEvent
    reservation_expired: ReservationEvent
    reservation_expiring_soon: ReservationEvent
    reservation_extended: ReservationEvent
    reservation_resized: ReservationEvent
    reservation_consumed: ReservationEvent
    sold_returned: SoldReturned
    def __init__(self, sequence: _Optional[int] = ..., tenant_id: _Optional[str] = ..., sku_id: _Optional[str] = ..., occur_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., stock: _Optional[_Union[_stock_pb2.StockLevels, _Mapping]] = ..., sku_created: _Optional[_Union[SkuCreated, _Mapping]] = ..., stock_adjusted: _Optional[_Union[StockAdjusted, _Mapping]] = ..., withheld_changed: _Optional[_Union[WithheldChanged, _Mapping]] = ..., sale_status_changed: _Optional[_Union[SaleStatusChanged, _Mapping]] = ..., sale_policy_changed: _Optional[_Union[SalePolicyChanged, _Mapping]] = ..., reservation_created: _Optional[_Union[ReservationEvent, _Mapping]] = ..., reservation_confirmed: _Optional[_Union[ReservationEvent, _Mapping]] = ..., reservation_released: _Optional[_Union[ReservationEvent, _Mapping]] = ..., reservation_expired: _Optional[_Union[ReservationEvent, _Mapping]] = ..., reservation_expiring_soon: _Optional[_Union[ReservationEvent, _Mapping]] = ..., reservation_extended: _Optional[_Union[ReservationEvent, _Mapping]] = ..., reservation_resized: _Optional[_Union[ReservationEvent, _Mapping]] = ..., reservation_consumed: _Optional[_Union[ReservationEvent, _Mapping]] = ..., sold_returned: _Optional[_Union[SoldReturned, _Mapping]] = ...) -> None: ...

class SkuCreated(_message.Message):
    __slots__ = ("title", "policy")
    TITLE_FIELD_NUMBER: _ClassVar[int]
    POLICY_FIELD_NUMBER: _ClassVar[int]
    title: str
    policy: _stock_pb2.SalePolicy
    def __init__(self, title: _Optional[str] = ..., policy: _Optional[_Union[_stock_pb2.SalePolicy, _Mapping]] = ...) -> None: ...

class StockAdjusted(_message.Message):
    __slots__ = ("on_hand_delta", "reason", "adjustment_reason", "note")
    ON_HAND_DELTA_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    ADJUSTMENT_REASON_FIELD_NUMBER: _ClassVar[int]
    NOTE_FIELD_NUMBER: _ClassVar[int]
    on_hand_delta: int
    reason: _stock_pb2.LedgerReason
    adjustment_reason: _stock_pb2.AdjustmentReason
    note: str
    def __init__(self, on_hand_delta: _Optional[int] = ..., reason: _Optional[_Union[_stock_pb2.LedgerReason, str]] = ..., adjustment_reason: _Optional[_Union[_stock_pb2.AdjustmentReason, str]] = ..., note: _Optional[str] = ...) -> None: ...

class WithheldChanged(_message.Message):
    __slots__ = ("kind", "quantity")
    KIND_FIELD_NUMBER: _ClassVar[int]
    QUANTITY_FIELD_NUMBER: _ClassVar[int]
    kind: _stock_pb2.WithholdKind
    quantity: int
    def __init__(self, kind: _Optional[_Union[_stock_pb2.WithholdKind, str]] = ..., quantity: _Optional[int] = ...) -> None: ...

class SaleStatusChanged(_message.Message):
    __slots__ = ("previous", "current", "reason")
    PREVIOUS_FIELD_NUMBER: _ClassVar[int]
    CURRENT_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    previous: _stock_pb2.SaleStatus
    current: _stock_pb2.SaleStatus
    reason: str
    def __init__(self, previous: _Optional[_Union[_stock_pb2.SaleStatus, str]] = ..., current: _Optional[_Union[_stock_pb2.SaleStatus, str]] = ..., reason: _Optional[str] = ...) -> None: ...

class SalePolicyChanged(_message.Message):
    __slots__ = ("policy",)
    POLICY_FIELD_NUMBER: _ClassVar[int]
    policy: _stock_pb2.SalePolicy
    def __init__(self, policy: _Optional[_Union[_stock_pb2.SalePolicy, _Mapping]] = ...) -> None: ...

class ReservationEvent(_message.Message):
    __slots__ = ("reservation_id", "user_id", "order_id", "quantity", "line_quantity", "state", "purpose", "buyer", "expire_time", "release_reason", "risk_decision_id")
    RESERVATION_ID_FIELD_NUMBER: _ClassVar[int]
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    ORDER_ID_FIELD_NUMBER: _ClassVar[int]
    QUANTITY_FIELD_NUMBER: _ClassVar[int]
    LINE_QUANTITY_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    PURPOSE_FIELD_NUMBER: _ClassVar[int]
    BUYER_FIELD_NUMBER: _ClassVar[int]
    EXPIRE_TIME_FIELD_NUMBER: _ClassVar[int]
    RELEASE_REASON_FIELD_NUMBER: _ClassVar[int]
    RISK_DECISION_ID_FIELD_NUMBER: _ClassVar[int]
    reservation_id: str
    user_id: str
    order_id: str
    quantity: int
    line_quantity: int
    state: _reservation_pb2.ReservationState
    purpose: _reservation_pb2.ReservationPurpose
    buyer: _reservation_pb2.BuyerContext
    expire_time: _timestamp_pb2.Timestamp
    release_reason: _reservation_pb2.ReleaseReason
    risk_decision_id: str
    def __init__(self, reservation_id: _Optional[str] = ..., user_id: _Optional[str] = ..., order_id: _Optional[str] = ..., quantity: _Optional[int] = ..., line_quantity: _Optional[int] = ..., state: _Optional[_Union[_reservation_pb2.ReservationState, str]] = ..., purpose: _Optional[_Union[_reservation_pb2.ReservationPurpose, str]] = ..., buyer: _Optional[_Union[_reservation_pb2.BuyerContext, _Mapping]] = ..., expire_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., release_reason: _Optional[_Union[_reservation_pb2.ReleaseReason, str]] = ..., risk_decision_id: _Optional[str] = ...) -> None: ...

class SoldReturned(_message.Message):
    __slots__ = ("quantity", "order_id", "note")
    QUANTITY_FIELD_NUMBER: _ClassVar[int]
    ORDER_ID_FIELD_NUMBER: _ClassVar[int]
    NOTE_FIELD_NUMBER: _ClassVar[int]
    quantity: int
    order_id: str
    note: str
    def __init__(self, quantity: _Optional[int] = ..., order_id: _Optional[str] = ..., note: _Optional[str] = ...) -> None: ...
