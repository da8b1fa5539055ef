from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from typing import ClassVar as _ClassVar

DESCRIPTOR: _descriptor.FileDescriptor

class ErrorReason(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    ERROR_REASON_UNSPECIFIED: _ClassVar[ErrorReason]
    ERROR_REASON_INVALID_ARGUMENT: _ClassVar[ErrorReason]
    ERROR_REASON_REQUEST_ID_REUSED: _ClassVar[ErrorReason]
    ERROR_REASON_API_KEY_MISSING: _ClassVar[ErrorReason]
    ERROR_REASON_API_KEY_UNKNOWN: _ClassVar[ErrorReason]
    ERROR_REASON_TENANT_MISMATCH: _ClassVar[ErrorReason]
    ERROR_REASON_ROLE_NOT_ALLOWED: _ClassVar[ErrorReason]
    ERROR_REASON_PLAN_NOT_FOUND: _ClassVar[ErrorReason]
    ERROR_REASON_PLAN_ALREADY_ENDED: _ClassVar[ErrorReason]
    ERROR_REASON_PLAN_ALREADY_STARTED: _ClassVar[ErrorReason]
    ERROR_REASON_PLAN_OVERLAPS: _ClassVar[ErrorReason]
    ERROR_REASON_ALERT_POLICY_NOT_FOUND: _ClassVar[ErrorReason]
    ERROR_REASON_RECEIVER_NOT_FOUND: _ClassVar[ErrorReason]
    ERROR_REASON_SECRET_REF_UNKNOWN: _ClassVar[ErrorReason]
    ERROR_REASON_ALERT_NOT_FOUND: _ClassVar[ErrorReason]
    ERROR_REASON_ALERT_ALREADY_ACKNOWLEDGED: _ClassVar[ErrorReason]
    ERROR_REASON_NO_LIVE_SESSION_PLAN: _ClassVar[ErrorReason]
    ERROR_REASON_WATCH_SEQUENCE_EXPIRED: _ClassVar[ErrorReason]
ERROR_REASON_UNSPECIFIED: ErrorReason
ERROR_REASON_INVALID_ARGUMENT: ErrorReason
ERROR_REASON_REQUEST_ID_REUSED: ErrorReason
ERROR_REASON_API_KEY_MISSING: ErrorReason
ERROR_REASON_API_KEY_UNKNOWN: ErrorReason
ERROR_REASON_TENANT_MISMATCH: ErrorReason
ERROR_REASON_ROLE_NOT_ALLOWED: ErrorReason
ERROR_REASON_PLAN_NOT_FOUND: ErrorReason
ERROR_REASON_PLAN_ALREADY_ENDED: ErrorReason
ERROR_REASON_PLAN_ALREADY_STARTED: ErrorReason
ERROR_REASON_PLAN_OVERLAPS: ErrorReason
ERROR_REASON_ALERT_POLICY_NOT_FOUND: ErrorReason
ERROR_REASON_RECEIVER_NOT_FOUND: ErrorReason
ERROR_REASON_SECRET_REF_UNKNOWN: ErrorReason
ERROR_REASON_ALERT_NOT_FOUND: ErrorReason
ERROR_REASON_ALERT_ALREADY_ACKNOWLEDGED: ErrorReason
ERROR_REASON_NO_LIVE_SESSION_PLAN: ErrorReason
ERROR_REASON_WATCH_SEQUENCE_EXPIRED: ErrorReason
