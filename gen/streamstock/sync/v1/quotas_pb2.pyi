import datetime

from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class PushStatus(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    PUSH_STATUS_UNSPECIFIED: _ClassVar[PushStatus]
    PUSH_STATUS_IN_SYNC: _ClassVar[PushStatus]
    PUSH_STATUS_PUSHING: _ClassVar[PushStatus]
    PUSH_STATUS_AWAITING_ACK: _ClassVar[PushStatus]
    PUSH_STATUS_FAILING: _ClassVar[PushStatus]
    PUSH_STATUS_ACK_TIMED_OUT: _ClassVar[PushStatus]

class RebalanceOutcome(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    REBALANCE_OUTCOME_UNSPECIFIED: _ClassVar[RebalanceOutcome]
    REBALANCE_OUTCOME_APPLIED: _ClassVar[RebalanceOutcome]
    REBALANCE_OUTCOME_WITHIN_HYSTERESIS: _ClassVar[RebalanceOutcome]
    REBALANCE_OUTCOME_AWAITING_ACK: _ClassVar[RebalanceOutcome]
    REBALANCE_OUTCOME_PLANNED: _ClassVar[RebalanceOutcome]
PUSH_STATUS_UNSPECIFIED: PushStatus
PUSH_STATUS_IN_SYNC: PushStatus
PUSH_STATUS_PUSHING: PushStatus
PUSH_STATUS_AWAITING_ACK: PushStatus
PUSH_STATUS_FAILING: PushStatus
PUSH_STATUS_ACK_TIMED_OUT: PushStatus
REBALANCE_OUTCOME_UNSPECIFIED: RebalanceOutcome
REBALANCE_OUTCOME_APPLIED: RebalanceOutcome
REBALANCE_OUTCOME_WITHIN_HYSTERESIS: RebalanceOutcome
REBALANCE_OUTCOME_AWAITING_ACK: RebalanceOutcome
REBALANCE_OUTCOME_PLANNED: RebalanceOutcome

class PlatformQuota(_message.Message):
    __slots__ = ("sku_id", "platform_id", "quota_units", "listed_units", "pushed_listed_units", "sold_units", "pushed_version", "acknowledged_version", "target_units", "velocity_per_minute", "reservation_id", "push_status", "last_push_time", "last_ack_time", "update_time")
    SKU_ID_FIELD_NUMBER: _ClassVar[int]
    PLATFORM_ID_FIELD_NUMBER: _ClassVar[int]
    QUOTA_UNITS_FIELD_NUMBER: _ClassVar[int]
    LISTED_UNITS_FIELD_NUMBER: _ClassVar[int]
    PUSHED_LISTED_UNITS_FIELD_NUMBER: _ClassVar[int]
    SOLD_UNITS_FIELD_NUMBER: _ClassVar[int]
    PUSHED_VERSION_FIELD_NUMBER: _ClassVar[int]
    ACKNOWLEDGED_VERSION_FIELD_NUMBER: _ClassVar[int]
    TARGET_UNITS_FIELD_NUMBER: _ClassVar[int]
    VELOCITY_PER_MINUTE_FIELD_NUMBER: _ClassVar[int]
    RESERVATION_ID_FIELD_NUMBER: _ClassVar[int]
    PUSH_STATUS_FIELD_NUMBER: _ClassVar[int]
    LAST_PUSH_TIME_FIELD_NUMBER: _ClassVar[int]
    LAST_ACK_TIME_FIELD_NUMBER: _ClassVar[int]
    UPDATE_TIME_FIELD_NUMBER: _ClassVar[int]
    sku_id: str
    platform_id: str
    quota_units: int
    listed_units: int
    pushed_listed_units: int
    sold_units: int
    pushed_version: int
    acknowledged_version: int
    target_units: int
    velocity_per_minute: float
    reservation_id: str
    push_status: PushStatus
    last_push_time: _timestamp_pb2.Timestamp
    last_ack_time: _timestamp_pb2.Timestamp
    update_time: _timestamp_pb2.Timestamp
    def __init__(self, sku_id: _Optional[str] = ..., platform_id: _Optional[str] = ..., quota_units: _Optional[int] = ..., listed_units: _Optional[int] = ..., pushed_listed_units: _Optional[int] = ..., sold_units: _Optional[int] = ..., pushed_version: _Optional[int] = ..., acknowledged_version: _Optional[int] = ..., target_units: _Optional[int] = ..., velocity_per_minute: _Optional[float] = ..., reservation_id: _Optional[str] = ..., push_status: _Optional[_Union[PushStatus, str]] = ..., last_push_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., last_ack_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., update_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class SkuAllocation(_message.Message):
    __slots__ = ("sku_id", "enabled", "unallocated_units", "pool_reserve_units", "total_quota_units", "quotas", "last_rebalance_time", "observe_time")
    SKU_ID_FIELD_NUMBER: _ClassVar[int]
    ENABLED_FIELD_NUMBER: _ClassVar[int]
    UNALLOCATED_UNITS_FIELD_NUMBER: _ClassVar[int]
    POOL_RESERVE_UNITS_FIELD_NUMBER: _ClassVar[int]
    TOTAL_QUOTA_UNITS_FIELD_NUMBER: _ClassVar[int]
    QUOTAS_FIELD_NUMBER: _ClassVar[int]
    LAST_REBALANCE_TIME_FIELD_NUMBER: _ClassVar[int]
    OBSERVE_TIME_FIELD_NUMBER: _ClassVar[int]
    sku_id: str
    enabled: bool
    unallocated_units: int
    pool_reserve_units: int
    total_quota_units: int
    quotas: _containers.RepeatedCompositeFieldContainer[PlatformQuota]
    last_rebalance_time: _timestamp_pb2.Timestamp
    observe_time: _timestamp_pb2.Timestamp
    def __init__(self, sku_id: _Optional[str] = ..., enabled: _Optional[bool] = ..., unallocated_units: _Optional[int] = ..., pool_reserve_units: _Optional[int] = ..., total_quota_units: _Optional[int] = ..., quotas: _Optional[_Iterable[_Union[PlatformQuota, _Mapping]]] = ..., last_rebalance_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., observe_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class QuotaTarget(_message.Message):
    __slots__ = ("platform_id", "current_units", "target_units", "velocity_per_minute")
    PLATFORM_ID_FIELD_NUMBER: _ClassVar[int]
    CURRENT_UNITS_FIELD_NUMBER: _ClassVar[int]
    TARGET_UNITS_FIELD_NUMBER: _ClassVar[int]
    VELOCITY_PER_MINUTE_FIELD_NUMBER: _ClassVar[int]
    platform_id: str
    current_units: int
    target_units: int
    velocity_per_minute: float
    def __init__(self, platform_id: _Optional[str] = ..., current_units: _Optional[int] = ..., target_units: _Optional[int] = ..., velocity_per_minute: _Optional[float] = ...) -> None: ...

class SkuRebalance(_message.Message):
    __slots__ = ("sku_id", "outcome", "targets")
    SKU_ID_FIELD_NUMBER: _ClassVar[int]
    OUTCOME_FIELD_NUMBER: _ClassVar[int]
    TARGETS_FIELD_NUMBER: _ClassVar[int]
    sku_id: str
    outcome: RebalanceOutcome
    targets: _containers.RepeatedCompositeFieldContainer[QuotaTarget]
    def __init__(self, sku_id: _Optional[str] = ..., outcome: _Optional[_Union[RebalanceOutcome, str]] = ..., targets: _Optional[_Iterable[_Union[QuotaTarget, _Mapping]]] = ...) -> None: ...

class ListPlatformQuotasRequest(_message.Message):
    __slots__ = ("tenant_id", "page_size", "page_token", "sku_id", "platform_id", "push_statuses")
    TENANT_ID_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    SKU_ID_FIELD_NUMBER: _ClassVar[int]
    PLATFORM_ID_FIELD_NUMBER: _ClassVar[int]
    PUSH_STATUSES_FIELD_NUMBER: _ClassVar[int]
    tenant_id: str
    page_size: int
    page_token: str
    sku_id: str
    platform_id: str
    push_statuses: _containers.RepeatedScalarFieldContainer[PushStatus]
    def __init__(self, tenant_id: _Optional[str] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ..., sku_id: _Optional[str] = ..., platform_id: _Optional[str] = ..., push_statuses: _Optional[_Iterable[_Union[PushStatus, str]]] = ...) -> None: ...

class ListPlatformQuotasResponse(_message.Message):
    __slots__ = ("quotas", "next_page_token")
    QUOTAS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    quotas: _containers.RepeatedCompositeFieldContainer[PlatformQuota]
    next_page_token: str
    def __init__(self, quotas: _Optional[_Iterable[_Union[PlatformQuota, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class GetSkuAllocationRequest(_message.Message):
    __slots__ = ("tenant_id", "sku_id")
    TENANT_ID_FIELD_NUMBER: _ClassVar[int]
    SKU_ID_FIELD_NUMBER: _ClassVar[int]
    tenant_id: str
    sku_id: str
    def __init__(self, tenant_id: _Optional[str] = ..., sku_id: _Optional[str] = ...) -> None: ...

class GetSkuAllocationResponse(_message.Message):
    __slots__ = ("allocation",)
    ALLOCATION_FIELD_NUMBER: _ClassVar[int]
    allocation: SkuAllocation
    def __init__(self, allocation: _Optional[_Union[SkuAllocation, _Mapping]] = ...) -> None: ...

class AcknowledgeListingRequest(_message.Message):
    __slots__ = ("tenant_id", "request_id", "platform_id", "sku_id", "version", "listed_units", "platform_sold_units")
    TENANT_ID_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    PLATFORM_ID_FIELD_NUMBER: _ClassVar[int]
    SKU_ID_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    LISTED_UNITS_FIELD_NUMBER: _ClassVar[int]
    PLATFORM_SOLD_UNITS_FIELD_NUMBER: _ClassVar[int]
    tenant_id: str
    request_id: str
    platform_id: str
    sku_id: str
    version: int
    listed_units: int
    platform_sold_units: int
    def __init__(self, tenant_id: _Optional[str] = ..., request_id: _Optional[str] = ..., platform_id: _Optional[str] = ..., sku_id: _Optional[str] = ..., version: _Optional[int] = ..., listed_units: _Optional[int] = ..., platform_sold_units: _Optional[int] = ...) -> None: ...

class AcknowledgeListingResponse(_message.Message):
    __slots__ = ("quota", "superseded")
    QUOTA_FIELD_NUMBER: _ClassVar[int]
    SUPERSEDED_FIELD_NUMBER: _ClassVar[int]
    quota: PlatformQuota
    superseded: bool
    def __init__(self, quota: _Optional[_Union[PlatformQuota, _Mapping]] = ..., superseded: _Optional[bool] = ...) -> None: ...

class RebalanceRequest(_message.Message):
    __slots__ = ("tenant_id", "request_id", "sku_ids", "dry_run")
    TENANT_ID_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    SKU_IDS_FIELD_NUMBER: _ClassVar[int]
    DRY_RUN_FIELD_NUMBER: _ClassVar[int]
    tenant_id: str
    request_id: str
    sku_ids: _containers.RepeatedScalarFieldContainer[str]
    dry_run: bool
    def __init__(self, tenant_id: _Optional[str] = ..., request_id: _Optional[str] = ..., sku_ids: _Optional[_Iterable[str]] = ..., dry_run: _Optional[bool] = ...) -> None: ...

class RebalanceResponse(_message.Message):
    __slots__ = ("rebalance_id", "evaluated_sku_count", "changed_sku_count", "changes")
    REBALANCE_ID_FIELD_NUMBER: _ClassVar[int]
    EVALUATED_SKU_COUNT_FIELD_NUMBER: _ClassVar[int]
    CHANGED_SKU_COUNT_FIELD_NUMBER: _ClassVar[int]
    CHANGES_FIELD_NUMBER: _ClassVar[int]
    rebalance_id: str
    evaluated_sku_count: int
    changed_sku_count: int
    changes: _containers.RepeatedCompositeFieldContainer[SkuRebalance]
    def __init__(self, rebalance_id: _Optional[str] = ..., evaluated_sku_count: _Optional[int] = ..., changed_sku_count: _Optional[int] = ..., changes: _Optional[_Iterable[_Union[SkuRebalance, _Mapping]]] = ...) -> None: ...
