"""Serving the UI: ``tranqsim ui`` runs the Solara app :mod:`tranqsim.ui.app` under uvicorn.

A training room must not be able to break it, so the server is Solara's own ASGI app
(``solara.server.starlette:app``, the documented way to run Solara under uvicorn) behind a
small gate, :class:`Gate`, that adds three things:

* **Front-end files read-only.** Solara fetches its JavaScript bundle, require.js and Font
  Awesome from a public CDN; ``scripts/setup_ui.py`` (``make ui``) unpacks them once into a
  local folder (:func:`cache_dir`). Solara's own way to serve that folder is its *CDN proxy*
  (``SOLARA_ASSETS_PROXY``), which writes into the folder, fetches missing paths from the
  internet (retrying for seconds) and deletes a cached sub-folder when a request names one
  (``solara.server.cdn_helper.get_path``): one unauthenticated GET removed the bundle and
  left a blank page. So the proxy is off, the page is told to load its files from
  :data:`CDN_PATH` on this server, and that path is a Starlette ``StaticFiles`` over the
  folder: it only reads, answers 404 at once for anything missing (no outgoing request), and
  refuses paths that leave the folder (``..``, symlinks out).
* **Idle sessions culled.** Each browser page is a Solara *kernel* holding its model(s).
  When the page goes away without saying so (laptop closed, network cut, browser killed),
  Solara keeps the kernel for ``SOLARA_KERNEL_CULL_TIMEOUT`` (24 h by default) in case it
  reconnects; here that is ``--idle-minutes``. A page closed normally frees its kernel at once.
  The run a browser had is kept a little longer for a reload (``KEEP_FOR_RELOAD``, at most the
  idle time; :class:`tranqsim.ui.session.KeptRuns`), then dropped with its models.
* **Sessions capped.** Over ``--max-sessions`` live kernels, a new page gets a short page
  saying so (HTTP 503, reloading itself every 30 s) and a new kernel's websocket is refused,
  rather than the machine running out of memory for everyone. A browser that already holds a
  session may still load the page, and its new kernel waits a few seconds for a place: a
  reload must work when the room is full (the old page's close message arrives meanwhile).

``GET /_tranqsim/status`` answers ``{"kernels", "live", "sessions", "max_sessions", "idle_seconds",
"rss_mb"}``: Solara kernels alive, sessions counted against the cap (kernels and
websockets still connecting; counts only, no ids), :class:`tranqsim.ui.session.Session` objects alive (each
holds its models; they go when their kernel closes), the limits, and the process's memory.
"""

from __future__ import annotations

import asyncio
import gc
import json
import os
import re
import sys
import threading
import time
from pathlib import Path

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8765
DEFAULT_IDLE_MINUTES = 30.0
DEFAULT_MAX_SESSIONS = 20
APP = "tranqsim.ui.app"
CDN_PATH = "/_solara/cdn"  # where the page loads its front-end files from (the proxy's old path)
STATUS_PATH = "/_tranqsim/status"
# paths Solara serves that are not the page itself (everything else renders the page)
NOT_PAGES = ("/_solara/", "/_tranqsim/", "/static/", "/jupyter/", "/readyz", "/resourcez",
             "/favicon")
KERNEL_WS = re.compile(r"^/jupyter/api/kernels/([^/]+)/[^/]+$")
KEEP_FOR_RELOAD = 120.0  # s a run outlives its last page, at most (a reload, a tab reopened)
RELOAD_GRACE = 5.0  # s a browser holding a session waits for a place (its reload's old page closing)
INSTALL_HINT = "run `make ui` or `.venv/bin/python scripts/setup_ui.py` once (fetches Solara's offline bundle with pip: needs the network once)"


def solara_env(idle_minutes: float = DEFAULT_IDLE_MINUTES) -> dict[str, str]:
    """Solara's settings for this server, as the environment variables it reads at import."""
    return {
        "SOLARA_APP": APP,
        "SOLARA_MODE": "production",
        "SOLARA_TELEMETRY_MIXPANEL_ENABLE": "False",  # telemetry calls out
        "SOLARA_ASSETS_PROXY": "False",  # never write, delete or fetch front-end files
        "SOLARA_ASSETS_CDN": CDN_PATH,  # ... but load them from this server (see Gate)
        "SOLARA_KERNEL_CULL_TIMEOUT": f"{idle_minutes * 60:g}s",
    }


def needed_packages() -> list[str]:
    """``name@version`` of every npm package the installed Solara's page template loads (the
    Vue 2 or Vue 3 app bundle, depending on the installed ipyvue)."""
    import ipyvue
    import solara.server.settings as settings

    template = (Path(settings.__file__).parent / "templates" / "solara.html.j2").read_text("utf-8")
    app = "solara-vuetify3-app" if ipyvue.__version__.startswith("3") else "solara-vuetify-app"
    wanted = {p for p in re.findall(r"\{\{cdn\}\}/((?:@[\w.-]+/)?[\w.-]+@\d+\.\d+\.\d+)/", template)
              if not p.startswith("@widgetti/") or p.startswith(f"@widgetti/{app}@")}
    wanted.add(settings.assets.fontawesome_path.strip("/").split("/")[0])
    return sorted(wanted)


