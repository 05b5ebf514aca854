"""The strategy comparison report (issues 6 and 18): it builds from a small sweep, its figures
are real pictures, the HTML makes no network request, its tables say what the stored runs say,
bad input is refused with one line and nothing written; printed to PDF by headless Chromium
the French report is A4 portrait with no table wider than the page, and the French and English
reports of one sweep give the same numbers."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pytest
import yaml
from scipy import stats

from tranqsim import experiments
from tranqsim.experiments.spec import Experiment
from tranqsim.report import ReportError, build_report

# a ZSP strategy with a short window, so a 0.6-year run has a before, a during and an after
ZSP_SHORT = {"title": {"en": "Short ZSP", "fr": "ZSP courte"}, "organisation": "dedicated",
             "levers": {"caretakers": {"per_100_dwellings": 1.0}, "police": {"mode": "hot_spot"},
                        "zsp": {"start": 60, "end": 150, "extra_crews": 3, "zone": "hot_spot", "radius": 3}}}
METRIC_COLS = ("tranquillity_index", "incidents_per_1000_dwellings", "insecurity_share", "trust_landlord_mean",
               "trust_police_mean", "turnover_rate", "staff_aggressions_per_100_staff", "cost_per_dwelling_eur",
               "public_cost_per_dwelling_eur")


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    root = tmp_path_factory.mktemp("report")
    zsp_file = root / "zsp_short.yaml"
    zsp_file.write_text(yaml.safe_dump(ZSP_SHORT))
    exp = Experiment.model_validate({"contexts": ["calm_neighbourhood"],
                                     "strategies": ["withdrawal", "proximity_management", str(zsp_file)],
                                     "design": "strategies", "replicates": 3, "years": 0.6, "seed": 11})
    experiments.run(exp, out=root / "sweep", workers=1)
    out = root / "out" / "report.html"
    paths = build_report(root / "sweep", out, workers=1)  # replicates re-simulated: the sweep's own
    return {"root": root, "sweep": root / "sweep", "out": out, "paths": paths, "zsp": str(zsp_file),
            "html": out.read_text(encoding="utf-8")}


@pytest.fixture(scope="module")
def french(built):
    """The French report of the same sweep, built with the command's defaults."""
    out = built["root"] / "fr" / "rapport.html"
    build_report(built["sweep"], out, lang="fr", workers=1)
    return out


def test_report_writes_html_markdown_and_one_figure_per_section(built):
    out = built["out"]
    figs = sorted((out.parent / "report_figures").glob("*.png"))
    names = {f.name for f in figs}
    assert {"calm_neighbourhood_cost_effectiveness.png", "calm_neighbourhood_time_series.png",
            "calm_neighbourhood_maps.png", "calm_neighbourhood_costs.png",
            "calm_neighbourhood_zsp_zsp_short.png"} == names
    md = out.with_suffix(".md").read_text(encoding="utf-8")
    for f in figs:  # the Markdown links every figure beside it
        assert f"(report_figures/{f.name})" in md
    # nothing left behind by the atomic write
    assert sorted(p.name for p in out.parent.iterdir()) == ["report.html", "report.md", "report_figures"]


def test_every_figure_is_a_non_blank_picture(built):
    import matplotlib.image as mpimg

    for f in (built["out"].parent / "report_figures").glob("*.png"):
        img = mpimg.imread(f)[..., :3]
        assert img.shape[0] > 200 and img.shape[1] > 300, f.name
        grey = img.mean(axis=2)
        assert grey.std() > 0.03, f"{f.name} looks blank (pixel std {grey.std():.4f})"
        # more than a frame: a real share of pixels is neither white nor the background
        assert (grey < 0.9).mean() > 0.01, f.name


class _Refs(HTMLParser):
    """Every attribute that can make a browser fetch something, every <style> text, every <img>."""

    def __init__(self):
        super().__init__()
        self.urls, self.styles, self.imgs, self.tags = [], [], [], []
        self._in_style = False

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        for k, v in attrs:
            if k in ("src", "href", "srcset", "data", "action", "poster", "background", "formaction") and v:
                self.urls.append((tag, k, v))
            if k == "style" and v:
                self.styles.append(v)
        if tag == "img":
            self.imgs.append(dict(attrs))
        self._in_style = tag == "style"

    def handle_endtag(self, tag):
        self._in_style = False

    def handle_data(self, data):
        if self._in_style:
            self.styles.append(data)


