"""Take the README's screenshot (docs/img/ui.png): the served page in headless Chromium, the
police-justice partnership played past day 365 (the ZSP zone is then outlined on the map).

Usage: .venv/bin/python scripts/screenshot_ui.py [--out docs/img/ui.png] [--days 400]
Needs the offline assets and chromium (``scripts/setup_ui.py --chromium``).
"""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from playwright.sync_api import sync_playwright

from setup_ui import find_chromium

ROOT = Path(__file__).resolve().parents[1]
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run"]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=ROOT / "docs" / "img" / "ui.png")
    ap.add_argument("--days", type=int, default=400)
    a = ap.parse_args()
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {**os.environ, "SOLARA_TELEMETRY_MIXPANEL_ENABLE": "False"}
    proc = subprocess.Popen([sys.executable, "-m", "tranqsim.cli", "ui", "--port", str(port)], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=ROOT)
    url = f"http://127.0.0.1:{port}/"
    try:
        for _ in range(300):
            try:
                urllib.request.urlopen(url, timeout=2).close()
                break
            except OSError:
                time.sleep(0.3)
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=find_chromium(), args=FLAGS)
            page = browser.new_page(viewport={"width": 1500, "height": 1250})
            page.route("**/*", lambda r: r.continue_() if "//127.0.0.1" in r.request.url else r.abort())
            page.set_default_timeout(120_000)
            page.add_init_script("window.T = s => ((document.querySelector(s) || {}).textContent || '');")
            page.goto(url)
            page.wait_for_selector(".tranqsim-step")
            page.locator(".tranqsim-strategy .v-select__slot").click()
            page.locator(".menuable__content__active .v-list-item", has_text="Partenariat").first.click()
            page.wait_for_function("T('.tranqsim-subtitle').includes('ZSP')")
            slider = page.locator(".v-slider")
            box = slider.bounding_box()
            page.mouse.click(box["x"] + box["width"] - 2, box["y"] + box["height"] / 2)  # fastest
            page.locator(".tranqsim-play").click()
            page.wait_for_function(
                f"parseInt(T('.tranqsim-day').split(' ')[1]) >= {a.days}")
            page.locator(".tranqsim-play").click()
            page.wait_for_function("T('.tranqsim-play').trim() === 'Lecture'")
            page.wait_for_timeout(1500)
            a.out.parent.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(a.out), full_page=True)
            browser.close()
        print(f"written: {a.out}")
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()


if __name__ == "__main__":
    main()
