import datetime

from google.protobuf import duration_pb2 as _duration_pb2
from google.protobuf import timestamp_pb2 as _timestamp_pb2
from streamstock.alerting.v1 import policies_pb2 as _policies_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class NotificationChannel(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    NOTIFICATION_CHANNEL_UNSPECIFIED: _ClassVar[NotificationChannel]
    NOTIFICATION_CHANNEL_IN_APP: _ClassVar[NotificationChannel]
    NOTIFICATION_CHANNEL_WEBHOOK: _ClassVar[NotificationChannel]
    NOTIFICATION_CHANNEL_SMS: _ClassVar[NotificationChannel]
    NOTIFICATION_CHANNEL_PHONE: _ClassVar[NotificationChannel]
NOTIFICATION_CHANNEL_UNSPECIFIED: NotificationChannel
NOTIFICATION_CHANNEL_IN_APP: NotificationChannel
NOTIFICATION_CHANNEL_WEBHOOK: NotificationChannel
NOTIFICATION_CHANNEL_SMS: NotificationChannel
NOTIFICATION_CHANNEL_PHONE: NotificationChannel

class WebhookTarget(_message.Message):
    __slots__ = ("url", "secret_ref")
    URL_FIELD_NUMBER: _ClassVar[int]
    SECRET_REF_FIELD_NUMBER: _ClassVar[int]
    url: str
    secret_ref: str
    def __init__(self, url: _Optional[str] = ..., secret_ref: _Optional[str] = ...) -> None: ...

class EscalationStep(_message.Message):
    __slots__ = ("channel", "after")
    CHANNEL_FIELD_NUMBER: _ClassVar[int]
    AFTER_FIELD_NUMBER: _ClassVar[int]
    channel: NotificationChannel
    after: _duration_pb2.Duration
    def __init__(self, channel: _Optional[_Union[NotificationChannel, str]] = ..., after: _Optional[_Union[datetime.timedelta, _duration_pb2.Duration, _Mapping]] = ...) -> None: ...

class Route(_message.Message):
    __slots__ = ("tiers", "sku_ids", "escalation", "notify_resolved")
    TIERS_FIELD_NUMBER: _ClassVar[int]
    SKU_IDS_FIELD_NUMBER: _ClassVar[int]
    ESCALATION_FIELD_NUMBER: _ClassVar[int]
    NOTIFY_RESOLVED_FIELD_NUMBER: _ClassVar[int]
    tiers: _containers.RepeatedScalarFieldContainer[_policies_pb2.Tier]
    sku_ids: _containers.RepeatedScalarFieldContainer[str]
    escalation: _containers.RepeatedCompositeFieldContainer[EscalationStep]
    notify_resolved: bool
    def __init__(self, tiers: _Optional[_Iterable[_Union[_policies_pb2.Tier, str]]] = ..., sku_ids: _Optional[_Iterable[str]] = ..., escalation: _Optional[_Iterable[_Union[EscalationStep, _Mapping]]] = ..., notify_resolved: _Optional[bool] = ...) -> None: ...

class Receiver(_message.Message):
    __slots__ = ("receiver_id", "display_name", "webhook", "sms_number", "voice_number", "routes", "muted", "create_time", "update_time")
    RECEIVER_ID_FIELD_NUMBER: _ClassVar[int]
    DISPLAY_NAME_FIELD_NUMBER: _ClassVar[int]
    WEBHOOK_FIELD_NUMBER: _ClassVar[int]
    SMS_NUMBER_FIELD_NUMBER: _ClassVar[int]
    VOICE_NUMBER_FIELD_NUMBER: _ClassVar[int]
    ROUTES_FIELD_NUMBER: _ClassVar[int]
    MUTED_FIELD_NUMBER: _ClassVar[int]
    CREATE_TIME_FIELD_NUMBER: _ClassVar[int]
    UPDATE_TIME_FIELD_NUMBER: _ClassVar[int]
    receiver_id: str
    display_name: str
    webhook: WebhookTarget
    sms_number: str
    voice_number: str
    routes: _containers.RepeatedCompositeFieldContainer[Route]
    muted: bool
    create_time: _timestamp_pb2.Timestamp
    update_time: _timestamp_pb2.Timestamp
    def __init__(self, receiver_id: _Optional[str] = ..., display_name: _Optional[str] = ..., webhook: _Optional[_Union[WebhookTarget, _Mapping]] = ..., sms_number: _Optional[str] = ..., voice_number: _Optional[str] = ..., routes: _Optional[_Iterable[_Union[Route, _Mapping]]] = ..., muted: _Optional[bool] = ..., create_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., update_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class UpsertReceiverRequest(_message.Message):
    __slots__ = ("tenant_id", "request_id", "receiver")
    TENANT_ID_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    RECEIVER_FIELD_NUMBER: _ClassVar[int]
    tenant_id: str
    request_id: str
    receiver: Receiver
    def __init__(self, tenant_id: _Optional[str] = ..., request_id: _Optional[str] = ..., receiver: _Optional[_Union[Receiver, _Mapping]] = ...) -> None: ...

class UpsertReceiverResponse(_message.Message):
    __slots__ = ("receiver", "created")
    RECEIVER_FIELD_NUMBER: _ClassVar[int]
    CREATED_FIELD_NUMBER: _ClassVar[int]
    receiver: Receiver
    created: bool
    def __init__(self, receiver: _Optional[_Union[Receiver, _Mapping]] = ..., created: _Optional[bool] = ...) -> None: ...

class GetReceiverRequest(_message.Message):
    __slots__ = ("tenant_id", "receiver_id")
    TENANT_ID_FIELD_NUMBER: _ClassVar[int]
    RECEIVER_ID_FIELD_NUMBER: _ClassVar[int]
    tenant_id: str
    receiver_id: str
    def __init__(self, tenant_id: _Optional[str] = ..., receiver_id: _Optional[str] = ...) -> None: ...

class GetReceiverResponse(_message.Message):
    __slots__ = ("receiver",)
    RECEIVER_FIELD_NUMBER: _ClassVar[int]
    receiver: Receiver
    def __init__(self, receiver: _Optional[_Union[Receiver, _Mapping]] = ...) -> None: ...

class ListReceiversRequest(_message.Message):
    __slots__ = ("tenant_id", "page_size", "page_token")
    TENANT_ID_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    tenant_id: str
    page_size: int
    page_token: str
    def __init__(self, tenant_id: _Optional[str] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ...) -> None: ...

class ListReceiversResponse(_message.Message):
    __slots__ = ("receivers", "next_page_token")
    RECEIVERS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    receivers: _containers.RepeatedCompositeFieldContainer[Receiver]
    next_page_token: str
    def __init__(self, receivers: _Optional[_Iterable[_Union[Receiver, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class DeleteReceiverRequest(_message.Message):
    __slots__ = ("tenant_id", "request_id", "receiver_id")
    TENANT_ID_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    RECEIVER_ID_FIELD_NUMBER: _ClassVar[int]
    tenant_id: str
    request_id: str
    receiver_id: str
    def __init__(self, tenant_id: _Optional[str] = ..., request_id: _Optional[str] = ..., receiver_id: _Optional[str] = ...) -> None: ...

class DeleteReceiverResponse(_message.Message):
    __slots__ = ("receiver",)
    RECEIVER_FIELD_NUMBER: _ClassVar[int]
    receiver: Receiver
    def __init__(self, receiver: _Optional[_Union[Receiver, _Mapping]] = ...) -> None: ...
