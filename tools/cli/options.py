"""Options shared by many commands, and the parsing of enum choices and durations."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any, Final

import typer
from google.protobuf import duration_pb2
from google.protobuf.internal.enum_type_wrapper import EnumTypeWrapper

from tools.cli.output import enum_prefix

# The range of the proto field a number goes to: a value outside it cannot be sent at all, so it
# is a usage error naming the option (the service still judges the values it can receive).
INT32_MIN: Final = -(2**31)
INT32_MAX: Final = 2**31 - 1
INT64_MIN: Final = -(2**63)
INT64_MAX: Final = 2**63 - 1
INT32: Final = {"min": INT32_MIN, "max": INT32_MAX}
INT64: Final = {"min": INT64_MIN, "max": INT64_MAX}

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
    int,
    typer.Option(
        "--page-size", help="Items per page (0: the service's default).", min=0, max=INT32_MAX
    ),
]
PageToken = Annotated[
    str, typer.Option("--page-token", help="The token printed after the previous page.")
]

After = Annotated[
    int,
    typer.Option(
        "--from",
        help="Start after this sequence (0: from the start of the log).",
        min=0,
        max=INT64_MAX,
    ),
]
Limit = Annotated[
    int, typer.Option("--limit", help="Stop after this many items (0: at Ctrl-C).", min=0)
]


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
# The longest span taken: a protobuf Duration reaches 10,000 years; no setting needs a century.
_LONGEST_SPAN: Final = timedelta(days=36500)


def parse_span(text: str) -> timedelta:
    """`90`, `90s`, `15m`, `1h30m`, `500ms` -> a timedelta (a bare number is seconds)."""
    text = text.strip()
    if re.fullmatch(r"\d+(?:\.\d+)?", text):
        seconds = float(text)
    elif not text or _SPAN_PART.sub("", text):
        raise typer.BadParameter(f"{text!r} is not a duration like 90s, 15m or 1h30m")
    else:
        seconds = sum(float(n) * _UNITS[unit] for n, unit in _SPAN_PART.findall(text))
    if seconds > _LONGEST_SPAN.total_seconds():
        raise typer.BadParameter(f"{text!r} is longer than {_LONGEST_SPAN.days} days")
    return timedelta(seconds=seconds)


def parse_moment(text: str, now: datetime | None = None) -> datetime:
    """A point in time: an ISO-8601 time (`2026-11-11T20:00:00+08:00`, `2026-11-11`; UTC when it
    names no zone) or a span from now (`14d`, `1h30m`)."""
    text = text.strip()
    if re.fullmatch(r"(?:\d+(?:\.\d+)?(?:ms|s|m|h|d))+", text):
        return (now or datetime.now(UTC)) + parse_span(text)
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise typer.BadParameter(
            f"{text!r} is neither an ISO-8601 time like 2026-11-11T20:00:00+08:00 "
            "nor a span from now like 14d"
        ) from None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def duration(text: str) -> duration_pb2.Duration:
    """A parsed span as a protobuf Duration."""
    message = duration_pb2.Duration()
    message.FromTimedelta(parse_span(text))
    return message
