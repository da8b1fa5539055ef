import datetime

from google.protobuf import duration_pb2 as _duration_pb2
from google.protobuf import timestamp_pb2 as _timestamp_pb2
from streamstock.alerting.v1 import receivers_pb2 as _receivers_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class BuyerReminderStatus(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    BUYER_REMINDER_STATUS_UNSPECIFIED: _ClassVar[BuyerReminderStatus]
    BUYER_REMINDER_STATUS_PENDING: _ClassVar[BuyerReminderStatus]
    BUYER_REMINDER_STATUS_SENT: _ClassVar[BuyerReminderStatus]
    BUYER_REMINDER_STATUS_FAILED: _ClassVar[BuyerReminderStatus]
    BUYER_REMINDER_STATUS_CANCELLED: _ClassVar[BuyerReminderStatus]
    BUYER_REMINDER_STATUS_SKIPPED: _ClassVar[BuyerReminderStatus]
BUYER_REMINDER_STATUS_UNSPECIFIED: BuyerReminderStatus
BUYER_REMINDER_STATUS_PENDING: BuyerReminderStatus
BUYER_REMINDER_STATUS_SENT: BuyerReminderStatus
BUYER_REMINDER_STATUS_FAILED: BuyerReminderStatus
BUYER_REMINDER_STATUS_CANCELLED: BuyerReminderStatus
BUYER_REMINDER_STATUS_SKIPPED: BuyerReminderStatus

class PlatformReminderTarget(_message.Message):
    __slots__ = ("platform_id", "webhook")
    PLATFORM_ID_FIELD_NUMBER: _ClassVar[int]
    WEBHOOK_FIELD_NUMBER: _ClassVar[int]
    platform_id: str
    webhook: _receivers_pb2.WebhookTarget
    def __init__(self, platform_id: _Optional[str] = ..., webhook: _Optional[_Union[_receivers_pb2.WebhookTarget, _Mapping]] = ...) -> None: ...

class BuyerReminderSettings(_message.Message):
    __slots__ = ("enabled", "default_webhook", "platform_targets", "minimum_remaining", "update_time")
    ENABLED_FIELD_NUMBER: _ClassVar[int]
    DEFAULT_WEBHOOK_FIELD_NUMBER: _ClassVar[int]
    PLATFORM_TARGETS_FIELD_NUMBER: _ClassVar[int]
    MINIMUM_REMAINING_FIELD_NUMBER: _ClassVar[int]
    UPDATE_TIME_FIELD_NUMBER: _ClassVar[int]
    enabled: bool
    default_webhook: _receivers_pb2.WebhookTarget
    platform_targets: _containers.RepeatedCompositeFieldContainer[PlatformReminderTarget]
    minimum_remaining: _duration_pb2.Duration
    update_time: _timestamp_pb2.Timestamp
    def __init__(self, enabled: _Optional[bool] = ..., default_webhook: _Optional[_Union[_receivers_pb2.WebhookTarget, _Mapping]] = ..., platform_targets: _Optional[_Iterable[_Union[PlatformReminderTarget, _Mapping]]] = ..., minimum_remaining: _Optional[_Union[datetime.timedelta, _duration_pb2.Duration, _Mapping]] = ..., update_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class BuyerReminder(_message.Message):
    __slots__ = ("reminder_id", "reservation_id", "user_id", "order_id", "sku_ids", "platform_id", "hold_expire_time", "status", "attempt_count", "create_time", "send_time", "detail")
    REMINDER_ID_FIELD_NUMBER: _ClassVar[int]
    RESERVATION_ID_FIELD_NUMBER: _ClassVar[int]
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    ORDER_ID_FIELD_NUMBER: _ClassVar[int]
    SKU_IDS_FIELD_NUMBER: _ClassVar[int]
    PLATFORM_ID_FIELD_NUMBER: _ClassVar[int]
    HOLD_EXPIRE_TIME_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    ATTEMPT_COUNT_FIELD_NUMBER: _ClassVar[int]
    CREATE_TIME_FIELD_NUMBER: _ClassVar[int]
    SEND_TIME_FIELD_NUMBER: _ClassVar[int]
    DETAIL_FIELD_NUMBER: _ClassVar[int]
    reminder_id: str
    reservation_id: str
    user_id: str
    order_id: str
    sku_ids: _containers.RepeatedScalarFieldContainer[str]
    platform_id: str
    hold_expire_time: _timestamp_pb2.Timestamp
    status: BuyerReminderStatus
    attempt_count: int
    create_time: _timestamp_pb2.Timestamp
    send_time: _timestamp_pb2.Timestamp
    detail: str
    def __init__(self, reminder_id: _Optional[str] = ..., reservation_id: _Optional[str] = ..., user_id: _Optional[str] = ..., order_id: _Optional[str] = ..., sku_ids: _Optional[_Iterable[str]] = ..., platform_id: _Optional[str] = ..., hold_expire_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., status: _Optional[_Union[BuyerReminderStatus, str]] = ..., attempt_count: _Optional[int] = ..., create_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., send_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., detail: _Optional[str] = ...) -> None: ...

class GetBuyerReminderSettingsRequest(_message.Message):
    __slots__ = ("tenant_id",)
    TENANT_ID_FIELD_NUMBER: _ClassVar[int]
    tenant_id: str
    def __init__(self, tenant_id: _Optional[str] = ...) -> None: ...

class GetBuyerReminderSettingsResponse(_message.Message):
    __slots__ = ("settings",)
    SETTINGS_FIELD_NUMBER: _ClassVar[int]
    settings: BuyerReminderSettings
    def __init__(self, settings: _Optional[_Union[BuyerReminderSettings, _Mapping]] = ...) -> None: ...

class UpdateBuyerReminderSettingsRequest(_message.Message):
    __slots__ = ("tenant_id", "request_id", "settings")
    TENANT_ID_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    SETTINGS_FIELD_NUMBER: _ClassVar[int]
    tenant_id: str
    request_id: str
    settings: BuyerReminderSettings
    def __init__(self, tenant_id: _Optional[str] = ..., request_id: _Optional[str] = ..., settings: _Optional[_Union[BuyerReminderSettings, _Mapping]] = ...) -> None: ...

class UpdateBuyerReminderSettingsResponse(_message.Message):
    __slots__ = ("settings",)
    SETTINGS_FIELD_NUMBER: _ClassVar[int]
    settings: BuyerReminderSettings
    def __init__(self, settings: _Optional[_Union[BuyerReminderSettings, _Mapping]] = ...) -> None: ...

class ListBuyerRemindersRequest(_message.Message):
    __slots__ = ("tenant_id", "page_size", "page_token", "user_id", "reservation_id", "sku_id", "platform_id", "statuses")
    TENANT_ID_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    RESERVATION_ID_FIELD_NUMBER: _ClassVar[int]
    SKU_ID_FIELD_NUMBER: _ClassVar[int]
    PLATFORM_ID_FIELD_NUMBER: _ClassVar[int]
    STATUSES_FIELD_NUMBER: _ClassVar[int]
    tenant_id: str
    page_size: int
    page_token: str
    user_id: str
    reservation_id: str
    sku_id: str
    platform_id: str
    statuses: _containers.RepeatedScalarFieldContainer[BuyerReminderStatus]
    def __init__(self, tenant_id: _Optional[str] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ..., user_id: _Optional[str] = ..., reservation_id: _Optional[str] = ..., sku_id: _Optional[str] = ..., platform_id: _Optional[str] = ..., statuses: _Optional[_Iterable[_Union[BuyerReminderStatus, str]]] = ...) -> None: ...

class ListBuyerRemindersResponse(_message.Message):
    __slots__ = ("reminders", "next_page_token")
    REMINDERS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    reminders: _containers.RepeatedCompositeFieldContainer[BuyerReminder]
    next_page_token: str
    def __init__(self, reminders: _Optional[_Iterable[_Union[BuyerReminder, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...
