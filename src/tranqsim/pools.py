"""Process pools that leave Ctrl-C to the parent and die with it.

Ctrl-C in a terminal sends SIGINT to every process of the foreground group, workers included.
A worker acting on it alone either turns its current run into a failure or, idle in its queue
or still starting up, dies with a KeyboardInterrupt traceback and breaks the pool. The parent
is the one that must stop: it terminates the workers and leaves its store consistent.

Two guards, because a spawned worker can receive the signal before any of its Python code runs:
- ``sigint_held()``: SIGINT is blocked in the submitting thread while the pool starts workers
  (``ProcessPoolExecutor`` spawns them lazily, inside ``submit``). The blocked mask is inherited
  across fork and exec, and Python keeps a blocked signal blocked, so the worker never sees it.
  In the parent a Ctrl-C arriving in that window stays pending and is delivered on release.
- the workers' initializer ignores SIGINT for the rest of their life.

A parent killed without a chance to clean up (``kill -9``, the out-of-memory killer) would
leave its workers alive, each holding a model's memory. The initializer ties them to it:
- on Linux, ``prctl(PR_SET_PDEATHSIG, SIGKILL)``: the kernel kills the worker when the thread
  that spawned it exits. ``ProcessPoolExecutor`` spawns from the thread calling ``submit``, so
  submit from a thread that outlives the pool (the ``with`` block that uses it);
- everywhere, a daemon thread that exits the worker once ``os.getppid()`` is no longer the pid
  of the parent that started it (re-parented to init or a subreaper). It also covers a parent
  that died before ``prctl`` took effect.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import sys
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager

#: how often a worker checks that its parent is still alive (the fallback to PR_SET_PDEATHSIG)
WATCHDOG_PERIOD_S = 1.0
#: ``--workers`` above this many processes per usable core is refused unless forced
WORKERS_PER_CORE = 4


def usable_cores() -> int:
    """The cores this process may run on (its affinity mask where the OS has one)."""
    try:
        return len(os.sched_getaffinity(0)) or 1
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def max_workers() -> int:
    """The largest worker count accepted without ``--force``."""
    return WORKERS_PER_CORE * usable_cores()


def _die_with_parent(parent: int) -> None:
    if sys.platform.startswith("linux"):
        try:
            import ctypes

            libc = ctypes.CDLL(None, use_errno=True)
            PR_SET_PDEATHSIG = 1
            libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        except (OSError, AttributeError):
            pass  # the watchdog below still works
    if os.getppid() != parent:  # the parent died before we could ask to follow it
        os._exit(1)

    def watch():
        while True:
            time.sleep(WATCHDOG_PERIOD_S)
            if os.getppid() != parent:
                os._exit(1)

    threading.Thread(target=watch, name="tranqsim-parent-watchdog", daemon=True).start()


def init_worker(parent: int) -> None:
    """Worker initializer: the parent handles Ctrl-C, and the worker dies with the parent."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _die_with_parent(parent)


@contextmanager
def sigint_held(*also: signal.Signals):
    """Block SIGINT (and ``also``) in this thread for the duration; a pending one is delivered
    on exit. Also used around writes that must not be cut in half by Ctrl-C or SIGTERM."""
    old = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT, *also})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, old)


def spawn_pool(workers: int) -> ProcessPoolExecutor:
    """A fresh-interpreter (spawn) pool whose workers ignore SIGINT and die with this process.
    Submit to it inside ``sigint_held()``: that is when its workers start."""
    return ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn"),
                               initializer=init_worker, initargs=(os.getpid(),))
