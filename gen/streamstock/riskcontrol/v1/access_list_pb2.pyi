import datetime

from google.protobuf import timestamp_pb2 as _timestamp_pb2
from streamstock.riskcontrol.v1 import signals_pb2 as _signals_pb2
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class AccessList(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    ACCESS_LIST_UNSPECIFIED: _ClassVar[AccessList]
    ACCESS_LIST_ALLOW: _ClassVar[AccessList]
    ACCESS_LIST_DENY: _ClassVar[AccessList]
ACCESS_LIST_UNSPECIFIED: AccessList
ACCESS_LIST_ALLOW: AccessList
ACCESS_LIST_DENY: AccessList

class AccessListEntry(_message.Message):
    __slots__ = ("entry_id", "list", "key_level", "key", "expire_time", "note", "created_by", "update_time")
    ENTRY_ID_FIELD_NUMBER: _ClassVar[int]
    LIST_FIELD_NUMBER: _ClassVar[int]
    KEY_LEVEL_FIELD_NUMBER: _ClassVar[int]
    KEY_FIELD_NUMBER: _ClassVar[int]
    EXPIRE_TIME_FIELD_NUMBER: _ClassVar[int]
    NOTE_FIELD_NUMBER: _ClassVar[int]
    CREATED_BY_FIELD_NUMBER: _ClassVar[int]
    UPDATE_TIME_FIELD_NUMBER: _ClassVar[int]
    entry_id: str
    list: AccessList
    key_level: _signals_pb2.KeyLevel
    key: str
    expire_time: _timestamp_pb2.Timestamp
    note: str
    created_by: str
    update_time: _timestamp_pb2.Timestamp
    def __init__(self, entry_id: _Optional[str] = ..., list: _Optional[_Union[AccessList, str]] = ..., key_level: _Optional[_Union[_signals_pb2.KeyLevel, str]] = ..., key: _Optional[str] = ..., expire_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., note: _Optional[str] = ..., created_by: _Optional[str] = ..., update_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...
