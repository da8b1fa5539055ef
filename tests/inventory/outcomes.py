"""Calls whose refusals are outcomes, not failures: a rush of holds counts both."""

from __future__ import annotations

from collections import Counter
from collections.abc import Awaitable, Sequence
from typing import TypeVar

import grpc
from streamstock.inventory.v1 import inventory_service_pb2_grpc

from tests.conftest import API_KEYS
from tests.inventory.conftest import Client, reason_of

T = TypeVar("T")


async def attempt(call: Awaitable[T]) -> T | str:
    """The call's answer, or the ErrorInfo reason it was refused with."""
    try:
        return await call
    except grpc.aio.AioRpcError as error:
        return reason_of(error)


def answers(outcomes: Sequence[T | str]) -> list[T]:
    return [outcome for outcome in outcomes if not isinstance(outcome, str)]


def refusals(outcomes: Sequence[object]) -> Counter[str]:
    return Counter(outcome for outcome in outcomes if isinstance(outcome, str))


def acme_admin(channel: grpc.aio.Channel) -> Client:
    """acme's admin calling over `channel`."""
    return Client(
        inventory_service_pb2_grpc.InventoryServiceStub(channel), "acme", API_KEYS.acme_admin
    )
