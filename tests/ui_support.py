"""What the UI tests share: the offline set-up, Debian's chromium, and the real server in a
subprocess on a free port whose outgoing HTTP points at a closed port (a front-end file missing
from the local cache fails a test instead of being fetched from the internet).

The pytest-playwright fixtures that launch chromium are re-exported by the UI test modules
(``from ui_support import chromium_path, browser_type_launch_args``)."""

from __future__ import annotations

import http.client
import os
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
LOGS = ROOT / "tests" / "artifacts"
CLOSED = "http://127.0.0.1:9"  # nothing listens there: outgoing HTTP fails at once
CHROMIUM_FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run"]
START_TIMEOUT = 120  # s: the first start compiles numba kernels in a fresh checkout


def setup_ui(*flags: str) -> None:
    """The project's own set-up: offline front-end assets (and chromium with --chromium)."""
    subprocess.run([sys.executable, str(ROOT / "scripts" / "setup_ui.py"), *flags], check=True)


@pytest.fixture(scope="session")
def chromium_path() -> str:
    """Offline assets and chromium, installed by the project's setup when missing."""
    setup_ui("--chromium")
    sys.path.insert(0, str(ROOT / "scripts"))
    try:
        from setup_ui import find_chromium
    finally:
        sys.path.pop(0)
    path = find_chromium()
    assert path, "chromium not found after setup"
    return path


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args, chromium_path):
    # playwright cannot download its browsers here: use Debian's chromium
    return {**browser_type_launch_args, "executable_path": chromium_path, "args": CHROMIUM_FLAGS}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get(port: int, path: str, method: str = "GET", headers: dict | None = None,
        timeout: float = 30) -> tuple[int, bytes, dict]:
    """One request with the path sent exactly as given (no normalisation of ``..`` or ``%2f``)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request(method, path, headers=headers or {})
        r = conn.getresponse()
        return r.status, r.read(), dict(r.getheaders())
    finally:
        conn.close()


@contextmanager
def ui_server(*args: str, name: str = "server", env: dict | None = None):
    """``tranqsim ui ARGS`` on a free port, offline; yields (port, process) once it answers;
    its output goes to ``tests/artifacts/ui_NAME.log``."""
    port = free_port()
    env = {**os.environ, "HTTP_PROXY": CLOSED, "HTTPS_PROXY": CLOSED, "http_proxy": CLOSED,
           "https_proxy": CLOSED, "NO_PROXY": "127.0.0.1,localhost", "no_proxy": "127.0.0.1,localhost",
           **(env or {})}
    LOGS.mkdir(parents=True, exist_ok=True)
    log_path = LOGS / f"ui_{name}.log"
    with open(log_path, "w") as log:
        proc = subprocess.Popen([sys.executable, "-m", "tranqsim.cli", "ui", "--port", str(port), *args],
                                env=env, stdout=log, stderr=subprocess.STDOUT, cwd=ROOT)
        try:
            deadline = time.monotonic() + START_TIMEOUT
            while True:
                try:
                    if get(port, "/_tranqsim/status", timeout=5)[0] == 200:
                        break
                except OSError:
                    pass
                if proc.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"the UI server did not start; see {log_path}")
                time.sleep(0.3)
            yield port, proc
        finally:
            proc.terminate()
            try:
                proc.wait(15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(15)
