"""Options shared by many commands, and the parsing of enum choices and durations."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Annotated, Any

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


def labels(enum_type: EnumTypeWrapper) -> list[str]:
    """The values of a proto enum as lower-case labels without prefix: `flash-sale`."""
    prefix = enum_prefix(enum_type.DESCRIPTOR)
    return [
        value.name.removeprefix(prefix).lower().replace("_", "-")
        for value in enum_type.DESCRIPTOR.values
        if value.number != 0
    ]


def choice(enum_type: EnumTypeWrapper, *declarations: str, help: str) -> Any:
    """An option taking one (or, on a list parameter, each) of a proto enum's labels."""
    allowed = labels(enum_type)

    def check(value: str | list[str] | None) -> str | list[str] | None:
        for given in value if isinstance(value, list) else [value]:
            if given is not None and given not in allowed:
                raise typer.BadParameter(f"{given!r} is not one of {', '.join(allowed)}")
        return value

    return typer.Option(*declarations, help=help, metavar="|".join(allowed), callback=check)


def enum_value(enum_type: EnumTypeWrapper, chosen: str | None) -> int:
    """The number of a label made with `labels` (0, unspecified, when none was chosen)."""
    if chosen is None:
        return 0
    return enum_type.Value(enum_prefix(enum_type.DESCRIPTOR) + chosen.upper().replace("-", "_"))


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
