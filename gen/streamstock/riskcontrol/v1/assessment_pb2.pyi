import datetime

from google.protobuf import duration_pb2 as _duration_pb2
from google.protobuf import timestamp_pb2 as _timestamp_pb2
from streamstock.riskcontrol.v1 import signals_pb2 as _signals_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class Decision(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    DECISION_UNSPECIFIED: _ClassVar[Decision]
    DECISION_ALLOW: _ClassVar[Decision]
    DECISION_CHALLENGE: _ClassVar[Decision]
    DECISION_BLOCK: _ClassVar[Decision]

class LockStage(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    LOCK_STAGE_UNSPECIFIED: _ClassVar[LockStage]
    LOCK_STAGE_CART: _ClassVar[LockStage]
    LOCK_STAGE_ORDER: _ClassVar[LockStage]
    LOCK_STAGE_PAYMENT: _ClassVar[LockStage]

class AttemptKind(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    ATTEMPT_KIND_UNSPECIFIED: _ClassVar[AttemptKind]
    ATTEMPT_KIND_HOLD: _ClassVar[AttemptKind]
    ATTEMPT_KIND_PURCHASE: _ClassVar[AttemptKind]
    ATTEMPT_KIND_RESIZE: _ClassVar[AttemptKind]

class EnforcementMode(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    ENFORCEMENT_MODE_UNSPECIFIED: _ClassVar[EnforcementMode]
    ENFORCEMENT_MODE_SHADOW: _ClassVar[EnforcementMode]
    ENFORCEMENT_MODE_ENFORCE: _ClassVar[EnforcementMode]

class ChallengeKind(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    CHALLENGE_KIND_UNSPECIFIED: _ClassVar[ChallengeKind]
    CHALLENGE_KIND_CAPTCHA: _ClassVar[ChallengeKind]
    CHALLENGE_KIND_SMS_CODE: _ClassVar[ChallengeKind]

class ChallengeState(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    CHALLENGE_STATE_UNSPECIFIED: _ClassVar[ChallengeState]
    CHALLENGE_STATE_PENDING: _ClassVar[ChallengeState]
    CHALLENGE_STATE_PASSED: _ClassVar[ChallengeState]
    CHALLENGE_STATE_FAILED: _ClassVar[ChallengeState]
    CHALLENGE_STATE_EXPIRED: _ClassVar[ChallengeState]
    CHALLENGE_STATE_REDEEMED: _ClassVar[ChallengeState]

class ChallengeResult(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    CHALLENGE_RESULT_UNSPECIFIED: _ClassVar[ChallengeResult]
    CHALLENGE_RESULT_PASSED: _ClassVar[ChallengeResult]
    CHALLENGE_RESULT_FAILED: _ClassVar[ChallengeResult]

class PassTokenStatus(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    PASS_TOKEN_STATUS_UNSPECIFIED: _ClassVar[PassTokenStatus]
    PASS_TOKEN_STATUS_ABSENT: _ClassVar[PassTokenStatus]
    PASS_TOKEN_STATUS_REDEEMED: _ClassVar[PassTokenStatus]
    PASS_TOKEN_STATUS_INVALID: _ClassVar[PassTokenStatus]
    PASS_TOKEN_STATUS_EXPIRED: _ClassVar[PassTokenStatus]
    PASS_TOKEN_STATUS_ALREADY_USED: _ClassVar[PassTokenStatus]

class OutcomeKind(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    OUTCOME_KIND_UNSPECIFIED: _ClassVar[OutcomeKind]
    OUTCOME_KIND_PAID: _ClassVar[OutcomeKind]
    OUTCOME_KIND_PAYMENT_FAILED: _ClassVar[OutcomeKind]
    OUTCOME_KIND_CHARGEBACK: _ClassVar[OutcomeKind]
    OUTCOME_KIND_REFUNDED: _ClassVar[OutcomeKind]
    OUTCOME_KIND_CONFIRMED_ABUSE: _ClassVar[OutcomeKind]
    OUTCOME_KIND_CONFIRMED_GENUINE: _ClassVar[OutcomeKind]
DECISION_UNSPECIFIED: Decision
DECISION_ALLOW: Decision
DECISION_CHALLENGE: Decision
DECISION_BLOCK: Decision
LOCK_STAGE_UNSPECIFIED: LockStage
LOCK_STAGE_CART: LockStage
LOCK_STAGE_ORDER: LockStage
LOCK_STAGE_PAYMENT: LockStage
ATTEMPT_KIND_UNSPECIFIED: AttemptKind
ATTEMPT_KIND_HOLD: AttemptKind
ATTEMPT_KIND_PURCHASE: AttemptKind
ATTEMPT_KIND_RESIZE: AttemptKind
ENFORCEMENT_MODE_UNSPECIFIED: EnforcementMode
ENFORCEMENT_MODE_SHADOW: EnforcementMode
ENFORCEMENT_MODE_ENFORCE: EnforcementMode
CHALLENGE_KIND_UNSPECIFIED: ChallengeKind
CHALLENGE_KIND_CAPTCHA: ChallengeKind
CHALLENGE_KIND_SMS_CODE: ChallengeKind
CHALLENGE_STATE_UNSPECIFIED: ChallengeState
CHALLENGE_STATE_PENDING: ChallengeState
CHALLENGE_STATE_PASSED: ChallengeState
CHALLENGE_STATE_FAILED: ChallengeState
CHALLENGE_STATE_EXPIRED: ChallengeState
CHALLENGE_STATE_REDEEMED: ChallengeState
CHALLENGE_RESULT_UNSPECIFIED: ChallengeResult
CHALLENGE_RESULT_PASSED: ChallengeResult
CHALLENGE_RESULT_FAILED: ChallengeResult
PASS_TOKEN_STATUS_UNSPECIFIED: PassTokenStatus
PASS_TOKEN_STATUS_ABSENT: PassTokenStatus
PASS_TOKEN_STATUS_REDEEMED: PassTokenStatus
PASS_TOKEN_STATUS_INVALID: PassTokenStatus
PASS_TOKEN_STATUS_EXPIRED: PassTokenStatus
PASS_TOKEN_STATUS_ALREADY_USED: PassTokenStatus
OUTCOME_KIND_UNSPECIFIED: OutcomeKind
OUTCOME_KIND_PAID: OutcomeKind
OUTCOME_KIND_PAYMENT_FAILED: OutcomeKind
OUTCOME_KIND_CHARGEBACK: OutcomeKind
OUTCOME_KIND_REFUNDED: OutcomeKind
OUTCOME_KIND_CONFIRMED_ABUSE: OutcomeKind
OUTCOME_KIND_CONFIRMED_GENUINE: OutcomeKind

class AttemptLine(_message.Message):
    __slots__ = ("sku_id", "quantity", "previous_quantity", "purchase_limit")
    SKU_ID_FIELD_NUMBER: _ClassVar[int]
    QUANTITY_FIELD_NUMBER: _ClassVar[int]
    PREVIOUS_QUANTITY_FIELD_NUMBER: _ClassVar[int]
    PURCHASE_LIMIT_FIELD_NUMBER: _ClassVar[int]
    sku_id: str
    quantity: int
    previous_quantity: int
    purchase_limit: int
    def __init__(self, sku_id: _Optional[str] = ..., quantity: _Optional[int] = ..., previous_quantity: _Optional[int] = ..., purchase_limit: _Optional[int] = ...) -> None: ...

class Attempt(_message.Message):
    __slots__ = ("kind", "lines", "lock_stage", "platform_id", "user_id", "order_id", "ip", "device_id", "challenge_pass_token", "reservation_id")
    KIND_FIELD_NUMBER: _ClassVar[int]
    LINES_FIELD_NUMBER: _ClassVar[int]
    LOCK_STAGE_FIELD_NUMBER: _ClassVar[int]
    PLATFORM_ID_FIELD_NUMBER: _ClassVar[int]
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    ORDER_ID_FIELD_NUMBER: _ClassVar[int]
    IP_FIELD_NUMBER: _ClassVar[int]
    DEVICE_ID_FIELD_NUMBER: _ClassVar[int]
    CHALLENGE_PASS_TOKEN_FIELD_NUMBER: _ClassVar[int]
    RESERVATION_ID_FIELD_NUMBER: _ClassVar[int]
    kind: AttemptKind
    lines: _containers.RepeatedCompositeFieldContainer[AttemptLine]
    lock_stage: LockStage
    platform_id: str
    user_id: str
    order_id: str
    ip: str
    device_id: str
    challenge_pass_token: str
    reservation_id: str
    def __init__(self, kind: _Optional[_Union[AttemptKind, str]] = ..., lines: _Optional[_Iterable[_Union[AttemptLine, _Mapping]]] = ..., lock_stage: _Optional[_Union[LockStage, str]] = ..., platform_id: _Optional[str] = ..., user_id: _Optional[str] = ..., order_id: _Optional[str] = ..., ip: _Optional[str] = ..., device_id: _Optional[str] = ..., challenge_pass_token: _Optional[str] = ..., reservation_id: _Optional[str] = ...) -> None: ...

class Reason(_message.Message):
    __slots__ = ("rule_id", "signal", "key_level", "key", "window", "observed", "threshold", "score", "shadow")
    RULE_ID_FIELD_NUMBER: _ClassVar[int]
    SIGNAL_FIELD_NUMBER: _ClassVar[int]
    KEY_LEVEL_FIELD_NUMBER: _ClassVar[int]
    KEY_FIELD_NUMBER: _ClassVar[int]
    WINDOW_FIELD_NUMBER: _ClassVar[int]
    OBSERVED_FIELD_NUMBER: _ClassVar[int]
    THRESHOLD_FIELD_NUMBER: _ClassVar[int]
    SCORE_FIELD_NUMBER: _ClassVar[int]
    SHADOW_FIELD_NUMBER: _ClassVar[int]
    rule_id: str
    signal: _signals_pb2.RiskSignal
    key_level: _signals_pb2.KeyLevel
    key: str
    window: _duration_pb2.Duration
    observed: float
    threshold: float
    score: float
    shadow: bool
    def __init__(self, rule_id: _Optional[str] = ..., signal: _Optional[_Union[_signals_pb2.RiskSignal, str]] = ..., key_level: _Optional[_Union[_signals_pb2.KeyLevel, str]] = ..., key: _Optional[str] = ..., window: _Optional[_Union[datetime.timedelta, _duration_pb2.Duration, _Mapping]] = ..., observed: _Optional[float] = ..., threshold: _Optional[float] = ..., score: _Optional[float] = ..., shadow: _Optional[bool] = ...) -> None: ...

class Challenge(_message.Message):
    __slots__ = ("challenge_id", "kind", "expire_time", "state", "user_id", "sku_ids", "decision_id")
    CHALLENGE_ID_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    EXPIRE_TIME_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    SKU_IDS_FIELD_NUMBER: _ClassVar[int]
    DECISION_ID_FIELD_NUMBER: _ClassVar[int]
    challenge_id: str
    kind: ChallengeKind
    expire_time: _timestamp_pb2.Timestamp
    state: ChallengeState
    user_id: str
    sku_ids: _containers.RepeatedScalarFieldContainer[str]
    decision_id: str
    def __init__(self, challenge_id: _Optional[str] = ..., kind: _Optional[_Union[ChallengeKind, str]] = ..., expire_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., state: _Optional[_Union[ChallengeState, str]] = ..., user_id: _Optional[str] = ..., sku_ids: _Optional[_Iterable[str]] = ..., decision_id: _Optional[str] = ...) -> None: ...

class DecisionRecord(_message.Message):
    __slots__ = ("decision_id", "request_id", "assess_time", "kind", "lines", "lock_stage", "platform_id", "user_id", "order_id", "ip_hash", "device_hash", "reservation_id", "decision", "shadow_decision", "score", "shadow_score", "reasons", "enforcement", "challenge", "pass_token_status", "rules_version")
    DECISION_ID_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    ASSESS_TIME_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    LINES_FIELD_NUMBER: _ClassVar[int]
    LOCK_STAGE_FIELD_NUMBER: _ClassVar[int]
    PLATFORM_ID_FIELD_NUMBER: _ClassVar[int]
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    ORDER_ID_FIELD_NUMBER: _ClassVar[int]
    IP_HASH_FIELD_NUMBER: _ClassVar[int]
    DEVICE_HASH_FIELD_NUMBER: _ClassVar[int]
    RESERVATION_ID_FIELD_NUMBER: _ClassVar[int]
    DECISION_FIELD_NUMBER: _ClassVar[int]
    SHADOW_DECISION_FIELD_NUMBER: _ClassVar[int]
    SCORE_FIELD_NUMBER: _ClassVar[int]
    SHADOW_SCORE_FIELD_NUMBER: _ClassVar[int]
    REASONS_FIELD_NUMBER: _ClassVar[int]
    ENFORCEMENT_FIELD_NUMBER: _ClassVar[int]
    CHALLENGE_FIELD_NUMBER: _ClassVar[int]
    PASS_TOKEN_STATUS_FIELD_NUMBER: _ClassVar[int]
    RULES_VERSION_FIELD_NUMBER: _ClassVar[int]
    decision_id: str
    request_id: str
    assess_time: _timestamp_pb2.Timestamp
    kind: AttemptKind
    lines: _containers.RepeatedCompositeFieldContainer[AttemptLine]
    lock_stage: LockStage
    platform_id: str
    user_id: str
    order_id: str
    ip_hash: str
    device_hash: str
    reservation_id: str
    decision: Decision
    shadow_decision: Decision
    score: float
    shadow_score: float
    reasons: _containers.RepeatedCompositeFieldContainer[Reason]
    enforcement: EnforcementMode
    challenge: Challenge
    pass_token_status: PassTokenStatus
    rules_version: str
    def __init__(self, decision_id: _Optional[str] = ..., request_id: _Optional[str] = ..., assess_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., kind: _Optional[_Union[AttemptKind, str]] = ..., lines: _Optional[_Iterable[_Union[AttemptLine, _Mapping]]] = ..., lock_stage: _Optional[_Union[LockStage, str]] = ..., platform_id: _Optional[str] = ..., user_id: _Optional[str] = ..., order_id: _Optional[str] = ..., ip_hash: _Optional[str] = ..., device_hash: _Optional[str] = ..., reservation_id: _Optional[str] = ..., decision: _Optional[_Union[Decision, str]] = ..., shadow_decision: _Optional[_Union[Decision, str]] = ..., score: _Optional[float] = ..., shadow_score: _Optional[float] = ..., reasons: _Optional[_Iterable[_Union[Reason, _Mapping]]] = ..., enforcement: _Optional[_Union[EnforcementMode, str]] = ..., challenge: _Optional[_Union[Challenge, _Mapping]] = ..., pass_token_status: _Optional[_Union[PassTokenStatus, str]] = ..., rules_version: _Optional[str] = ...) -> None: ...
