"""End to end: the served page in a real headless Chromium, with no network but 127.0.0.1.

The project's own setup (``scripts/setup_ui.py --chromium``) installs Solara's front-end
packages into the virtual environment and Debian's chromium when missing. The server runs in a
subprocess on a free port with its own outgoing HTTP pointed at a closed port, so a front-end
file missing from the local cache fails the test instead of being fetched from the internet;
the browser aborts every request that is not for 127.0.0.1. Screenshots are kept in
``tests/artifacts/``.
"""

from __future__ import annotations

import io
import time

import numpy as np
import pytest
from PIL import Image
from ui_support import (CLOSED, LOGS as ARTIFACTS, browser_type_launch_args,  # noqa: F401 (fixtures)
                        chromium_path, ui_server)

# a real server and browser (~30 s; installs chromium when missing): make test-all, CI
pytestmark = pytest.mark.slow

# T(selector): the text of an element, '' while it is (re-)rendered
TEXT_OF = "window.T = s => ((document.querySelector(s) || {}).textContent || '');"


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "viewport": {"width": 1500, "height": 1150}, "locale": "fr-FR"}


@pytest.fixture(scope="module")
def server(chromium_path):
    # the page's CDN also points at the closed port: every front-end file must be local
    with ui_server(name="e2e", env={"SOLARA_ASSETS_CDN": CLOSED + "/npm/"}) as (port, _):
        yield f"http://127.0.0.1:{port}/"


def _pixels(png: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(png)).convert("RGB")).astype(int)


def _near(rgb: np.ndarray, hex_colour: str, tol: int = 30) -> int:
    c = np.array([int(hex_colour[i:i + 2], 16) for i in (1, 3, 5)])
    return int((np.abs(rgb - c).max(axis=2) <= tol).sum())


def _day(page) -> int:
    return int(page.locator(".tranqsim-day").text_content().split()[1])


def _pick(page, select_class: str, text: str) -> None:
    page.locator(f".{select_class} .v-select__slot").click()
    page.locator(".menuable__content__active .v-list-item", has_text=text).first.click()


def test_the_served_page_runs_offline_in_chromium(page, server):
    outside, failed = [], []

    def only_local(route):
        host = route.request.url.split("/")[2].split(":")[0]
        if host in ("127.0.0.1", "localhost"):
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    page.route("**/*", only_local)
    page.on("response", lambda r: failed.append(f"{r.status} {r.url}") if r.status >= 400 else None)
    page.on("requestfailed", lambda r: failed.append(f"failed {r.url}") if "127.0.0.1" in r.url else None)
    page.set_default_timeout(60_000)
    page.add_init_script(TEXT_OF)
    page.goto(server)
    page.wait_for_selector(".tranqsim-step")
    assert page.locator(".tranqsim-step").text_content().strip() == "Un jour"

    # a short horizon so that a few days already draw visible lines
    page.locator(".tranqsim-years input").fill("0.2")
    page.locator(".tranqsim-reset-side").click()
    page.wait_for_function("T('.tranqsim-day').includes('/ 73')")
    _pick(page, "tranqsim-strategy", "Prévention sociale")
    page.wait_for_function("T('.tranqsim-subtitle').includes('Prévention sociale')")
    for n in (1, 2, 3):
        page.locator(".tranqsim-step").click()
        page.wait_for_function(f"T('.tranqsim-day').startsWith('Jour {n} ')")
    # the log follows the day counter (its update may arrive a moment later)
    page.wait_for_function("T('.tranqsim-log-line').startsWith('Jour 3 — ')")

    page.locator(".tranqsim-play").click()  # play, then pause
    t0 = time.monotonic()
    page.wait_for_function("parseInt(T('.tranqsim-day').split(' ')[1]) >= 20")
    played = time.monotonic() - t0
    page.locator(".tranqsim-play").click()
    page.wait_for_function("T('.tranqsim-play').trim() === 'Lecture'")
    page.wait_for_timeout(500)  # the last day drawn may arrive just after the button's label
    paused_at = _day(page)
    page.wait_for_timeout(1000)
    assert _day(page) == paused_at, "the run went on after Pause"
    print(f"play: 17 days in {played:.1f} s in the browser")

    map_px = _pixels(page.locator("img.tranqsim-map").screenshot())
    assert _near(map_px, "#2e9e44") > 200, "no green hall on the map"
    assert len(np.unique(map_px.reshape(-1, 3), axis=0)) > 20
    charts_px = _pixels(page.locator("img.tranqsim-charts").screenshot())
    assert (charts_px.min(axis=2) < 200).mean() > 0.02, "charts look blank"
    assert _near(charts_px, "#0072B2") > 30, "no trust line drawn"
    page.screenshot(path=str(ARTIFACTS / "ui_fr.png"), full_page=True)

    page.locator(".tranqsim-lang").click()
    page.wait_for_function("T('.tranqsim-step').trim() === 'Step'")
    # each widget's update arrives on its own: wait for each label rather than read it at once
    page.wait_for_function("T('.tranqsim-day').startsWith('Day ')")
    page.wait_for_function("T('.tranqsim-log-line').startsWith('Day ')")
    page.wait_for_function("T('.tranqsim-subtitle').includes('Social prevention')")
    page.screenshot(path=str(ARTIFACTS / "ui_en.png"), full_page=True)

    assert not outside, f"the page tried to reach the internet: {outside[:5]}"
    assert not failed, f"local requests failed: {failed[:5]}"