def test_html_opens_with_no_external_request(built):
    p = _Refs()
    p.feed(built["html"])
    remote = re.compile(r"^\s*(https?:|ftp:|//)", re.I)
    assert not [u for u in p.urls if remote.match(u[2])]
    assert "script" not in p.tags and "iframe" not in p.tags and "link" not in p.tags
    for css in p.styles:
        assert "@import" not in css
        for url in re.findall(r"url\(\s*['\"]?([^'\")]+)", css):
            assert url.startswith("data:"), url
    # the five figures are embedded, not linked
    assert len(p.imgs) == 5
    assert all(i["src"].startswith("data:image/png;base64,") for i in p.imgs)


# ------------------------------------------------------------------ tables against the store
class _Tables(HTMLParser):
    """Every table as rows of cell texts; a table printed in parts (``data-table``: the same
    number) is joined back, its repeated key columns (``data-keys``) kept once."""

    def __init__(self):
        super().__init__()
        self.tables, self._row, self._cell = [], None, None
        self._ids, self._keys, self._part = [], 0, None

    def handle_starttag(self, tag, attrs):
        if tag == "table":
            a = dict(attrs)
            self._part = a.get("data-table") in self._ids
            self._keys = int(a.get("data-keys", 1))
            self._ids.append(a.get("data-table"))
            self._n = 0
            if not self._part:
                self.tables.append([])
        elif tag == "tr":
            self._row = []
        elif tag in ("td", "th"):
            self._cell = []

    def handle_endtag(self, tag):
        if tag in ("td", "th"):
            self._row.append("".join(self._cell).strip())
            self._cell = None
        elif tag == "tr":
            if self._part:  # a later part: its value columns extend the rows already read
                self.tables[-1][self._n] += self._row[self._keys:]
                self._n += 1
            else:
                self.tables[-1].append(self._row)

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)


def _number(text: str, lang: str = "en") -> float:
    """One number as the report writes it: '−1,234.5', '+2.1\xa0pp', '€679', '1\u202f234,5 €'."""
    t = re.sub(r"[^0-9,.\u2212+-]", "", text).replace("\u2212", "-")
    t = t.replace(",", "") if lang == "en" else t.replace(".", "").replace(",", ".")
    return float(t)


def _numbers(cell: str, lang: str = "en") -> tuple[float, float, float, int, float]:
    """'23.8% [23.1%; 24.7%] ▲ better' -> (mean, low, high, decimals, scale)."""
    scale = 0.01 if "%" in cell or "pp" in cell else 1.0
    clean = cell.split(" ▲")[0].split(" ▼")[0]
    mean, rest = clean.split(" [")
    lo, hi = rest.rstrip("]").split("; ")
    digits = re.sub(r"[^0-9.]", "", mean.replace(",", "") if lang == "en" else mean.replace(",", "."))
    dec = len(digits.split(".")[1]) if "." in digits else 0
    return *(_number(x, lang) * scale for x in (mean, lo, hi)), dec, scale


def _bca(x):
    res = stats.bootstrap((np.asarray(x, float),), np.mean, confidence_level=0.95, method="BCa",
                          n_resamples=9999, rng=np.random.default_rng(0))
    return res.confidence_interval


def _close(shown: float, exact: float, dec: int, scale: float) -> bool:
    return abs(shown - exact) <= 0.5 * 10 ** -dec * scale + 1e-9


