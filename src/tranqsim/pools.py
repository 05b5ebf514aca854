"""Process pools that leave Ctrl-C to the parent.

Ctrl-C in a terminal sends SIGINT to every process of the foreground group, workers included.
A worker acting on it alone either turns its current run into a failure or, idle in its queue
or still starting up, dies with a KeyboardInterrupt traceback and breaks the pool. The parent
is the one that must stop: it terminates the workers and leaves its store consistent.

Two guards, because a spawned worker can receive the signal before any of its Python code runs:
- ``sigint_held()``: SIGINT is blocked in the submitting thread while the pool starts workers
  (``ProcessPoolExecutor`` spawns them lazily, inside ``submit``). The blocked mask is inherited
  across fork and exec, and Python keeps a blocked signal blocked, so the worker never sees it.
  In the parent a Ctrl-C arriving in that window stays pending and is delivered on release.
- ``ignore_sigint``: the workers' initializer ignores SIGINT for the rest of their life.
"""

from __future__ import annotations

import multiprocessing
import signal
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager


def ignore_sigint() -> None:
    """Worker initializer: the parent handles Ctrl-C."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


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
    """A fresh-interpreter (spawn) pool whose workers ignore SIGINT. Submit to it inside
    ``sigint_held()``: that is when its workers start."""
    return ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn"),
                               initializer=ignore_sigint)
