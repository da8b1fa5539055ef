"""A ReportSales retry that arrives while the first attempt of its request id is still in flight
(its batch not committed) waits for that attempt and answers from what it stored: the same reply,
or REQUEST_ID_REUSED for other content, and nothing applied twice. Real PostgreSQL and inventory;
the first attempt is held back at a known point by a test transaction, and the tests poll
pg_stat_activity (bounded) to see who waits, never sleep."""

from __future__ import annotations

import asyncio
import time

import asyncpg
import grpc
from streamstock.sync.v1 import sales_pb2

from services.sync.adapters.postgres_store import PostgresTransaction
from services.sync.domain.sales import LineRecord, SaleKind
from services.sync.entrypoints.idempotency import fingerprint
from tests.conftest import API_KEYS
from tests.sync.conftest import TENANT, SyncFactory, SyncStack, reason_of, unique, waiting
from tests.sync.test_sale_reports import SALE, allocated, sale_line

Reply = sales_pb2.ReportSalesResponse | grpc.aio.AioRpcError
APPLIED = sales_pb2.SALE_LINE_OUTCOME_APPLIED


class Held:
    """A transaction of the test on sync's store, open until the test ends it."""

    def __init__(self, connection: asyncpg.Connection) -> None:
        self.tx = PostgresTransaction(connection)
        self._transaction = connection.transaction()
        self._open = True

    async def __aenter__(self) -> Held:
        await self._transaction.start()
        return self

    async def __aexit__(self, *failure: object) -> None:
        """Commits, unless it failed or was rolled back already."""
        if self._open:
            self._open = False
            await (self._transaction.rollback() if failure[0] else self._transaction.commit())

    async def roll_back(self) -> None:
        self._open = False
        await self._transaction.rollback()


def report_request(
    platform_id: str, request_id: str, lines: list[sales_pb2.SaleLine]
) -> sales_pb2.ReportSalesRequest:
    return sales_pb2.ReportSalesRequest(
        tenant_id=TENANT, request_id=request_id, platform_id=platform_id, lines=lines
    )


def send(stack: SyncStack, request: sales_pb2.ReportSalesRequest) -> asyncio.Task[Reply]:
    async def call() -> Reply:
        try:
            reply: sales_pb2.ReportSalesResponse = await stack.service.stub.ReportSales(
                request, metadata=(("x-api-key", API_KEYS.service),), timeout=20
            )
        except grpc.aio.AioRpcError as error:
            return error
        return reply

    return asyncio.create_task(call())


async def first_then_retry_while_committing(
    stack: SyncStack,
    pool: asyncpg.Pool,
    first: sales_pb2.ReportSalesRequest,
    retry: sales_pb2.ReportSalesRequest,
) -> tuple[Reply, Reply]:
    """Sends `first` and holds its batch back at its last write (after inventory was called, when
    the next batch may start): a test transaction has inserted the key of its first sale line and
    not committed. Then sends `retry`, waits until it waits for a lock too, and lets the first
    batch commit (the test's row rolled back)."""
    line = first.lines[0]
    async with pool.acquire() as connection, Held(connection) as brake:
        await brake.tx.save_sale_lines(
            first.tenant_id,
            first.platform_id,
            [
                (
                    (line.order_id, line.line_id, SaleKind(line.kind)),
                    LineRecord(line.sku_id, 1, 1),
                    0,
                )
            ],
        )
        first_reply = send(stack, first)
        await waiting(pool, 1)  # its insert of the sale line waits for the test's
        retry_reply = send(stack, retry)
        await waiting(pool, 2)
        await brake.roll_back()
    return await asyncio.wait_for(first_reply, 20), await asyncio.wait_for(retry_reply, 20)


async def sale_line_count(pool: asyncpg.Pool, platform_id: str) -> int:
    count: int = await pool.fetchval(
        "SELECT count(*) FROM sale_lines WHERE tenant_id = $1 AND platform_id = $2",
        TENANT,
        platform_id,
    )
    return count


async def test_a_retry_of_a_report_still_committing_gets_its_answer_not_duplicates(
    sync_stack: SyncFactory, sync_db: asyncpg.Pool
) -> None:
    stack = await sync_stack()
    sku_id, platform_id = await allocated(stack, on_hand=20)
    request = report_request(
        platform_id,
        unique("report"),
        [sale_line("o1", sku_id, SALE, 2), sale_line("o2", sku_id, SALE, 1)],
    )
    first, retry = await first_then_retry_while_committing(stack, sync_db, request, request)
    assert isinstance(first, sales_pb2.ReportSalesResponse)
    assert [r.outcome for r in first.results] == [APPLIED, APPLIED]
    assert retry == first
    quota = (await stack.quotas(sku_id))[platform_id]
    assert (quota.sold_units, (await stack.sku_stock(sku_id)).sold) == (3, 3)


async def test_a_reused_request_id_while_the_first_is_committing_is_refused(
    sync_stack: SyncFactory, sync_db: asyncpg.Pool
) -> None:
    stack = await sync_stack()
    sku_id, platform_id = await allocated(stack, on_hand=20)
    request_id = unique("report")
    first, reused = await first_then_retry_while_committing(
        stack,
        sync_db,
        report_request(platform_id, request_id, [sale_line("o1", sku_id, SALE, 2)]),
        report_request(platform_id, request_id, [sale_line("o2", sku_id, SALE, 1)]),
    )
    assert isinstance(first, sales_pb2.ReportSalesResponse)
    assert [r.outcome for r in first.results] == [APPLIED]
    assert isinstance(reused, grpc.aio.AioRpcError)
    assert reused.code() is grpc.StatusCode.ALREADY_EXISTS
    assert reason_of(reused) == "REQUEST_ID_REUSED"
    quota = (await stack.quotas(sku_id))[platform_id]
    assert (quota.sold_units, (await stack.sku_stock(sku_id)).sold) == (2, 2)
    assert await sale_line_count(sync_db, platform_id) == 1  # o2 was not recorded


async def test_a_retry_waits_for_the_holder_of_its_request_id_and_returns_what_it_stored(
    sync_stack: SyncFactory, sync_db: asyncpg.Pool
) -> None:
    """The holder is any transaction that took the id through the store (another replica's
    batch, say): the retry waits for its commit and returns exactly the reply it stored."""
    stack = await sync_stack()
    sku_id, platform_id = await allocated(stack, on_hand=20)
    request = report_request(platform_id, unique("report"), [sale_line("o1", sku_id, SALE, 2)])
    stored = sales_pb2.ReportSalesResponse(
        results=[
            sales_pb2.SaleLineResult(
                order_id="o1",
                line_id="1",
                kind=SALE,
                outcome=APPLIED,
                applied_units=2,
                detail="the first attempt's answer",
            )
        ]
    )
    quota_before = (await stack.quotas(sku_id))[platform_id]
    async with sync_db.acquire() as connection, Held(connection) as holder:
        await holder.tx.hold_requests(TENANT, "ReportSales", [request.request_id])
        retry = send(stack, request)
        await waiting(sync_db, 1, "advisory")
        await holder.tx.remember_results(
            TENANT,
            "ReportSales",
            [(request.request_id, fingerprint(request), stored.SerializeToString())],
            time.time(),
        )
    assert await asyncio.wait_for(retry, 20) == stored
    assert (await stack.quotas(sku_id))[platform_id] == quota_before
    assert (await stack.sku_stock(sku_id)).sold == 0
    assert await sale_line_count(sync_db, platform_id) == 0
