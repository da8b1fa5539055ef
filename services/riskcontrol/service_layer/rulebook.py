"""The rule set in force, replaced atomically by a reload that validates first.

A rejected document leaves the previous rules running and is remembered as the last reload error.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from services.riskcontrol.domain.errors import RulesUnavailable
from services.riskcontrol.domain.records import ShadowSetting
from services.riskcontrol.domain.rules import RuleSet, RulesInvalid
from services.riskcontrol.service_layer.ports import Clock, RulesParser


@dataclass
class RuleBook:
    parser: RulesParser
    clock: Clock
    current: RuleSet | None = None
    load_time: datetime | None = None
    last_error: str = ""
    last_error_time: datetime | None = None

    def reload(self, document: str, source: str) -> RuleSet:
        """Loads the document if it is valid; raises RulesInvalid and keeps the old rules if not."""
        try:
            rule_set = self.parser.parse(document, source)
        except RulesInvalid as invalid:
            self.last_error = str(invalid)
            self.last_error_time = self.clock.now()
            raise
        self.current = rule_set
        self.load_time = self.clock.now()
        self.last_error = ""
        self.last_error_time = None
        return rule_set

    def in_force(self) -> RuleSet:
        if self.current is None:
            raise RulesUnavailable("no valid rules document has been loaded")
        return self.current


@dataclass
class ShadowBook:
    """Each tenant's shadow override, as last read from the registry or set on this replica."""

    settings: dict[str, ShadowSetting]

    def of(self, tenant_id: str) -> ShadowSetting:
        return self.settings.get(tenant_id, ShadowSetting())
