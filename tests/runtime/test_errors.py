"""The one table from domain error reasons to google.rpc.Status with ErrorInfo (and BadRequest)."""

from __future__ import annotations

from collections.abc import Mapping

import grpc
import pytest
from google.rpc import error_details_pb2, status_pb2

from services.runtime.errors import STATUS_CODE_BY_REASON, DomainError, status_code, to_status

DOMAIN = "inventory.streamstock.dev"


class InsufficientStock(Exception):
    """Shaped like a domain error of a service's domain package: standard library only."""

    reason = "INSUFFICIENT_STOCK"

    def __init__(self, sku_id: str, requested: int, sellable: int) -> None:
        super().__init__(f"only {sellable} of {sku_id} are sellable")
        self._metadata = {"sku_id": sku_id, "requested": requested, "sellable": sellable}

    @property
    def metadata(self) -> Mapping[str, object]:
        return self._metadata


class Rejected(Exception):
    def __init__(self, reason: str, message: str, **metadata: str) -> None:
        super().__init__(message)
        self.reason = reason
        self.metadata = metadata


def details(status: status_pb2.Status) -> tuple[error_details_pb2.ErrorInfo, list[object]]:
    info, others = None, []
    for detail in status.details:
        if detail.Is(error_details_pb2.ErrorInfo.DESCRIPTOR):
            info = error_details_pb2.ErrorInfo()
            detail.Unpack(info)
        elif detail.Is(error_details_pb2.BadRequest.DESCRIPTOR):
            bad_request = error_details_pb2.BadRequest()
            detail.Unpack(bad_request)
            others.append(bad_request)
        else:
            others.append(detail)
    assert info is not None, "every error status carries an ErrorInfo"
    return info, others


def test_a_domain_error_becomes_its_mapped_code_with_error_info() -> None:
    error = InsufficientStock("sku-1", requested=3, sellable=2)
    assert isinstance(error, DomainError)

    status = to_status(error, DOMAIN)

    assert status.code == grpc.StatusCode.FAILED_PRECONDITION.value[0]
    assert status.message == "only 2 of sku-1 are sellable"
    info, others = details(status)
    assert info.reason == "INSUFFICIENT_STOCK"
    assert info.domain == DOMAIN
    # Dynamic values travel as strings in ErrorInfo.metadata.
    assert dict(info.metadata) == {"sku_id": "sku-1", "requested": "3", "sellable": "2"}
    assert others == []


def test_an_invalid_field_adds_a_bad_request_naming_it() -> None:
    status = to_status(
        Rejected("INVALID_ARGUMENT", "quantity must be positive", field="quantity"), DOMAIN
    )

    assert status.code == grpc.StatusCode.INVALID_ARGUMENT.value[0]
    info, others = details(status)
    assert info.reason == "INVALID_ARGUMENT"
    assert info.metadata["field"] == "quantity"
    assert len(others) == 1 and isinstance(others[0], error_details_pb2.BadRequest)
    (violation,) = others[0].field_violations
    assert (violation.field, violation.description) == ("quantity", "quantity must be positive")


def test_invalid_argument_without_a_field_has_no_bad_request() -> None:
    _, others = details(to_status(Rejected("INVALID_ARGUMENT", "nothing to do"), DOMAIN))
    assert others == []


def test_a_field_on_a_non_argument_error_adds_no_bad_request() -> None:
    status = to_status(Rejected("SKU_NOT_FOUND", "no such SKU", field="sku_id"), DOMAIN)

    assert status.code == grpc.StatusCode.NOT_FOUND.value[0]
    _, others = details(status)
    assert others == []


def test_an_unknown_reason_is_internal_but_keeps_its_reason() -> None:
    assert "NO_SUCH_REASON" not in STATUS_CODE_BY_REASON

    status = to_status(Rejected("NO_SUCH_REASON", "a bug"), DOMAIN)

    assert status_code("NO_SUCH_REASON") is grpc.StatusCode.INTERNAL
    assert status.code == grpc.StatusCode.INTERNAL.value[0]
    info, _ = details(status)
    assert info.reason == "NO_SUCH_REASON"


@pytest.mark.parametrize(
    ("reason", "code"),
    [
        ("API_KEY_MISSING", grpc.StatusCode.UNAUTHENTICATED),
        ("API_KEY_UNKNOWN", grpc.StatusCode.UNAUTHENTICATED),
        ("TENANT_MISMATCH", grpc.StatusCode.PERMISSION_DENIED),
        ("ROLE_NOT_ALLOWED", grpc.StatusCode.PERMISSION_DENIED),
        ("REQUEST_ID_REUSED", grpc.StatusCode.ALREADY_EXISTS),
        ("SKU_NOT_FOUND", grpc.StatusCode.NOT_FOUND),
    ],
)
def test_the_reasons_the_contracts_promise_map_to_their_codes(
    reason: str, code: grpc.StatusCode
) -> None:
    # protos/README.md and the RPC comments promise these codes to clients.
    assert status_code(reason) is code