def cache_dir() -> Path:
    """The folder of front-end packages (Solara's proxy cache folder, which
    ``SOLARA_ASSETS_PROXY_CACHE_DIR`` moves), filled once by ``scripts/setup_ui.py``."""
    import solara.server.settings as settings

    return Path(settings.assets.proxy_cache_dir)


MARKER = ".tranqsim-complete"  # written last by scripts/setup_ui.py into each package folder


def missing_assets() -> list[str]:
    """Front-end packages the installed Solara asks for that are not completely installed."""
    return [p for p in needed_packages() if not (cache_dir() / p / MARKER).is_file()]


def rss_mb() -> float:
    """This process's resident memory (MB), from /proc (0 where there is none)."""
    try:
        with open("/proc/self/statm") as f:
            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20
    except (OSError, ValueError, IndexError):
        return 0.0


BUSY_PAGE = """<!doctype html><html><head><meta charset="utf-8"><meta http-equiv="refresh" content="30">
<title>tranqsim</title></head><body style="font-family:sans-serif;max-width:40em;margin:3em auto">
<h2>tranqsim</h2>
<p>Le serveur accueille déjà {n} sessions, son maximum. Fermez un onglet inutilisé&nbsp;: une page
abandonnée est libérée après {idle} d'inactivité. Cette page réessaie toute seule dans 30&nbsp;s.</p>
<p lang="en">The server already holds {n} sessions, its maximum. Close an unused tab: an abandoned page
is freed after {idle} idle. This page tries again by itself in 30&nbsp;s.</p></body></html>"""


def _minutes(seconds: float) -> str:
    return f"{seconds / 60:g} min" if seconds >= 60 else f"{seconds:g} s"


class Gate:
    """ASGI app in front of Solara's: the read-only front-end files, the session cap, status.

    Every websocket of a kernel is counted while it is open, so that pages connecting at the
    same moment cannot all pass the cap before Solara registers their kernels (the check and
    the count happen on the event loop with no ``await`` between them).
    """

    def __init__(self, solara_app, assets: Path, max_sessions: int, idle_seconds: float):
        from starlette.applications import Starlette
        from starlette.routing import Mount
        from starlette.staticfiles import StaticFiles

        class Assets(StaticFiles):
            def lookup_path(self, path):
                if "\0" in path:  # os.stat raises ValueError (a 500) on a NUL byte: not found
                    return "", None
                return super().lookup_path(path)

            # an exact npm version in the path never changes content: let browsers keep it
            async def get_response(self, path, scope):
                response = await super().get_response(path, scope)
                if response.status_code in (200, 304) and re.search(r"@\d+\.\d+\.\d+/", path):
                    response.headers["Cache-Control"] = "public, max-age=31536000, immutable"
                return response

        self.solara = solara_app
        # follow_symlink=False (the default): a symlink leading out of the folder is not served
        self.assets = Starlette(routes=[Mount(CDN_PATH, app=Assets(directory=assets))])
        self.max_sessions = max_sessions
        self.idle_seconds = idle_seconds
        self.connecting: dict[str, int] = {}  # kernel id -> its open websockets

    @staticmethod
    def kernels() -> dict:
        from solara.server import kernel_context

        return kernel_context.contexts

    def live(self) -> set[str]:
        return set(self.kernels()) | set(self.connecting)

    async def __call__(self, scope, receive, send):
        kind = scope["type"]
        path = scope.get("path", "")
        if kind == "http":
            if path == CDN_PATH or path.startswith(CDN_PATH + "/"):
                return await self.assets(scope, receive, send)
            if path == STATUS_PATH:
                return await self.status(scope, receive, send)
            if not path.startswith(NOT_PAGES) and len(self.live()) >= self.max_sessions \
                    and not self.holds_session(scope):
                return await self.busy(scope, receive, send)
        elif kind == "websocket":
            m = KERNEL_WS.match(path)
            if m:
                kernel_id = m.group(1)
                if self.full(kernel_id) and self.holds_session(scope):
                    # a reload: the old page's close message may still be on its way
                    for _ in range(int(RELOAD_GRACE / 0.1)):
                        await asyncio.sleep(0.1)
                        if not self.full(kernel_id):
                            break
                if self.full(kernel_id):  # no await between this check and the count below
                    # before accept: the client sees the handshake refused (HTTP 403)
                    await send({"type": "websocket.close", "code": 1013, "reason": "too many sessions"})
                    return
                self.connecting[kernel_id] = self.connecting.get(kernel_id, 0) + 1
                try:
                    return await self.solara(scope, receive, send)
                finally:
                    self.connecting[kernel_id] -= 1
                    if not self.connecting[kernel_id]:
                        del self.connecting[kernel_id]
        return await self.solara(scope, receive, send)

    def full(self, kernel_id: str) -> bool:
        """Whether a websocket for this kernel must be refused (a new kernel, no place left)."""
        live = self.live()
        return kernel_id not in live and len(live) >= self.max_sessions

    def holds_session(self, scope) -> bool:
        """Whether the request's browser (Solara's session cookie) owns a live kernel."""
        from solara.server.server import get_session_id_cookie
        from starlette.requests import HTTPConnection

        cookie = get_session_id_cookie(HTTPConnection(scope).cookies)
        return bool(cookie) and any(c.session_id == cookie for c in list(self.kernels().values()))

    async def busy(self, scope, receive, send):
        from starlette.responses import HTMLResponse

        page = BUSY_PAGE.format(n=self.max_sessions, idle=_minutes(self.idle_seconds))
        await HTMLResponse(page, status_code=503, headers={"Retry-After": "30"})(scope, receive, send)

    async def status(self, scope, receive, send):
        from starlette.responses import Response

        from tranqsim.ui.session import live_sessions

        # no gc.collect() here: a request must stay cheap (the release thread collects after
        # kernels close, so the count of sessions is exact a few seconds later)
        body = {"kernels": len(self.kernels()), "live": len(self.live()), "sessions": live_sessions(),
                "max_sessions": self.max_sessions, "idle_seconds": self.idle_seconds,
                "rss_mb": round(rss_mb(), 1)}
        await Response(json.dumps(body), media_type="application/json")(scope, receive, send)


