import datetime

from google.protobuf import duration_pb2 as _duration_pb2
from google.protobuf import timestamp_pb2 as _timestamp_pb2
from streamstock.riskcontrol.v1 import access_list_pb2 as _access_list_pb2
from streamstock.riskcontrol.v1 import assessment_pb2 as _assessment_pb2
from streamstock.riskcontrol.v1 import errors_pb2 as _errors_pb2
from streamstock.riskcontrol.v1 import rules_pb2 as _rules_pb2
from streamstock.riskcontrol.v1 import signals_pb2 as _signals_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class AssessRequest(_message.Message):
    __slots__ = ("tenant_id", "request_id", "attempt", "caller_mode")
    TENANT_ID_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    ATTEMPT_FIELD_NUMBER: _ClassVar[int]
    CALLER_MODE_FIELD_NUMBER: _ClassVar[int]
    tenant_id: str
    request_id: str
    attempt: _assessment_pb2.Attempt
    caller_mode: _assessment_pb2.EnforcementMode
    def __init__(self, tenant_id: _Optional[str] = ..., request_id: _Optional[str] = ..., attempt: _Optional[_Union[_assessment_pb2.Attempt, _Mapping]] = ..., caller_mode: _Optional[_Union[_assessment_pb2.EnforcementMode, str]] = ...) -> None: ...

class AssessResponse(_message.Message):
    __slots__ = ("decision_id", "decision", "score", "reasons", "enforcement", "shadow_decision", "shadow_score", "challenge", "pass_token_status", "rules_version")
    DECISION_ID_FIELD_NUMBER: _ClassVar[int]
    DECISION_FIELD_NUMBER: _ClassVar[int]
    SCORE_FIELD_NUMBER: _ClassVar[int]
    REASONS_FIELD_NUMBER: _ClassVar[int]
    ENFORCEMENT_FIELD_NUMBER: _ClassVar[int]
    SHADOW_DECISION_FIELD_NUMBER: _ClassVar[int]
    SHADOW_SCORE_FIELD_NUMBER: _ClassVar[int]
    CHALLENGE_FIELD_NUMBER: _ClassVar[int]
    PASS_TOKEN_STATUS_FIELD_NUMBER: _ClassVar[int]
    RULES_VERSION_FIELD_NUMBER: _ClassVar[int]
    decision_id: str
    decision: _assessment_pb2.Decision
    score: float
    reasons: _containers.RepeatedCompositeFieldContainer[_assessment_pb2.Reason]
    enforcement: _assessment_pb2.EnforcementMode
    shadow_decision: _assessment_pb2.Decision
    shadow_score: float
    challenge: _assessment_pb2.Challenge
    pass_token_status: _assessment_pb2.PassTokenStatus
    rules_version: str
    def __init__(self, decision_id: _Optional[str] = ..., decision: _Optional[_Union[_assessment_pb2.Decision, str]] = ..., score: _Optional[float] = ..., reasons: _Optional[_Iterable[_Union[_assessment_pb2.Reason, _Mapping]]] = ..., enforcement: _Optional[_Union[_assessment_pb2.EnforcementMode, str]] = ..., shadow_decision: _Optional[_Union[_assessment_pb2.Decision, str]] = ..., shadow_score: _Optional[float] = ..., challenge: _Optional[_Union[_assessment_pb2.Challenge, _Mapping]] = ..., pass_token_status: _Optional[_Union[_assessment_pb2.PassTokenStatus, str]] = ..., rules_version: _Optional[str] = ...) -> None: ...

class AssessBatchRequest(_message.Message):
    __slots__ = ("tenant_id", "requests")
    TENANT_ID_FIELD_NUMBER: _ClassVar[int]
    REQUESTS_FIELD_NUMBER: _ClassVar[int]
    tenant_id: str
    requests: _containers.RepeatedCompositeFieldContainer[AssessRequest]
    def __init__(self, tenant_id: _Optional[str] = ..., requests: _Optional[_Iterable[_Union[AssessRequest, _Mapping]]] = ...) -> None: ...

