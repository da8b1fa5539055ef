import datetime

from google.protobuf import duration_pb2 as _duration_pb2
from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class PlatformShare(_message.Message):
    __slots__ = ("platform_id", "weight", "min_units", "max_units")
    PLATFORM_ID_FIELD_NUMBER: _ClassVar[int]
    WEIGHT_FIELD_NUMBER: _ClassVar[int]
    MIN_UNITS_FIELD_NUMBER: _ClassVar[int]
    MAX_UNITS_FIELD_NUMBER: _ClassVar[int]
    platform_id: str
    weight: float
    min_units: int
    max_units: int
    def __init__(self, platform_id: _Optional[str] = ..., weight: _Optional[float] = ..., min_units: _Optional[int] = ..., max_units: _Optional[int] = ...) -> None: ...

class AllocationPolicy(_message.Message):
    __slots__ = ("sku_id", "enabled", "pool_reserve_units", "shares", "hysteresis_units", "hysteresis_fraction", "velocity_half_life", "inherited", "update_time")
    SKU_ID_FIELD_NUMBER: _ClassVar[int]
    ENABLED_FIELD_NUMBER: _ClassVar[int]
    POOL_RESERVE_UNITS_FIELD_NUMBER: _ClassVar[int]
    SHARES_FIELD_NUMBER: _ClassVar[int]
    HYSTERESIS_UNITS_FIELD_NUMBER: _ClassVar[int]
    HYSTERESIS_FRACTION_FIELD_NUMBER: _ClassVar[int]
    VELOCITY_HALF_LIFE_FIELD_NUMBER: _ClassVar[int]
    INHERITED_FIELD_NUMBER: _ClassVar[int]
    UPDATE_TIME_FIELD_NUMBER: _ClassVar[int]
    sku_id: str
    enabled: bool
    pool_reserve_units: int
    shares: _containers.RepeatedCompositeFieldContainer[PlatformShare]
    hysteresis_units: int
    hysteresis_fraction: float
    velocity_half_life: _duration_pb2.Duration
    inherited: bool
    update_time: _timestamp_pb2.Timestamp
    def __init__(self, sku_id: _Optional[str] = ..., enabled: _Optional[bool] = ..., pool_reserve_units: _Optional[int] = ..., shares: _Optional[_Iterable[_Union[PlatformShare, _Mapping]]] = ..., hysteresis_units: _Optional[int] = ..., hysteresis_fraction: _Optional[float] = ..., velocity_half_life: _Optional[_Union[datetime.timedelta, _duration_pb2.Duration, _Mapping]] = ..., inherited: _Optional[bool] = ..., update_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class UpsertAllocationPolicyRequest(_message.Message):
    __slots__ = ("tenant_id", "request_id", "policy")
    TENANT_ID_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    POLICY_FIELD_NUMBER: _ClassVar[int]
    tenant_id: str
    request_id: str
    policy: AllocationPolicy
    def __init__(self, tenant_id: _Optional[str] = ..., request_id: _Optional[str] = ..., policy: _Optional[_Union[AllocationPolicy, _Mapping]] = ...) -> None: ...

class UpsertAllocationPolicyResponse(_message.Message):
    __slots__ = ("policy",)
    POLICY_FIELD_NUMBER: _ClassVar[int]
    policy: AllocationPolicy
    def __init__(self, policy: _Optional[_Union[AllocationPolicy, _Mapping]] = ...) -> None: ...

class GetAllocationPolicyRequest(_message.Message):
    __slots__ = ("tenant_id", "sku_id")
    TENANT_ID_FIELD_NUMBER: _ClassVar[int]
    SKU_ID_FIELD_NUMBER: _ClassVar[int]
    tenant_id: str
    sku_id: str
    def __init__(self, tenant_id: _Optional[str] = ..., sku_id: _Optional[str] = ...) -> None: ...

class GetAllocationPolicyResponse(_message.Message):
    __slots__ = ("policy",)
    POLICY_FIELD_NUMBER: _ClassVar[int]
    policy: AllocationPolicy
    def __init__(self, policy: _Optional[_Union[AllocationPolicy, _Mapping]] = ...) -> None: ...

class ListAllocationPoliciesRequest(_message.Message):
    __slots__ = ("tenant_id", "page_size", "page_token")
    TENANT_ID_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    tenant_id: str
    page_size: int
    page_token: str
    def __init__(self, tenant_id: _Optional[str] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ...) -> None: ...

class ListAllocationPoliciesResponse(_message.Message):
    __slots__ = ("policies", "next_page_token")
    POLICIES_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    policies: _containers.RepeatedCompositeFieldContainer[AllocationPolicy]
    next_page_token: str
    def __init__(self, policies: _Optional[_Iterable[_Union[AllocationPolicy, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class DeleteAllocationPolicyRequest(_message.Message):
    __slots__ = ("tenant_id", "request_id", "sku_id")
    TENANT_ID_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    SKU_ID_FIELD_NUMBER: _ClassVar[int]
    tenant_id: str
    request_id: str
    sku_id: str
    def __init__(self, tenant_id: _Optional[str] = ..., request_id: _Optional[str] = ..., sku_id: _Optional[str] = ...) -> None: ...

class DeleteAllocationPolicyResponse(_message.Message):
    __slots__ = ("policy",)
    POLICY_FIELD_NUMBER: _ClassVar[int]
    policy: AllocationPolicy
    def __init__(self, policy: _Optional[_Union[AllocationPolicy, _Mapping]] = ...) -> None: ...
