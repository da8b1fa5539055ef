import datetime

from google.protobuf import duration_pb2 as _duration_pb2
from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class Tier(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    TIER_UNSPECIFIED: _ClassVar[Tier]
    TIER_YELLOW: _ClassVar[Tier]
    TIER_ORANGE: _ClassVar[Tier]
    TIER_RED: _ClassVar[Tier]

class ResponseAction(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    RESPONSE_ACTION_UNSPECIFIED: _ClassVar[ResponseAction]
    RESPONSE_ACTION_PREPARE_RESTOCK: _ClassVar[ResponseAction]
    RESPONSE_ACTION_SLOW_PITCH: _ClassVar[ResponseAction]
    RESPONSE_ACTION_CALL_SUPPLIER: _ClassVar[ResponseAction]
    RESPONSE_ACTION_PAUSE_SALE: _ClassVar[ResponseAction]
    RESPONSE_ACTION_STOP_SALE: _ClassVar[ResponseAction]
    RESPONSE_ACTION_RESUME_SALE: _ClassVar[ResponseAction]
TIER_UNSPECIFIED: Tier
TIER_YELLOW: Tier
TIER_ORANGE: Tier
TIER_RED: Tier
RESPONSE_ACTION_UNSPECIFIED: ResponseAction
RESPONSE_ACTION_PREPARE_RESTOCK: ResponseAction
RESPONSE_ACTION_SLOW_PITCH: ResponseAction
RESPONSE_ACTION_CALL_SUPPLIER: ResponseAction
RESPONSE_ACTION_PAUSE_SALE: ResponseAction
RESPONSE_ACTION_STOP_SALE: ResponseAction
RESPONSE_ACTION_RESUME_SALE: ResponseAction

class TierLine(_message.Message):
    __slots__ = ("tier", "consumed_fraction", "low_stock_units", "projected_sell_out_within", "actions")
    TIER_FIELD_NUMBER: _ClassVar[int]
    CONSUMED_FRACTION_FIELD_NUMBER: _ClassVar[int]
    LOW_STOCK_UNITS_FIELD_NUMBER: _ClassVar[int]
    PROJECTED_SELL_OUT_WITHIN_FIELD_NUMBER: _ClassVar[int]
    ACTIONS_FIELD_NUMBER: _ClassVar[int]
    tier: Tier
    consumed_fraction: float
    low_stock_units: int
    projected_sell_out_within: _duration_pb2.Duration
    actions: _containers.RepeatedScalarFieldContainer[ResponseAction]
    def __init__(self, tier: _Optional[_Union[Tier, str]] = ..., consumed_fraction: _Optional[float] = ..., low_stock_units: _Optional[int] = ..., projected_sell_out_within: _Optional[_Union[datetime.timedelta, _duration_pb2.Duration, _Mapping]] = ..., actions: _Optional[_Iterable[_Union[ResponseAction, str]]] = ...) -> None: ...

class PaceAdjustment(_message.Message):
    __slots__ = ("enabled", "early_window", "early_ahead_fraction", "tighten_factor", "late_after", "late_behind_fraction", "relax_factor")
    ENABLED_FIELD_NUMBER: _ClassVar[int]
    EARLY_WINDOW_FIELD_NUMBER: _ClassVar[int]
    EARLY_AHEAD_FRACTION_FIELD_NUMBER: _ClassVar[int]
    TIGHTEN_FACTOR_FIELD_NUMBER: _ClassVar[int]
    LATE_AFTER_FIELD_NUMBER: _ClassVar[int]
    LATE_BEHIND_FRACTION_FIELD_NUMBER: _ClassVar[int]
    RELAX_FACTOR_FIELD_NUMBER: _ClassVar[int]
    enabled: bool
    early_window: _duration_pb2.Duration
    early_ahead_fraction: float
    tighten_factor: float
    late_after: _duration_pb2.Duration
    late_behind_fraction: float
    relax_factor: float
    def __init__(self, enabled: _Optional[bool] = ..., early_window: _Optional[_Union[datetime.timedelta, _duration_pb2.Duration, _Mapping]] = ..., early_ahead_fraction: _Optional[float] = ..., tighten_factor: _Optional[float] = ..., late_after: _Optional[_Union[datetime.timedelta, _duration_pb2.Duration, _Mapping]] = ..., late_behind_fraction: _Optional[float] = ..., relax_factor: _Optional[float] = ...) -> None: ...

class AlertPolicy(_message.Message):
    __slots__ = ("sku_id", "tier_lines", "pace_adjustment", "hysteresis_fraction", "hysteresis_units", "pending_duration", "repeat_interval", "inherited", "update_time", "warning_line_tier", "warning_line_disabled")
    SKU_ID_FIELD_NUMBER: _ClassVar[int]
    TIER_LINES_FIELD_NUMBER: _ClassVar[int]
    PACE_ADJUSTMENT_FIELD_NUMBER: _ClassVar[int]
    HYSTERESIS_FRACTION_FIELD_NUMBER: _ClassVar[int]
    HYSTERESIS_UNITS_FIELD_NUMBER: _ClassVar[int]
    PENDING_DURATION_FIELD_NUMBER: _ClassVar[int]
    REPEAT_INTERVAL_FIELD_NUMBER: _ClassVar[int]
    INHERITED_FIELD_NUMBER: _ClassVar[int]
    UPDATE_TIME_FIELD_NUMBER: _ClassVar[int]
    WARNING_LINE_TIER_FIELD_NUMBER: _ClassVar[int]
    WARNING_LINE_DISABLED_FIELD_NUMBER: _ClassVar[int]
    sku_id: str
    tier_lines: _containers.RepeatedCompositeFieldContainer[TierLine]
    pace_adjustment: PaceAdjustment
    hysteresis_fraction: float
    hysteresis_units: int
    pending_duration: _duration_pb2.Duration
    repeat_interval: _duration_pb2.Duration
    inherited: bool
    update_time: _timestamp_pb2.Timestamp
    warning_line_tier: Tier
    warning_line_disabled: bool
    def __init__(self, sku_id: _Optional[str] = ..., tier_lines: _Optional[_Iterable[_Union[TierLine, _Mapping]]] = ..., pace_adjustment: _Optional[_Union[PaceAdjustment, _Mapping]] = ..., hysteresis_fraction: _Optional[float] = ..., hysteresis_units: _Optional[int] = ..., pending_duration: _Optional[_Union[datetime.timedelta, _duration_pb2.Duration, _Mapping]] = ..., repeat_interval: _Optional[_Union[datetime.timedelta, _duration_pb2.Duration, _Mapping]] = ..., inherited: _Optional[bool] = ..., update_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., warning_line_tier: _Optional[_Union[Tier, str]] = ..., warning_line_disabled: _Optional[bool] = ...) -> None: ...

class UpsertAlertPolicyRequest(_message.Message):
    __slots__ = ("tenant_id", "request_id", "policy")
    TENANT_ID_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    POLICY_FIELD_NUMBER: _ClassVar[int]
    tenant_id: str
    request_id: str
    policy: AlertPolicy
    def __init__(self, tenant_id: _Optional[str] = ..., request_id: _Optional[str] = ..., policy: _Optional[_Union[AlertPolicy, _Mapping]] = ...) -> None: ...

class UpsertAlertPolicyResponse(_message.Message):
    __slots__ = ("policy",)
    POLICY_FIELD_NUMBER: _ClassVar[int]
    policy: AlertPolicy
    def __init__(self, policy: _Optional[_Union[AlertPolicy, _Mapping]] = ...) -> None: ...

class GetAlertPolicyRequest(_message.Message):
    __slots__ = ("tenant_id", "sku_id")
    TENANT_ID_FIELD_NUMBER: _ClassVar[int]
    SKU_ID_FIELD_NUMBER: _ClassVar[int]
    tenant_id: str
    sku_id: str
    def __init__(self, tenant_id: _Optional[str] = ..., sku_id: _Optional[str] = ...) -> None: ...

class GetAlertPolicyResponse(_message.Message):
    __slots__ = ("policy",)
    POLICY_FIELD_NUMBER: _ClassVar[int]
    policy: AlertPolicy
    def __init__(self, policy: _Optional[_Union[AlertPolicy, _Mapping]] = ...) -> None: ...

class ListAlertPoliciesRequest(_message.Message):
    __slots__ = ("tenant_id", "page_size", "page_token")
    TENANT_ID_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    tenant_id: str
    page_size: int
    page_token: str
    def __init__(self, tenant_id: _Optional[str] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ...) -> None: ...

class ListAlertPoliciesResponse(_message.Message):
    __slots__ = ("policies", "next_page_token")
    POLICIES_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    policies: _containers.RepeatedCompositeFieldContainer[AlertPolicy]
    next_page_token: str
    def __init__(self, policies: _Optional[_Iterable[_Union[AlertPolicy, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class DeleteAlertPolicyRequest(_message.Message):
    __slots__ = ("tenant_id", "request_id", "sku_id")
    TENANT_ID_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    SKU_ID_FIELD_NUMBER: _ClassVar[int]
    tenant_id: str
    request_id: str
    sku_id: str
    def __init__(self, tenant_id: _Optional[str] = ..., request_id: _Optional[str] = ..., sku_id: _Optional[str] = ...) -> None: ...

class DeleteAlertPolicyResponse(_message.Message):
    __slots__ = ("policy",)
    POLICY_FIELD_NUMBER: _ClassVar[int]
    policy: AlertPolicy
    def __init__(self, policy: _Optional[_Union[AlertPolicy, _Mapping]] = ...) -> None: ...