class AssessBatchResponse(_message.Message):
    __slots__ = ("results",)
    RESULTS_FIELD_NUMBER: _ClassVar[int]
    results: _containers.RepeatedCompositeFieldContainer[AssessBatchResult]
    def __init__(self, results: _Optional[_Iterable[_Union[AssessBatchResult, _Mapping]]] = ...) -> None: ...

class AssessBatchResult(_message.Message):
    __slots__ = ("response", "refusal")
    RESPONSE_FIELD_NUMBER: _ClassVar[int]
    REFUSAL_FIELD_NUMBER: _ClassVar[int]
    response: AssessResponse
    refusal: AssessRefusal
    def __init__(self, response: _Optional[_Union[AssessResponse, _Mapping]] = ..., refusal: _Optional[_Union[AssessRefusal, _Mapping]] = ...) -> None: ...

class AssessRefusal(_message.Message):
    __slots__ = ("code", "reason", "metadata", "message")
    class MetadataEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    CODE_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    METADATA_FIELD_NUMBER: _ClassVar[int]
    MESSAGE_FIELD_NUMBER: _ClassVar[int]
    code: int
    reason: _errors_pb2.ErrorReason
    metadata: _containers.ScalarMap[str, str]
    message: str
    def __init__(self, code: _Optional[int] = ..., reason: _Optional[_Union[_errors_pb2.ErrorReason, str]] = ..., metadata: _Optional[_Mapping[str, str]] = ..., message: _Optional[str] = ...) -> None: ...

class CompleteChallengeRequest(_message.Message):
    __slots__ = ("tenant_id", "request_id", "challenge_id", "result", "evidence_reference")
    TENANT_ID_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    CHALLENGE_ID_FIELD_NUMBER: _ClassVar[int]
    RESULT_FIELD_NUMBER: _ClassVar[int]
    EVIDENCE_REFERENCE_FIELD_NUMBER: _ClassVar[int]
    tenant_id: str
    request_id: str
    challenge_id: str
    result: _assessment_pb2.ChallengeResult
    evidence_reference: str
    def __init__(self, tenant_id: _Optional[str] = ..., request_id: _Optional[str] = ..., challenge_id: _Optional[str] = ..., result: _Optional[_Union[_assessment_pb2.ChallengeResult, str]] = ..., evidence_reference: _Optional[str] = ...) -> None: ...

class CompleteChallengeResponse(_message.Message):
    __slots__ = ("challenge", "pass_token", "pass_token_expire_time")
    CHALLENGE_FIELD_NUMBER: _ClassVar[int]
    PASS_TOKEN_FIELD_NUMBER: _ClassVar[int]
    PASS_TOKEN_EXPIRE_TIME_FIELD_NUMBER: _ClassVar[int]
    challenge: _assessment_pb2.Challenge
    pass_token: str
    pass_token_expire_time: _timestamp_pb2.Timestamp
    def __init__(self, challenge: _Optional[_Union[_assessment_pb2.Challenge, _Mapping]] = ..., pass_token: _Optional[str] = ..., pass_token_expire_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class ReportOutcomeRequest(_message.Message):
    __slots__ = ("tenant_id", "request_id", "kind", "order_id", "user_id", "sku_id", "quantity", "ip", "device_id", "decision_id", "occur_time", "note")
    TENANT_ID_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    ORDER_ID_FIELD_NUMBER: _ClassVar[int]
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    SKU_ID_FIELD_NUMBER: _ClassVar[int]
    QUANTITY_FIELD_NUMBER: _ClassVar[int]
    IP_FIELD_NUMBER: _ClassVar[int]
    DEVICE_ID_FIELD_NUMBER: _ClassVar[int]
    DECISION_ID_FIELD_NUMBER: _ClassVar[int]
    OCCUR_TIME_FIELD_NUMBER: _ClassVar[int]
    NOTE_FIELD_NUMBER: _ClassVar[int]
    tenant_id: str
    request_id: str
    kind: _assessment_pb2.OutcomeKind
    order_id: str
    user_id: str
    sku_id: str
    quantity: int
    ip: str
    device_id: str
    decision_id: str
    occur_time: _timestamp_pb2.Timestamp
    note: str
    def __init__(self, tenant_id: _Optional[str] = ..., request_id: _Optional[str] = ..., kind: _Optional[_Union[_assessment_pb2.OutcomeKind, str]] = ..., order_id: _Optional[str] = ..., user_id: _Optional[str] = ..., sku_id: _Optional[str] = ..., quantity: _Optional[int] = ..., ip: _Optional[str] = ..., device_id: _Optional[str] = ..., decision_id: _Optional[str] = ..., occur_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., note: _Optional[str] = ...) -> None: ...

class ReportOutcomeResponse(_message.Message):
    __slots__ = ("outcome_id", "updated_keys")
    OUTCOME_ID_FIELD_NUMBER: _ClassVar[int]
    UPDATED_KEYS_FIELD_NUMBER: _ClassVar[int]
    outcome_id: str
    updated_keys: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, outcome_id: _Optional[str] = ..., updated_keys: _Optional[_Iterable[str]] = ...) -> None: ...

