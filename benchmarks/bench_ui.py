"""How responsive the UI is at the default estate (priority_estate, 1,500 dwellings).

Prints, as medians over many steps (the machine is shared: single timings drift):

1. drawing only: one model step + the map PNG + the charts PNG (``MapView``/``ChartsView``);
2. the whole page: a click on "Step" in a page rendered by ``solara.render`` (every component
   re-rendered, images encoded, log rebuilt) -- what the server does for one step, minus the
   websocket transfer to the browser;
3. play: days advanced per second by the page's own play loop over a few seconds at the
   slider's speed (it draws every n days when a redraw takes longer than the days it shows).

Targets (issue 5): one step + redraw <= 250 ms; play >= 4 steps per second.
Usage: python benchmarks/bench_ui.py [--steps 40] [--play-seconds 6] [--speed 8]
"""

from __future__ import annotations

import argparse
import statistics
import time

import ipyvuetify as v
import solara

from tranqsim.ui import session as ses
from tranqsim.ui.app import Page
from tranqsim.ui.charts import ChartsView
from tranqsim.ui.i18n import tr
from tranqsim.ui.map import MapView


def drawing(steps: int, warm_days: int) -> list[float]:
    s = ses.Session(ses.Choice(strategy="partnership_zsp"))
    s.step(warm_days)
    mv, cv = MapView(s.model), ChartsView(s.models)
    mv.png(), cv.png()
    out = []
    for _ in range(steps):
        t0 = time.perf_counter()
        s.step(1)
        mv.png()
        cv.png()
        out.append(time.perf_counter() - t0)
    return out


def page_clicks(steps: int) -> tuple[list[float], object]:
    box, rc = solara.render(solara.AppLayout(children=[Page()]), handle_error=False)
    step = rc.find(v.Btn, children=[tr("step", "fr")]).widget
    for _ in range(3):
        step.click()
    out = []
    for _ in range(steps):
        t0 = time.perf_counter()
        step.click()
        out.append(time.perf_counter() - t0)
    return out, rc


def day_of(rc) -> int:
    return int(rc.find(v.Html, class_="tranqsim-day").widget.children[0].split()[1])


def play(rc, seconds: float, speed: int) -> float:
    rc.find(v.Slider).widget.v_model = speed
    button = rc.find(v.Btn, class_="tranqsim-play").widget
    d0 = day_of(rc)
    button.click()
    t0 = time.perf_counter()
    time.sleep(seconds)
    button.click()
    elapsed = time.perf_counter() - t0
    time.sleep(0.5)
    return (day_of(rc) - d0) / elapsed


def ms(xs: list[float]) -> str:
    q = statistics.quantiles(xs, n=10)
    return f"median {statistics.median(xs) * 1000:.0f} ms (p10 {q[0] * 1000:.0f}, p90 {q[-1] * 1000:.0f})"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--steps", type=int, default=40)
    ap.add_argument("--play-seconds", type=float, default=6.0)
    ap.add_argument("--speed", type=int, default=8, help="days per second asked of the play loop")
    a = ap.parse_args()
    d = drawing(a.steps, warm_days=400)
    print(f"step + map + charts (partnership_zsp, from day 400): {ms(d)}")
    clicks, rc = page_clicks(a.steps)
    print(f"click on Step, whole page re-rendered (solara.render): {ms(clicks)}  (target <= 250 ms)")
    rate = play(rc, a.play_seconds, a.speed)
    print(f"play at {a.speed} days/s asked: {rate:.1f} days/s over {a.play_seconds:g} s  (target >= 4)")
    rc.close()


if __name__ == "__main__":
    main()
