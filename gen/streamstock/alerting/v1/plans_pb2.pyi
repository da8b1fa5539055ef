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

class PlanState(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    PLAN_STATE_UNSPECIFIED: _ClassVar[PlanState]
    PLAN_STATE_SCHEDULED: _ClassVar[PlanState]
    PLAN_STATE_LIVE: _ClassVar[PlanState]
    PLAN_STATE_ENDED: _ClassVar[PlanState]
PLAN_STATE_UNSPECIFIED: PlanState
PLAN_STATE_SCHEDULED: PlanState
PLAN_STATE_LIVE: PlanState
PLAN_STATE_ENDED: PlanState

class LiveSessionPlan(_message.Message):
    __slots__ = ("session_id", "sku_id", "title", "forecast_units", "start_time", "end_time", "restock_lead_time", "forecast_confidence", "buffer_factor", "effective_buffer_factor", "warning_line_units", "state", "ended_time", "create_time", "update_time")
    SESSION_ID_FIELD_NUMBER: _ClassVar[int]
    SKU_ID_FIELD_NUMBER: _ClassVar[int]
    TITLE_FIELD_NUMBER: _ClassVar[int]
    FORECAST_UNITS_FIELD_NUMBER: _ClassVar[int]
    START_TIME_FIELD_NUMBER: _ClassVar[int]
    END_TIME_FIELD_NUMBER: _ClassVar[int]
    RESTOCK_LEAD_TIME_FIELD_NUMBER: _ClassVar[int]
    FORECAST_CONFIDENCE_FIELD_NUMBER: _ClassVar[int]
    BUFFER_FACTOR_FIELD_NUMBER: _ClassVar[int]
    EFFECTIVE_BUFFER_FACTOR_FIELD_NUMBER: _ClassVar[int]
    WARNING_LINE_UNITS_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    ENDED_TIME_FIELD_NUMBER: _ClassVar[int]
    CREATE_TIME_FIELD_NUMBER: _ClassVar[int]
    UPDATE_TIME_FIELD_NUMBER: _ClassVar[int]
    session_id: str
    sku_id: str
    title: str
    forecast_units: int
    start_time: _timestamp_pb2.Timestamp
    end_time: _timestamp_pb2.Timestamp
    restock_lead_time: _duration_pb2.Duration
    forecast_confidence: float
    buffer_factor: float
    effective_buffer_factor: float
    warning_line_units: int
    state: PlanState
    ended_time: _timestamp_pb2.Timestamp
    create_time: _timestamp_pb2.Timestamp
    update_time: _timestamp_pb2.Timestamp
    def __init__(self, session_id: _Optional[str] = ..., sku_id: _Optional[str] = ..., title: _Optional[str] = ..., forecast_units: _Optional[int] = ..., start_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., end_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., restock_lead_time: _Optional[_Union[datetime.timedelta, _duration_pb2.Duration, _Mapping]] = ..., forecast_confidence: _Optional[float] = ..., buffer_factor: _Optional[float] = ..., effective_buffer_factor: _Optional[float] = ..., warning_line_units: _Optional[int] = ..., state: _Optional[_Union[PlanState, str]] = ..., ended_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., create_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., update_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class UpsertLiveSessionPlanRequest(_message.Message):
    __slots__ = ("tenant_id", "request_id", "plan")
    TENANT_ID_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    PLAN_FIELD_NUMBER: _ClassVar[int]
    tenant_id: str
    request_id: str
    plan: LiveSessionPlan
    def __init__(self, tenant_id: _Optional[str] = ..., request_id: _Optional[str] = ..., plan: _Optional[_Union[LiveSessionPlan, _Mapping]] = ...) -> None: ...

class UpsertLiveSessionPlanResponse(_message.Message):
    __slots__ = ("plan", "created")
    PLAN_FIELD_NUMBER: _ClassVar[int]
    CREATED_FIELD_NUMBER: _ClassVar[int]
    plan: LiveSessionPlan
    created: bool
    def __init__(self, plan: _Optional[_Union[LiveSessionPlan, _Mapping]] = ..., created: _Optional[bool] = ...) -> None: ...

class GetLiveSessionPlanRequest(_message.Message):
    __slots__ = ("tenant_id", "session_id", "sku_id")
    TENANT_ID_FIELD_NUMBER: _ClassVar[int]
    SESSION_ID_FIELD_NUMBER: _ClassVar[int]
    SKU_ID_FIELD_NUMBER: _ClassVar[int]
    tenant_id: str
    session_id: str
    sku_id: str
    def __init__(self, tenant_id: _Optional[str] = ..., session_id: _Optional[str] = ..., sku_id: _Optional[str] = ...) -> None: ...

class GetLiveSessionPlanResponse(_message.Message):
    __slots__ = ("plan",)
    PLAN_FIELD_NUMBER: _ClassVar[int]
    plan: LiveSessionPlan
    def __init__(self, plan: _Optional[_Union[LiveSessionPlan, _Mapping]] = ...) -> None: ...

class ListLiveSessionPlansRequest(_message.Message):
    __slots__ = ("tenant_id", "page_size", "page_token", "session_id", "sku_id", "states")
    TENANT_ID_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    SESSION_ID_FIELD_NUMBER: _ClassVar[int]
    SKU_ID_FIELD_NUMBER: _ClassVar[int]
    STATES_FIELD_NUMBER: _ClassVar[int]
    tenant_id: str
    page_size: int
    page_token: str
    session_id: str
    sku_id: str
    states: _containers.RepeatedScalarFieldContainer[PlanState]
    def __init__(self, tenant_id: _Optional[str] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ..., session_id: _Optional[str] = ..., sku_id: _Optional[str] = ..., states: _Optional[_Iterable[_Union[PlanState, str]]] = ...) -> None: ...

class ListLiveSessionPlansResponse(_message.Message):
    __slots__ = ("plans", "next_page_token")
    PLANS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    plans: _containers.RepeatedCompositeFieldContainer[LiveSessionPlan]
    next_page_token: str
    def __init__(self, plans: _Optional[_Iterable[_Union[LiveSessionPlan, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class EndLiveSessionPlanRequest(_message.Message):
    __slots__ = ("tenant_id", "request_id", "session_id", "sku_id")
    TENANT_ID_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    SESSION_ID_FIELD_NUMBER: _ClassVar[int]
    SKU_ID_FIELD_NUMBER: _ClassVar[int]
    tenant_id: str
    request_id: str
    session_id: str
    sku_id: str
    def __init__(self, tenant_id: _Optional[str] = ..., request_id: _Optional[str] = ..., session_id: _Optional[str] = ..., sku_id: _Optional[str] = ...) -> None: ...

class EndLiveSessionPlanResponse(_message.Message):
    __slots__ = ("plans",)
    PLANS_FIELD_NUMBER: _ClassVar[int]
    plans: _containers.RepeatedCompositeFieldContainer[LiveSessionPlan]
    def __init__(self, plans: _Optional[_Iterable[_Union[LiveSessionPlan, _Mapping]]] = ...) -> None: ...
