"""The CLI run as a person runs it (CliRunner), against services hosted in this process.

The CLI uses sync gRPC; each invocation runs in a worker thread so the in-process aio servers
keep serving on the event loop meanwhile.
"""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import pytest
from click.testing import Result
from typer.testing import CliRunner

from tests.conftest import API_KEYS, RunningService, StartService
from tools.cli.main import app

# Wide enough that rich never folds a table cell the tests look for.
TERMINAL = {"COLUMNS": "240", "NO_COLOR": "1"}


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


@dataclass
class Cli:
    """`streamstock` with global options pointing at in-process services, as tenant acme's admin."""

    addresses: Mapping[str, str] = field(default_factory=dict)
    api_key: str = API_KEYS.acme_admin
    tenant: str = "acme"

    def arguments(self, args: tuple[str, ...]) -> list[str]:
        options = [f"--{service}-address={address}" for service, address in self.addresses.items()]
        return [
            *options,
            f"--api-key={self.api_key}",
            f"--tenant={self.tenant}",
            "--timeout=20",
            *args,
        ]

    async def run(self, *args: str) -> Result:
        runner = CliRunner()
        return await asyncio.to_thread(runner.invoke, app, self.arguments(args), env=TERMINAL)

    async def ok(self, *args: str) -> Result:
        result = await self.run(*args)
        assert result.exit_code == 0, (result.stdout, result.stderr, result.exception)
        return result

    async def json(self, *args: str) -> Any:
        """The command's --json output (the flag goes before a `--`, after which all is arguments)."""
        end = args.index("--") if "--" in args else len(args)
        return json.loads((await self.ok(*args[:end], "--json", *args[end:])).stdout)

    def failed(self, result: Result) -> str:
        """The stderr of a call that failed cleanly: status 1, no traceback."""
        assert result.exit_code == 1, (result.stdout, result.stderr, result.exception)
        assert "Traceback" not in result.output
        return result.stderr


def address_of(service: RunningService) -> str:
    return f"127.0.0.1:{service.host.port}"


@pytest.fixture
async def inventory(start_service: StartService) -> RunningService:
    return await start_service("inventory")


@pytest.fixture
def cli(inventory: RunningService) -> Cli:
    return Cli(addresses={"inventory": address_of(inventory)})


async def create_sku(cli: Cli, on_hand: int, *options: str) -> str:
    sku_id = unique("sku")
    await cli.ok("stock", "create", sku_id, f"--on-hand={on_hand}", "--title=Lipstick", *options)
    return sku_id


def table_rows(stdout: str) -> list[list[str]]:
    """The cells of every row of the rich tables printed (box-drawing borders dropped)."""
    return [
        [cell.strip() for cell in line.split("│")[1:-1]]
        for line in stdout.splitlines()
        if line.startswith("│")
    ]


def record_of(stdout: str) -> dict[str, str]:
    """A two-column record table (`stock get`, `policy show`) as field -> value."""
    return {row[0]: row[1] for row in table_rows(stdout) if len(row) == 2}
