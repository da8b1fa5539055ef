"""The one error table and the contracts' ErrorReason enums name the same reasons.

A reason missing from the table would reach callers as INTERNAL; a reason in the table that no
contract lists is one that clients cannot know about.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Mapping

import streamstock
from google.protobuf.descriptor import EnumDescriptor

from services.runtime.errors import SHARED_REASONS, STATUS_CODE_BY_REASON

CONTEXT_PACKAGES = (
    "streamstock.inventory.v1",
    "streamstock.riskcontrol.v1",
    "streamstock.alerting.v1",
    "streamstock.sync.v1",
)
PREFIX = "ERROR_REASON_"
UNSPECIFIED = f"{PREFIX}UNSPECIFIED"


def error_reason_enums() -> Mapping[str, EnumDescriptor]:
    """The ErrorReason enum of each generated proto package, found in its *_pb2 modules."""
    enums: dict[str, EnumDescriptor] = {}
    for module_info in pkgutil.walk_packages(streamstock.__path__, prefix="streamstock."):
        if not module_info.name.endswith("_pb2"):
            continue
        descriptor = importlib.import_module(module_info.name).DESCRIPTOR
        enum = descriptor.enum_types_by_name.get("ErrorReason")
        if enum is None:
            continue
        assert descriptor.package not in enums, f"{descriptor.package} has two ErrorReason enums"
        enums[descriptor.package] = enum
    return enums


def reasons(enum: EnumDescriptor) -> set[str]:
    names = [value.name for value in enum.values if value.name != UNSPECIFIED]
    assert all(name.startswith(PREFIX) for name in names), f"{enum.full_name}: {names}"
    return {name.removeprefix(PREFIX) for name in names}


def test_every_context_package_declares_an_error_reason_enum() -> None:
    assert sorted(error_reason_enums()) == sorted(CONTEXT_PACKAGES)


def test_every_contract_reason_has_a_status_code() -> None:
    unmapped = {
        package: sorted(reasons(enum) - STATUS_CODE_BY_REASON.keys())
        for package, enum in error_reason_enums().items()
    }
    assert unmapped == {package: [] for package in unmapped}, (
        f"reasons missing from services.runtime.errors.STATUS_CODE_BY_REASON: {unmapped}"
    )


def test_every_mapped_reason_is_declared_by_some_contract() -> None:
    declared = set().union(*(reasons(enum) for enum in error_reason_enums().values()))
    assert sorted(STATUS_CODE_BY_REASON.keys() - declared) == []


def test_every_context_declares_the_reasons_the_runtime_raises_for_it() -> None:
    # Authentication, tenancy, roles and bad input are refused by the shared runtime in every service.
    missing = {
        package: sorted(SHARED_REASONS.keys() - reasons(enum))
        for package, enum in error_reason_enums().items()
    }
    assert missing == {package: [] for package in missing}
