import datetime

from google.protobuf import timestamp_pb2 as _timestamp_pb2
from streamstock.alerting.v1 import alerts_pb2 as _alerts_pb2
from streamstock.alerting.v1 import receivers_pb2 as _receivers_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class NotificationKind(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    NOTIFICATION_KIND_UNSPECIFIED: _ClassVar[NotificationKind]
    NOTIFICATION_KIND_FIRING: _ClassVar[NotificationKind]
    NOTIFICATION_KIND_REPEAT: _ClassVar[NotificationKind]
    NOTIFICATION_KIND_ESCALATION: _ClassVar[NotificationKind]
    NOTIFICATION_KIND_RESOLVED: _ClassVar[NotificationKind]

class DeliveryStatus(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    DELIVERY_STATUS_UNSPECIFIED: _ClassVar[DeliveryStatus]
    DELIVERY_STATUS_SCHEDULED: _ClassVar[DeliveryStatus]
    DELIVERY_STATUS_RETRYING: _ClassVar[DeliveryStatus]
    DELIVERY_STATUS_DELIVERED: _ClassVar[DeliveryStatus]
    DELIVERY_STATUS_FAILED: _ClassVar[DeliveryStatus]
    DELIVERY_STATUS_CANCELLED: _ClassVar[DeliveryStatus]
    DELIVERY_STATUS_SUPPRESSED: _ClassVar[DeliveryStatus]
NOTIFICATION_KIND_UNSPECIFIED: NotificationKind
NOTIFICATION_KIND_FIRING: NotificationKind
NOTIFICATION_KIND_REPEAT: NotificationKind
NOTIFICATION_KIND_ESCALATION: NotificationKind
NOTIFICATION_KIND_RESOLVED: NotificationKind
DELIVERY_STATUS_UNSPECIFIED: DeliveryStatus
DELIVERY_STATUS_SCHEDULED: DeliveryStatus
DELIVERY_STATUS_RETRYING: DeliveryStatus
DELIVERY_STATUS_DELIVERED: DeliveryStatus
DELIVERY_STATUS_FAILED: DeliveryStatus
DELIVERY_STATUS_CANCELLED: DeliveryStatus
DELIVERY_STATUS_SUPPRESSED: DeliveryStatus

class Delivery(_message.Message):
    __slots__ = ("delivery_id", "alert_id", "receiver_id", "channel", "kind", "escalation_step", "status", "attempt_count", "idempotency_key", "create_time", "due_time", "last_attempt_time", "next_attempt_time", "deliver_time", "last_error")
    DELIVERY_ID_FIELD_NUMBER: _ClassVar[int]
    ALERT_ID_FIELD_NUMBER: _ClassVar[int]
    RECEIVER_ID_FIELD_NUMBER: _ClassVar[int]
    CHANNEL_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    ESCALATION_STEP_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    ATTEMPT_COUNT_FIELD_NUMBER: _ClassVar[int]
    IDEMPOTENCY_KEY_FIELD_NUMBER: _ClassVar[int]
    CREATE_TIME_FIELD_NUMBER: _ClassVar[int]
    DUE_TIME_FIELD_NUMBER: _ClassVar[int]
    LAST_ATTEMPT_TIME_FIELD_NUMBER: _ClassVar[int]
    NEXT_ATTEMPT_TIME_FIELD_NUMBER: _ClassVar[int]
    DELIVER_TIME_FIELD_NUMBER: _ClassVar[int]
    LAST_ERROR_FIELD_NUMBER: _ClassVar[int]
    delivery_id: str
    alert_id: str
    receiver_id: str
    channel: _receivers_pb2.NotificationChannel
    kind: NotificationKind
    escalation_step: int
    status: DeliveryStatus
    attempt_count: int
    idempotency_key: str
    create_time: _timestamp_pb2.Timestamp
    due_time: _timestamp_pb2.Timestamp
    last_attempt_time: _timestamp_pb2.Timestamp
    next_attempt_time: _timestamp_pb2.Timestamp
    deliver_time: _timestamp_pb2.Timestamp
    last_error: str
    def __init__(self, delivery_id: _Optional[str] = ..., alert_id: _Optional[str] = ..., receiver_id: _Optional[str] = ..., channel: _Optional[_Union[_receivers_pb2.NotificationChannel, str]] = ..., kind: _Optional[_Union[NotificationKind, str]] = ..., escalation_step: _Optional[int] = ..., status: _Optional[_Union[DeliveryStatus, str]] = ..., attempt_count: _Optional[int] = ..., idempotency_key: _Optional[str] = ..., create_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., due_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., last_attempt_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., next_attempt_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., deliver_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., last_error: _Optional[str] = ...) -> None: ...

class InboxItem(_message.Message):
    __slots__ = ("item_id", "receiver_id", "kind", "alert", "create_time")
    ITEM_ID_FIELD_NUMBER: _ClassVar[int]
    RECEIVER_ID_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    ALERT_FIELD_NUMBER: _ClassVar[int]
    CREATE_TIME_FIELD_NUMBER: _ClassVar[int]
    item_id: str
    receiver_id: str
    kind: NotificationKind
    alert: _alerts_pb2.Alert
    create_time: _timestamp_pb2.Timestamp
    def __init__(self, item_id: _Optional[str] = ..., receiver_id: _Optional[str] = ..., kind: _Optional[_Union[NotificationKind, str]] = ..., alert: _Optional[_Union[_alerts_pb2.Alert, _Mapping]] = ..., create_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class ListInboxItemsRequest(_message.Message):
    __slots__ = ("tenant_id", "page_size", "page_token", "receiver_id", "unacknowledged_only")
    TENANT_ID_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    RECEIVER_ID_FIELD_NUMBER: _ClassVar[int]
    UNACKNOWLEDGED_ONLY_FIELD_NUMBER: _ClassVar[int]
    tenant_id: str
    page_size: int
    page_token: str
    receiver_id: str
    unacknowledged_only: bool
    def __init__(self, tenant_id: _Optional[str] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ..., receiver_id: _Optional[str] = ..., unacknowledged_only: _Optional[bool] = ...) -> None: ...

class ListInboxItemsResponse(_message.Message):
    __slots__ = ("items", "next_page_token")
    ITEMS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    items: _containers.RepeatedCompositeFieldContainer[InboxItem]
    next_page_token: str
    def __init__(self, items: _Optional[_Iterable[_Union[InboxItem, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class ListDeliveriesRequest(_message.Message):
    __slots__ = ("tenant_id", "page_size", "page_token", "alert_id", "receiver_id", "channel", "statuses")
    TENANT_ID_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    ALERT_ID_FIELD_NUMBER: _ClassVar[int]
    RECEIVER_ID_FIELD_NUMBER: _ClassVar[int]
    CHANNEL_FIELD_NUMBER: _ClassVar[int]
    STATUSES_FIELD_NUMBER: _ClassVar[int]
    tenant_id: str
    page_size: int
    page_token: str
    alert_id: str
    receiver_id: str
    channel: _receivers_pb2.NotificationChannel
    statuses: _containers.RepeatedScalarFieldContainer[DeliveryStatus]
    def __init__(self, tenant_id: _Optional[str] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ..., alert_id: _Optional[str] = ..., receiver_id: _Optional[str] = ..., channel: _Optional[_Union[_receivers_pb2.NotificationChannel, str]] = ..., statuses: _Optional[_Iterable[_Union[DeliveryStatus, str]]] = ...) -> None: ...

class ListDeliveriesResponse(_message.Message):
    __slots__ = ("deliveries", "next_page_token")
    DELIVERIES_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    deliveries: _containers.RepeatedCompositeFieldContainer[Delivery]
    next_page_token: str
    def __init__(self, deliveries: _Optional[_Iterable[_Union[Delivery, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...
