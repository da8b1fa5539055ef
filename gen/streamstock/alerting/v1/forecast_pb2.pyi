import datetime

from google.protobuf import duration_pb2 as _duration_pb2
from google.protobuf import timestamp_pb2 as _timestamp_pb2
from streamstock.alerting.v1 import policies_pb2 as _policies_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class PaceState(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    PACE_STATE_UNSPECIFIED: _ClassVar[PaceState]
    PACE_STATE_ON_PLAN: _ClassVar[PaceState]
    PACE_STATE_AHEAD: _ClassVar[PaceState]
    PACE_STATE_BEHIND: _ClassVar[PaceState]
PACE_STATE_UNSPECIFIED: PaceState
PACE_STATE_ON_PLAN: PaceState
PACE_STATE_AHEAD: PaceState
PACE_STATE_BEHIND: PaceState

class EffectiveThreshold(_message.Message):
    __slots__ = ("tier", "configured_fraction", "effective_fraction", "effective_units", "low_stock_units")
    TIER_FIELD_NUMBER: _ClassVar[int]
    CONFIGURED_FRACTION_FIELD_NUMBER: _ClassVar[int]
    EFFECTIVE_FRACTION_FIELD_NUMBER: _ClassVar[int]
    EFFECTIVE_UNITS_FIELD_NUMBER: _ClassVar[int]
    LOW_STOCK_UNITS_FIELD_NUMBER: _ClassVar[int]
    tier: _policies_pb2.Tier
    configured_fraction: float
    effective_fraction: float
    effective_units: int
    low_stock_units: int
    def __init__(self, tier: _Optional[_Union[_policies_pb2.Tier, str]] = ..., configured_fraction: _Optional[float] = ..., effective_fraction: _Optional[float] = ..., effective_units: _Optional[int] = ..., low_stock_units: _Optional[int] = ...) -> None: ...

class Forecast(_message.Message):
    __slots__ = ("sku_id", "session_id", "observe_time", "forecast_units", "consumed_units", "consumed_fraction", "expected_fraction", "pace_ratio", "pace_state", "sellable_units", "burn_rate_per_minute", "projected_sell_out_time", "projected_consumed_units_at_end", "restock_units_needed", "restock_order_by_time", "thresholds", "current_tier", "restocked_units")
    SKU_ID_FIELD_NUMBER: _ClassVar[int]
    SESSION_ID_FIELD_NUMBER: _ClassVar[int]
    OBSERVE_TIME_FIELD_NUMBER: _ClassVar[int]
    FORECAST_UNITS_FIELD_NUMBER: _ClassVar[int]
    CONSUMED_UNITS_FIELD_NUMBER: _ClassVar[int]
    CONSUMED_FRACTION_FIELD_NUMBER: _ClassVar[int]
    EXPECTED_FRACTION_FIELD_NUMBER: _ClassVar[int]
    PACE_RATIO_FIELD_NUMBER: _ClassVar[int]
    PACE_STATE_FIELD_NUMBER: _ClassVar[int]
    SELLABLE_UNITS_FIELD_NUMBER: _ClassVar[int]
    BURN_RATE_PER_MINUTE_FIELD_NUMBER: _ClassVar[int]
    PROJECTED_SELL_OUT_TIME_FIELD_NUMBER: _ClassVar[int]
    PROJECTED_CONSUMED_UNITS_AT_END_FIELD_NUMBER: _ClassVar[int]
    RESTOCK_UNITS_NEEDED_FIELD_NUMBER: _ClassVar[int]
    RESTOCK_ORDER_BY_TIME_FIELD_NUMBER: _ClassVar[int]
    THRESHOLDS_FIELD_NUMBER: _ClassVar[int]
    CURRENT_TIER_FIELD_NUMBER: _ClassVar[int]
    RESTOCKED_UNITS_FIELD_NUMBER: _ClassVar[int]
    sku_id: str
    session_id: str
    observe_time: _timestamp_pb2.Timestamp
    forecast_units: int
    consumed_units: int
    consumed_fraction: float
    expected_fraction: float
    pace_ratio: float
    pace_state: PaceState
    sellable_units: int
    burn_rate_per_minute: float
    projected_sell_out_time: _timestamp_pb2.Timestamp
    projected_consumed_units_at_end: int
    restock_units_needed: int
    restock_order_by_time: _timestamp_pb2.Timestamp
    thresholds: _containers.RepeatedCompositeFieldContainer[EffectiveThreshold]
    current_tier: _policies_pb2.Tier
    restocked_units: int
    def __init__(self, sku_id: _Optional[str] = ..., session_id: _Optional[str] = ..., observe_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., forecast_units: _Optional[int] = ..., consumed_units: _Optional[int] = ..., consumed_fraction: _Optional[float] = ..., expected_fraction: _Optional[float] = ..., pace_ratio: _Optional[float] = ..., pace_state: _Optional[_Union[PaceState, str]] = ..., sellable_units: _Optional[int] = ..., burn_rate_per_minute: _Optional[float] = ..., projected_sell_out_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., projected_consumed_units_at_end: _Optional[int] = ..., restock_units_needed: _Optional[int] = ..., restock_order_by_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., thresholds: _Optional[_Iterable[_Union[EffectiveThreshold, _Mapping]]] = ..., current_tier: _Optional[_Union[_policies_pb2.Tier, str]] = ..., restocked_units: _Optional[int] = ...) -> None: ...

class CurvePoint(_message.Message):
    __slots__ = ("time", "expected_consumed_units", "actual_consumed_units", "projected_consumed_units", "sellable_units")
    TIME_FIELD_NUMBER: _ClassVar[int]
    EXPECTED_CONSUMED_UNITS_FIELD_NUMBER: _ClassVar[int]
    ACTUAL_CONSUMED_UNITS_FIELD_NUMBER: _ClassVar[int]
    PROJECTED_CONSUMED_UNITS_FIELD_NUMBER: _ClassVar[int]
    SELLABLE_UNITS_FIELD_NUMBER: _ClassVar[int]
    time: _timestamp_pb2.Timestamp
    expected_consumed_units: int
    actual_consumed_units: int
    projected_consumed_units: int
    sellable_units: int
    def __init__(self, time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., expected_consumed_units: _Optional[int] = ..., actual_consumed_units: _Optional[int] = ..., projected_consumed_units: _Optional[int] = ..., sellable_units: _Optional[int] = ...) -> None: ...

class GetForecastRequest(_message.Message):
    __slots__ = ("tenant_id", "sku_id", "session_id")
    TENANT_ID_FIELD_NUMBER: _ClassVar[int]
    SKU_ID_FIELD_NUMBER: _ClassVar[int]
    SESSION_ID_FIELD_NUMBER: _ClassVar[int]
    tenant_id: str
    sku_id: str
    session_id: str
    def __init__(self, tenant_id: _Optional[str] = ..., sku_id: _Optional[str] = ..., session_id: _Optional[str] = ...) -> None: ...

class GetForecastResponse(_message.Message):
    __slots__ = ("forecast",)
    FORECAST_FIELD_NUMBER: _ClassVar[int]
    forecast: Forecast
    def __init__(self, forecast: _Optional[_Union[Forecast, _Mapping]] = ...) -> None: ...

class GetConsumptionCurveRequest(_message.Message):
    __slots__ = ("tenant_id", "sku_id", "session_id", "resolution")
    TENANT_ID_FIELD_NUMBER: _ClassVar[int]
    SKU_ID_FIELD_NUMBER: _ClassVar[int]
    SESSION_ID_FIELD_NUMBER: _ClassVar[int]
    RESOLUTION_FIELD_NUMBER: _ClassVar[int]
    tenant_id: str
    sku_id: str
    session_id: str
    resolution: _duration_pb2.Duration
    def __init__(self, tenant_id: _Optional[str] = ..., sku_id: _Optional[str] = ..., session_id: _Optional[str] = ..., resolution: _Optional[_Union[datetime.timedelta, _duration_pb2.Duration, _Mapping]] = ...) -> None: ...

class GetConsumptionCurveResponse(_message.Message):
    __slots__ = ("session_id", "forecast_units", "start_time", "end_time", "points", "thresholds")
    SESSION_ID_FIELD_NUMBER: _ClassVar[int]
    FORECAST_UNITS_FIELD_NUMBER: _ClassVar[int]
    START_TIME_FIELD_NUMBER: _ClassVar[int]
    END_TIME_FIELD_NUMBER: _ClassVar[int]
    POINTS_FIELD_NUMBER: _ClassVar[int]
    THRESHOLDS_FIELD_NUMBER: _ClassVar[int]
    session_id: str
    forecast_units: int
    start_time: _timestamp_pb2.Timestamp
    end_time: _timestamp_pb2.Timestamp
    points: _containers.RepeatedCompositeFieldContainer[CurvePoint]
    thresholds: _containers.RepeatedCompositeFieldContainer[EffectiveThreshold]
    def __init__(self, session_id: _Optional[str] = ..., forecast_units: _Optional[int] = ..., start_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., end_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., points: _Optional[_Iterable[_Union[CurvePoint, _Mapping]]] = ..., thresholds: _Optional[_Iterable[_Union[EffectiveThreshold, _Mapping]]] = ...) -> None: ...
