"""Every moment and span the API takes is bounded: out-of-range values are refused with
INVALID_ARGUMENT naming the field (never UNKNOWN), so no stored value can overflow a later sum in
the event follower (fire time + escalation step once wedged it for every tenant)."""

from __future__ import annotations

import math

import grpc
import pytest
from google.protobuf import duration_pb2, timestamp_pb2
from streamstock.alerting.v1 import (
    alerts_pb2,
    forecast_pb2,
    policies_pb2,
    receivers_pb2,
)

from alerting.grpc_errors import refusal
from alerting.test_service_api import ACME, key, plan_request

pytestmark = pytest.mark.timeout(60)
TEN_THOUSAND_YEARS = duration_pb2.Duration(seconds=315_576_000_000)
BEYOND_PROTO_RANGE = timestamp_pb2.Timestamp(seconds=10**15)


def _receiver(after: duration_pb2.Duration) -> receivers_pb2.UpsertReceiverRequest:
    return receivers_pb2.UpsertReceiverRequest(
        tenant_id=ACME,
        request_id="r-after",
        receiver=receivers_pb2.Receiver(
            receiver_id="ops",
            routes=[
                receivers_pb2.Route(
                    escalation=[
                        receivers_pb2.EscalationStep(channel=1),
                        receivers_pb2.EscalationStep(channel=1, after=after),
                    ]
                )
            ],
        ),
    )


def _plan(**changes: object):
    request = plan_request("p-bounds")
    for name, value in changes.items():
        if name == "restock_lead_time":
            request.plan.restock_lead_time.CopyFrom(value)
        elif name in ("start_time", "end_time"):
            getattr(request.plan, name).CopyFrom(value)
        else:
            setattr(request.plan, name, value)
    return request


def _policy(**changes: object) -> policies_pb2.UpsertAlertPolicyRequest:
    policy = policies_pb2.AlertPolicy(sku_id="sku-1", **changes)  # type: ignore[arg-type]
    return policies_pb2.UpsertAlertPolicyRequest(tenant_id=ACME, request_id="pol-b", policy=policy)


CASES = {
    "receiver.routes[0].escalation[1].after": ("UpsertReceiver", _receiver(TEN_THOUSAND_YEARS)),
    "plan.start_time": ("UpsertLiveSessionPlan", _plan(start_time=BEYOND_PROTO_RANGE)),
    "plan.end_time": (
        "UpsertLiveSessionPlan",
        _plan(end_time=timestamp_pb2.Timestamp(seconds=253402300799)),  # 9999-12-31
    ),
    "plan.restock_lead_time": (
        "UpsertLiveSessionPlan",
        _plan(restock_lead_time=TEN_THOUSAND_YEARS),
    ),
    "plan.buffer_factor": ("UpsertLiveSessionPlan", _plan(buffer_factor=math.inf)),
    "policy.repeat_interval": ("UpsertAlertPolicy", _policy(repeat_interval=TEN_THOUSAND_YEARS)),
    "policy.hysteresis_fraction": ("UpsertAlertPolicy", _policy(hysteresis_fraction=math.nan)),
    "resolution": (
        "GetConsumptionCurve",
        forecast_pb2.GetConsumptionCurveRequest(
            tenant_id=ACME, sku_id="sku-1", resolution=TEN_THOUSAND_YEARS
        ),
    ),
    "start_time": (
        "ListAlerts",
        alerts_pb2.ListAlertsRequest(tenant_id=ACME, start_time=BEYOND_PROTO_RANGE),
    ),
}


@pytest.mark.parametrize("field", list(CASES))
async def test_out_of_range_moments_and_spans_are_refused_naming_the_field(
    alerting,
    api_keys,
    field: str,
) -> None:
    method, request = CASES[field]
    code, reason, meta = await refusal(
        getattr(alerting, method)(request, metadata=key(api_keys.acme_admin))
    )
    assert (code, reason, meta.get("field")) == (
        grpc.StatusCode.INVALID_ARGUMENT,
        "INVALID_ARGUMENT",
        field,
    )
