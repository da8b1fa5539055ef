import datetime

from google.protobuf import duration_pb2 as _duration_pb2
from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class KeyLevel(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    KEY_LEVEL_UNSPECIFIED: _ClassVar[KeyLevel]
    KEY_LEVEL_SKU: _ClassVar[KeyLevel]
    KEY_LEVEL_ORDER_SKU: _ClassVar[KeyLevel]
    KEY_LEVEL_USER_ORDER_SKU: _ClassVar[KeyLevel]
    KEY_LEVEL_IP_USER_ORDER_SKU: _ClassVar[KeyLevel]
    KEY_LEVEL_DEVICE_IP_ORDER_SKU_USER: _ClassVar[KeyLevel]
    KEY_LEVEL_USER: _ClassVar[KeyLevel]
    KEY_LEVEL_IP: _ClassVar[KeyLevel]
    KEY_LEVEL_DEVICE: _ClassVar[KeyLevel]
    KEY_LEVEL_USER_SKU: _ClassVar[KeyLevel]

class RiskSignal(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    RISK_SIGNAL_UNSPECIFIED: _ClassVar[RiskSignal]
    RISK_SIGNAL_ATTEMPT_VELOCITY: _ClassVar[RiskSignal]
    RISK_SIGNAL_QUANTITY_VELOCITY: _ClassVar[RiskSignal]
    RISK_SIGNAL_DISTINCT_ACCOUNTS: _ClassVar[RiskSignal]
    RISK_SIGNAL_UNPAID_EXPIRIES: _ClassVar[RiskSignal]
    RISK_SIGNAL_PURCHASE_LIMIT_RATIO: _ClassVar[RiskSignal]
    RISK_SIGNAL_PAYMENT_FAILURES: _ClassVar[RiskSignal]
    RISK_SIGNAL_CHARGEBACKS: _ClassVar[RiskSignal]
    RISK_SIGNAL_CART_EDITS: _ClassVar[RiskSignal]
    RISK_SIGNAL_CHALLENGE_FAILURES: _ClassVar[RiskSignal]
    RISK_SIGNAL_DENY_LIST: _ClassVar[RiskSignal]
    RISK_SIGNAL_ALLOW_LIST: _ClassVar[RiskSignal]
KEY_LEVEL_UNSPECIFIED: KeyLevel
KEY_LEVEL_SKU: KeyLevel
KEY_LEVEL_ORDER_SKU: KeyLevel
KEY_LEVEL_USER_ORDER_SKU: KeyLevel
KEY_LEVEL_IP_USER_ORDER_SKU: KeyLevel
KEY_LEVEL_DEVICE_IP_ORDER_SKU_USER: KeyLevel
KEY_LEVEL_USER: KeyLevel
KEY_LEVEL_IP: KeyLevel
KEY_LEVEL_DEVICE: KeyLevel
KEY_LEVEL_USER_SKU: KeyLevel
RISK_SIGNAL_UNSPECIFIED: RiskSignal
RISK_SIGNAL_ATTEMPT_VELOCITY: RiskSignal
RISK_SIGNAL_QUANTITY_VELOCITY: RiskSignal
RISK_SIGNAL_DISTINCT_ACCOUNTS: RiskSignal
RISK_SIGNAL_UNPAID_EXPIRIES: RiskSignal
RISK_SIGNAL_PURCHASE_LIMIT_RATIO: RiskSignal
RISK_SIGNAL_PAYMENT_FAILURES: RiskSignal
RISK_SIGNAL_CHARGEBACKS: RiskSignal
RISK_SIGNAL_CART_EDITS: RiskSignal
RISK_SIGNAL_CHALLENGE_FAILURES: RiskSignal
RISK_SIGNAL_DENY_LIST: RiskSignal
RISK_SIGNAL_ALLOW_LIST: RiskSignal

class RiskKey(_message.Message):
    __slots__ = ("level", "sku_id", "order_id", "user_id", "ip", "device_id")
    LEVEL_FIELD_NUMBER: _ClassVar[int]
    SKU_ID_FIELD_NUMBER: _ClassVar[int]
    ORDER_ID_FIELD_NUMBER: _ClassVar[int]
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    IP_FIELD_NUMBER: _ClassVar[int]
    DEVICE_ID_FIELD_NUMBER: _ClassVar[int]
    level: KeyLevel
    sku_id: str
    order_id: str
    user_id: str
    ip: str
    device_id: str
    def __init__(self, level: _Optional[_Union[KeyLevel, str]] = ..., sku_id: _Optional[str] = ..., order_id: _Optional[str] = ..., user_id: _Optional[str] = ..., ip: _Optional[str] = ..., device_id: _Optional[str] = ...) -> None: ...

class SignalValue(_message.Message):
    __slots__ = ("signal", "window", "value", "observe_time")
    SIGNAL_FIELD_NUMBER: _ClassVar[int]
    WINDOW_FIELD_NUMBER: _ClassVar[int]
    VALUE_FIELD_NUMBER: _ClassVar[int]
    OBSERVE_TIME_FIELD_NUMBER: _ClassVar[int]
    signal: RiskSignal
    window: _duration_pb2.Duration
    value: float
    observe_time: _timestamp_pb2.Timestamp
    def __init__(self, signal: _Optional[_Union[RiskSignal, str]] = ..., window: _Optional[_Union[datetime.timedelta, _duration_pb2.Duration, _Mapping]] = ..., value: _Optional[float] = ..., observe_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...