def test_ranking_table_matches_a_recomputation_from_the_stored_runs(built):
    runs = experiments.load(built["sweep"])
    titles = {"withdrawal": "Withdrawal to basic missions", "proximity_management":
              "Close management (gestion de proximité)", built["zsp"]: "Short ZSP"}
    p = _Tables()
    p.feed(built["html"])
    ranking = p.tables[1]  # after the strategies' levers
    assert ranking[0][:2] == ["rank", "strategy"] and len(ranking) == 1 + 3
    assert len(ranking[0]) == 2 + len(METRIC_COLS)  # every metric, whatever the parts
    means = runs.groupby("strategy")["tranquillity_index"].mean().sort_values(ascending=False)
    assert [r[1] for r in ranking[1:]] == [titles[s] for s in means.index]  # ranked by the index
    by_title = {v: k for k, v in titles.items()}
    for row in ranking[1:]:
        g = runs[runs["strategy"] == by_title[row[1]]].sort_values("replicate")
        assert len(g) == 3
        for cell, m in zip(row[2:], METRIC_COLS):
            mean, lo, hi, dec, scale = _numbers(cell)
            v = g[m].to_numpy(float)
            assert _close(mean, v.mean(), dec, scale), (row[1], m, cell, v.mean())
            if np.ptp(v) > 0:
                elo, ehi = _bca(v)
                if np.isfinite(elo):
                    assert _close(lo, elo, dec, scale) and _close(hi, ehi, dec, scale), (row[1], m, cell)


def test_difference_table_is_the_paired_difference_from_the_status_quo(built):
    runs = experiments.load(built["sweep"])
    base = runs[runs["strategy"] == "proximity_management"].set_index("replicate").sort_index()
    p = _Tables()
    p.feed(built["html"])
    diff = p.tables[2]
    assert len(diff) == 1 + 2  # every strategy but the status quo
    titles = {"Withdrawal to basic missions": "withdrawal", "Short ZSP": built["zsp"]}
    for row in diff[1:]:
        other = runs[runs["strategy"] == titles[row[0]]].set_index("replicate").sort_index()
        for cell, m in zip(row[1:], METRIC_COLS):
            mean, lo, hi, dec, scale = _numbers(cell)
            d = (other[m] - base[m]).to_numpy(float)
            assert _close(mean, d.mean(), dec, scale), (row[0], m, cell, d.mean())
            assert lo <= mean + 1e-9 <= hi + 2e-9 or np.ptp(d) == 0
            # a mark means the interval excludes zero (unless a bound rounds to 0 on display)
            marked = "▲" in cell or "▼" in cell
            assert marked == (lo > 0 or hi < 0) or lo == hi or 0 in (lo, hi)
            assert "*" not in cell and "(+)" not in cell


def test_reruns_reproduce_the_stored_runs_and_the_zsp_counterfactual_is_clean(built):
    html = built["html"]
    assert "reproduce the stored results exactly" in html
    assert "differ before the window" not in html  # with/without ZSP identical until it starts
    assert "Priority Security Zone: displacement or diffusion?" in html


# ------------------------------------------------------------------ language, validation
def test_french_report_with_validation_results(built, tmp_path):
    val = {"passed": False, "replicates": 5, "years": 2, "checks": [
        {"pattern": "C1", "name": "insecure share", "unit": "%", "mean": 27.0, "ci_low": 26.0, "ci_high": 28.0,
         "low": 25, "high": 27, "passed": True},
        {"pattern": "C6", "name": "victimisation change near hot spots", "unit": "%", "mean": 4.0,
         "ci_low": 1.0, "ci_high": 7.0, "low": None, "high": 0, "passed": False}]}
    vfile = tmp_path / "validation.json"
    vfile.write_text(json.dumps(val))
    out = tmp_path / "fr" / "rapport.html"
    build_report(built["sweep"], out, lang="fr", validation=vfile, series_replicates=1, workers=1)
    html = out.read_text(encoding="utf-8")
    assert "Classement des stratégies" in html and "Repli sur les missions de base" in html
    assert "1 des 2 vérifications" in html and "victimisation change near hot spots" in html
    assert (out.parent / "rapport_figures").is_dir() and out.with_suffix(".md").is_file()


def test_a_failure_midway_leaves_the_previous_report_untouched(built, tmp_path, monkeypatch):
    from tranqsim.report import figures

    out = tmp_path / "r.html"
    out.write_text("previous")

    def boom(*a, **k):
        raise RuntimeError("disk full")

    monkeypatch.setattr(figures, "cost_breakdown", boom)
    with pytest.raises(RuntimeError):  # (--overwrite: "previous" is not a report tranqsim wrote)
        build_report(built["sweep"], out, series_replicates=1, workers=1, overwrite=True)
    assert out.read_text() == "previous"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r.html"]


