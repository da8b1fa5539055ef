import datetime

from google.protobuf import timestamp_pb2 as _timestamp_pb2
from streamstock.alerting.v1 import policies_pb2 as _policies_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class AlertState(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    ALERT_STATE_UNSPECIFIED: _ClassVar[AlertState]
    ALERT_STATE_PENDING: _ClassVar[AlertState]
    ALERT_STATE_FIRING: _ClassVar[AlertState]
    ALERT_STATE_RESOLVED: _ClassVar[AlertState]

class AlertTrigger(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    ALERT_TRIGGER_UNSPECIFIED: _ClassVar[AlertTrigger]
    ALERT_TRIGGER_CONSUMPTION: _ClassVar[AlertTrigger]
    ALERT_TRIGGER_LOW_STOCK: _ClassVar[AlertTrigger]
    ALERT_TRIGGER_PROJECTED_SELL_OUT: _ClassVar[AlertTrigger]
    ALERT_TRIGGER_BELOW_WARNING_LINE: _ClassVar[AlertTrigger]

class ActionStatus(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    ACTION_STATUS_UNSPECIFIED: _ClassVar[ActionStatus]
    ACTION_STATUS_PENDING: _ClassVar[ActionStatus]
    ACTION_STATUS_SUCCEEDED: _ClassVar[ActionStatus]
    ACTION_STATUS_FAILED: _ClassVar[ActionStatus]
    ACTION_STATUS_SKIPPED: _ClassVar[ActionStatus]

class AlertChangeKind(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    ALERT_CHANGE_KIND_UNSPECIFIED: _ClassVar[AlertChangeKind]
    ALERT_CHANGE_KIND_SNAPSHOT: _ClassVar[AlertChangeKind]
    ALERT_CHANGE_KIND_OPENED: _ClassVar[AlertChangeKind]
    ALERT_CHANGE_KIND_STATE_CHANGED: _ClassVar[AlertChangeKind]
    ALERT_CHANGE_KIND_ACKNOWLEDGED: _ClassVar[AlertChangeKind]
    ALERT_CHANGE_KIND_VALUES_UPDATED: _ClassVar[AlertChangeKind]
    ALERT_CHANGE_KIND_INHIBITION_CHANGED: _ClassVar[AlertChangeKind]
    ALERT_CHANGE_KIND_ACTION_UPDATED: _ClassVar[AlertChangeKind]
ALERT_STATE_UNSPECIFIED: AlertState
ALERT_STATE_PENDING: AlertState
ALERT_STATE_FIRING: AlertState
ALERT_STATE_RESOLVED: AlertState
ALERT_TRIGGER_UNSPECIFIED: AlertTrigger
ALERT_TRIGGER_CONSUMPTION: AlertTrigger
ALERT_TRIGGER_LOW_STOCK: AlertTrigger
ALERT_TRIGGER_PROJECTED_SELL_OUT: AlertTrigger
ALERT_TRIGGER_BELOW_WARNING_LINE: AlertTrigger
ACTION_STATUS_UNSPECIFIED: ActionStatus
ACTION_STATUS_PENDING: ActionStatus
ACTION_STATUS_SUCCEEDED: ActionStatus
ACTION_STATUS_FAILED: ActionStatus
ACTION_STATUS_SKIPPED: ActionStatus
ALERT_CHANGE_KIND_UNSPECIFIED: AlertChangeKind
ALERT_CHANGE_KIND_SNAPSHOT: AlertChangeKind
ALERT_CHANGE_KIND_OPENED: AlertChangeKind
ALERT_CHANGE_KIND_STATE_CHANGED: AlertChangeKind
ALERT_CHANGE_KIND_ACKNOWLEDGED: AlertChangeKind
ALERT_CHANGE_KIND_VALUES_UPDATED: AlertChangeKind
ALERT_CHANGE_KIND_INHIBITION_CHANGED: AlertChangeKind
ALERT_CHANGE_KIND_ACTION_UPDATED: AlertChangeKind

class AlertValues(_message.Message):
    __slots__ = ("observe_time", "consumed_units", "forecast_units", "consumed_fraction", "line_fraction", "sellable_units", "low_stock_units", "projected_sell_out_time", "restocked_units", "warning_line_units")
    OBSERVE_TIME_FIELD_NUMBER: _ClassVar[int]
    CONSUMED_UNITS_FIELD_NUMBER: _ClassVar[int]
    FORECAST_UNITS_FIELD_NUMBER: _ClassVar[int]
    CONSUMED_FRACTION_FIELD_NUMBER: _ClassVar[int]
    LINE_FRACTION_FIELD_NUMBER: _ClassVar[int]
    SELLABLE_UNITS_FIELD_NUMBER: _ClassVar[int]
    LOW_STOCK_UNITS_FIELD_NUMBER: _ClassVar[int]
    PROJECTED_SELL_OUT_TIME_FIELD_NUMBER: _ClassVar[int]
    RESTOCKED_UNITS_FIELD_NUMBER: _ClassVar[int]
    WARNING_LINE_UNITS_FIELD_NUMBER: _ClassVar[int]
    observe_time: _timestamp_pb2.Timestamp
    consumed_units: int
    forecast_units: int
    consumed_fraction: float
    line_fraction: float
    sellable_units: int
    low_stock_units: int
    projected_sell_out_time: _timestamp_pb2.Timestamp
    restocked_units: int
    warning_line_units: int
    def __init__(self, observe_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., consumed_units: _Optional[int] = ..., forecast_units: _Optional[int] = ..., consumed_fraction: _Optional[float] = ..., line_fraction: _Optional[float] = ..., sellable_units: _Optional[int] = ..., low_stock_units: _Optional[int] = ..., projected_sell_out_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., restocked_units: _Optional[int] = ..., warning_line_units: _Optional[int] = ...) -> None: ...

class Acknowledgement(_message.Message):
    __slots__ = ("acknowledged_by", "acknowledge_time", "comment")
    ACKNOWLEDGED_BY_FIELD_NUMBER: _ClassVar[int]
    ACKNOWLEDGE_TIME_FIELD_NUMBER: _ClassVar[int]
    COMMENT_FIELD_NUMBER: _ClassVar[int]
    acknowledged_by: str
    acknowledge_time: _timestamp_pb2.Timestamp
    comment: str
    def __init__(self, acknowledged_by: _Optional[str] = ..., acknowledge_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., comment: _Optional[str] = ...) -> None: ...

class ActionResult(_message.Message):
    __slots__ = ("action", "status", "update_time", "detail")
    ACTION_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    UPDATE_TIME_FIELD_NUMBER: _ClassVar[int]
    DETAIL_FIELD_NUMBER: _ClassVar[int]
    action: _policies_pb2.ResponseAction
    status: ActionStatus
    update_time: _timestamp_pb2.Timestamp
    detail: str
    def __init__(self, action: _Optional[_Union[_policies_pb2.ResponseAction, str]] = ..., status: _Optional[_Union[ActionStatus, str]] = ..., update_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., detail: _Optional[str] = ...) -> None: ...

class Alert(_message.Message):
    __slots__ = ("alert_id", "sku_id", "session_id", "tier", "trigger", "state", "acknowledgement", "inhibited", "inhibited_by_alert_id", "fire_values", "latest_values", "actions", "action_results", "summary", "pending_time", "fire_time", "resolve_time", "last_notify_time", "sequence")
    ALERT_ID_FIELD_NUMBER: _ClassVar[int]
    SKU_ID_FIELD_NUMBER: _ClassVar[int]
    SESSION_ID_FIELD_NUMBER: _ClassVar[int]
    TIER_FIELD_NUMBER: _ClassVar[int]
    TRIGGER_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    ACKNOWLEDGEMENT_FIELD_NUMBER: _ClassVar[int]
    INHIBITED_FIELD_NUMBER: _ClassVar[int]
    INHIBITED_BY_ALERT_ID_FIELD_NUMBER: _ClassVar[int]
    FIRE_VALUES_FIELD_NUMBER: _ClassVar[int]
    LATEST_VALUES_FIELD_NUMBER: _ClassVar[int]
    ACTIONS_FIELD_NUMBER: _ClassVar[int]
    ACTION_RESULTS_FIELD_NUMBER: _ClassVar[int]
    SUMMARY_FIELD_NUMBER: _ClassVar[int]
    PENDING_TIME_FIELD_NUMBER: _ClassVar[int]
    FIRE_TIME_FIELD_NUMBER: _ClassVar[int]
    RESOLVE_TIME_FIELD_NUMBER: _ClassVar[int]
    LAST_NOTIFY_TIME_FIELD_NUMBER: _ClassVar[int]
    SEQUENCE_FIELD_NUMBER: _ClassVar[int]
    alert_id: str
    sku_id: str
    session_id: str
    tier: _policies_pb2.Tier
    trigger: AlertTrigger
    state: AlertState
    acknowledgement: Acknowledgement
    inhibited: bool
    inhibited_by_alert_id: str
    fire_values: AlertValues
    latest_values: AlertValues
    actions: _containers.RepeatedScalarFieldContainer[_policies_pb2.ResponseAction]
    action_results: _containers.RepeatedCompositeFieldContainer[ActionResult]
    summary: str
    pending_time: _timestamp_pb2.Timestamp
    fire_time: _timestamp_pb2.Timestamp
    resolve_time: _timestamp_pb2.Timestamp
    last_notify_time: _timestamp_pb2.Timestamp
    sequence: int
    def __init__(self, alert_id: _Optional[str] = ..., sku_id: _Optional[str] = ..., session_id: _Optional[str] = ..., tier: _Optional[_Union[_policies_pb2.Tier, str]] = ..., trigger: _Optional[_Union[AlertTrigger, str]] = ..., state: _Optional[_Union[AlertState, str]] = ..., acknowledgement: _Optional[_Union[Acknowledgement, _Mapping]] = ..., inhibited: _Optional[bool] = ..., inhibited_by_alert_id: _Optional[str] = ..., fire_values: _Optional[_Union[AlertValues, _Mapping]] = ..., latest_values: _Optional[_Union[AlertValues, _Mapping]] = ..., actions: _Optional[_Iterable[_Union[_policies_pb2.ResponseAction, str]]] = ..., action_results: _Optional[_Iterable[_Union[ActionResult, _Mapping]]] = ..., summary: _Optional[str] = ..., pending_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., fire_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., resolve_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., last_notify_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., sequence: _Optional[int] = ...) -> None: ...

class ListAlertsRequest(_message.Message):
    __slots__ = ("tenant_id", "page_size", "page_token", "states", "tiers", "sku_id", "session_id", "acknowledged", "start_time", "end_time")
    TENANT_ID_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    STATES_FIELD_NUMBER: _ClassVar[int]
    TIERS_FIELD_NUMBER: _ClassVar[int]
    SKU_ID_FIELD_NUMBER: _ClassVar[int]
    SESSION_ID_FIELD_NUMBER: _ClassVar[int]
    ACKNOWLEDGED_FIELD_NUMBER: _ClassVar[int]
    START_TIME_FIELD_NUMBER: _ClassVar[int]
    END_TIME_FIELD_NUMBER: _ClassVar[int]
    tenant_id: str
    page_size: int
    page_token: str
    states: _containers.RepeatedScalarFieldContainer[AlertState]
    tiers: _containers.RepeatedScalarFieldContainer[_policies_pb2.Tier]
    sku_id: str
    session_id: str
    acknowledged: bool
    start_time: _timestamp_pb2.Timestamp
    end_time: _timestamp_pb2.Timestamp
    def __init__(self, tenant_id: _Optional[str] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ..., states: _Optional[_Iterable[_Union[AlertState, str]]] = ..., tiers: _Optional[_Iterable[_Union[_policies_pb2.Tier, str]]] = ..., sku_id: _Optional[str] = ..., session_id: _Optional[str] = ..., acknowledged: _Optional[bool] = ..., start_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., end_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class ListAlertsResponse(_message.Message):
    __slots__ = ("alerts", "next_page_token")
    ALERTS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    alerts: _containers.RepeatedCompositeFieldContainer[Alert]
    next_page_token: str
    def __init__(self, alerts: _Optional[_Iterable[_Union[Alert, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class GetAlertRequest(_message.Message):
    __slots__ = ("tenant_id", "alert_id")
    TENANT_ID_FIELD_NUMBER: _ClassVar[int]
    ALERT_ID_FIELD_NUMBER: _ClassVar[int]
    tenant_id: str
    alert_id: str
    def __init__(self, tenant_id: _Optional[str] = ..., alert_id: _Optional[str] = ...) -> None: ...

class GetAlertResponse(_message.Message):
    __slots__ = ("alert",)
    ALERT_FIELD_NUMBER: _ClassVar[int]
    alert: Alert
    def __init__(self, alert: _Optional[_Union[Alert, _Mapping]] = ...) -> None: ...

class AcknowledgeAlertRequest(_message.Message):
    __slots__ = ("tenant_id", "request_id", "alert_id", "acknowledged_by", "comment")
    TENANT_ID_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    ALERT_ID_FIELD_NUMBER: _ClassVar[int]
    ACKNOWLEDGED_BY_FIELD_NUMBER: _ClassVar[int]
    COMMENT_FIELD_NUMBER: _ClassVar[int]
    tenant_id: str
    request_id: str
    alert_id: str
    acknowledged_by: str
    comment: str
    def __init__(self, tenant_id: _Optional[str] = ..., request_id: _Optional[str] = ..., alert_id: _Optional[str] = ..., acknowledged_by: _Optional[str] = ..., comment: _Optional[str] = ...) -> None: ...

class AcknowledgeAlertResponse(_message.Message):
    __slots__ = ("alert",)
    ALERT_FIELD_NUMBER: _ClassVar[int]
    alert: Alert
    def __init__(self, alert: _Optional[_Union[Alert, _Mapping]] = ...) -> None: ...

class WatchAlertsRequest(_message.Message):
    __slots__ = ("tenant_id", "after_sequence", "sku_ids", "tiers")
    TENANT_ID_FIELD_NUMBER: _ClassVar[int]
    AFTER_SEQUENCE_FIELD_NUMBER: _ClassVar[int]
    SKU_IDS_FIELD_NUMBER: _ClassVar[int]
    TIERS_FIELD_NUMBER: _ClassVar[int]
    tenant_id: str
    after_sequence: int
    sku_ids: _containers.RepeatedScalarFieldContainer[str]
    tiers: _containers.RepeatedScalarFieldContainer[_policies_pb2.Tier]
    def __init__(self, tenant_id: _Optional[str] = ..., after_sequence: _Optional[int] = ..., sku_ids: _Optional[_Iterable[str]] = ..., tiers: _Optional[_Iterable[_Union[_policies_pb2.Tier, str]]] = ...) -> None: ...

class WatchAlertsResponse(_message.Message):
    __slots__ = ("sequence", "change", "alert", "change_time")
    SEQUENCE_FIELD_NUMBER: _ClassVar[int]
    CHANGE_FIELD_NUMBER: _ClassVar[int]
    ALERT_FIELD_NUMBER: _ClassVar[int]
    CHANGE_TIME_FIELD_NUMBER: _ClassVar[int]
    sequence: int
    change: AlertChangeKind
    alert: Alert
    change_time: _timestamp_pb2.Timestamp
    def __init__(self, sequence: _Optional[int] = ..., change: _Optional[_Union[AlertChangeKind, str]] = ..., alert: _Optional[_Union[Alert, _Mapping]] = ..., change_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...