def test_a_trainer_drives_the_french_page_at_1280x720(browser, server):
    """Issue 18: a lever changed mid-run is marked on the charts, a strategy's help opens,
    compare runs A and B with their own settings, a reload finds the run; chart text is at
    least 14 px as shown and nothing sits over the legends."""
    ctx = browser.new_context(viewport={"width": 1280, "height": 720}, locale="fr-FR")
    page = ctx.new_page()
    page.route("**/*", lambda r: r.continue_() if r.request.url.split("/")[2].split(":")[0]
               in ("127.0.0.1", "localhost") else r.abort())
    page.set_default_timeout(90_000)
    page.add_init_script(TEXT_OF)
    page.goto(server)
    page.wait_for_selector(".tranqsim-step")
    for n in (1, 2, 3):
        page.locator(".tranqsim-step").click()
        page.wait_for_function(f"T('.tranqsim-day').startsWith('Jour {n} ')")
    before = _near(_pixels(page.locator("img.tranqsim-charts").screenshot()), "#882255", 20)

    # a lever switched on mid-run: applied now (the day stays), marked on the charts
    page.locator(".tranqsim-lever-lighting input").check(force=True)
    page.locator(".tranqsim-apply-now").click()
    page.wait_for_function("T('.tranqsim-notice').includes('Éclairage')")
    assert _day(page) == 3
    page.locator(".tranqsim-step").click()
    page.wait_for_function("T('.tranqsim-day').startsWith('Jour 4 ')")
    page.wait_for_timeout(1000)
    after = _near(_pixels(page.locator("img.tranqsim-charts").screenshot()), "#882255", 20)
    assert after > before + 50, "the change is not marked on the charts"

    # chart text as shown: the image is drawn with 15 px text and must not be shrunk below 14
    natural, shown = page.evaluate("""() => { const i = document.querySelector('img.tranqsim-charts');
        return [i.naturalWidth, i.getBoundingClientRect().width]; }""")
    assert 15 * shown / natural >= 14, (natural, shown)
    # nothing over the legends: Solara's banner is hidden, the legends' centre is theirs
    overlap = page.evaluate("""() => { const l = document.querySelector('.tranqsim-chart-legends');
        l.scrollIntoView(); const r = l.getBoundingClientRect();
        const el = document.elementFromPoint(r.left + 5, r.top + r.height / 2);
        const banner = [...document.querySelectorAll('a[href="https://solara.dev"]')]
            .some(a => a.offsetParent !== null);
        return [l.contains(el), banner]; }""")
    assert overlap == [True, False], overlap
    page.screenshot(path=str(ARTIFACTS / "ui_room_fr.png"))

    # the help for a strategy
    page.locator(".tranqsim-help-button").click()
    page.wait_for_function("T('.tranqsim-help-strategy-text').includes('Leviers et doses')")
    assert "Gardiens" in page.locator(".tranqsim-help-strategy-text").text_content()
    page.locator(".tranqsim-help-button").click()

    # compare, with B's own setting
    page.locator(".tranqsim-view").click()
    page.wait_for_selector(".tranqsim-strategy-b")
    page.locator(".tranqsim-edit-run button", has_text="b").click()
    page.locator(".tranqsim-b-lever-private_security input").check(force=True)
    page.locator(".tranqsim-step").click()
    page.locator(".tranqsim-apply-now").click()
    page.wait_for_function("T('.tranqsim-notice').includes('Sécurité privée')")
    page.screenshot(path=str(ARTIFACTS / "ui_room_compare_fr.png"))
    day = _day(page)

    # a reload finds the run
    page.reload()
    page.wait_for_selector(".tranqsim-step")
    page.wait_for_function("T('.tranqsim-day').startsWith('Jour ')")
    assert _day(page) == day
    assert page.locator(".tranqsim-strategy-b").count() == 1  # still the compare view
    ctx.close()
