"""Ties a child process's life to the process that started it.

Linux sends a chosen signal to a process when its parent dies (prctl PR_SET_PDEATHSIG), so a stack
whose supervisor is SIGKILLed, or a test run that crashes, leaves no server behind holding ports.
"""

import ctypes
import os
import signal
from collections.abc import Callable

_PR_SET_PDEATHSIG = 1


def die_with_parent(death_signal: signal.Signals) -> Callable[[], None]:
    """Returns a `preexec_fn` that makes the child receive `death_signal` when its parent dies.

    Linux fires the signal when the *thread* that forked the child exits, so start children from a
    thread that lives as long as they should (the main thread or the event loop's thread), never
    from a worker pool thread.
    """
    # Resolved in the parent: between fork and exec the child should do as little as possible.
    prctl = ctypes.CDLL(None, use_errno=True).prctl
    parent_pid = os.getpid()

    def arm() -> None:
        if prctl(_PR_SET_PDEATHSIG, ctypes.c_ulong(death_signal), 0, 0, 0) != 0:
            raise OSError(ctypes.get_errno(), "prctl(PR_SET_PDEATHSIG) failed")
        # The parent may have died between fork and prctl; no signal would ever come then.
        if os.getppid() != parent_pid:
            os.kill(os.getpid(), death_signal)

    return arm