# ------------------------------------------------------------------ bad input
def _cli(*args, cwd):
    exe = Path(sys.executable).with_name("tranqsim")
    return subprocess.run([str(exe), *map(str, args)], capture_output=True, text=True, cwd=cwd)


@pytest.mark.parametrize("case, message", [
    ("missing", "no such folder"),
    ("not_a_sweep", "not a sweep folder"),
    ("baseline", "'nope' is not a strategy of the sweep"),
    ("validation", "--validation"),
])
def test_bad_input_is_one_error_line_exit_2_and_nothing_written(built, tmp_path, case, message):
    folder, extra = built["sweep"], []
    if case == "missing":
        folder = tmp_path / "nowhere"
    elif case == "not_a_sweep":
        folder = tmp_path / "empty"
        folder.mkdir()
    elif case == "baseline":
        extra = ["--baseline", "nope"]
    else:
        extra = ["--validation", tmp_path / "none.json"]
    out = tmp_path / "out" / "report.html"
    r = _cli("report", folder, "--out", out, *extra, cwd=tmp_path)
    assert r.returncode == 2, r.stderr
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and message in lines[0], r.stderr
    assert "Traceback" not in r.stderr
    assert not (tmp_path / "out").exists()


def test_a_grid_sweep_is_not_a_strategy_sweep(tmp_path):
    (tmp_path / "manifest.json").write_text(json.dumps({"spec": {"design": "grid", "factors": {"x": {}}}}))
    with pytest.raises(ReportError, match="design 'strategies'"):
        build_report(tmp_path, tmp_path / "r.html")


def test_the_caveat_says_whether_validation_was_of_the_current_defaults():
    from tranqsim.params import Parameters
    from tranqsim.report.i18n import T
    from tranqsim.report.sections import _validation_model

    now = Parameters().as_dict()
    assert _validation_model({"checks": [], "values": dict(now)}, T["en"]) == T["en"]["validation_same"]
    older = dict(now, g_police=now["g_police"] + 0.5)
    text = _validation_model({"checks": [], "values": older}, T["en"])
    assert "other parameter values" in text and "`g_police`" in text and "1 differ" in text
    assert _validation_model({"checks": []}, T["fr"]) == T["fr"]["validation_unknown"]


def test_validate_ships_its_json_beside_the_markdown(tmp_path, monkeypatch):
    from tranqsim.validation import report as vreport

    class Rep:  # the fields write() reads, no check (no model run needed)
        patterns, checks, passed, replicates, years, parameters, seconds, seed = [], [], True, 2, 1.0, {}, 0.0, 7

    monkeypatch.setattr(vreport, "markdown", lambda rep: "md")  # the markdown's content is tested in test_validation
    paths = vreport.write(Rep(), tmp_path / "runs", md_path=tmp_path / "docs" / "validation.md")
    shipped = json.loads((tmp_path / "docs" / "validation.json").read_text())
    assert shipped == json.loads((tmp_path / "runs" / "validation.json").read_text())
    assert shipped["values"]["g_police"] > 0 and tmp_path / "docs" / "validation.json" in paths


# ------------------------------------------------------------------ issue 18: a report that prints
def _tables(html: str) -> list[list[list[str]]]:
    p = _Tables()
    p.feed(html)
    return p.tables


def test_each_strategys_levers_doses_and_windows_come_before_the_results(built):
    from tranqsim.levers import REGISTRY

    html = built["html"]
    levers = _tables(html)[0]
    assert levers[0] == ["strategy", "organisation of tranquillity", "levers, doses and windows (days)"]
    rows = {r[0]: r for r in levers[1:]}
    zsp = rows["Short ZSP"]
    assert zsp[1] == "dedicated"
    # the ZSP lever with its doses and its window, from the strategy file
    assert REGISTRY["zsp"].label_en in zsp[2] and "extra crews 3" in zsp[2] and "days 60–150" in zsp[2]
    assert REGISTRY["caretakers"].label_en in rows["Withdrawal to basic missions"][2]
    assert html.index("The strategies compared") < html.index("Ranking of strategies")


