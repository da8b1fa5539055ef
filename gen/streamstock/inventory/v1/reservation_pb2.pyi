import datetime

from google.protobuf import timestamp_pb2 as _timestamp_pb2
from streamstock.inventory.v1 import stock_pb2 as _stock_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class ReservationState(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    RESERVATION_STATE_UNSPECIFIED: _ClassVar[ReservationState]
    RESERVATION_STATE_ACTIVE: _ClassVar[ReservationState]
    RESERVATION_STATE_CONFIRMED: _ClassVar[ReservationState]
    RESERVATION_STATE_RELEASED: _ClassVar[ReservationState]
    RESERVATION_STATE_EXPIRED: _ClassVar[ReservationState]

class ReservationPurpose(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    RESERVATION_PURPOSE_UNSPECIFIED: _ClassVar[ReservationPurpose]
    RESERVATION_PURPOSE_BUYER: _ClassVar[ReservationPurpose]
    RESERVATION_PURPOSE_PLATFORM_QUOTA: _ClassVar[ReservationPurpose]

class ReleaseReason(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    RELEASE_REASON_UNSPECIFIED: _ClassVar[ReleaseReason]
    RELEASE_REASON_BUYER_CANCELLED: _ClassVar[ReleaseReason]
    RELEASE_REASON_ORDER_CANCELLED: _ClassVar[ReleaseReason]
    RELEASE_REASON_PAYMENT_FAILED: _ClassVar[ReleaseReason]
    RELEASE_REASON_OPERATOR: _ClassVar[ReleaseReason]
    RELEASE_REASON_QUOTA_RETURNED: _ClassVar[ReleaseReason]
RESERVATION_STATE_UNSPECIFIED: ReservationState
RESERVATION_STATE_ACTIVE: ReservationState
RESERVATION_STATE_CONFIRMED: ReservationState
RESERVATION_STATE_RELEASED: ReservationState
RESERVATION_STATE_EXPIRED: ReservationState
RESERVATION_PURPOSE_UNSPECIFIED: ReservationPurpose
RESERVATION_PURPOSE_BUYER: ReservationPurpose
RESERVATION_PURPOSE_PLATFORM_QUOTA: ReservationPurpose
RELEASE_REASON_UNSPECIFIED: ReleaseReason
RELEASE_REASON_BUYER_CANCELLED: ReleaseReason
RELEASE_REASON_ORDER_CANCELLED: ReleaseReason
RELEASE_REASON_PAYMENT_FAILED: ReleaseReason
RELEASE_REASON_OPERATOR: ReleaseReason
RELEASE_REASON_QUOTA_RETURNED: ReleaseReason

class Reservation(_message.Message):
    __slots__ = ("tenant_id", "reservation_id", "user_id", "order_id", "lines", "state", "lock_stage", "purpose", "buyer", "create_time", "expire_time", "settle_time", "extension_count", "payment_reference", "release_reason", "risk_decision_id")
    TENANT_ID_FIELD_NUMBER: _ClassVar[int]
    RESERVATION_ID_FIELD_NUMBER: _ClassVar[int]
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    ORDER_ID_FIELD_NUMBER: _ClassVar[int]
    LINES_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    LOCK_STAGE_FIELD_NUMBER: _ClassVar[int]
    PURPOSE_FIELD_NUMBER: _ClassVar[int]
    BUYER_FIELD_NUMBER: _ClassVar[int]
    CREATE_TIME_FIELD_NUMBER: _ClassVar[int]
    EXPIRE_TIME_FIELD_NUMBER: _ClassVar[int]
    SETTLE_TIME_FIELD_NUMBER: _ClassVar[int]
    EXTENSION_COUNT_FIELD_NUMBER: _ClassVar[int]
    PAYMENT_REFERENCE_FIELD_NUMBER: _ClassVar[int]
    RELEASE_REASON_FIELD_NUMBER: _ClassVar[int]
    RISK_DECISION_ID_FIELD_NUMBER: _ClassVar[int]
    tenant_id: str
    reservation_id: str
    user_id: str
    order_id: str
    lines: _containers.RepeatedCompositeFieldContainer[ReservationLine]
    state: ReservationState
    lock_stage: _stock_pb2.LockStage
    purpose: ReservationPurpose
    buyer: BuyerContext
    create_time: _timestamp_pb2.Timestamp
    expire_time: _timestamp_pb2.Timestamp
    settle_time: _timestamp_pb2.Timestamp
    extension_count: int
    payment_reference: str
    release_reason: ReleaseReason
    risk_decision_id: str
    def __init__(self, tenant_id: _Optional[str] = ..., reservation_id: _Optional[str] = ..., user_id: _Optional[str] = ..., order_id: _Optional[str] = ..., lines: _Optional[_Iterable[_Union[ReservationLine, _Mapping]]] = ..., state: _Optional[_Union[ReservationState, str]] = ..., lock_stage: _Optional[_Union[_stock_pb2.LockStage, str]] = ..., purpose: _Optional[_Union[ReservationPurpose, str]] = ..., buyer: _Optional[_Union[BuyerContext, _Mapping]] = ..., create_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., expire_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., settle_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., extension_count: _Optional[int] = ..., payment_reference: _Optional[str] = ..., release_reason: _Optional[_Union[ReleaseReason, str]] = ..., risk_decision_id: _Optional[str] = ...) -> None: ...

class ReservationLine(_message.Message):
    __slots__ = ("sku_id", "quantity", "consumed_quantity")
    SKU_ID_FIELD_NUMBER: _ClassVar[int]
    QUANTITY_FIELD_NUMBER: _ClassVar[int]
    CONSUMED_QUANTITY_FIELD_NUMBER: _ClassVar[int]
    sku_id: str
    quantity: int
    consumed_quantity: int
    def __init__(self, sku_id: _Optional[str] = ..., quantity: _Optional[int] = ..., consumed_quantity: _Optional[int] = ...) -> None: ...

class BuyerContext(_message.Message):
    __slots__ = ("platform_id", "ip", "device_id", "challenge_pass_token")
    PLATFORM_ID_FIELD_NUMBER: _ClassVar[int]
    IP_FIELD_NUMBER: _ClassVar[int]
    DEVICE_ID_FIELD_NUMBER: _ClassVar[int]
    CHALLENGE_PASS_TOKEN_FIELD_NUMBER: _ClassVar[int]
    platform_id: str
    ip: str
    device_id: str
    challenge_pass_token: str
    def __init__(self, platform_id: _Optional[str] = ..., ip: _Optional[str] = ..., device_id: _Optional[str] = ..., challenge_pass_token: _Optional[str] = ...) -> None: ...
