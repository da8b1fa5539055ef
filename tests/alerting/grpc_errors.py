"""Reads the status code and ErrorInfo (reason, metadata) of a failed call."""

from __future__ import annotations

from collections.abc import Awaitable
from typing import Any

import grpc
from google.rpc import error_details_pb2, status_pb2


async def refusal(call: Awaitable[Any]) -> tuple[grpc.StatusCode, str, dict[str, str]]:
    try:
        await call
    except grpc.aio.AioRpcError as error:
        status = status_pb2.Status()
        for key, value in error.trailing_metadata() or ():
            if key == "grpc-status-details-bin":
                status.ParseFromString(value)
        for detail in status.details:
            if detail.Is(error_details_pb2.ErrorInfo.DESCRIPTOR):
                info = error_details_pb2.ErrorInfo()
                detail.Unpack(info)
                return error.code(), info.reason, dict(info.metadata)
        return error.code(), "", {}
    raise AssertionError("the call succeeded")
