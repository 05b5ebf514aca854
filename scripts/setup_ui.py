"""Install what the UI needs to run offline, idempotently (``make ui`` and the e2e test call it).

1. Solara's front-end assets. Solara fetches its JavaScript bundle, require.js and Font Awesome
   from a public CDN at run time (a training room with no network would get a blank page); it
   first looks in its *proxy cache* folder (``$VENV/share/solara/cdn/<name>@<version>/``). This
   script reads which packages and versions the installed Solara asks for (its page template)
   and unpacks each into that folder, taken from Solara's own offline bundle, the
   ``solara-assets`` source distribution (:data:`BUNDLE`: fetched with pip, nothing else
   needed; only the packages asked for are unpacked, nothing is installed), or, for a version
   the bundle does not hold, with ``npm pack`` (npm's configured registry).
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


#: Solara's offline bundle (a source distribution of its CDN packages) and what it holds that
#: the UI may ask for: the versions its build script lists (``hatch_build.py``)
BUNDLE = "solara-assets==1.58.2"
BUNDLED = {"@widgetti/solara-vuetify-app@10.1.1", "@widgetti/solara-vuetify3-app@5.1.1",
           "requirejs@2.3.6", "font-awesome@4.5.0"}


def _place(src: Path, dest: Path, spec: str) -> None:
    """Move an unpacked package to its folder, marker last (a half-copied folder is redone)."""
    (src / MARKER).write_text(spec + "\n")
    if dest.exists():
        shutil.rmtree(dest)
    dest.parent.mkdir(parents=True, exist_ok=True)
    shutil.move(str(src), str(dest))


def _from_bundle(specs: list[str], root: Path) -> list[str]:
    """Unpack ``specs`` from Solara's bundle (fetched with pip); returns those it did not hold."""
    wanted = [s for s in specs if s in BUNDLED]
    if not wanted:
        return specs
    with tempfile.TemporaryDirectory() as tmp:
        print(f"ui assets: fetching {BUNDLE} (Solara's offline bundle, about 56 MB) with pip")
        r = subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", "--no-binary", ":all:",
                            "--quiet", "-d", tmp, BUNDLE], capture_output=True, text=True)
        sdists = list(Path(tmp).glob("solara_assets-*.tar.gz"))
        if r.returncode != 0 or not sdists:
            print(f"ui assets: pip could not fetch {BUNDLE}; trying npm")
            return specs
        with tarfile.open(sdists[0]) as tar:
            top = tar.getnames()[0].split("/")[0]
            members = [m for m in tar.getmembers()
                       if any(m.name.startswith(f"{top}/cdn/{s}/") for s in wanted)]
            tar.extractall(Path(tmp) / "x", members=members, filter="data")
        for spec in wanted:
            src = Path(tmp) / "x" / top / "cdn" / spec
            if not (src / "package.json").is_file():
                print(f"ui assets: {spec} is not in {BUNDLE}")
                continue
            _place(src, root / spec, spec)
            print(f"ui assets: {spec} installed from {BUNDLE}")
    return [s for s in specs if not (root / s / MARKER).is_file()]


def _from_npm(spec: str, root: Path) -> None:
    npm = shutil.which("npm")
    if npm is None:
        sys.exit(f"error: {spec} is not in {BUNDLE} and npm is needed once to fetch it for the "
                 "offline UI (apt-get install npm)")
    with tempfile.TemporaryDirectory() as tmp:
        print(f"ui assets: fetching {spec} with npm pack")
        out = subprocess.run([npm, "pack", spec, "--silent"], cwd=tmp, check=True,
                             capture_output=True, text=True).stdout.split()
        tgz = Path(tmp) / out[-1]
        with tarfile.open(tgz) as tar:
            tar.extractall(Path(tmp) / "x", filter="data")
        _place(Path(tmp) / "x" / "package", root / spec, spec)


def install_assets() -> None:
    root = cache_dir()
    missing = []
    for spec in needed_packages():
        if (root / spec / MARKER).is_file():
            print(f"ui assets: {spec} already installed")
        else:
            missing.append(spec)
    for spec in _from_bundle(missing, root) if missing else []:
        _from_npm(spec, root)
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
