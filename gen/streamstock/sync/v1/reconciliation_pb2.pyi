import datetime

from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class ReconciliationTrigger(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    RECONCILIATION_TRIGGER_UNSPECIFIED: _ClassVar[ReconciliationTrigger]
    RECONCILIATION_TRIGGER_SCHEDULED: _ClassVar[ReconciliationTrigger]
    RECONCILIATION_TRIGGER_REQUESTED: _ClassVar[ReconciliationTrigger]

class ReconciliationState(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    RECONCILIATION_STATE_UNSPECIFIED: _ClassVar[ReconciliationState]
    RECONCILIATION_STATE_RUNNING: _ClassVar[ReconciliationState]
    RECONCILIATION_STATE_SUCCEEDED: _ClassVar[ReconciliationState]
    RECONCILIATION_STATE_FAILED: _ClassVar[ReconciliationState]

class DriftKind(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    DRIFT_KIND_UNSPECIFIED: _ClassVar[DriftKind]
    DRIFT_KIND_SOLD_MISMATCH: _ClassVar[DriftKind]
    DRIFT_KIND_LEDGER_MISMATCH: _ClassVar[DriftKind]
    DRIFT_KIND_ESCROW_MISMATCH: _ClassVar[DriftKind]
    DRIFT_KIND_LISTED_OVER_QUOTA: _ClassVar[DriftKind]
    DRIFT_KIND_ORPHAN_HOLD: _ClassVar[DriftKind]

class CompensationKind(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    COMPENSATION_KIND_UNSPECIFIED: _ClassVar[CompensationKind]
    COMPENSATION_KIND_CONFIRM_UNITS: _ClassVar[CompensationKind]
    COMPENSATION_KIND_RETURN_UNITS: _ClassVar[CompensationKind]
    COMPENSATION_KIND_RESIZE_ESCROW: _ClassVar[CompensationKind]
    COMPENSATION_KIND_RELEASE_HOLD: _ClassVar[CompensationKind]
    COMPENSATION_KIND_REPUSH_LISTING: _ClassVar[CompensationKind]
    COMPENSATION_KIND_MANUAL: _ClassVar[CompensationKind]
RECONCILIATION_TRIGGER_UNSPECIFIED: ReconciliationTrigger
RECONCILIATION_TRIGGER_SCHEDULED: ReconciliationTrigger
RECONCILIATION_TRIGGER_REQUESTED: ReconciliationTrigger
RECONCILIATION_STATE_UNSPECIFIED: ReconciliationState
RECONCILIATION_STATE_RUNNING: ReconciliationState
RECONCILIATION_STATE_SUCCEEDED: ReconciliationState
RECONCILIATION_STATE_FAILED: ReconciliationState
DRIFT_KIND_UNSPECIFIED: DriftKind
DRIFT_KIND_SOLD_MISMATCH: DriftKind
DRIFT_KIND_LEDGER_MISMATCH: DriftKind
DRIFT_KIND_ESCROW_MISMATCH: DriftKind
DRIFT_KIND_LISTED_OVER_QUOTA: DriftKind
DRIFT_KIND_ORPHAN_HOLD: DriftKind
COMPENSATION_KIND_UNSPECIFIED: CompensationKind
COMPENSATION_KIND_CONFIRM_UNITS: CompensationKind
COMPENSATION_KIND_RETURN_UNITS: CompensationKind
COMPENSATION_KIND_RESIZE_ESCROW: CompensationKind
COMPENSATION_KIND_RELEASE_HOLD: CompensationKind
COMPENSATION_KIND_REPUSH_LISTING: CompensationKind
COMPENSATION_KIND_MANUAL: CompensationKind

class PlatformCount(_message.Message):
    __slots__ = ("sku_id", "sold_units", "listed_units", "count_time")
    SKU_ID_FIELD_NUMBER: _ClassVar[int]
    SOLD_UNITS_FIELD_NUMBER: _ClassVar[int]
    LISTED_UNITS_FIELD_NUMBER: _ClassVar[int]
    COUNT_TIME_FIELD_NUMBER: _ClassVar[int]
    sku_id: str
    sold_units: int
    listed_units: int
    count_time: _timestamp_pb2.Timestamp
    def __init__(self, sku_id: _Optional[str] = ..., sold_units: _Optional[int] = ..., listed_units: _Optional[int] = ..., count_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class Compensation(_message.Message):
    __slots__ = ("kind", "units", "applied", "reference")
    KIND_FIELD_NUMBER: _ClassVar[int]
    UNITS_FIELD_NUMBER: _ClassVar[int]
    APPLIED_FIELD_NUMBER: _ClassVar[int]
    REFERENCE_FIELD_NUMBER: _ClassVar[int]
    kind: CompensationKind
    units: int
    applied: bool
    reference: str
    def __init__(self, kind: _Optional[_Union[CompensationKind, str]] = ..., units: _Optional[int] = ..., applied: _Optional[bool] = ..., reference: _Optional[str] = ...) -> None: ...

class Drift(_message.Message):
    __slots__ = ("sku_id", "platform_id", "kind", "expected_units", "observed_units", "difference_units", "compensation")
    SKU_ID_FIELD_NUMBER: _ClassVar[int]
    PLATFORM_ID_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    EXPECTED_UNITS_FIELD_NUMBER: _ClassVar[int]
    OBSERVED_UNITS_FIELD_NUMBER: _ClassVar[int]
    DIFFERENCE_UNITS_FIELD_NUMBER: _ClassVar[int]
    COMPENSATION_FIELD_NUMBER: _ClassVar[int]
    sku_id: str
    platform_id: str
    kind: DriftKind
    expected_units: int
    observed_units: int
    difference_units: int
    compensation: Compensation
    def __init__(self, sku_id: _Optional[str] = ..., platform_id: _Optional[str] = ..., kind: _Optional[_Union[DriftKind, str]] = ..., expected_units: _Optional[int] = ..., observed_units: _Optional[int] = ..., difference_units: _Optional[int] = ..., compensation: _Optional[_Union[Compensation, _Mapping]] = ...) -> None: ...

class Reconciliation(_message.Message):
    __slots__ = ("reconciliation_id", "trigger", "state", "platform_id", "sku_ids", "repair", "start_time", "finish_time", "checked_pair_count", "drift_count", "drifts", "error")
    RECONCILIATION_ID_FIELD_NUMBER: _ClassVar[int]
    TRIGGER_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    PLATFORM_ID_FIELD_NUMBER: _ClassVar[int]
    SKU_IDS_FIELD_NUMBER: _ClassVar[int]
    REPAIR_FIELD_NUMBER: _ClassVar[int]
    START_TIME_FIELD_NUMBER: _ClassVar[int]
    FINISH_TIME_FIELD_NUMBER: _ClassVar[int]
    CHECKED_PAIR_COUNT_FIELD_NUMBER: _ClassVar[int]
    DRIFT_COUNT_FIELD_NUMBER: _ClassVar[int]
    DRIFTS_FIELD_NUMBER: _ClassVar[int]
    ERROR_FIELD_NUMBER: _ClassVar[int]
    reconciliation_id: str
    trigger: ReconciliationTrigger
    state: ReconciliationState
    platform_id: str
    sku_ids: _containers.RepeatedScalarFieldContainer[str]
    repair: bool
    start_time: _timestamp_pb2.Timestamp
    finish_time: _timestamp_pb2.Timestamp
    checked_pair_count: int
    drift_count: int
    drifts: _containers.RepeatedCompositeFieldContainer[Drift]
    error: str
    def __init__(self, reconciliation_id: _Optional[str] = ..., trigger: _Optional[_Union[ReconciliationTrigger, str]] = ..., state: _Optional[_Union[ReconciliationState, str]] = ..., platform_id: _Optional[str] = ..., sku_ids: _Optional[_Iterable[str]] = ..., repair: _Optional[bool] = ..., start_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., finish_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., checked_pair_count: _Optional[int] = ..., drift_count: _Optional[int] = ..., drifts: _Optional[_Iterable[_Union[Drift, _Mapping]]] = ..., error: _Optional[str] = ...) -> None: ...

class ReconcileRequest(_message.Message):
    __slots__ = ("tenant_id", "request_id", "platform_id", "sku_ids", "repair", "platform_counts")
    TENANT_ID_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    PLATFORM_ID_FIELD_NUMBER: _ClassVar[int]
    SKU_IDS_FIELD_NUMBER: _ClassVar[int]
    REPAIR_FIELD_NUMBER: _ClassVar[int]
    PLATFORM_COUNTS_FIELD_NUMBER: _ClassVar[int]
    tenant_id: str
    request_id: str
    platform_id: str
    sku_ids: _containers.RepeatedScalarFieldContainer[str]
    repair: bool
    platform_counts: _containers.RepeatedCompositeFieldContainer[PlatformCount]
    def __init__(self, tenant_id: _Optional[str] = ..., request_id: _Optional[str] = ..., platform_id: _Optional[str] = ..., sku_ids: _Optional[_Iterable[str]] = ..., repair: _Optional[bool] = ..., platform_counts: _Optional[_Iterable[_Union[PlatformCount, _Mapping]]] = ...) -> None: ...

class ReconcileResponse(_message.Message):
    __slots__ = ("reconciliation",)
    RECONCILIATION_FIELD_NUMBER: _ClassVar[int]
    reconciliation: Reconciliation
    def __init__(self, reconciliation: _Optional[_Union[Reconciliation, _Mapping]] = ...) -> None: ...

class ListReconciliationsRequest(_message.Message):
    __slots__ = ("tenant_id", "page_size", "page_token", "platform_id", "with_drift_only", "start_time", "end_time")
    TENANT_ID_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    PLATFORM_ID_FIELD_NUMBER: _ClassVar[int]
    WITH_DRIFT_ONLY_FIELD_NUMBER: _ClassVar[int]
    START_TIME_FIELD_NUMBER: _ClassVar[int]
    END_TIME_FIELD_NUMBER: _ClassVar[int]
    tenant_id: str
    page_size: int
    page_token: str
    platform_id: str
    with_drift_only: bool
    start_time: _timestamp_pb2.Timestamp
    end_time: _timestamp_pb2.Timestamp
    def __init__(self, tenant_id: _Optional[str] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ..., platform_id: _Optional[str] = ..., with_drift_only: _Optional[bool] = ..., start_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., end_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class ListReconciliationsResponse(_message.Message):
    __slots__ = ("reconciliations", "next_page_token")
    RECONCILIATIONS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    reconciliations: _containers.RepeatedCompositeFieldContainer[Reconciliation]
    next_page_token: str
    def __init__(self, reconciliations: _Optional[_Iterable[_Union[Reconciliation, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class GetReconciliationRequest(_message.Message):
    __slots__ = ("tenant_id", "reconciliation_id")
    TENANT_ID_FIELD_NUMBER: _ClassVar[int]
    RECONCILIATION_ID_FIELD_NUMBER: _ClassVar[int]
    tenant_id: str
    reconciliation_id: str
    def __init__(self, tenant_id: _Optional[str] = ..., reconciliation_id: _Optional[str] = ...) -> None: ...

class GetReconciliationResponse(_message.Message):
    __slots__ = ("reconciliation",)
    RECONCILIATION_FIELD_NUMBER: _ClassVar[int]
    reconciliation: Reconciliation
    def __init__(self, reconciliation: _Optional[_Union[Reconciliation, _Mapping]] = ...) -> None: ...
