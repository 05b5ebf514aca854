"""Serving the UI: ``tranqsim ui [--host H] [--port N]`` runs ``solara run tranqsim.ui.app``.

Offline by construction: Solara's telemetry is switched off, and its front-end packages are
served from the local proxy cache that ``scripts/setup_ui.py`` (run by ``make ui``) fills; if
they are missing the server still starts but the page would need the internet, so we say so.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8765
OFFLINE_ENV = {"SOLARA_TELEMETRY_MIXPANEL_ENABLE": "False", "SOLARA_ASSETS_PROXY": "True"}


def needed_packages() -> list[str]:
    """``name@version`` of every npm package the installed Solara's page template loads (the
    Vue 2 or Vue 3 app bundle, depending on the installed ipyvue)."""
    import re

    import ipyvue
    import solara.server.settings as settings

    template = (Path(settings.__file__).parent / "templates" / "solara.html.j2").read_text("utf-8")
    app = "solara-vuetify3-app" if ipyvue.__version__.startswith("3") else "solara-vuetify-app"
    wanted = {p for p in re.findall(r"\{\{cdn\}\}/((?:@[\w.-]+/)?[\w.-]+@\d+\.\d+\.\d+)/", template)
              if not p.startswith("@widgetti/") or p.startswith(f"@widgetti/{app}@")}
    wanted.add(settings.assets.fontawesome_path.strip("/").split("/")[0])
    return sorted(wanted)


def cache_dir() -> Path:
    """Where Solara looks for front-end packages before asking the CDN."""
    import solara.server.settings as settings

    return Path(settings.assets.proxy_cache_dir)


def missing_assets() -> list[str]:
    """Front-end packages the installed Solara asks for that are not in its local cache."""
    return [p for p in needed_packages() if not (cache_dir() / p).is_dir()]


def command(host: str = DEFAULT_HOST, port: int = DEFAULT_PORT) -> list[str]:
    return [sys.executable, "-m", "solara", "run", "tranqsim.ui.app", "--host", host,
            "--port", str(port), "--production", "--no-open", "--log-level", "warning"]


def serve(host: str = DEFAULT_HOST, port: int = DEFAULT_PORT) -> None:
    """Replace this process by the Solara server (so that stopping it stops the server)."""
    missing = missing_assets()
    if missing:
        print("warning: offline front-end assets missing (" + ", ".join(missing) + "); the page "
              "needs the internet until you run `make ui` or `.venv/bin/python "
              "scripts/setup_ui.py` once", file=sys.stderr)
    env = {**os.environ, **OFFLINE_ENV}
    print(f"tranqsim UI on http://{host}:{port} (Ctrl-C to stop)", file=sys.stderr, flush=True)
    cmd = command(host, port)
    os.execve(cmd[0], cmd, env)
