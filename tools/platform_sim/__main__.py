"""Run simulated platforms against a running sync: `python -m tools.platform_sim --help`."""

from __future__ import annotations

import argparse
import asyncio
import logging

import grpc

from tools.platform_sim.platform import Misbehaviour, SimulatedPlatform


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sync", required=True, help="host:port of SyncService")
    parser.add_argument("--api-key", required=True, help="a PLATFORM or SERVICE key of the tenant")
    parser.add_argument("--tenant", required=True)
    parser.add_argument("--platform", required=True, help="the platform id registered in sync")
    parser.add_argument("--port", type=int, default=0, help="port of PlatformListingService")
    parser.add_argument("--sku", action="append", required=True, help="SKU to sell (repeatable)")
    parser.add_argument("--rate", type=float, default=5.0, help="units sold per second")
    parser.add_argument("--late", type=float, default=0.0)
    parser.add_argument("--duplicate", type=float, default=0.0)
    parser.add_argument("--shuffle", action="store_true")
    parser.add_argument("--cancel", type=float, default=0.0)
    parser.add_argument("--token", default="", help="bearer token sync must present")
    parser.add_argument("--down-after", type=float, default=0.0, help="go down after N seconds")
    parser.add_argument("--down-for", type=float, default=0.0, help="come back after N seconds")
    return parser.parse_args()


async def _main(args: argparse.Namespace) -> None:
    async with grpc.aio.insecure_channel(args.sync) as channel:
        platform = SimulatedPlatform(
            tenant_id=args.tenant,
            platform_id=args.platform,
            sync_channel=channel,
            api_key=args.api_key,
            units_per_second=args.rate,
            misbehaviour=Misbehaviour(args.late, args.duplicate, args.shuffle, args.cancel, 0.5),
            token=args.token,
        )
        port = await platform.start(args.port)
        logging.info("platform %s serving PushListing on 127.0.0.1:%d", args.platform, port)
        platform.run(args.sku)
        try:
            if args.down_after:
                await asyncio.sleep(args.down_after)
                await platform.go_down()
                logging.info("down")
                await asyncio.sleep(args.down_for)
                await platform.come_back()
                logging.info("back")
            await asyncio.Event().wait()
        finally:
            await platform.stop()
            logging.info("tally %s", platform.tally)


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    asyncio.run(_main(_arguments()))
