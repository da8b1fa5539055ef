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

class WithholdKind(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    WITHHOLD_KIND_UNSPECIFIED: _ClassVar[WithholdKind]
    WITHHOLD_KIND_SAFETY: _ClassVar[WithholdKind]
    WITHHOLD_KIND_VIP: _ClassVar[WithholdKind]
    WITHHOLD_KIND_GIFT: _ClassVar[WithholdKind]

class SaleStatus(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    SALE_STATUS_UNSPECIFIED: _ClassVar[SaleStatus]
    SALE_STATUS_ON_SALE: _ClassVar[SaleStatus]
    SALE_STATUS_PAUSED: _ClassVar[SaleStatus]
    SALE_STATUS_STOPPED: _ClassVar[SaleStatus]

class LockStage(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    LOCK_STAGE_UNSPECIFIED: _ClassVar[LockStage]
    LOCK_STAGE_CART: _ClassVar[LockStage]
    LOCK_STAGE_ORDER: _ClassVar[LockStage]
    LOCK_STAGE_PAYMENT: _ClassVar[LockStage]

class SaleMode(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    SALE_MODE_UNSPECIFIED: _ClassVar[SaleMode]
    SALE_MODE_REGULAR: _ClassVar[SaleMode]
    SALE_MODE_FLASH_SALE: _ClassVar[SaleMode]
    SALE_MODE_PRESALE: _ClassVar[SaleMode]

class RiskMode(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    RISK_MODE_UNSPECIFIED: _ClassVar[RiskMode]
    RISK_MODE_OFF: _ClassVar[RiskMode]
    RISK_MODE_SHADOW: _ClassVar[RiskMode]
    RISK_MODE_ENFORCE: _ClassVar[RiskMode]

class RiskFailMode(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    RISK_FAIL_MODE_UNSPECIFIED: _ClassVar[RiskFailMode]
    RISK_FAIL_MODE_OPEN: _ClassVar[RiskFailMode]
    RISK_FAIL_MODE_CLOSED: _ClassVar[RiskFailMode]

class AdjustmentReason(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    ADJUSTMENT_REASON_UNSPECIFIED: _ClassVar[AdjustmentReason]
    ADJUSTMENT_REASON_COUNT_CORRECTION: _ClassVar[AdjustmentReason]
    ADJUSTMENT_REASON_DAMAGED: _ClassVar[AdjustmentReason]
    ADJUSTMENT_REASON_LOST: _ClassVar[AdjustmentReason]
    ADJUSTMENT_REASON_FOUND: _ClassVar[AdjustmentReason]
    ADJUSTMENT_REASON_TRANSFER: _ClassVar[AdjustmentReason]
    ADJUSTMENT_REASON_OTHER: _ClassVar[AdjustmentReason]

class LedgerReason(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    LEDGER_REASON_UNSPECIFIED: _ClassVar[LedgerReason]
    LEDGER_REASON_SKU_CREATED: _ClassVar[LedgerReason]
    LEDGER_REASON_RESTOCK: _ClassVar[LedgerReason]
    LEDGER_REASON_ADJUSTMENT: _ClassVar[LedgerReason]
    LEDGER_REASON_WITHHOLD: _ClassVar[LedgerReason]
    LEDGER_REASON_RESERVE: _ClassVar[LedgerReason]
    LEDGER_REASON_CONFIRM: _ClassVar[LedgerReason]
    LEDGER_REASON_RELEASE: _ClassVar[LedgerReason]
    LEDGER_REASON_EXPIRE: _ClassVar[LedgerReason]
    LEDGER_REASON_RESIZE: _ClassVar[LedgerReason]
    LEDGER_REASON_CONSUME: _ClassVar[LedgerReason]
    LEDGER_REASON_RETURN: _ClassVar[LedgerReason]
    LEDGER_REASON_REPAIR: _ClassVar[LedgerReason]
WITHHOLD_KIND_UNSPECIFIED: WithholdKind
WITHHOLD_KIND_SAFETY: WithholdKind
WITHHOLD_KIND_VIP: WithholdKind
WITHHOLD_KIND_GIFT: WithholdKind
SALE_STATUS_UNSPECIFIED: SaleStatus
SALE_STATUS_ON_SALE: SaleStatus
SALE_STATUS_PAUSED: SaleStatus
SALE_STATUS_STOPPED: SaleStatus
LOCK_STAGE_UNSPECIFIED: LockStage
LOCK_STAGE_CART: LockStage
LOCK_STAGE_ORDER: LockStage
LOCK_STAGE_PAYMENT: LockStage
SALE_MODE_UNSPECIFIED: SaleMode
SALE_MODE_REGULAR: SaleMode
SALE_MODE_FLASH_SALE: SaleMode
SALE_MODE_PRESALE: SaleMode
RISK_MODE_UNSPECIFIED: RiskMode
RISK_MODE_OFF: RiskMode
RISK_MODE_SHADOW: RiskMode
RISK_MODE_ENFORCE: RiskMode
RISK_FAIL_MODE_UNSPECIFIED: RiskFailMode
RISK_FAIL_MODE_OPEN: RiskFailMode
RISK_FAIL_MODE_CLOSED: RiskFailMode
ADJUSTMENT_REASON_UNSPECIFIED: AdjustmentReason
ADJUSTMENT_REASON_COUNT_CORRECTION: AdjustmentReason
ADJUSTMENT_REASON_DAMAGED: AdjustmentReason
ADJUSTMENT_REASON_LOST: AdjustmentReason
ADJUSTMENT_REASON_FOUND: AdjustmentReason
ADJUSTMENT_REASON_TRANSFER: AdjustmentReason
ADJUSTMENT_REASON_OTHER: AdjustmentReason
LEDGER_REASON_UNSPECIFIED: LedgerReason
LEDGER_REASON_SKU_CREATED: LedgerReason
LEDGER_REASON_RESTOCK: LedgerReason
LEDGER_REASON_ADJUSTMENT: LedgerReason
LEDGER_REASON_WITHHOLD: LedgerReason
LEDGER_REASON_RESERVE: LedgerReason
LEDGER_REASON_CONFIRM: LedgerReason
LEDGER_REASON_RELEASE: LedgerReason
LEDGER_REASON_EXPIRE: LedgerReason
LEDGER_REASON_RESIZE: LedgerReason
LEDGER_REASON_CONSUME: LedgerReason
LEDGER_REASON_RETURN: LedgerReason
LEDGER_REASON_REPAIR: LedgerReason

class Sku(_message.Message):
    __slots__ = ("tenant_id", "sku_id", "title", "stock", "policy", "sale_status", "withheld", "create_time", "update_time", "version")
    TENANT_ID_FIELD_NUMBER: _ClassVar[int]
    SKU_ID_FIELD_NUMBER: _ClassVar[int]
    TITLE_FIELD_NUMBER: _ClassVar[int]
    STOCK_FIELD_NUMBER: _ClassVar[int]
    POLICY_FIELD_NUMBER: _ClassVar[int]
    SALE_STATUS_FIELD_NUMBER: _ClassVar[int]
    WITHHELD_FIELD_NUMBER: _ClassVar[int]
    CREATE_TIME_FIELD_NUMBER: _ClassVar[int]
    UPDATE_TIME_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    tenant_id: str
    sku_id: str
    title: str
    stock: StockLevels
    policy: SalePolicy
    sale_status: SaleStatus
    withheld: _containers.RepeatedCompositeFieldContainer[WithheldUnits]
    create_time: _timestamp_pb2.Timestamp
    update_time: _timestamp_pb2.Timestamp
    version: int
    def __init__(self, tenant_id: _Optional[str] = ..., sku_id: _Optional[str] = ..., title: _Optional[str] = ..., stock: _Optional[_Union[StockLevels, _Mapping]] = ..., policy: _Optional[_Union[SalePolicy, _Mapping]] = ..., sale_status: _Optional[_Union[SaleStatus, str]] = ..., withheld: _Optional[_Iterable[_Union[WithheldUnits, _Mapping]]] = ..., create_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., update_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., version: _Optional[int] = ...) -> None: ...

class StockLevels(_message.Message):
    __slots__ = ("on_hand", "withheld", "reserved", "sold", "sellable")
    ON_HAND_FIELD_NUMBER: _ClassVar[int]
    WITHHELD_FIELD_NUMBER: _ClassVar[int]
    RESERVED_FIELD_NUMBER: _ClassVar[int]
    SOLD_FIELD_NUMBER: _ClassVar[int]
    SELLABLE_FIELD_NUMBER: _ClassVar[int]
    on_hand: int
    withheld: int
    reserved: int
    sold: int
    sellable: int
    def __init__(self, on_hand: _Optional[int] = ..., withheld: _Optional[int] = ..., reserved: _Optional[int] = ..., sold: _Optional[int] = ..., sellable: _Optional[int] = ...) -> None: ...

class WithheldUnits(_message.Message):
    __slots__ = ("kind", "quantity")
    KIND_FIELD_NUMBER: _ClassVar[int]
    QUANTITY_FIELD_NUMBER: _ClassVar[int]
    kind: WithholdKind
    quantity: int
    def __init__(self, kind: _Optional[_Union[WithholdKind, str]] = ..., quantity: _Optional[int] = ...) -> None: ...

class SalePolicy(_message.Message):
    __slots__ = ("lock_stage", "sale_mode", "hold_ttl", "refresh_ttl_on_restock", "allow_extension", "max_extension", "max_extensions", "per_user_limit", "max_per_order", "expiring_soon_lead", "risk_mode", "risk_fail_mode", "risk_deadline", "presale_balance_due_time")
    LOCK_STAGE_FIELD_NUMBER: _ClassVar[int]
    SALE_MODE_FIELD_NUMBER: _ClassVar[int]
    HOLD_TTL_FIELD_NUMBER: _ClassVar[int]
    REFRESH_TTL_ON_RESTOCK_FIELD_NUMBER: _ClassVar[int]
    ALLOW_EXTENSION_FIELD_NUMBER: _ClassVar[int]
    MAX_EXTENSION_FIELD_NUMBER: _ClassVar[int]
    MAX_EXTENSIONS_FIELD_NUMBER: _ClassVar[int]
    PER_USER_LIMIT_FIELD_NUMBER: _ClassVar[int]
    MAX_PER_ORDER_FIELD_NUMBER: _ClassVar[int]
    EXPIRING_SOON_LEAD_FIELD_NUMBER: _ClassVar[int]
    RISK_MODE_FIELD_NUMBER: _ClassVar[int]
    RISK_FAIL_MODE_FIELD_NUMBER: _ClassVar[int]
    RISK_DEADLINE_FIELD_NUMBER: _ClassVar[int]
    PRESALE_BALANCE_DUE_TIME_FIELD_NUMBER: _ClassVar[int]
    lock_stage: LockStage
    sale_mode: SaleMode
    hold_ttl: _duration_pb2.Duration
    refresh_ttl_on_restock: bool
    allow_extension: bool
    max_extension: _duration_pb2.Duration
    max_extensions: int
    per_user_limit: int
    max_per_order: int
    expiring_soon_lead: _duration_pb2.Duration
    risk_mode: RiskMode
    risk_fail_mode: RiskFailMode
    risk_deadline: _duration_pb2.Duration
    presale_balance_due_time: _timestamp_pb2.Timestamp
    def __init__(self, lock_stage: _Optional[_Union[LockStage, str]] = ..., sale_mode: _Optional[_Union[SaleMode, str]] = ..., hold_ttl: _Optional[_Union[datetime.timedelta, _duration_pb2.Duration, _Mapping]] = ..., refresh_ttl_on_restock: _Optional[bool] = ..., allow_extension: _Optional[bool] = ..., max_extension: _Optional[_Union[datetime.timedelta, _duration_pb2.Duration, _Mapping]] = ..., max_extensions: _Optional[int] = ..., per_user_limit: _Optional[int] = ..., max_per_order: _Optional[int] = ..., expiring_soon_lead: _Optional[_Union[datetime.timedelta, _duration_pb2.Duration, _Mapping]] = ..., risk_mode: _Optional[_Union[RiskMode, str]] = ..., risk_fail_mode: _Optional[_Union[RiskFailMode, str]] = ..., risk_deadline: _Optional[_Union[datetime.timedelta, _duration_pb2.Duration, _Mapping]] = ..., presale_balance_due_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class LedgerEntry(_message.Message):
    __slots__ = ("entry_id", "sku_id", "reason", "on_hand_delta", "withheld_delta", "reserved_delta", "sold_delta", "reference", "note", "create_time")
    ENTRY_ID_FIELD_NUMBER: _ClassVar[int]
    SKU_ID_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    ON_HAND_DELTA_FIELD_NUMBER: _ClassVar[int]
    WITHHELD_DELTA_FIELD_NUMBER: _ClassVar[int]
    RESERVED_DELTA_FIELD_NUMBER: _ClassVar[int]
    SOLD_DELTA_FIELD_NUMBER: _ClassVar[int]
    REFERENCE_FIELD_NUMBER: _ClassVar[int]
    NOTE_FIELD_NUMBER: _ClassVar[int]
    CREATE_TIME_FIELD_NUMBER: _ClassVar[int]
    entry_id: int
    sku_id: str
    reason: LedgerReason
    on_hand_delta: int
    withheld_delta: int
    reserved_delta: int
    sold_delta: int
    reference: str
    note: str
    create_time: _timestamp_pb2.Timestamp
    def __init__(self, entry_id: _Optional[int] = ..., sku_id: _Optional[str] = ..., reason: _Optional[_Union[LedgerReason, str]] = ..., on_hand_delta: _Optional[int] = ..., withheld_delta: _Optional[int] = ..., reserved_delta: _Optional[int] = ..., sold_delta: _Optional[int] = ..., reference: _Optional[str] = ..., note: _Optional[str] = ..., create_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...
