"""Worker processes die with the batch that started them.

A pool worker whose parent was killed (SIGKILL leaves no chance to clean up) would otherwise live on as an
orphan, finishing the tickers already queued to it and writing reports into an output folder that a new
run may own by then. On Linux the kernel kills the worker when its parent dies (prctl PR_SET_PDEATHSIG);
elsewhere a daemon thread notices the parent is gone within half a second and exits the worker.
"""

from __future__ import annotations

import ctypes
import os
import signal
import sys
import threading
import time

PR_SET_PDEATHSIG = 1


def _kernel_watch() -> bool:
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        return int(libc.prctl(PR_SET_PDEATHSIG, int(signal.SIGKILL), 0, 0, 0)) == 0
    except (OSError, AttributeError):
        return False


def _watch(parent: int) -> None:
    while True:
        if os.getppid() != parent:
            os._exit(1)
        time.sleep(0.5)


def die_with_parent(parent: int) -> None:
    """Call first thing in a worker process; `parent` is the pid of the process that started it."""
    if not _kernel_watch():
        threading.Thread(target=_watch, args=(parent,), daemon=True, name="lifeline").start()
    if os.getppid() != parent:  # the parent died before the watch was set
        os._exit(1)
