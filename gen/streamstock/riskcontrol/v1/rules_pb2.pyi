import datetime

from google.protobuf import duration_pb2 as _duration_pb2
from google.protobuf import timestamp_pb2 as _timestamp_pb2
from streamstock.riskcontrol.v1 import assessment_pb2 as _assessment_pb2
from streamstock.riskcontrol.v1 import signals_pb2 as _signals_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class ShadowOverride(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    SHADOW_OVERRIDE_UNSPECIFIED: _ClassVar[ShadowOverride]
    SHADOW_OVERRIDE_NONE: _ClassVar[ShadowOverride]
    SHADOW_OVERRIDE_FORCE_SHADOW: _ClassVar[ShadowOverride]
    SHADOW_OVERRIDE_FORCE_ENFORCE: _ClassVar[ShadowOverride]
SHADOW_OVERRIDE_UNSPECIFIED: ShadowOverride
SHADOW_OVERRIDE_NONE: ShadowOverride
SHADOW_OVERRIDE_FORCE_SHADOW: ShadowOverride
SHADOW_OVERRIDE_FORCE_ENFORCE: ShadowOverride

class Rule(_message.Message):
    __slots__ = ("rule_id", "description", "signal", "key_level", "window", "threshold", "score", "minimum_decision", "shadow", "lock_stages")
    RULE_ID_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    SIGNAL_FIELD_NUMBER: _ClassVar[int]
    KEY_LEVEL_FIELD_NUMBER: _ClassVar[int]
    WINDOW_FIELD_NUMBER: _ClassVar[int]
    THRESHOLD_FIELD_NUMBER: _ClassVar[int]
    SCORE_FIELD_NUMBER: _ClassVar[int]
    MINIMUM_DECISION_FIELD_NUMBER: _ClassVar[int]
    SHADOW_FIELD_NUMBER: _ClassVar[int]
    LOCK_STAGES_FIELD_NUMBER: _ClassVar[int]
    rule_id: str
    description: str
    signal: _signals_pb2.RiskSignal
    key_level: _signals_pb2.KeyLevel
    window: _duration_pb2.Duration
    threshold: float
    score: float
    minimum_decision: _assessment_pb2.Decision
    shadow: bool
    lock_stages: _containers.RepeatedScalarFieldContainer[_assessment_pb2.LockStage]
    def __init__(self, rule_id: _Optional[str] = ..., description: _Optional[str] = ..., signal: _Optional[_Union[_signals_pb2.RiskSignal, str]] = ..., key_level: _Optional[_Union[_signals_pb2.KeyLevel, str]] = ..., window: _Optional[_Union[datetime.timedelta, _duration_pb2.Duration, _Mapping]] = ..., threshold: _Optional[float] = ..., score: _Optional[float] = ..., minimum_decision: _Optional[_Union[_assessment_pb2.Decision, str]] = ..., shadow: _Optional[bool] = ..., lock_stages: _Optional[_Iterable[_Union[_assessment_pb2.LockStage, str]]] = ...) -> None: ...

class ScoreThresholds(_message.Message):
    __slots__ = ("challenge_score", "block_score")
    CHALLENGE_SCORE_FIELD_NUMBER: _ClassVar[int]
    BLOCK_SCORE_FIELD_NUMBER: _ClassVar[int]
    challenge_score: float
    block_score: float
    def __init__(self, challenge_score: _Optional[float] = ..., block_score: _Optional[float] = ...) -> None: ...

class ShadowMode(_message.Message):
    __slots__ = ("enabled", "document_enabled", "override", "override_reason", "override_update_time")
    ENABLED_FIELD_NUMBER: _ClassVar[int]
    DOCUMENT_ENABLED_FIELD_NUMBER: _ClassVar[int]
    OVERRIDE_FIELD_NUMBER: _ClassVar[int]
    OVERRIDE_REASON_FIELD_NUMBER: _ClassVar[int]
    OVERRIDE_UPDATE_TIME_FIELD_NUMBER: _ClassVar[int]
    enabled: bool
    document_enabled: bool
    override: ShadowOverride
    override_reason: str
    override_update_time: _timestamp_pb2.Timestamp
    def __init__(self, enabled: _Optional[bool] = ..., document_enabled: _Optional[bool] = ..., override: _Optional[_Union[ShadowOverride, str]] = ..., override_reason: _Optional[str] = ..., override_update_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class RuleSet(_message.Message):
    __slots__ = ("version", "source", "load_time", "rules", "thresholds", "shadow_mode", "last_reload_error", "last_reload_error_time")
    VERSION_FIELD_NUMBER: _ClassVar[int]
    SOURCE_FIELD_NUMBER: _ClassVar[int]
    LOAD_TIME_FIELD_NUMBER: _ClassVar[int]
    RULES_FIELD_NUMBER: _ClassVar[int]
    THRESHOLDS_FIELD_NUMBER: _ClassVar[int]
    SHADOW_MODE_FIELD_NUMBER: _ClassVar[int]
    LAST_RELOAD_ERROR_FIELD_NUMBER: _ClassVar[int]
    LAST_RELOAD_ERROR_TIME_FIELD_NUMBER: _ClassVar[int]
    version: str
    source: str
    load_time: _timestamp_pb2.Timestamp
    rules: _containers.RepeatedCompositeFieldContainer[Rule]
    thresholds: ScoreThresholds
    shadow_mode: ShadowMode
    last_reload_error: str
    last_reload_error_time: _timestamp_pb2.Timestamp
    def __init__(self, version: _Optional[str] = ..., source: _Optional[str] = ..., load_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., rules: _Optional[_Iterable[_Union[Rule, _Mapping]]] = ..., thresholds: _Optional[_Union[ScoreThresholds, _Mapping]] = ..., shadow_mode: _Optional[_Union[ShadowMode, _Mapping]] = ..., last_reload_error: _Optional[str] = ..., last_reload_error_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class RuleViolation(_message.Message):
    __slots__ = ("line", "column", "path", "message")
    LINE_FIELD_NUMBER: _ClassVar[int]
    COLUMN_FIELD_NUMBER: _ClassVar[int]
    PATH_FIELD_NUMBER: _ClassVar[int]
    MESSAGE_FIELD_NUMBER: _ClassVar[int]
    line: int
    column: int
    path: str
    message: str
    def __init__(self, line: _Optional[int] = ..., column: _Optional[int] = ..., path: _Optional[str] = ..., message: _Optional[str] = ...) -> None: ...
