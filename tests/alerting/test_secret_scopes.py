"""Webhook signing keys scoped to tenants: a ref scoped to one tenant is unknown to the others, at
configuration (SECRET_REF_UNKNOWN, the same answer as for a ref nobody has) and when signing."""

from __future__ import annotations

import grpc
import pytest
from streamstock.alerting.v1 import receivers_pb2

from alerting.grpc_errors import refusal
from alerting.test_service_api import key
from services.alerting.adapters.secrets import (
    EnvironmentSecrets,
    scope_variable_name,
    variable_name,
)

pytestmark = pytest.mark.timeout(60)


def _receiver(tenant: str, secret_ref: str) -> receivers_pb2.UpsertReceiverRequest:
    return receivers_pb2.UpsertReceiverRequest(
        tenant_id=tenant,
        request_id=f"r-{tenant}-{secret_ref}",
        receiver=receivers_pb2.Receiver(
            receiver_id="ops",
            webhook=receivers_pb2.WebhookTarget(
                url="https://ops.example/hook", secret_ref=secret_ref
            ),
            routes=[receivers_pb2.Route(escalation=[receivers_pb2.EscalationStep(channel=2)])],
        ),
    )


def test_a_scoped_key_signs_only_for_its_tenants_and_an_unscoped_one_is_shared() -> None:
    secrets = EnvironmentSecrets(
        {
            variable_name("acme-key"): "a",
            scope_variable_name("acme-key"): "acme, acme-2",
            variable_name("default"): "d",
        }
    )
    assert secrets.key("acme-key", "acme") == b"a"
    assert secrets.key("acme-key", "acme-2") == b"a"
    assert secrets.key("acme-key", "globex") is None
    assert not secrets.for_tenant("globex").knows("acme-key")
    assert secrets.key("default", "globex") == b"d"
    assert secrets.shared_refs() == [variable_name("default")]


@pytest.fixture
def scoped_keys(monkeypatch) -> None:
    monkeypatch.setenv(variable_name("acme-key"), "acme-signing-key")
    monkeypatch.setenv(scope_variable_name("acme-key"), "acme")


async def test_another_tenants_ref_is_unknown_over_the_api(scoped_keys, alerting, api_keys) -> None:
    foreign = await refusal(
        alerting.UpsertReceiver(
            _receiver("globex", "acme-key"), metadata=key(api_keys.globex_admin)
        )
    )
    nobodys = await refusal(
        alerting.UpsertReceiver(
            _receiver("globex", "nobody-has-it"), metadata=key(api_keys.globex_admin)
        )
    )
    assert foreign[:2] == nobodys[:2] == (grpc.StatusCode.FAILED_PRECONDITION, "SECRET_REF_UNKNOWN")
    own = await alerting.UpsertReceiver(
        _receiver("acme", "acme-key"), metadata=key(api_keys.acme_admin)
    )
    assert own.created