def test_notation_is_explained_in_one_line_and_the_cryptic_marks_are_gone(built):
    html = re.sub(r"<img[^>]+>", "", built["html"])  # not the figures' base64
    assert html.count('class="notation"') == 1
    assert "*(+)" not in html and "*(\u2212)" not in html
    assert not re.search("[\u2212+]0(\\.0+)?(?![\\d.,])", html)  # no "−0.0" nor "+0"
    assert re.search(r"[▲▼] (better|worse)", html)  # the marks the notation line explains


def test_the_public_partners_cost_is_shown_beside_the_landlords(built):
    runs = experiments.load(built["sweep"])
    tables = _tables(built["html"])
    ranking = tables[1]
    col = ranking[0].index("public €/dw.")
    costs = next(t for t in tables if t[0][0] == "item")
    public = next(r for r in costs if r[0].startswith("public partners"))
    assert any(r[0].startswith("**") or r[0] == "landlord and public partners" for r in costs)
    for j, title in enumerate(costs[0][1:], start=1):
        s = {"Withdrawal to basic missions": "withdrawal", "Short ZSP": built["zsp"]}.get(
            title, "proximity_management")
        exact = runs.loc[runs["strategy"] == s, "public_cost_per_dwelling_eur"].mean()
        assert abs(_number(public[j]) - exact) <= 0.5
        row = next(r for r in ranking[1:] if r[1] == title)
        assert abs(_numbers(row[col])[0] - exact) <= 0.5


FR_NUMBER = re.compile("[\u2212+]?\\d{1,3}(?:\u202f\\d{3})*(?:,\\d+)?")
EN_NUMBER = re.compile("[\u2212+]?\\d{1,3}(?:,\\d{3})*(?:\\.\\d+)?")


def _all_numbers(html: str, lang: str) -> list[float]:
    """Every number in every table cell but the first column (names), in order."""
    pattern = FR_NUMBER if lang == "fr" else EN_NUMBER
    out = []
    for table in _tables(html):
        for row in table[1:]:
            for cell in row[1:]:
                cell = cell.replace("\u2212€", "€\u2212").replace("+€", "€+")  # English: "−€77"
                out += [_number(x, lang) for x in pattern.findall(cell)]
    return out


def test_french_and_english_reports_of_one_sweep_give_identical_numbers(built, french):
    fr_html = french.read_text(encoding="utf-8")
    en, fr = _all_numbers(built["html"], "en"), _all_numbers(fr_html, "fr")
    assert len(en) > 100 and en == fr
    # the same replicates re-simulated (series, maps, ZSP), whatever the language
    reps_en = re.search(r"replicates ([\d, ]+) of the sweep", built["html"]).group(1)
    reps_fr = re.search(r"réplications ([\d, ]+) du balayage", fr_html).group(1)
    assert reps_en == reps_fr == "0, 1, 2"
    map_en = re.search(r"replicate (\d+), the status quo", built["html"]).group(1)
    assert map_en == re.search(r"réplication (\d+), la simulation", fr_html).group(1)
    assert {p.read_bytes() for p in (built["out"].parent / "report_figures").glob("*maps.png")} \
        != {p.read_bytes() for p in (french.parent / "rapport_figures").glob("*maps.png")}  # labels differ


def test_the_replicates_rerun_are_a_property_of_the_sweep():
    from tranqsim.report.build import SERIES_REPLICATES, sweep_series_replicates

    assert sweep_series_replicates({"replicates": 3}) == 3
    assert sweep_series_replicates({"replicates": 50}) == SERIES_REPLICATES


def test_the_french_report_is_in_french(french):
    html = french.read_text(encoding="utf-8")
    text = re.sub(r"<[^>]+>", " ", re.sub(r"<img[^>]+>", "", html))
    assert "EUR" not in text and "€" in text
    assert "n/a" not in text and "dedicated" not in text and "service dédié" in text
    assert re.search("\\d\u00a0€", text)  # "679 €", the euro sign after the amount
    assert "Coût pour les partenaires publics" in text or "partenaires publics" in text
    assert "\\d+\\.\\d" not in text and not re.search(r"\d\.\d+ ?%", text)  # decimal commas