class AddAccessListEntryRequest(_message.Message):
    __slots__ = ("tenant_id", "request_id", "list", "key", "expire_time", "ttl", "note", "created_by")
    TENANT_ID_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    LIST_FIELD_NUMBER: _ClassVar[int]
    KEY_FIELD_NUMBER: _ClassVar[int]
    EXPIRE_TIME_FIELD_NUMBER: _ClassVar[int]
    TTL_FIELD_NUMBER: _ClassVar[int]
    NOTE_FIELD_NUMBER: _ClassVar[int]
    CREATED_BY_FIELD_NUMBER: _ClassVar[int]
    tenant_id: str
    request_id: str
    list: _access_list_pb2.AccessList
    key: _signals_pb2.RiskKey
    expire_time: _timestamp_pb2.Timestamp
    ttl: _duration_pb2.Duration
    note: str
    created_by: str
    def __init__(self, tenant_id: _Optional[str] = ..., request_id: _Optional[str] = ..., list: _Optional[_Union[_access_list_pb2.AccessList, str]] = ..., key: _Optional[_Union[_signals_pb2.RiskKey, _Mapping]] = ..., expire_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., ttl: _Optional[_Union[datetime.timedelta, _duration_pb2.Duration, _Mapping]] = ..., note: _Optional[str] = ..., created_by: _Optional[str] = ...) -> None: ...

class AddAccessListEntryResponse(_message.Message):
    __slots__ = ("entry", "replaced")
    ENTRY_FIELD_NUMBER: _ClassVar[int]
    REPLACED_FIELD_NUMBER: _ClassVar[int]
    entry: _access_list_pb2.AccessListEntry
    replaced: bool
    def __init__(self, entry: _Optional[_Union[_access_list_pb2.AccessListEntry, _Mapping]] = ..., replaced: _Optional[bool] = ...) -> None: ...

class RemoveAccessListEntryRequest(_message.Message):
    __slots__ = ("tenant_id", "request_id", "entry_id")
    TENANT_ID_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    ENTRY_ID_FIELD_NUMBER: _ClassVar[int]
    tenant_id: str
    request_id: str
    entry_id: str
    def __init__(self, tenant_id: _Optional[str] = ..., request_id: _Optional[str] = ..., entry_id: _Optional[str] = ...) -> None: ...

class RemoveAccessListEntryResponse(_message.Message):
    __slots__ = ("entry",)
    ENTRY_FIELD_NUMBER: _ClassVar[int]
    entry: _access_list_pb2.AccessListEntry
    def __init__(self, entry: _Optional[_Union[_access_list_pb2.AccessListEntry, _Mapping]] = ...) -> None: ...

