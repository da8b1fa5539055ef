import datetime

from google.protobuf import timestamp_pb2 as _timestamp_pb2
from streamstock.sync.v1 import errors_pb2 as _errors_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class SaleKind(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    SALE_KIND_UNSPECIFIED: _ClassVar[SaleKind]
    SALE_KIND_SALE: _ClassVar[SaleKind]
    SALE_KIND_CANCEL: _ClassVar[SaleKind]
    SALE_KIND_REFUND: _ClassVar[SaleKind]

class SaleLineOutcome(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    SALE_LINE_OUTCOME_UNSPECIFIED: _ClassVar[SaleLineOutcome]
    SALE_LINE_OUTCOME_APPLIED: _ClassVar[SaleLineOutcome]
    SALE_LINE_OUTCOME_DUPLICATE: _ClassVar[SaleLineOutcome]
    SALE_LINE_OUTCOME_DEFERRED: _ClassVar[SaleLineOutcome]
    SALE_LINE_OUTCOME_REJECTED: _ClassVar[SaleLineOutcome]
SALE_KIND_UNSPECIFIED: SaleKind
SALE_KIND_SALE: SaleKind
SALE_KIND_CANCEL: SaleKind
SALE_KIND_REFUND: SaleKind
SALE_LINE_OUTCOME_UNSPECIFIED: SaleLineOutcome
SALE_LINE_OUTCOME_APPLIED: SaleLineOutcome
SALE_LINE_OUTCOME_DUPLICATE: SaleLineOutcome
SALE_LINE_OUTCOME_DEFERRED: SaleLineOutcome
SALE_LINE_OUTCOME_REJECTED: SaleLineOutcome

class SaleLine(_message.Message):
    __slots__ = ("order_id", "line_id", "sku_id", "kind", "quantity", "occur_time")
    ORDER_ID_FIELD_NUMBER: _ClassVar[int]
    LINE_ID_FIELD_NUMBER: _ClassVar[int]
    SKU_ID_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    QUANTITY_FIELD_NUMBER: _ClassVar[int]
    OCCUR_TIME_FIELD_NUMBER: _ClassVar[int]
    order_id: str
    line_id: str
    sku_id: str
    kind: SaleKind
    quantity: int
    occur_time: _timestamp_pb2.Timestamp
    def __init__(self, order_id: _Optional[str] = ..., line_id: _Optional[str] = ..., sku_id: _Optional[str] = ..., kind: _Optional[_Union[SaleKind, str]] = ..., quantity: _Optional[int] = ..., occur_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class SaleLineResult(_message.Message):
    __slots__ = ("order_id", "line_id", "kind", "outcome", "applied_units", "reason", "detail")
    ORDER_ID_FIELD_NUMBER: _ClassVar[int]
    LINE_ID_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    OUTCOME_FIELD_NUMBER: _ClassVar[int]
    APPLIED_UNITS_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    DETAIL_FIELD_NUMBER: _ClassVar[int]
    order_id: str
    line_id: str
    kind: SaleKind
    outcome: SaleLineOutcome
    applied_units: int
    reason: _errors_pb2.ErrorReason
    detail: str
    def __init__(self, order_id: _Optional[str] = ..., line_id: _Optional[str] = ..., kind: _Optional[_Union[SaleKind, str]] = ..., outcome: _Optional[_Union[SaleLineOutcome, str]] = ..., applied_units: _Optional[int] = ..., reason: _Optional[_Union[_errors_pb2.ErrorReason, str]] = ..., detail: _Optional[str] = ...) -> None: ...

class ReportSalesRequest(_message.Message):
    __slots__ = ("tenant_id", "request_id", "platform_id", "lines")
    TENANT_ID_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    PLATFORM_ID_FIELD_NUMBER: _ClassVar[int]
    LINES_FIELD_NUMBER: _ClassVar[int]
    tenant_id: str
    request_id: str
    platform_id: str
    lines: _containers.RepeatedCompositeFieldContainer[SaleLine]
    def __init__(self, tenant_id: _Optional[str] = ..., request_id: _Optional[str] = ..., platform_id: _Optional[str] = ..., lines: _Optional[_Iterable[_Union[SaleLine, _Mapping]]] = ...) -> None: ...

class ReportSalesResponse(_message.Message):
    __slots__ = ("results",)
    RESULTS_FIELD_NUMBER: _ClassVar[int]
    results: _containers.RepeatedCompositeFieldContainer[SaleLineResult]
    def __init__(self, results: _Optional[_Iterable[_Union[SaleLineResult, _Mapping]]] = ...) -> None: ...
