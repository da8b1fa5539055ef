"""Which stack runs from a data folder: the supervisor's pid and the ports it chose.

`status` and `down` run in another shell, maybe with other environment variables, so they read
the ports from here rather than from their own environment.
"""

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Final, Self

import psutil

from tools.devstack.ports import StackPorts

_FILE_NAME: Final = "devstack.json"


@dataclass(frozen=True)
class RunningStack:
    """A supervisor that is alive now, and the ports of its stack."""

    process: psutil.Process
    ports: StackPorts


@dataclass(frozen=True)
class RunState:
    """The run-state file of the stack in `data_dir`."""

    data_dir: Path

    @property
    def path(self) -> Path:
        return self.data_dir / _FILE_NAME

    @classmethod
    def of(cls, data_dir: Path) -> Self:
        return cls(data_dir.absolute())

    def record(self, ports: StackPorts) -> None:
        """Records this process as the stack's supervisor."""
        me = psutil.Process(os.getpid())
        state = {"pid": me.pid, "created": me.create_time(), "ports": ports.by_variable()}
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.path.write_text(json.dumps(state, indent=2) + "\n")

    def running(self) -> RunningStack | None:
        """The recorded supervisor if it is still alive; a reused pid does not count."""
        try:
            state = json.loads(self.path.read_text())
            process = psutil.Process(state["pid"])
            if process.create_time() != state["created"]:
                return None
        except (FileNotFoundError, psutil.NoSuchProcess):
            return None
        ports = {variable: str(port) for variable, port in state["ports"].items()}
        return RunningStack(process, StackPorts.from_environment(ports))

    def clear(self) -> None:
        self.path.unlink(missing_ok=True)