M_ARENA_MAX = -8  # glibc's mallopt parameter (malloc.h)


def _libc():
    import ctypes
    import ctypes.util

    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        libc.malloc_trim, libc.mallopt  # glibc only
        return libc
    except (OSError, AttributeError):
        return None


def release_memory_after_sessions(kernels, period: float = 2.0) -> threading.Thread:
    """Give the memory of ended sessions back to the system (a daemon thread).

    A session's objects are freed when its kernel closes (Solara then runs a garbage
    collection), but glibc keeps freed heap pages for reuse, in one arena per thread up to
    8 per core, and every session runs in its own thread: the process stayed near its peak
    and crept up from one room to the next. So glibc is limited to 2 arenas (memory freed by
    one session's thread is reused by the next), and each time the number of kernels has gone
    down this collects and calls ``malloc_trim(0)``, which returns the free pages of every
    arena. ``kernels`` returns the live kernel count. Not glibc: only the collection. The runs
    kept for reloads (:data:`tranqsim.ui.session.KEPT`) are swept here too.
    """
    libc = _libc()
    if libc is not None:
        libc.mallopt(M_ARENA_MAX, 2)

    from tranqsim.ui.session import KEPT

    def loop():
        last = kernels()
        while True:
            time.sleep(period)
            dropped = KEPT.sweep()  # runs kept for a reload whose time is up
            now = kernels()
            if now < last or dropped:
                time.sleep(period)  # let Solara finish closing (its own collection waits 1 s)
                gc.collect()
                if libc is not None:
                    libc.malloc_trim(0)
            last = now

    t = threading.Thread(target=loop, daemon=True, name="tranqsim-release-memory")
    t.start()
    return t


def serve(host: str = DEFAULT_HOST, port: int = DEFAULT_PORT,
          idle_minutes: float = DEFAULT_IDLE_MINUTES, max_sessions: int = DEFAULT_MAX_SESSIONS) -> None:
    """Run the UI server in this process until it is stopped (Ctrl-C, SIGTERM).

    Refuses to start (exit 2) when the front-end files are not installed: without them every
    visitor would get a blank page.
    """
    # Solara reads its settings from the environment when first imported: set them before
    if "solara.server.settings" in sys.modules:  # pragma: no cover - only if imported earlier
        raise RuntimeError("tranqsim.ui.server.serve must run before Solara's server is imported")
    os.environ.update(solara_env(idle_minutes))
    missing = missing_assets()
    if missing:
        print(f"error: {cache_dir()}: offline front-end files missing ({', '.join(missing)}); "
              f"{INSTALL_HINT}", file=sys.stderr)
        sys.exit(2)

    import uvicorn
    from solara.server.starlette import app as solara_app

    from tranqsim.ui.session import KEPT

    gate = Gate(solara_app, cache_dir(), max_sessions, idle_minutes * 60)
    KEPT.configure(limit=max_sessions, grace=min(idle_minutes * 60, KEEP_FOR_RELOAD))
    release_memory_after_sessions(lambda: len(gate.kernels()))
    print(f"tranqsim UI on http://{host}:{port} (Ctrl-C to stop); up to {max_sessions} sessions, "
          f"abandoned pages freed after {_minutes(idle_minutes * 60)}", file=sys.stderr, flush=True)
    uvicorn.run(gate, host=host, port=port, log_level="warning", lifespan="on")
