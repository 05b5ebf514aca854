"""The sweep's own process pool, rebuilt after a worker dies, and the window of runs in flight.

A worker killed mid-run (the out-of-memory killer, ``kill -9``) breaks a
``ProcessPoolExecutor``. Each worker leaves a marker file named after its run (holding its
pid) while the run lasts (:func:`tranqsim.experiments.runner.run_marked`); after a break,
:meth:`OwnPool.shut_broken` names the runs that were running and what became of their workers
(signal or exit code), and :meth:`OwnPool.restart` builds a new pool. What the sweep then does
with those runs: :mod:`tranqsim.experiments.runner`.
"""

from __future__ import annotations

import shutil
import signal
import tempfile
import time
from concurrent.futures import Future
from pathlib import Path

from tranqsim.pools import spawn_pool


def _fate(proc) -> str:
    """What became of a worker process, from its exit code, as a phrase."""
    code = getattr(proc, "exitcode", None)
    if code is None:
        return "worker process died"
    if code < 0:
        try:
            name = signal.Signals(-code).name
        except ValueError:
            name = f"signal {-code}"
        hint = " (what the out-of-memory killer sends)" if -code == signal.SIGKILL else ""
        return f"worker process died, killed by {name}{hint}"
    return f"worker process died with exit code {code}"


class OwnPool:
    """The sweep's own spawn pool, rebuilt after a worker dies, with the folder of run markers
    that says which runs were running at that moment (see ``run_marked``)."""

    def __init__(self, workers: int, task):
        self.workers, self.task = workers, task  # task(job, markers folder): a module-level function
        self.markers = Path(tempfile.mkdtemp(prefix="tranqsim-running-"))
        self.executor = spawn_pool(workers)

    def submit(self, job: dict) -> Future:
        return self.executor.submit(self.task, job, str(self.markers))

    def shut_broken(self) -> dict[str, str]:
        """Shut the broken pool down; run id -> fate of its worker, for the runs whose marker
        survived (they were running), clearing the markers."""
        # the broken executor's Process objects (a private attribute: without it the message
        # only loses the signal); read their exit codes once its manager thread has joined
        # them (shutdown(wait=True)): earlier, a read can race that join and find nothing
        procs = {p.pid: p for p in (getattr(self.executor, "_processes", None) or {}).values()}
        self.executor.shutdown(wait=True, cancel_futures=True)
        out = {}
        for m in self.markers.iterdir():
            try:
                pid = int(m.read_text() or 0)
            except (OSError, ValueError):
                pid = 0
            out[m.name] = _fate(procs.get(pid))
            m.unlink(missing_ok=True)
        return out

    def restart(self) -> None:
        self.executor = spawn_pool(self.workers)

    def close(self, interrupted: bool) -> None:
        if interrupted:
            for p in list((getattr(self.executor, "_processes", None) or {}).values()):
                p.terminate()
        self.executor.shutdown(wait=not interrupted, cancel_futures=True)
        shutil.rmtree(self.markers, ignore_errors=True)


def capacity(executor, fallback: int = 1) -> int:
    """How many runs ``executor`` runs at once: a Dask client executor's total worker threads
    over the cluster (as it is now: workers join and leave), a local pool's ``_max_workers``,
    else ``fallback``."""
    client = getattr(executor, "_client", None)
    if client is not None and hasattr(client, "nthreads"):
        try:
            return max(1, sum(client.nthreads().values()))
        except Exception:  # scheduler briefly unreachable: keep the window going
            return max(1, fallback)
    return max(1, getattr(executor, "_max_workers", None) or fallback)


class Window:
    """In-flight runs allowed: 4 per slot of the executor, so no worker waits for the parent,
    while a sweep of a million runs is not all queued at once. Re-read at most every
    ``every_s`` (one scheduler round trip for Dask)."""

    def __init__(self, executor, fallback: int, every_s: float = 2.0):
        self.executor, self.fallback, self.every_s = executor, fallback, every_s
        self.value, self.at = 0, -float("inf")

    def size(self) -> int:
        now = time.monotonic()
        if now - self.at >= self.every_s:
            self.value, self.at = 4 * capacity(self.executor, self.fallback), now
        return self.value
