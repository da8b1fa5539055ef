"""How results reach the terminal: rich tables for people, JSON (`--json`) for scripts."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC
from typing import Any, Protocol, cast

import typer
from google.protobuf import duration_pb2, timestamp_pb2
from google.protobuf.descriptor import EnumDescriptor
from google.protobuf.json_format import MessageToDict
from google.protobuf.message import Message
from rich.console import Console
from rich.markup import escape
from rich.table import Table
from rich.text import Text


def console(*, stderr: bool = False) -> Console:
    """A console on the current stdout/stderr (made per use, so test runners can swap them)."""
    return Console(stderr=stderr, highlight=False)


def as_dict(message: Message) -> dict[str, Any]:
    """A message as the JSON the services' field names promise, zero values included."""
    return MessageToDict(
        message, preserving_proto_field_name=True, always_print_fields_with_no_presence=True
    )


def print_json(value: Message | dict[str, Any], *, compact: bool = False) -> None:
    """One JSON document on stdout (compact: one line, for streams)."""
    data = as_dict(value) if isinstance(value, Message) else value
    typer.echo(json.dumps(data, separators=(",", ":")) if compact else json.dumps(data, indent=2))


def enum_prefix(descriptor: EnumDescriptor) -> str:
    """`LockStage` -> `LOCK_STAGE_`, the prefix buf style puts on every value."""
    return re.sub(r"(?<!^)(?=[A-Z])", "_", descriptor.name).upper() + "_"


def enum_label(descriptor: EnumDescriptor, number: int) -> str:
    """A value's name without its enum's prefix: `LOCK_STAGE_CART` -> `CART`."""
    value = descriptor.values_by_number.get(number)
    if value is None:
        return str(number)
    return value.name.removeprefix(enum_prefix(descriptor))


def label(message: Message, field: str) -> str:
    """The short label of an enum field of a message."""
    enum_type = message.DESCRIPTOR.fields_by_name[field].enum_type
    return enum_label(enum_type, getattr(message, field))


def labels(message: Message, field: str) -> str:
    """The short labels of a repeated enum field, comma separated."""
    enum_type = message.DESCRIPTOR.fields_by_name[field].enum_type
    return ", ".join(enum_label(enum_type, number) for number in getattr(message, field))


def when(stamp: timestamp_pb2.Timestamp) -> str:
    """A timestamp in UTC to the second, or empty when unset."""
    if stamp.seconds == 0 and stamp.nanos == 0:
        return ""
    return stamp.ToDatetime(tzinfo=UTC).strftime("%Y-%m-%d %H:%M:%SZ")


def span(duration: duration_pb2.Duration) -> str:
    """A duration as `1h30m5s` (empty when unset: the service's default applies)."""
    total = duration.seconds
    if total == 0 and duration.nanos == 0:
        return ""
    if duration.nanos:
        return f"{total + duration.nanos / 1e9:g}s"
    parts = []
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60), ("s", 1)):
        count, total = divmod(total, size)
        if count:
            parts.append(f"{count}{unit}")
    return "".join(parts)


def plain(value: object) -> Text:
    """A value printed as it is: text from the services (titles, notes, reasons, summaries) is
    never read as rich markup, so `[/b]` in a SKU title neither breaks a table nor vanishes."""
    return value if isinstance(value, Text) else Text(str(value))


def _title(title: str) -> Text:
    return Text(title, style="table.title")


def rows(title: str, columns: Sequence[str], values: Iterable[Sequence[object]]) -> None:
    """A table with one row per item."""
    table = Table(title=_title(title), title_justify="left")
    cells = [list(value) for value in values]
    for index, column in enumerate(columns):
        numeric = bool(cells) and all(isinstance(row[index], int | float) for row in cells)
        table.add_column(plain(column), overflow="fold", justify="right" if numeric else "left")
    for row in cells:
        table.add_row(*(plain(cell) for cell in row))
    console().print(table)


def record(title: str, pairs: Iterable[tuple[str, object]]) -> None:
    """A two-column table of one item's fields."""
    table = Table(title=_title(title), title_justify="left", show_header=False)
    table.add_column(style="bold")
    table.add_column(overflow="fold")
    for name, value in pairs:
        table.add_row(plain(name), plain(value))
    console().print(table)


def line(text: str) -> None:
    """One line of rich markup on stdout: whatever in it came from a service goes through
    `quoted` first."""
    console().print(text)


def quoted(value: object) -> str:
    """A service's text made safe to put inside rich markup."""
    return escape(str(value))


def next_page(token: str) -> None:
    """Tells a person how to fetch the next page (on stderr, so stdout stays the table)."""
    if token:
        console(stderr=True).print(f"more: --page-token {token}", markup=False)


class Page(Protocol):
    """A List response: its items and the token of the next page."""

    next_page_token: str


def listing(as_json: bool, response: Message, render: Callable[[], None]) -> None:
    """A page of a List RPC: the whole response as JSON, or the table `render` prints and the
    hint to the next page."""
    if as_json:
        print_json(response)
        return
    render()
    next_page(cast(Page, response).next_page_token)
