import datetime

from google.protobuf import duration_pb2 as _duration_pb2
from google.protobuf import field_mask_pb2 as _field_mask_pb2
from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class PlatformMode(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    PLATFORM_MODE_UNSPECIFIED: _ClassVar[PlatformMode]
    PLATFORM_MODE_QUOTA: _ClassVar[PlatformMode]
    PLATFORM_MODE_SHARED: _ClassVar[PlatformMode]

class PushEndpointKind(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    PUSH_ENDPOINT_KIND_UNSPECIFIED: _ClassVar[PushEndpointKind]
    PUSH_ENDPOINT_KIND_HTTP: _ClassVar[PushEndpointKind]
    PUSH_ENDPOINT_KIND_GRPC: _ClassVar[PushEndpointKind]
PLATFORM_MODE_UNSPECIFIED: PlatformMode
PLATFORM_MODE_QUOTA: PlatformMode
PLATFORM_MODE_SHARED: PlatformMode
PUSH_ENDPOINT_KIND_UNSPECIFIED: PushEndpointKind
PUSH_ENDPOINT_KIND_HTTP: PushEndpointKind
PUSH_ENDPOINT_KIND_GRPC: PushEndpointKind

class PushEndpoint(_message.Message):
    __slots__ = ("kind", "url", "credentials_ref", "request_timeout")
    KIND_FIELD_NUMBER: _ClassVar[int]
    URL_FIELD_NUMBER: _ClassVar[int]
    CREDENTIALS_REF_FIELD_NUMBER: _ClassVar[int]
    REQUEST_TIMEOUT_FIELD_NUMBER: _ClassVar[int]
    kind: PushEndpointKind
    url: str
    credentials_ref: str
    request_timeout: _duration_pb2.Duration
    def __init__(self, kind: _Optional[_Union[PushEndpointKind, str]] = ..., url: _Optional[str] = ..., credentials_ref: _Optional[str] = ..., request_timeout: _Optional[_Union[datetime.timedelta, _duration_pb2.Duration, _Mapping]] = ...) -> None: ...

class PlatformHealth(_message.Message):
    __slots__ = ("reachable", "consecutive_failures", "last_success_time", "last_failure_time", "last_error")
    REACHABLE_FIELD_NUMBER: _ClassVar[int]
    CONSECUTIVE_FAILURES_FIELD_NUMBER: _ClassVar[int]
    LAST_SUCCESS_TIME_FIELD_NUMBER: _ClassVar[int]
    LAST_FAILURE_TIME_FIELD_NUMBER: _ClassVar[int]
    LAST_ERROR_FIELD_NUMBER: _ClassVar[int]
    reachable: bool
    consecutive_failures: int
    last_success_time: _timestamp_pb2.Timestamp
    last_failure_time: _timestamp_pb2.Timestamp
    last_error: str
    def __init__(self, reachable: _Optional[bool] = ..., consecutive_failures: _Optional[int] = ..., last_success_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., last_failure_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., last_error: _Optional[str] = ...) -> None: ...

class Platform(_message.Message):
    __slots__ = ("platform_id", "display_name", "mode", "push_endpoint", "ack_timeout", "disabled", "health", "create_time", "update_time")
    PLATFORM_ID_FIELD_NUMBER: _ClassVar[int]
    DISPLAY_NAME_FIELD_NUMBER: _ClassVar[int]
    MODE_FIELD_NUMBER: _ClassVar[int]
    PUSH_ENDPOINT_FIELD_NUMBER: _ClassVar[int]
    ACK_TIMEOUT_FIELD_NUMBER: _ClassVar[int]
    DISABLED_FIELD_NUMBER: _ClassVar[int]
    HEALTH_FIELD_NUMBER: _ClassVar[int]
    CREATE_TIME_FIELD_NUMBER: _ClassVar[int]
    UPDATE_TIME_FIELD_NUMBER: _ClassVar[int]
    platform_id: str
    display_name: str
    mode: PlatformMode
    push_endpoint: PushEndpoint
    ack_timeout: _duration_pb2.Duration
    disabled: bool
    health: PlatformHealth
    create_time: _timestamp_pb2.Timestamp
    update_time: _timestamp_pb2.Timestamp
    def __init__(self, platform_id: _Optional[str] = ..., display_name: _Optional[str] = ..., mode: _Optional[_Union[PlatformMode, str]] = ..., push_endpoint: _Optional[_Union[PushEndpoint, _Mapping]] = ..., ack_timeout: _Optional[_Union[datetime.timedelta, _duration_pb2.Duration, _Mapping]] = ..., disabled: _Optional[bool] = ..., health: _Optional[_Union[PlatformHealth, _Mapping]] = ..., create_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., update_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class RegisterPlatformRequest(_message.Message):
    __slots__ = ("tenant_id", "request_id", "platform")
    TENANT_ID_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    PLATFORM_FIELD_NUMBER: _ClassVar[int]
    tenant_id: str
    request_id: str
    platform: Platform
    def __init__(self, tenant_id: _Optional[str] = ..., request_id: _Optional[str] = ..., platform: _Optional[_Union[Platform, _Mapping]] = ...) -> None: ...

class RegisterPlatformResponse(_message.Message):
    __slots__ = ("platform",)
    PLATFORM_FIELD_NUMBER: _ClassVar[int]
    platform: Platform
    def __init__(self, platform: _Optional[_Union[Platform, _Mapping]] = ...) -> None: ...

class UpdatePlatformRequest(_message.Message):
    __slots__ = ("tenant_id", "request_id", "platform", "update_mask")
    TENANT_ID_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    PLATFORM_FIELD_NUMBER: _ClassVar[int]
    UPDATE_MASK_FIELD_NUMBER: _ClassVar[int]
    tenant_id: str
    request_id: str
    platform: Platform
    update_mask: _field_mask_pb2.FieldMask
    def __init__(self, tenant_id: _Optional[str] = ..., request_id: _Optional[str] = ..., platform: _Optional[_Union[Platform, _Mapping]] = ..., update_mask: _Optional[_Union[_field_mask_pb2.FieldMask, _Mapping]] = ...) -> None: ...

class UpdatePlatformResponse(_message.Message):
    __slots__ = ("platform",)
    PLATFORM_FIELD_NUMBER: _ClassVar[int]
    platform: Platform
    def __init__(self, platform: _Optional[_Union[Platform, _Mapping]] = ...) -> None: ...

class GetPlatformRequest(_message.Message):
    __slots__ = ("tenant_id", "platform_id")
    TENANT_ID_FIELD_NUMBER: _ClassVar[int]
    PLATFORM_ID_FIELD_NUMBER: _ClassVar[int]
    tenant_id: str
    platform_id: str
    def __init__(self, tenant_id: _Optional[str] = ..., platform_id: _Optional[str] = ...) -> None: ...

class GetPlatformResponse(_message.Message):
    __slots__ = ("platform",)
    PLATFORM_FIELD_NUMBER: _ClassVar[int]
    platform: Platform
    def __init__(self, platform: _Optional[_Union[Platform, _Mapping]] = ...) -> None: ...

class ListPlatformsRequest(_message.Message):
    __slots__ = ("tenant_id", "page_size", "page_token", "mode")
    TENANT_ID_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    MODE_FIELD_NUMBER: _ClassVar[int]
    tenant_id: str
    page_size: int
    page_token: str
    mode: PlatformMode
    def __init__(self, tenant_id: _Optional[str] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ..., mode: _Optional[_Union[PlatformMode, str]] = ...) -> None: ...

class ListPlatformsResponse(_message.Message):
    __slots__ = ("platforms", "next_page_token")
    PLATFORMS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    platforms: _containers.RepeatedCompositeFieldContainer[Platform]
    next_page_token: str
    def __init__(self, platforms: _Optional[_Iterable[_Union[Platform, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...
