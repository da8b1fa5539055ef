"""Reads a Dockerfile without a Docker engine and checks how the image is built and run."""

from __future__ import annotations

import json
import re
import shlex
from dataclasses import dataclass, field
from typing import Final

_PINNED = re.compile(r"@sha256:[0-9a-f]{64}$|:\d+\.\d+\.\d+(-[A-Za-z0-9.]+)*$")
_NUMERIC_USER = re.compile(r"(\d+)(:\d+)?")


@dataclass(frozen=True)
class Instruction:
    keyword: str
    arguments: str


@dataclass
class Stage:
    base: str
    name: str
    instructions: list[Instruction] = field(default_factory=list)

    def arguments(self, keyword: str) -> list[str]:
        return [i.arguments for i in self.instructions if i.keyword == keyword]


def instructions(text: str) -> list[Instruction]:
    """Logical instructions: comments dropped, backslash continuations joined."""
    logical: list[str] = []
    pending = ""
    for line in text.splitlines():
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        if stripped.endswith("\\"):
            pending += stripped[:-1] + " "
            continue
        logical.append(pending + stripped)
        pending = ""
    if pending:
        logical.append(pending)
    parsed = []
    for entry in logical:
        keyword, _, arguments = entry.partition(" ")
        parsed.append(Instruction(keyword.upper(), arguments.strip()))
    return parsed


def stages(text: str) -> list[Stage]:
    result: list[Stage] = []
    for instruction in instructions(text):
        if instruction.keyword == "FROM":
            words = instruction.arguments.split()
            name = words[2] if len(words) >= 3 and words[1].upper() == "AS" else ""
            result.append(Stage(words[0], name))
        elif result:
            result[-1].instructions.append(instruction)
    return result


def exec_form(arguments: str) -> list[str]:
    """ENTRYPOINT/CMD as argv; the shell form would run under /bin/sh and swallow SIGTERM."""
    try:
        value = json.loads(arguments)
    except json.JSONDecodeError as error:
        raise ValueError(f"not in exec (JSON) form: {arguments}") from error
    if not isinstance(value, list) or not all(isinstance(word, str) for word in value):
        raise ValueError(f"not a list of strings: {arguments}")
    return value


def default_command(text: str) -> list[str]:
    """What the final image runs when nothing is overridden: ENTRYPOINT followed by CMD."""
    final = stages(text)[-1]
    entrypoint = final.arguments("ENTRYPOINT")
    command = final.arguments("CMD")
    return [
        *(exec_form(entrypoint[-1]) if entrypoint else []),
        *(exec_form(command[-1]) if command else []),
    ]


def image_user(text: str) -> str:
    users = stages(text)[-1].arguments("USER")
    return users[-1] if users else ""


LOCKED_INSTALL: Final = ("uv", "sync", "--frozen", "--no-dev")


def dockerfile_violations(text: str) -> list[str]:
    built = stages(text)
    if len(built) < 2:
        return ["not a multi-stage build"]
    violations = []
    names = {stage.name for stage in built if stage.name}
    for stage in built:
        if stage.base not in names and not _PINNED.search(stage.base):
            violations.append(f"base {stage.base} is pinned neither by digest nor by exact version")
    final = built[-1]
    if not any("--from=" in copy for copy in final.arguments("COPY")):
        violations.append("the final stage copies nothing from a build stage")
    if any("install" in run or "uv sync" in run for run in final.arguments("RUN")):
        violations.append("the final stage installs packages (belongs in the build stage)")
    user = _NUMERIC_USER.fullmatch(image_user(text))
    if user is None or int(user[1]) == 0:
        violations.append(f"final USER {image_user(text)!r} is not a numeric non-root user")
    runs = [shlex.split(run) for stage in built for run in stage.arguments("RUN")]
    if not any(all(word in run for word in LOCKED_INSTALL) for run in runs):
        violations.append("dependencies are not installed with uv sync --frozen --no-dev")
    if not any("uv.lock" in copy for stage in built for copy in stage.arguments("COPY")):
        violations.append("uv.lock is not copied into the build")
    try:
        default_command(text)
    except ValueError as error:
        violations.append(f"ENTRYPOINT/CMD: {error}")
    return violations
