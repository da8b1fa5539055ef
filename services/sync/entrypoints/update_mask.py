"""UpdatePlatform's field mask (AIP-134): which fields of the stored platform change."""

from __future__ import annotations

from streamstock.sync.v1 import platforms_pb2

from services.sync.domain.errors import InvalidArgument
from services.sync.domain.policy import Platform
from services.sync.entrypoints.codec import platform_of

_PLATFORM_FIELDS = ("display_name", "mode", "ack_timeout", "disabled")
_ENDPOINT_FIELDS = ("kind", "url", "credentials_ref", "request_timeout")
MUTABLE = (
    *_PLATFORM_FIELDS,
    "push_endpoint",
    *(f"push_endpoint.{name}" for name in _ENDPOINT_FIELDS),
)


def paths_of(request: platforms_pb2.Platform, mask: list[str]) -> list[str]:
    if "*" in mask:
        return [*_PLATFORM_FIELDS, "push_endpoint"]
    if mask:
        for index, path in enumerate(mask):
            if path not in MUTABLE:
                raise InvalidArgument(f"update_mask.paths[{index}]", f"{path!r} cannot be changed")
        return mask
    present = [name for name in _PLATFORM_FIELDS if _is_set(request, name)]
    endpoint = request.push_endpoint
    present += [f"push_endpoint.{n}" for n in _ENDPOINT_FIELDS if _is_set(endpoint, n)]
    return present


def _is_set(message: object, name: str) -> bool:
    value = getattr(message, name)
    if hasattr(value, "ByteSize"):
        return bool(value.ByteSize())
    return bool(value)


def apply(current: Platform, request: platforms_pb2.Platform, paths: list[str]) -> Platform:
    """The platform with the masked fields taken from the request (validated by the caller)."""
    merged = platforms_pb2.Platform(platform_id=current.platform_id)
    incoming = request
    for name in _PLATFORM_FIELDS:
        source = incoming if name in paths else None
        _copy(merged, source, current, name)
    endpoint_paths = {p.split(".", 1)[1] for p in paths if p.startswith("push_endpoint.")}
    whole_endpoint = "push_endpoint" in paths
    for name in _ENDPOINT_FIELDS:
        use_request = whole_endpoint or name in endpoint_paths
        _copy_endpoint(merged, incoming if use_request else None, current, name)
    if not merged.mode:
        merged.mode = int(current.mode)
    return platform_of(merged)


def _copy(
    target: platforms_pb2.Platform,
    source: platforms_pb2.Platform | None,
    current: Platform,
    name: str,
) -> None:
    if source is not None:
        if name == "ack_timeout":
            target.ack_timeout.CopyFrom(source.ack_timeout)
        else:
            setattr(target, name, getattr(source, name))
        return
    if name == "ack_timeout":
        target.ack_timeout.FromNanoseconds(int(current.ack_timeout_seconds * 1e9))
    elif name == "mode":
        target.mode = int(current.mode)
    else:
        setattr(target, name, getattr(current, name))


def _copy_endpoint(
    target: platforms_pb2.Platform,
    source: platforms_pb2.Platform | None,
    current: Platform,
    name: str,
) -> None:
    endpoint = target.push_endpoint
    if source is not None:
        if name == "request_timeout":
            endpoint.request_timeout.CopyFrom(source.push_endpoint.request_timeout)
        else:
            setattr(endpoint, name, getattr(source.push_endpoint, name))
        return
    stored = current.endpoint
    if name == "request_timeout":
        endpoint.request_timeout.FromNanoseconds(int(stored.request_timeout_seconds * 1e9))
    elif name == "kind":
        endpoint.kind = int(stored.kind)
    else:
        setattr(endpoint, name, getattr(stored, name))
