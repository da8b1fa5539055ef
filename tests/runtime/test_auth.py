"""The auth interceptor, through a real inventory server: who calls, in which role, for which tenant.

Only what the interceptor decides is asserted; whatever inventory's handlers answer later is theirs.
"""

from __future__ import annotations

import hashlib
from collections.abc import Awaitable
from dataclasses import dataclass
from typing import Any

import grpc
import pytest
from google.rpc import error_details_pb2, status_pb2
from streamstock.inventory.v1 import inventory_service_pb2 as inventory
from streamstock.inventory.v1 import inventory_service_pb2_grpc as inventory_grpc

from services.runtime.auth import ApiKeyConfigError, ApiKeyRegistry
from services.runtime.errors import SHARED_REASONS, AccessError
from services.runtime.scope import Role

pytestmark = pytest.mark.timeout(30)

DOMAIN = "inventory.streamstock.dev"
STATUS_DETAILS_KEY = "grpc-status-details-bin"


@dataclass(frozen=True)
class Refusal:
    """A failed call's status as the caller sees it, rich details unpacked."""

    code: grpc.StatusCode
    info: error_details_pb2.ErrorInfo | None
    bad_request: error_details_pb2.BadRequest | None


def refusal_of(error: grpc.aio.AioRpcError) -> Refusal:
    trailers = error.trailing_metadata() or ()
    encoded = [value for key, value in trailers if key == STATUS_DETAILS_KEY]
    if not encoded:
        return Refusal(error.code(), None, None)
    status = status_pb2.Status.FromString(encoded[0])
    assert status.code == error.code().value[0], "the rich status disagrees with the call's code"
    assert status.message == error.details()
    info = bad_request = None
    for detail in status.details:
        if detail.Is(error_details_pb2.ErrorInfo.DESCRIPTOR):
            info = error_details_pb2.ErrorInfo()
            detail.Unpack(info)
        elif detail.Is(error_details_pb2.BadRequest.DESCRIPTOR):
            bad_request = error_details_pb2.BadRequest()
            detail.Unpack(bad_request)
    return Refusal(error.code(), info, bad_request)


async def refused(call: Awaitable[Any]) -> Refusal:
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await call
    return refusal_of(caught.value)


def key(api_key: str) -> list[tuple[str, str]]:
    return [("x-api-key", api_key)]


@pytest.fixture
async def stub(start_service: Any) -> inventory_grpc.InventoryServiceStub:
    service = await start_service("inventory")
    return inventory_grpc.InventoryServiceStub(service.channel)


def get_sku(tenant_id: str) -> inventory.GetSkuRequest:
    return inventory.GetSkuRequest(tenant_id=tenant_id, sku_id="sku-1")


def restock(tenant_id: str) -> inventory.RestockRequest:
    return inventory.RestockRequest(
        tenant_id=tenant_id, request_id="restock-1", sku_id="sku-1", quantity=5
    )


async def test_a_call_without_a_key_is_unauthenticated(stub: Any) -> None:
    refusal = await refused(stub.GetSku(get_sku("acme")))

    assert refusal.code is grpc.StatusCode.UNAUTHENTICATED
    assert refusal.info is not None
    assert (refusal.info.reason, refusal.info.domain) == ("API_KEY_MISSING", DOMAIN)


async def test_a_stream_without_a_key_is_unauthenticated(stub: Any) -> None:
    events = stub.WatchEvents(inventory.WatchEventsRequest(tenant_id="acme"))

    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await events.read()

    refusal = refusal_of(caught.value)
    assert refusal.code is grpc.StatusCode.UNAUTHENTICATED
    assert refusal.info is not None and refusal.info.reason == "API_KEY_MISSING"


async def test_an_unknown_key_is_unauthenticated(stub: Any, api_keys: Any) -> None:
    refusal = await refused(stub.GetSku(get_sku("acme"), metadata=key(api_keys.unknown)))

    assert refusal.code is grpc.StatusCode.UNAUTHENTICATED
    assert refusal.info is not None
    assert (refusal.info.reason, refusal.info.domain) == ("API_KEY_UNKNOWN", DOMAIN)


@pytest.mark.parametrize("presented_as", ["x-api-key", "bearer"])
async def test_a_tenant_key_may_not_read_another_tenants_data(
    stub: Any, api_keys: Any, presented_as: str
) -> None:
    metadata = (
        key(api_keys.acme_admin)
        if presented_as == "x-api-key"
        else [("authorization", f"Bearer {api_keys.acme_admin}")]
    )

    refusal = await refused(stub.GetSku(get_sku("globex"), metadata=metadata))

    assert refusal.code is grpc.StatusCode.PERMISSION_DENIED
    assert refusal.info is not None
    assert (refusal.info.reason, refusal.info.domain) == ("TENANT_MISMATCH", DOMAIN)
    assert refusal.info.metadata["tenant_id"] == "globex"


