"""A failed call told readably: status code, ErrorInfo reason and metadata, bad fields."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import grpc
from google.rpc import error_details_pb2
from grpc_status import rpc_status

from tools.cli import output


@dataclass(frozen=True)
class CallError:
    """What a person or a script needs from a failed RPC."""

    code: str
    message: str
    reason: str = ""
    domain: str = ""
    metadata: dict[str, str] = field(default_factory=dict)
    field_violations: dict[str, str] = field(default_factory=dict)

    @classmethod
    def of(cls, error: grpc.RpcError) -> CallError:
        code = error.code() if isinstance(error, grpc.Call) else grpc.StatusCode.UNKNOWN
        details = error.details() if isinstance(error, grpc.Call) else str(error)
        info = error_details_pb2.ErrorInfo()
        bad_request = error_details_pb2.BadRequest()
        status = rpc_status.from_call(error) if isinstance(error, grpc.Call) else None
        for detail in status.details if status is not None else ():
            if detail.Is(info.DESCRIPTOR):
                detail.Unpack(info)
            elif detail.Is(bad_request.DESCRIPTOR):
                detail.Unpack(bad_request)
        return cls(
            code=code.name,
            message=details or "",
            reason=info.reason,
            domain=info.domain,
            metadata=dict(sorted(info.metadata.items())),
            field_violations={v.field: v.description for v in bad_request.field_violations},
        )

    def as_dict(self) -> dict[str, Any]:
        return {
            "error": {
                "code": self.code,
                "reason": self.reason,
                "domain": self.domain,
                "message": self.message,
                "metadata": self.metadata,
                "field_violations": self.field_violations,
            }
        }


def report(error: CallError, *, as_json: bool) -> None:
    """The error on stderr for people; with --json also as a JSON document on stdout."""
    if as_json:
        output.print_json(error.as_dict())
    stderr = output.console(stderr=True)
    headline = f"[bold red]error[/]: {error.code}"
    if error.reason:
        headline += f" [bold]{output.quoted(error.reason)}[/]"
    stderr.print(headline)
    if error.message:
        stderr.print(f"  {error.message}", markup=False)
    for name, value in error.metadata.items():
        stderr.print(f"  {name}: {value}", markup=False)
    for name, description in error.field_violations.items():
        stderr.print(f"  field {name}: {description}", markup=False)
