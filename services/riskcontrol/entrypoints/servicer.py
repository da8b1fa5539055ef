"""The gRPC servicer of riskcontrol: protobuf in, use case, protobuf out."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

import grpc
from streamstock.riskcontrol.v1 import (
    assessment_pb2,
    rules_pb2,
    signals_pb2,
)
from streamstock.riskcontrol.v1 import (
    riskcontrol_service_pb2 as service_pb2,
)
from streamstock.riskcontrol.v1 import (
    riskcontrol_service_pb2_grpc as service_grpc,
)

from services.riskcontrol.domain.attempt import Attempt, validate_batch_size, validate_identifier
from services.riskcontrol.domain.errors import DecisionNotFound, InvalidArgument, RulesUnavailable
from services.riskcontrol.domain.keys import KeyLevel
from services.riskcontrol.domain.records import OutcomeKind, ShadowOverride
from services.riskcontrol.domain.rules import Signal
from services.riskcontrol.domain.scoring import AccessList
from services.riskcontrol.entrypoints import codec
from services.riskcontrol.service_layer.access_lists import AccessLists
from services.riskcontrol.service_layer.assessment import Assessor
from services.riskcontrol.service_layer.challenges import Challenges
from services.riskcontrol.service_layer.operations import Operations
from services.riskcontrol.service_layer.outcomes import OutcomeReport, Outcomes
from services.riskcontrol.service_layer.ports import AuditLog, DecisionFilter

# Time kept back from the caller's deadline to encode and send the answer.
RESPONSE_MARGIN_SECONDS = 0.002


@dataclass
class UseCases:
    assessor: Assessor
    challenges: Challenges
    outcomes: Outcomes
    access_lists: AccessLists
    operations: Operations
    audit: AuditLog
    assess_budget_seconds: float


class RiskControlServicer(service_grpc.RiskControlServiceServicer):
    def __init__(self, use_cases: UseCases) -> None:
        self._uc = use_cases

    def _budget(self, context: grpc.aio.ServicerContext) -> float:
        budget = self._uc.assess_budget_seconds
        remaining = context.time_remaining()
        if remaining is not None:
            budget = min(budget, remaining - RESPONSE_MARGIN_SECONDS)
        return max(budget, 0.001)

    async def Assess(
        self, request: service_pb2.AssessRequest, context: grpc.aio.ServicerContext
    ) -> service_pb2.AssessResponse:
        record = await self._uc.assessor.assess(codec.attempt(request), self._budget(context))
        return codec.assess_response(record)

    async def AssessBatch(
        self, request: service_pb2.AssessBatchRequest, context: grpc.aio.ServicerContext
    ) -> service_pb2.AssessBatchResponse:
        validate_batch_size(len(request.requests))
        validate_identifier(request.tenant_id, "tenant_id")
        refusals: dict[int, InvalidArgument] = {}
        attempts: list[Attempt] = []
        for position, item in enumerate(request.requests):
            try:
                if item.tenant_id != request.tenant_id:
                    raise InvalidArgument("tenant_id", "must be the batch's tenant_id")
                attempts.append(codec.attempt(item))
            except InvalidArgument as refusal:
                refusals[position] = refusal
        budget = self._budget(context)
        decided = iter(await self._uc.assessor.assess_batch(attempts, budget) if attempts else ())
        return service_pb2.AssessBatchResponse(
            results=[
                codec.assess_result(
                    refusals.get(position) or next(decided), f"requests[{position}]"
                )
                for position in range(len(request.requests))
            ]
        )

    async def CompleteChallenge(
        self, request: service_pb2.CompleteChallengeRequest, context: grpc.aio.ServicerContext
    ) -> service_pb2.CompleteChallengeResponse:
        result = codec.member(_ChallengeResult, request.result, "result")
        completed = await self._uc.challenges.complete(
            request.tenant_id, request.request_id, request.challenge_id,
            result is _ChallengeResult.PASSED,
        )  # fmt: skip
        return service_pb2.CompleteChallengeResponse(
            challenge=codec.challenge(completed.challenge),
            pass_token=completed.pass_token,
            pass_token_expire_time=codec.timestamp(completed.pass_token_expire_time),
        )

    async def ReportOutcome(
        self, request: service_pb2.ReportOutcomeRequest, context: grpc.aio.ServicerContext
    ) -> service_pb2.ReportOutcomeResponse:
        report = OutcomeReport(
            tenant_id=request.tenant_id,
            request_id=request.request_id,
            kind=codec.member(OutcomeKind, request.kind, "kind"),
            order_id=request.order_id,
            user_id=request.user_id,
            sku_id=request.sku_id,
            quantity=request.quantity,
            ip=request.ip,
            device_id=request.device_id,
            decision_id=request.decision_id,
            occur_time=codec.moment(request.occur_time) if request.HasField("occur_time") else None,
            note=request.note,
        )
        outcome_id, keys = await self._uc.outcomes.report(report)
        return service_pb2.ReportOutcomeResponse(outcome_id=outcome_id, updated_keys=keys)

    async def AddAccessListEntry(
        self, request: service_pb2.AddAccessListEntryRequest, context: grpc.aio.ServicerContext
    ) -> service_pb2.AddAccessListEntryResponse:
        if not request.HasField("key"):
            raise InvalidArgument("key", "is required")
        expiry = request.WhichOneof("expiry")
        entry, replaced = await self._uc.access_lists.add(
            request.tenant_id,
            request.request_id,
            codec.member(AccessList, request.list, "list"),
            codec.key_spec(request.key, "key"),
            codec.moment(request.expire_time) if expiry == "expire_time" else None,
            request.ttl.ToTimedelta() if expiry == "ttl" else None,
            request.note,
            request.created_by,
        )
        return service_pb2.AddAccessListEntryResponse(
            entry=codec.access_list_entry(entry), replaced=replaced
        )

    async def RemoveAccessListEntry(
        self, request: service_pb2.RemoveAccessListEntryRequest, context: grpc.aio.ServicerContext
    ) -> service_pb2.RemoveAccessListEntryResponse:
        entry = await self._uc.access_lists.remove(
            request.tenant_id, request.request_id, request.entry_id
        )
        return service_pb2.RemoveAccessListEntryResponse(entry=codec.access_list_entry(entry))

    async def ListAccessListEntries(
        self, request: service_pb2.ListAccessListEntriesRequest, context: grpc.aio.ServicerContext
    ) -> service_pb2.ListAccessListEntriesResponse:
        entries, token = await self._uc.access_lists.list(
            request.tenant_id,
            codec.optional_member(AccessList, request.list, "list"),
            codec.optional_member(KeyLevel, request.key_level, "key_level"),
            codec.key_spec(request.key, "key") if request.HasField("key") else None,
            request.include_expired,
            codec.page(request.page_size, request.page_token),
        )
        return service_pb2.ListAccessListEntriesResponse(
            entries=[codec.access_list_entry(e) for e in entries], next_page_token=token
        )

    async def GetRuleSet(
        self, request: service_pb2.GetRuleSetRequest, context: grpc.aio.ServicerContext
    ) -> service_pb2.GetRuleSetResponse:
        book = self._uc.operations.rules
        rule_set = book.in_force()
        extra = {
            "load_time": codec.timestamp(book.load_time),
            "last_reload_error": book.last_error,
            "last_reload_error_time": codec.timestamp(book.last_error_time),
        }
        setting = self._uc.operations.shadow.of(request.tenant_id)
        return service_pb2.GetRuleSetResponse(rule_set=codec.rule_set(rule_set, setting, extra))

    async def ValidateRules(
        self, request: service_pb2.ValidateRulesRequest, context: grpc.aio.ServicerContext
    ) -> service_pb2.ValidateRulesResponse:
        rule_set, violations = self._uc.operations.validate(request.document)
        setting = self._uc.operations.shadow.of(request.tenant_id)
        return service_pb2.ValidateRulesResponse(
            valid=rule_set is not None,
            violations=[
                rules_pb2.RuleViolation(
                    line=v.line, column=v.column, path=v.path, message=v.message
                )
                for v in violations
            ],
            rule_set=codec.rule_set(rule_set, setting, {}) if rule_set is not None else None,
        )

    async def SetShadowMode(
        self, request: service_pb2.SetShadowModeRequest, context: grpc.aio.ServicerContext
    ) -> service_pb2.SetShadowModeResponse:
        override = codec.member(ShadowOverride, request.override, "override")
        setting = await self._uc.operations.set_shadow(
            request.tenant_id, request.request_id, override, request.reason
        )
        try:
            document_shadow = self._uc.operations.rules.in_force().shadow
        except RulesUnavailable:
            document_shadow = False
        return service_pb2.SetShadowModeResponse(
            shadow_mode=codec.shadow_mode(setting, document_shadow)
        )

    async def ListDecisions(
        self, request: service_pb2.ListDecisionsRequest, context: grpc.aio.ServicerContext
    ) -> service_pb2.ListDecisionsResponse:
        hasher = self._uc.operations.hasher
        where = DecisionFilter(
            sku_id=request.sku_id,
            user_id=request.user_id,
            order_id=request.order_id,
            ip_hash=hasher.digest(request.tenant_id, request.ip),
            device_hash=hasher.digest(request.tenant_id, request.device_id),
            decisions=tuple(
                codec.member(_Decision, d, f"decisions[{i}]").value
                for i, d in enumerate(request.decisions)
            ),
            rule_id=request.rule_id,
            shadow_differs_only=request.shadow_differs_only,
            start_time=codec.moment(request.start_time) if request.HasField("start_time") else None,
            end_time=codec.moment(request.end_time) if request.HasField("end_time") else None,
        )
        await self._uc.audit.flush()
        records, token = await self._uc.audit.list(
            request.tenant_id, where, codec.page(request.page_size, request.page_token)
        )
        return service_pb2.ListDecisionsResponse(
            decisions=[codec.decision_record(r) for r in records], next_page_token=token
        )

    async def GetDecision(
        self, request: service_pb2.GetDecisionRequest, context: grpc.aio.ServicerContext
    ) -> service_pb2.GetDecisionResponse:
        validate_identifier(request.decision_id, "decision_id")
        await self._uc.audit.flush()
        record = await self._uc.audit.get(request.tenant_id, request.decision_id)
        if record is None:
            raise DecisionNotFound("the decision is not known", decision_id=request.decision_id)
        return service_pb2.GetDecisionResponse(decision=codec.decision_record(record))

    async def GetSignals(
        self, request: service_pb2.GetSignalsRequest, context: grpc.aio.ServicerContext
    ) -> service_pb2.GetSignalsResponse:
        if not request.HasField("key"):
            raise InvalidArgument("key", "is required")
        spec = codec.key_spec(request.key, "key")
        wanted = {codec.member(Signal, s, f"signals[{i}]") for i, s in enumerate(request.signals)}
        key, readings = await self._uc.operations.signals(request.tenant_id, spec, wanted)
        entries, _ = await self._uc.access_lists.list(
            request.tenant_id, None, None, spec, False, codec.page(1, "")
        )
        return service_pb2.GetSignalsResponse(
            key=key,
            values=[
                signals_pb2.SignalValue(
                    signal=r.signal.value,
                    window=codec.duration(r.window),
                    value=r.value,
                    observe_time=codec.timestamp(r.observe_time),
                )
                for r in readings
            ],
            access_list_entry=codec.access_list_entry(entries[0]) if entries else None,
        )


class _ChallengeResult(Enum):
    PASSED = assessment_pb2.CHALLENGE_RESULT_PASSED
    FAILED = assessment_pb2.CHALLENGE_RESULT_FAILED


class _Decision(Enum):
    ALLOW = assessment_pb2.DECISION_ALLOW
    CHALLENGE = assessment_pb2.DECISION_CHALLENGE
    BLOCK = assessment_pb2.DECISION_BLOCK
