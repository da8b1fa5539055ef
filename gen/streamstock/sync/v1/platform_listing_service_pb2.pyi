import datetime

from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class PushListingRequest(_message.Message):
    __slots__ = ("tenant_id", "request_id", "platform_id", "sku_id", "version", "listed_units", "sold_units_applied", "push_time")
    TENANT_ID_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    PLATFORM_ID_FIELD_NUMBER: _ClassVar[int]
    SKU_ID_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    LISTED_UNITS_FIELD_NUMBER: _ClassVar[int]
    SOLD_UNITS_APPLIED_FIELD_NUMBER: _ClassVar[int]
    PUSH_TIME_FIELD_NUMBER: _ClassVar[int]
    tenant_id: str
    request_id: str
    platform_id: str
    sku_id: str
    version: int
    listed_units: int
    sold_units_applied: int
    push_time: _timestamp_pb2.Timestamp
    def __init__(self, tenant_id: _Optional[str] = ..., request_id: _Optional[str] = ..., platform_id: _Optional[str] = ..., sku_id: _Optional[str] = ..., version: _Optional[int] = ..., listed_units: _Optional[int] = ..., sold_units_applied: _Optional[int] = ..., push_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class PushListingResponse(_message.Message):
    __slots__ = ("acknowledged_version", "listed_units", "platform_sold_units")
    ACKNOWLEDGED_VERSION_FIELD_NUMBER: _ClassVar[int]
    LISTED_UNITS_FIELD_NUMBER: _ClassVar[int]
    PLATFORM_SOLD_UNITS_FIELD_NUMBER: _ClassVar[int]
    acknowledged_version: int
    listed_units: int
    platform_sold_units: int
    def __init__(self, acknowledged_version: _Optional[int] = ..., listed_units: _Optional[int] = ..., platform_sold_units: _Optional[int] = ...) -> None: ...