def _chromium() -> str:
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "scripts"))
    try:
        from setup_ui import install_chromium
    finally:
        sys.path.pop(0)
    return install_chromium()  # Debian's chromium, with apt-get when missing


CHROMIUM_FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run"]
A4_POINTS = (595.28, 841.89)
PRINTABLE_PX = round((210 - 2 * 15) / 25.4 * 96)  # A4 width less the @page margins, in CSS px


def test_the_french_report_prints_on_a4_portrait_with_no_table_cut(french, tmp_path):
    chromium = _chromium()
    pdf = tmp_path / "rapport.pdf"
    subprocess.run([chromium, "--headless", *CHROMIUM_FLAGS, "--no-pdf-header-footer",
                    f"--print-to-pdf={pdf}", french.resolve().as_uri()], check=True, capture_output=True,
                   timeout=300)
    boxes = re.findall(rb"/MediaBox\s*\[\s*0\s+0\s+([\d.]+)\s+([\d.]+)\s*\]", pdf.read_bytes())
    assert len(boxes) >= 3  # pages
    for w, h in boxes:
        assert abs(float(w) - A4_POINTS[0]) < 1 and abs(float(h) - A4_POINTS[1]) < 1  # A4 portrait

    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=CHROMIUM_FLAGS)
        try:
            page = browser.new_page(viewport={"width": PRINTABLE_PX, "height": 1000})
            page.emulate_media(media="print")
            page.goto(french.resolve().as_uri())
            widths = page.evaluate("[...document.querySelectorAll('table')].map(t => t.scrollWidth)")
            page_width = page.evaluate("document.documentElement.scrollWidth")
            images = page.evaluate("[...document.querySelectorAll('img')].map(i => i.getBoundingClientRect().width)")
        finally:
            browser.close()
    assert len(widths) >= 8
    assert max(widths) <= PRINTABLE_PX, (widths, PRINTABLE_PX)
    assert page_width <= PRINTABLE_PX and max(images) <= PRINTABLE_PX


def test_reruns_for_figures_take_one_parameter_set_with_its_values():
    """A sweep over several parameter sets shares seeds between sets: the report's reruns take
    one set's replicates (the central, else the first id) and carry its values, so a rerun is
    the stored run (not the table's values on another set's seed)."""
    import pandas as pd

    from tranqsim.report import resim

    rows = []
    for ps, g in (("h001", 0.9), ("h000", 1.4)):
        for k in range(3):
            rows.append({"context": "priority_estate", "strategy": "withdrawal", "replicate": k, "seed": 100 + k,
                         "parameter_set": ps, "parameters.g_police": g, "tranquillity_index": 50.0 + g + k})
    jobs = resim.jobs_for(pd.DataFrame(rows), "priority_estate", ["withdrawal"], 2, 1.0,
                          fixed={"context.offenders.pressure": 1.1})
    assert [j["replicate"] for j in jobs] == [0, 1]
    assert all(j["fixed"] == {"context.offenders.pressure": 1.1, "parameters.g_police": 1.4} for j in jobs)
    assert [j["stored_ti"] for j in jobs] == [51.4, 52.4]


def test_strategy_labels_that_would_print_over_each_other_are_moved_apart():
    import matplotlib.pyplot as plt

    from tranqsim.report.figures import _declutter

    fig, ax = plt.subplots(figsize=(8, 5))
    ax.set_xlim(0, 100)
    ax.set_ylim(0, 100)
    points = [(50, 60, "Social prevention"), (51, 59.5, "Close management (dominated)"),
              (50.5, 59, "Police-justice partnership"), (10, 10, "Withdrawal")]
    labels = [ax.annotate(s, (x, y), xytext=(6, 5), textcoords="offset points") for x, y, s in points]
    _declutter(fig, labels)
    r = fig.canvas.get_renderer()
    boxes = [a.get_window_extent(r) for a in labels]
    assert not any(boxes[i].overlaps(boxes[j]) for i in range(4) for j in range(i + 1, 4))
    assert labels[3].xyann == (6, 5)  # a label clear of the others stays where it was
    plt.close(fig)
