"""The CLI's own parsing: durations, enum labels and reserve lines (no services involved)."""

from __future__ import annotations

import pytest
import typer
from google.protobuf import duration_pb2
from hypothesis import given
from hypothesis import strategies as st
from streamstock.alerting.v1 import policies_pb2
from streamstock.inventory.v1 import events_pb2, reservation_pb2, stock_pb2
from streamstock.riskcontrol.v1 import signals_pb2

from tools.cli import output
from tools.cli.holds import parse_line
from tools.cli.options import enum_value, labels, parse_span


@given(st.integers(min_value=1, max_value=10 * 365 * 86400))
def test_a_printed_duration_parses_back(seconds: int) -> None:
    printed = output.span(duration_pb2.Duration(seconds=seconds))
    assert parse_span(printed).total_seconds() == seconds


@pytest.mark.parametrize(
    ("text", "seconds"),
    [("90", 90), ("90s", 90), ("15m", 900), ("1h30m", 5400), ("500ms", 0.5), ("1d", 86400)],
)
def test_durations(text: str, seconds: float) -> None:
    assert parse_span(text).total_seconds() == seconds


@pytest.mark.parametrize("text", ["", "soon", "1h30", "-5m", "5 m"])
def test_what_is_not_a_duration(text: str) -> None:
    with pytest.raises(typer.BadParameter):
        parse_span(text)


@pytest.mark.parametrize(
    "enum_type",
    [
        stock_pb2.LockStage,
        stock_pb2.SaleMode,
        stock_pb2.AdjustmentReason,
        reservation_pb2.ReleaseReason,
        events_pb2.EventType,
        policies_pb2.Tier,
        signals_pb2.KeyLevel,
    ],
)
def test_every_label_names_its_value_and_back(enum_type: object) -> None:
    for label in labels(enum_type):  # type: ignore[arg-type]
        number = enum_value(enum_type, label)  # type: ignore[arg-type]
        assert number != 0
        shown = output.enum_label(enum_type.DESCRIPTOR, number)  # type: ignore[attr-defined]
        assert shown.lower().replace("_", "-") == label


def test_flash_sale_label() -> None:
    assert "flash-sale" in labels(stock_pb2.SaleMode)
    assert enum_value(stock_pb2.SaleMode, "flash-sale") == stock_pb2.SALE_MODE_FLASH_SALE
    assert enum_value(stock_pb2.SaleMode, None) == 0


@pytest.mark.parametrize(
    ("text", "sku_id", "quantity"), [("lipstick=2", "lipstick", 2), ("a.b:c:3", "a.b:c", 3)]
)
def test_reserve_lines(text: str, sku_id: str, quantity: int) -> None:
    line = parse_line(text)
    assert (line.sku_id, line.quantity) == (sku_id, quantity)


@pytest.mark.parametrize("text", ["lipstick", "=2", "lipstick=two"])
def test_what_is_not_a_reserve_line(text: str) -> None:
    with pytest.raises(typer.BadParameter):
        parse_line(text)
