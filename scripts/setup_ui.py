"""Install what the UI needs to run offline, idempotently (``make ui`` and the e2e test call it).

1. Solara's front-end assets. Solara fetches its JavaScript bundle, require.js and Font Awesome
   from a public CDN at run time (a training room with no network would get a blank page); it
   first looks in its *proxy cache* folder (``$VENV/share/solara/cdn/<name>@<version>/``). This
   script reads which packages and versions the installed Solara asks for (its page template),
   fetches each with ``npm pack`` (npm's configured registry) and unpacks it into that folder.
   ``tranqsim ui`` then serves that folder read-only, with Solara's proxy off (see
   ``tranqsim.ui.server``): nothing a visitor requests can change or delete it, so this runs
   once per environment, and again only after an upgrade of Solara asks for other versions.
2. With ``--chromium``: Debian's ``chromium`` for the end-to-end test, installed with apt-get
   when missing (playwright cannot download its own browsers on these machines).

Run with the project's virtual environment: ``.venv/bin/python scripts/setup_ui.py [--chromium]``.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

from tranqsim.ui.server import MARKER, cache_dir, needed_packages


def install_assets() -> None:
    root = cache_dir()
    for spec in needed_packages():
        dest = root / spec
        if (dest / MARKER).is_file():
            print(f"ui assets: {spec} already installed")
            continue
        npm = shutil.which("npm")
        if npm is None:
            sys.exit(f"error: npm is needed once to fetch {spec} for the offline UI (apt-get install npm)")
        with tempfile.TemporaryDirectory() as tmp:
            print(f"ui assets: fetching {spec} with npm pack")
            out = subprocess.run([npm, "pack", spec, "--silent"], cwd=tmp, check=True,
                                 capture_output=True, text=True).stdout.split()
            tgz = Path(tmp) / out[-1]
            with tarfile.open(tgz) as tar:
                tar.extractall(Path(tmp) / "x", filter="data")
            src = Path(tmp) / "x" / "package"
            (src / MARKER).write_text(spec + "\n")
            if dest.exists():
                shutil.rmtree(dest)
            dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.move(str(src), str(dest))
    print(f"ui assets: ready in {root}")


CHROMIUM = ("chromium", "chromium-browser")


def find_chromium() -> str | None:
    for name in CHROMIUM:
        path = shutil.which(name)
        if path:
            return path
    return None


def install_chromium() -> str:
    path = find_chromium()
    if path:
        print(f"chromium: {path}")
        return path
    if os.geteuid() != 0:
        sys.exit("error: chromium is missing; install it with: sudo apt-get install -y chromium")
    print("chromium: installing Debian's chromium with apt-get (once per machine)")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run(["apt-get", "update", "-q"], check=True, env=env, stdout=subprocess.DEVNULL)
    subprocess.run(["apt-get", "install", "-y", "-q", "--no-install-recommends", "chromium"],
                   check=True, env=env, stdout=subprocess.DEVNULL)
    path = find_chromium()
    if path is None:
        sys.exit("error: apt-get installed chromium but it is not on PATH")
    print(f"chromium: {path}")
    return path


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--chromium", action="store_true", help="also install chromium when missing")
    args = ap.parse_args()
    install_assets()
    if args.chromium:
        install_chromium()


if __name__ == "__main__":
    main()