class ListAccessListEntriesRequest(_message.Message):
    __slots__ = ("tenant_id", "page_size", "page_token", "list", "key_level", "key", "include_expired")
    TENANT_ID_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    LIST_FIELD_NUMBER: _ClassVar[int]
    KEY_LEVEL_FIELD_NUMBER: _ClassVar[int]
    KEY_FIELD_NUMBER: _ClassVar[int]
    INCLUDE_EXPIRED_FIELD_NUMBER: _ClassVar[int]
    tenant_id: str
    page_size: int
    page_token: str
    list: _access_list_pb2.AccessList
    key_level: _signals_pb2.KeyLevel
    key: _signals_pb2.RiskKey
    include_expired: bool
    def __init__(self, tenant_id: _Optional[str] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ..., list: _Optional[_Union[_access_list_pb2.AccessList, str]] = ..., key_level: _Optional[_Union[_signals_pb2.KeyLevel, str]] = ..., key: _Optional[_Union[_signals_pb2.RiskKey, _Mapping]] = ..., include_expired: _Optional[bool] = ...) -> None: ...

class ListAccessListEntriesResponse(_message.Message):
    __slots__ = ("entries", "next_page_token")
    ENTRIES_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    entries: _containers.RepeatedCompositeFieldContainer[_access_list_pb2.AccessListEntry]
    next_page_token: str
    def __init__(self, entries: _Optional[_Iterable[_Union[_access_list_pb2.AccessListEntry, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class GetRuleSetRequest(_message.Message):
    __slots__ = ("tenant_id",)
    TENANT_ID_FIELD_NUMBER: _ClassVar[int]
    tenant_id: str
    def __init__(self, tenant_id: _Optional[str] = ...) -> None: ...

class GetRuleSetResponse(_message.Message):
    __slots__ = ("rule_set",)
    RULE_SET_FIELD_NUMBER: _ClassVar[int]
    rule_set: _rules_pb2.RuleSet
    def __init__(self, rule_set: _Optional[_Union[_rules_pb2.RuleSet, _Mapping]] = ...) -> None: ...

class ValidateRulesRequest(_message.Message):
    __slots__ = ("tenant_id", "document")
    TENANT_ID_FIELD_NUMBER: _ClassVar[int]
    DOCUMENT_FIELD_NUMBER: _ClassVar[int]
    tenant_id: str
    document: str
    def __init__(self, tenant_id: _Optional[str] = ..., document: _Optional[str] = ...) -> None: ...

class ValidateRulesResponse(_message.Message):
    __slots__ = ("valid", "violations", "rule_set")
    VALID_FIELD_NUMBER: _ClassVar[int]
    VIOLATIONS_FIELD_NUMBER: _ClassVar[int]
    RULE_SET_FIELD_NUMBER: _ClassVar[int]
    valid: bool
    violations: _containers.RepeatedCompositeFieldContainer[_rules_pb2.RuleViolation]
    rule_set: _rules_pb2.RuleSet
    def __init__(self, valid: _Optional[bool] = ..., violations: _Optional[_Iterable[_Union[_rules_pb2.RuleViolation, _Mapping]]] = ..., rule_set: _Optional[_Union[_rules_pb2.RuleSet, _Mapping]] = ...) -> None: ...

class SetShadowModeRequest(_message.Message):
    __slots__ = ("tenant_id", "request_id", "override", "reason")
    TENANT_ID_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    OVERRIDE_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    tenant_id: str
    request_id: str
    override: _rules_pb2.ShadowOverride
    reason: str
    def __init__(self, tenant_id: _Optional[str] = ..., request_id: _Optional[str] = ..., override: _Optional[_Union[_rules_pb2.ShadowOverride, str]] = ..., reason: _Optional[str] = ...) -> None: ...

class SetShadowModeResponse(_message.Message):
    __slots__ = ("shadow_mode",)
    SHADOW_MODE_FIELD_NUMBER: _ClassVar[int]
    shadow_mode: _rules_pb2.ShadowMode
    def __init__(self, shadow_mode: _Optional[_Union[_rules_pb2.ShadowMode, _Mapping]] = ...) -> None: ...

class ListDecisionsRequest(_message.Message):
    __slots__ = ("tenant_id", "page_size", "page_token", "sku_id", "user_id", "order_id", "ip", "device_id", "decisions", "rule_id", "shadow_differs_only", "start_time", "end_time")
    TENANT_ID_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    SKU_ID_FIELD_NUMBER: _ClassVar[int]
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    ORDER_ID_FIELD_NUMBER: _ClassVar[int]
    IP_FIELD_NUMBER: _ClassVar[int]
    DEVICE_ID_FIELD_NUMBER: _ClassVar[int]
    DECISIONS_FIELD_NUMBER: _ClassVar[int]
    RULE_ID_FIELD_NUMBER: _ClassVar[int]
    SHADOW_DIFFERS_ONLY_FIELD_NUMBER: _ClassVar[int]
    START_TIME_FIELD_NUMBER: _ClassVar[int]
    END_TIME_FIELD_NUMBER: _ClassVar[int]
    tenant_id: str
    page_size: int
    page_token: str
    sku_id: str
    user_id: str
    order_id: str
    ip: str
    device_id: str
    decisions: _containers.RepeatedScalarFieldContainer[_assessment_pb2.Decision]
    rule_id: str
    shadow_differs_only: bool
    start_time: _timestamp_pb2.Timestamp
    end_time: _timestamp_pb2.Timestamp
    def __init__(self, tenant_id: _Optional[str] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ..., sku_id: _Optional[str] = ..., user_id: _Optional[str] = ..., order_id: _Optional[str] = ..., ip: _Optional[str] = ..., device_id: _Optional[str] = ..., decisions: _Optional[_Iterable[_Union[_assessment_pb2.Decision, str]]] = ..., rule_id: _Optional[str] = ..., shadow_differs_only: _Optional[bool] = ..., start_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., end_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class ListDecisionsResponse(_message.Message):
    __slots__ = ("decisions", "next_page_token")
    DECISIONS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    decisions: _containers.RepeatedCompositeFieldContainer[_assessment_pb2.DecisionRecord]
    next_page_token: str
    def __init__(self, decisions: _Optional[_Iterable[_Union[_assessment_pb2.DecisionRecord, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class GetDecisionRequest(_message.Message):
    __slots__ = ("tenant_id", "decision_id")
    TENANT_ID_FIELD_NUMBER: _ClassVar[int]
    DECISION_ID_FIELD_NUMBER: _ClassVar[int]
    tenant_id: str
    decision_id: str
    def __init__(self, tenant_id: _Optional[str] = ..., decision_id: _Optional[str] = ...) -> None: ...

class GetDecisionResponse(_message.Message):
    __slots__ = ("decision",)
    DECISION_FIELD_NUMBER: _ClassVar[int]
    decision: _assessment_pb2.DecisionRecord
    def __init__(self, decision: _Optional[_Union[_assessment_pb2.DecisionRecord, _Mapping]] = ...) -> None: ...

class GetSignalsRequest(_message.Message):
    __slots__ = ("tenant_id", "key", "signals")
    TENANT_ID_FIELD_NUMBER: _ClassVar[int]
    KEY_FIELD_NUMBER: _ClassVar[int]
    SIGNALS_FIELD_NUMBER: _ClassVar[int]
    tenant_id: str
    key: _signals_pb2.RiskKey
    signals: _containers.RepeatedScalarFieldContainer[_signals_pb2.RiskSignal]
    def __init__(self, tenant_id: _Optional[str] = ..., key: _Optional[_Union[_signals_pb2.RiskKey, _Mapping]] = ..., signals: _Optional[_Iterable[_Union[_signals_pb2.RiskSignal, str]]] = ...) -> None: ...

class GetSignalsResponse(_message.Message):
    __slots__ = ("key", "values", "access_list_entry")
    KEY_FIELD_NUMBER: _ClassVar[int]
    VALUES_FIELD_NUMBER: _ClassVar[int]
    ACCESS_LIST_ENTRY_FIELD_NUMBER: _ClassVar[int]
    key: str
    values: _containers.RepeatedCompositeFieldContainer[_signals_pb2.SignalValue]
    access_list_entry: _access_list_pb2.AccessListEntry
    def __init__(self, key: _Optional[str] = ..., values: _Optional[_Iterable[_Union[_signals_pb2.SignalValue, _Mapping]]] = ..., access_list_entry: _Optional[_Union[_access_list_pb2.AccessListEntry, _Mapping]] = ...) -> None: ...
