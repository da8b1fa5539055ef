"""A supervisor as the CLI runs one, for the tests that signal or kill it.

`python supervised_family.py READY_FILE` starts a Redis server and one child that has two children
of its own, one of which leaves the process group. Once all run, the child writes READY_FILE.
"""

import asyncio
import os
import sys
from pathlib import Path

from tools.devstack.ports import free_port
from tools.devstack.redis import LocalRedis
from tools.devstack.supervisor import ChildSpec, Supervisor, run_until_stopped

FAMILY = """
import os, subprocess, sys, time
sleep = [sys.executable, "-c", "import time; time.sleep(120)"]
subprocess.Popen(sleep)
subprocess.Popen(sleep, start_new_session=True)
with open(sys.argv[1] + ".tmp", "w") as ready:
    ready.write(str(os.getpid()))
os.rename(sys.argv[1] + ".tmp", sys.argv[1])
time.sleep(120)
"""


async def main(ready_file: Path) -> int:
    supervisor = Supervisor(ready_file.parent, grace_seconds=5)

    async def bring_up() -> None:
        redis = LocalRedis(ready_file.parent / "redis", free_port())
        redis.start()
        supervisor.stop_last(redis)
        argv = [sys.executable, "-c", FAMILY, str(ready_file)]
        await supervisor.start(ChildSpec("family", argv, dict(os.environ)))

    return await run_until_stopped(supervisor, bring_up)


if __name__ == "__main__":
    sys.exit(asyncio.run(main(Path(sys.argv[1]))))
