"""Options shared by many commands, and the parsing of enum choices and durations."""

from __future__ import annotations

import enum
import functools
import re
from datetime import timedelta
from typing import Annotated

import typer
from google.protobuf import duration_pb2
from google.protobuf.internal.enum_type_wrapper import EnumTypeWrapper

from tools.cli.output import enum_prefix

Json = Annotated[
    bool, typer.Option("--json", help="Print JSON (proto field names) instead of tables.")
]
RequestId = Annotated[
    str | None,
    typer.Option(
        "--request-id",
        help="Idempotency key; reuse it to retry safely. Default: a new one, shown on stderr.",
    ),
]
PageSize = Annotated[
    int, typer.Option("--page-size", help="Items per page (0: the service's default).")
]
PageToken = Annotated[
    str, typer.Option("--page-token", help="The token printed after the previous page.")
]

After = Annotated[
    int, typer.Option("--from", help="Start after this sequence (0: from the start of the log).")
]
Limit = Annotated[int, typer.Option("--limit", help="Stop after this many items (0: at Ctrl-C).")]


@functools.cache
def choice(enum_type: EnumTypeWrapper) -> type[enum.Enum]:
    """The values of a proto enum as lower-case choices without prefix: `flash-sale`."""
    prefix = enum_prefix(enum_type.DESCRIPTOR)
    labels = [
        value.name.removeprefix(prefix).lower().replace("_", "-")
        for value in enum_type.DESCRIPTOR.values
        if value.number != 0
    ]
    return enum.Enum(enum_type.DESCRIPTOR.name, [(label, label) for label in labels], type=str)  # type: ignore[return-value]


def enum_value(enum_type: EnumTypeWrapper, chosen: str | enum.Enum | None) -> int:
    """The number of a choice made with `choice` (0, unspecified, when none was made)."""
    if chosen is None:
        return 0
    text = chosen.value if isinstance(chosen, enum.Enum) else chosen
    return enum_type.Value(enum_prefix(enum_type.DESCRIPTOR) + text.upper().replace("-", "_"))


_SPAN_PART = re.compile(r"(\d+(?:\.\d+)?)(ms|s|m|h|d)")
_UNITS = {"ms": 0.001, "s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_span(text: str) -> timedelta:
    """`90`, `90s`, `15m`, `1h30m`, `500ms` -> a timedelta (a bare number is seconds)."""
    text = text.strip()
    if re.fullmatch(r"\d+(?:\.\d+)?", text):
        return timedelta(seconds=float(text))
    if not text or _SPAN_PART.sub("", text):
        raise typer.BadParameter(f"{text!r} is not a duration like 90s, 15m or 1h30m")
    return timedelta(seconds=sum(float(n) * _UNITS[unit] for n, unit in _SPAN_PART.findall(text)))


def duration(text: str) -> duration_pb2.Duration:
    """A parsed span as a protobuf Duration."""
    message = duration_pb2.Duration()
    message.FromTimedelta(parse_span(text))
    return message