async def test_an_empty_tenant_id_is_a_bad_request_naming_the_field(
    stub: Any, api_keys: Any
) -> None:
    refusal = await refused(stub.GetSku(get_sku(""), metadata=key(api_keys.acme_admin)))

    assert refusal.code is grpc.StatusCode.INVALID_ARGUMENT
    assert refusal.info is not None and refusal.info.reason == "INVALID_ARGUMENT"
    assert refusal.bad_request is not None
    assert [v.field for v in refusal.bad_request.field_violations] == ["tenant_id"]


async def test_a_viewer_may_not_call_a_mutation(stub: Any, api_keys: Any) -> None:
    refusal = await refused(stub.Restock(restock("acme"), metadata=key(api_keys.acme_viewer)))

    assert refusal.code is grpc.StatusCode.PERMISSION_DENIED
    assert refusal.info is not None
    assert (refusal.info.reason, refusal.info.domain) == ("ROLE_NOT_ALLOWED", DOMAIN)
    assert refusal.info.metadata["role"] == "viewer"
    assert refusal.info.metadata["method"] == "Restock"


@pytest.mark.parametrize(
    ("caller", "tenant_id"),
    [("acme_admin", "acme"), ("globex_admin", "globex"), ("service", "globex")],
    ids=["own-tenant", "other-tenant-own-data", "service-key-any-tenant"],
)
async def test_the_interceptor_admits_a_caller_acting_for_its_tenant(
    stub: Any, api_keys: Any, caller: str, tenant_id: str
) -> None:
    call = stub.Restock(restock(tenant_id), metadata=key(getattr(api_keys, caller)))
    try:
        await call
    except grpc.aio.AioRpcError as error:
        refusal = refusal_of(error)
        # Whatever the handler answers (today UNIMPLEMENTED), it is not an auth refusal.
        assert refusal.code not in (
            grpc.StatusCode.UNAUTHENTICATED,
            grpc.StatusCode.PERMISSION_DENIED,
        ), refusal
        assert refusal.info is None or refusal.info.reason not in SHARED_REASONS, refusal


# --- ApiKeyRegistry.parse -------------------------------------------------------------------------

ACME_KEY = "acme-key"
ACME_DIGEST = hashlib.sha256(ACME_KEY.encode()).hexdigest()
GLOBEX_DIGEST = hashlib.sha256(b"globex-key").hexdigest()


def test_parse_reads_digest_tenant_and_role_of_every_entry() -> None:
    registry = ApiKeyRegistry.parse(
        f" {ACME_DIGEST.upper()}:acme:operator , ,{GLOBEX_DIGEST}:globex:viewer,"
    )

    assert {d: (p.tenant_id, p.role) for d, p in registry.principals.items()} == {
        ACME_DIGEST: ("acme", Role.OPERATOR),
        GLOBEX_DIGEST: ("globex", Role.VIEWER),
    }
    assert registry.authenticate([("x-api-key", ACME_KEY)]).tenant_id == "acme"


def test_parse_binds_a_platform_key_to_the_platform_it_names() -> None:
    registry = ApiKeyRegistry.parse(
        f"{ACME_DIGEST}:acme:platform:shop-1,{GLOBEX_DIGEST}:globex:platform"
    )

    bound, unbound = registry.principals[ACME_DIGEST], registry.principals[GLOBEX_DIGEST]
    assert (bound.role, bound.platform_id, unbound.platform_id) == (Role.PLATFORM, "shop-1", "")
    assert bound.may_act_as_platform("shop-1") and not bound.may_act_as_platform("shop-2")
    assert unbound.may_act_as_platform("shop-2")


def test_authenticate_refuses_missing_and_unknown_keys() -> None:
    registry = ApiKeyRegistry.parse(f"{ACME_DIGEST}:acme:admin")

    with pytest.raises(AccessError) as missing:
        registry.authenticate([("x-api-key", "")])
    with pytest.raises(AccessError) as unknown:
        registry.authenticate([("x-api-key", "not-" + ACME_KEY)])

    assert (missing.value.reason, unknown.value.reason) == ("API_KEY_MISSING", "API_KEY_UNKNOWN")


@pytest.mark.parametrize(
    ("bad_entry", "also_named"),
    [
        (f"{ACME_DIGEST}:acme", "acme"),
        (f"{ACME_DIGEST}:acme:admin:extra", "extra"),
        (f"{ACME_DIGEST}:acme:platform:", "platform id"),
        (f"{ACME_DIGEST}:acme:platform:shop-1:extra", "extra"),
        ("abc123:acme:admin", "digest"),
        (f"{ACME_DIGEST}::admin", "tenant"),
        (f"{ACME_DIGEST}:acme:superuser", "superuser"),
    ],
    ids=[
        "too-few-parts",
        "too-many-parts",
        "empty-platform",
        "platform-too-many-parts",
        "short-digest",
        "empty-tenant",
        "unknown-role",
    ],
)
def test_parse_names_the_bad_entry(bad_entry: str, also_named: str) -> None:
    with pytest.raises(ApiKeyConfigError) as caught:
        ApiKeyRegistry.parse(f"{GLOBEX_DIGEST}:globex:admin,{bad_entry}")

    message = str(caught.value)
    assert "entry 2" in message
    assert also_named in message
