"""One writer per store: an exclusive lock on ``DIR/.lock`` for a sweep's lifetime.

``fcntl.flock(LOCK_EX | LOCK_NB)`` on the open file: the kernel releases it when the holder's
file is closed, including when the process dies (``kill -9``, a crash, the OOM killer), so a
lock file left behind never blocks anyone; it only keeps the last holder's details. The file
is never deleted: a process could otherwise lock a file just unlinked while another creates and
locks a new one, and both would think they hold the folder. The file descriptor is not
inherited by spawned worker processes (Python opens files non-inheritable), so only the
sweep's own process holds the lock.

The holder writes its pid, host, start time and command into the file once it has the lock;
a second sweep reads them to say who holds the folder, then exits 2.
"""

from __future__ import annotations

import fcntl
import json
import os
import shlex
import socket
import sys
import time
from pathlib import Path

from tranqsim.loading import ScenarioError


class StoreLocked(ScenarioError):
    """Another process writes into the store."""


class StoreLock:
    def __init__(self, root: str | Path):
        self.root = Path(root)
        self.path = self.root / ".lock"
        self._file = None

    def acquire(self) -> StoreLock:
        try:
            # r+ on an existing file, created when absent: never truncated before it is ours
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as exc:
            raise ScenarioError(f"{self.root}: cannot create its lock file ({exc.strerror})") from None
        f = os.fdopen(fd, "r+")
        try:
            fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = _describe(f.read())
            f.close()
            raise StoreLocked(f"{self.root}: in use by another sweep ({holder}); wait until it ends or stop "
                              "it, or choose another --out folder") from None
        except OSError as exc:
            f.close()
            raise ScenarioError(f"{self.root}: cannot lock the folder ({exc.strerror}); the file system may "
                                "not support locks: choose an --out folder on a local disk") from None
        f.seek(0)
        f.truncate()
        f.write(json.dumps({"pid": os.getpid(), "host": socket.gethostname(),
                            "started": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
                            "command": shlex.join(sys.argv)}) + "\n")
        f.flush()
        self._file = f
        return self

    def release(self) -> None:
        f, self._file = self._file, None
        if f is None:
            return
        try:
            f.seek(0)
            f.truncate()  # the details would describe a process that no longer holds the folder
        except OSError:
            pass
        finally:
            f.close()  # closing the last descriptor releases the lock

    @property
    def held(self) -> bool:
        return self._file is not None

    def __enter__(self) -> StoreLock:
        return self.acquire()

    def __exit__(self, *exc) -> None:
        self.release()


def _describe(text: str) -> str:
    try:
        h = json.loads(text)
        return f"pid {h['pid']} on {h['host']}, since {h['started']}: {h['command']}"
    except (ValueError, KeyError, TypeError):
        return "a process that has not yet written its details"
