"""Rules documents in YAML: parsed to positioned nodes (pyyaml marks) so every violation names its
line, and a file watcher that hot reloads a changed file."""

from __future__ import annotations

import asyncio
import hashlib
import logging
from pathlib import Path

import yaml

from services.riskcontrol.domain.rules import Node, RuleSet, RulesInvalid, Violation, parse_rule_set

log = logging.getLogger(__name__)
MAX_DOCUMENT_BYTES = 1 << 20


def _node(node: yaml.Node) -> Node:
    line, column = node.start_mark.line + 1, node.start_mark.column + 1
    if isinstance(node, yaml.MappingNode):
        children: dict[str, Node] = {}
        for key, value in node.value:
            children[str(key.value)] = _node(value)
        return Node(children, line, column)
    if isinstance(node, yaml.SequenceNode):
        return Node([_node(child) for child in node.value], line, column)
    return Node(yaml.SafeLoader("").construct_object(node), line, column)


def _located_error(error: yaml.YAMLError) -> Violation:
    mark = getattr(error, "problem_mark", None) or getattr(error, "context_mark", None)
    line, column = (mark.line + 1, mark.column + 1) if mark is not None else (1, 1)
    problem = getattr(error, "problem", None) or str(error)
    return Violation(line, column, "", f"YAML syntax: {problem}")


class YamlRulesParser:
    def parse(self, document: str, source: str) -> RuleSet:
        if len(document.encode()) > MAX_DOCUMENT_BYTES:
            raise RulesInvalid([Violation(1, 1, "", "the document is larger than 1 MiB")])
        try:
            root = yaml.compose(document, Loader=yaml.SafeLoader)
        except yaml.YAMLError as error:
            raise RulesInvalid([_located_error(error)]) from error
        if root is None:
            raise RulesInvalid([Violation(1, 1, "", "the document is empty")])
        version = hashlib.sha256(document.encode()).hexdigest()[:16]
        return parse_rule_set(_node(root), version, source)


class RulesFileWatcher:
    """Reloads the rule book when the file's modification time or size changes."""

    def __init__(self, path: Path, reload: object, interval_seconds: float = 1.0) -> None:
        self._path = path
        self._reload = reload
        self._interval = interval_seconds
        self._seen: tuple[float, int] | None = None

    def load_now(self) -> None:
        stat = self._path.stat()
        self._seen = (stat.st_mtime, stat.st_size)
        try:
            self._reload(self._path.read_text(), str(self._path))  # type: ignore[operator]
        except RulesInvalid as invalid:
            log.error("rules file rejected; previous rules keep running: %s", invalid)

    async def run(self) -> None:
        while True:
            await asyncio.sleep(self._interval)
            try:
                stat = self._path.stat()
            except OSError:
                log.warning("rules file %s is not readable", self._path)
                continue
            if (stat.st_mtime, stat.st_size) != self._seen:
                self.load_now()
