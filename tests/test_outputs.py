"""Outputs never destroy what tranqsim did not write (issue 14, part 1).

`tranqsim run --out DIR` replaces only an earlier run folder, as a whole; it refuses a folder
of the user's files (unless --overwrite), and always refuses a folder holding an input, a file,
a FIFO; it finds an unwritable or over-long --out before simulating; default names stay under
runs/. `tranqsim report` applies the same rule to its HTML, Markdown and figures folder.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from tranqsim import outputs
from conftest import run_cli

TINY = ["--years", "0.05", "--no-plots"]

SMALL_CONTEXT = """\
  title: {fr: Petit ensemble, en: Small estate}
  estate: {dwellings: 120, dwellings_per_hall: 20}
  population: {deprivation: 0.4, newcomer_deprivation: 0.5}
  offenders: {dealing_points: 1}
"""
SMALL_STRATEGY = """\
  title: {fr: Essai, en: Test}
  organisation: dedicated
  levers:
    caretakers: {per_100_dwellings: 1.0}
"""


def _cli(monkeypatch, capsys, *args) -> tuple[int, str, str]:
    """The console entry point in this process: (exit status, stdout, stderr)."""
    return run_cli(monkeypatch, capsys, *args)


def _snapshot(root: Path) -> dict[str, bytes | str]:
    """Every entry under ``root`` with its content (files) or kind (anything else)."""
    snap = {}
    for dirpath, dirnames, filenames in os.walk(root):
        for name in dirnames + filenames:
            p = Path(dirpath) / name
            rel = str(p.relative_to(root))
            snap[rel] = p.read_bytes() if p.is_file() and not p.is_symlink() else oct(os.lstat(p).st_mode)
    return snap


def _one_error_line(err: str, *fragments: str) -> str:
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), err
    for f in fragments:
        assert f in lines[0], lines[0]
    assert "Traceback" not in err
    return lines[0]


@pytest.fixture
def no_simulation(monkeypatch):
    """Fail the test if a simulation starts."""
    import tranqsim.simulation

    def refuse(*a, **k):
        raise AssertionError("the simulation started before the output was checked")

    monkeypatch.setattr(tranqsim.simulation, "simulate", refuse)


def _unwritable_folder(tmp_path: Path) -> Path:
    """A folder in which nothing can be created (read-only bits; for root, a read-only mount)."""
    ro = tmp_path / "readonly"
    ro.mkdir()
    ro.chmod(0o555)
    try:
        tempfile.mkdtemp(dir=ro)
    except OSError:
        return ro
    # root ignores permission bits: use a kernel file system that refuses new folders
    for candidate in (Path("/sys"), Path("/proc")):
        try:
            os.rmdir(tempfile.mkdtemp(dir=candidate))
        except OSError:
            return candidate
    pytest.skip("no unwritable folder available to this user")


# ------------------------------------------------------------------ run: what is kept
def test_a_folder_of_the_users_files_is_kept_and_the_run_refused(tmp_path, monkeypatch, capsys, no_simulation):
    monkeypatch.chdir(tmp_path)
    proj = tmp_path / "proj"
    proj.mkdir()
    (proj / "notes.md").write_text("my notes")
    (proj / "data.csv").write_text("a,b\n1,2\n")
    before = _snapshot(tmp_path)
    code, out, err = _cli(monkeypatch, capsys, "run", *TINY, "--out", "proj")
    assert code == 2
    _one_error_line(err, "--out proj", "not written by tranqsim run", "--overwrite")
    assert out == ""
    assert _snapshot(tmp_path) == before


@pytest.mark.parametrize("overwrite", [False, True])
@pytest.mark.parametrize("where", ["same_folder", "ancestor", "working_dir"])
def test_a_folder_holding_the_scenario_file_is_never_replaced(tmp_path, monkeypatch, capsys, no_simulation,
                                                               where, overwrite):
    monkeypatch.chdir(tmp_path)
    scen = tmp_path / "proj" / "sub" / "s.yaml"
    scen.parent.mkdir(parents=True)
    scen.write_text("context: calm_neighbourhood\nstrategy: withdrawal\n")
    (tmp_path / "proj" / "notes.md").write_text("my notes")
    out = {"same_folder": "proj/sub", "ancestor": "proj", "working_dir": "."}[where]
    before = _snapshot(tmp_path)
    code, _, err = _cli(monkeypatch, capsys, "run", "proj/sub/s.yaml", *TINY, "--out", out,
                        *(["--overwrite"] if overwrite else []))
    assert code == 2
    _one_error_line(err, f"--out {out}", "never replaced")
    assert _snapshot(tmp_path) == before


def test_a_folder_holding_a_referenced_context_file_is_never_replaced(tmp_path, monkeypatch, capsys,
                                                                       no_simulation):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "ctx").mkdir()
    (tmp_path / "ctx" / "small.yaml").write_text(SMALL_CONTEXT.replace("\n  ", "\n").lstrip())
    (tmp_path / "s.yaml").write_text("context: ctx/small.yaml\nstrategy: withdrawal\n")
    before = _snapshot(tmp_path)
    code, _, err = _cli(monkeypatch, capsys, "run", "s.yaml", *TINY, "--out", "ctx", "--overwrite")
    assert code == 2
    _one_error_line(err, "holds the input ctx/small.yaml")
    assert _snapshot(tmp_path) == before


@pytest.mark.parametrize("overwrite", [False, True])
def test_a_file_given_as_out_is_never_replaced(tmp_path, monkeypatch, capsys, no_simulation, overwrite):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "results.txt").write_text("precious")
    os.symlink("results.txt", tmp_path / "link")
    for name in ("results.txt", "link"):
        code, _, err = _cli(monkeypatch, capsys, "run", *TINY, "--out", name,
                            *(["--overwrite"] if overwrite else []))
        assert code == 2
        _one_error_line(err, f"--out {name}", "is a file, not a folder")
    assert (tmp_path / "results.txt").read_text() == "precious"
    assert os.readlink(tmp_path / "link") == "results.txt"


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this system")
def test_a_fifo_given_as_out_is_refused_and_left_a_fifo(tmp_path):
    """Through the installed entry point, in a fresh process (the user's view)."""
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    proc = subprocess.run([sys.executable, "-m", "tranqsim.cli", "run", *TINY, "--out", "pipe", "--overwrite"],
                          cwd=tmp_path, capture_output=True, text=True, timeout=600, env=os.environ.copy())
    assert proc.returncode == 2, proc.stderr
    _one_error_line(proc.stderr, "--out pipe", "FIFO")
    assert proc.stdout == ""
    assert sorted(os.listdir(tmp_path)) == ["pipe"]
    import stat

    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)


# ------------------------------------------------------------------ run: what is replaced
def test_an_earlier_run_folder_is_replaced_as_a_whole(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    code, _, err = _cli(monkeypatch, capsys, "run", *TINY, "--seed", "1", "--out", "r")
    assert code == 0, err
    marker = json.loads((tmp_path / "r" / outputs.RUN_MARKER).read_text())
    assert marker["written_by"] == "tranqsim run" and "summary.json" in marker["files"]
    # an earlier run folder: replaced without --overwrite (the help says so)
    code, _, err = _cli(monkeypatch, capsys, "run", *TINY, "--seed", "2", "--out", "r")
    assert code == 0, err
    assert json.loads((tmp_path / "r" / "summary.json").read_text())["seed"] == 2
    assert sorted(os.listdir(tmp_path)) == ["r"], "no temporary or old folder left beside it"
    umask = os.umask(0o22)
    os.umask(umask)
    assert (tmp_path / "r").stat().st_mode & 0o777 == 0o777 & ~umask, "the usual permissions"

    # the user added a file: refused without --overwrite, the folder kept as it was
    (tmp_path / "r" / "my_analysis.ipynb").write_text("{}")
    before = _snapshot(tmp_path)
    code, _, err = _cli(monkeypatch, capsys, "run", *TINY, "--seed", "3", "--out", "r")
    assert code == 2
    _one_error_line(err, "my_analysis.ipynb", "--overwrite")
    assert _snapshot(tmp_path) == before
    # with --overwrite: replaced whole, nothing of the old folder left
    code, _, err = _cli(monkeypatch, capsys, "run", *TINY, "--seed", "3", "--out", "r", "--overwrite")
    assert code == 0, err
    assert json.loads((tmp_path / "r" / "summary.json").read_text())["seed"] == 3
    assert not (tmp_path / "r" / "my_analysis.ipynb").exists()
    assert sorted(os.listdir(tmp_path)) == ["r"]


def test_overwrite_replaces_a_users_folder_whole(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "old.txt").write_text("x")
    code, _, err = _cli(monkeypatch, capsys, "run", *TINY, "--out", "mine", "--overwrite")
    assert code == 0, err
    assert not (tmp_path / "mine" / "old.txt").exists()
    assert (tmp_path / "mine" / "summary.json").is_file()


def test_an_empty_folder_made_beforehand_is_used(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "results").mkdir()
    code, _, err = _cli(monkeypatch, capsys, "run", *TINY, "--out", "results")
    assert code == 0, err
    assert (tmp_path / "results" / "summary.json").is_file()


def test_the_home_folder_is_never_replaced(tmp_path, monkeypatch, capsys, no_simulation):
    home, work = tmp_path / "users" / "me", tmp_path / "work"
    home.mkdir(parents=True)
    work.mkdir()
    (home / ".bashrc").write_text("# mine")
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.chdir(work)
    for out in (home, home.parent):
        code, _, err = _cli(monkeypatch, capsys, "run", *TINY, "--out", out, "--overwrite")
        assert code == 2
        _one_error_line(err, "home folder")
    assert (home / ".bashrc").read_text() == "# mine"


def test_a_failed_swap_puts_the_old_folder_back(tmp_path, monkeypatch):
    old, new = tmp_path / "run", tmp_path / "new"
    old.mkdir()
    (old / "summary.json").write_text("old")
    new.mkdir()
    (new / "summary.json").write_text("new")
    real_replace = os.replace

    def failing(src, dst):
        if Path(src) == new:
            raise OSError(28, "No space left on device")
        real_replace(src, dst)

    monkeypatch.setattr(outputs.os, "replace", failing)
    with pytest.raises(OSError):
        outputs.replace_folder(new, old)
    assert (old / "summary.json").read_text() == "old"
    assert sorted(os.listdir(tmp_path)) == ["new", "run"]


# ------------------------------------------------------------------ run: checked before simulating
def test_an_unwritable_out_is_refused_before_simulating(tmp_path, monkeypatch, capsys, no_simulation):
    ro = _unwritable_folder(tmp_path)
    monkeypatch.chdir(tmp_path)
    before = _snapshot(tmp_path)
    code, out, err = _cli(monkeypatch, capsys, "run", *TINY, "--out", ro / "deeper" / "run")
    assert code == 2
    _one_error_line(err, "cannot write in")
    assert out == ""
    assert _snapshot(tmp_path) == before


def test_an_overlong_out_name_is_refused_before_simulating(tmp_path, monkeypatch, capsys, no_simulation):
    monkeypatch.chdir(tmp_path)
    code, _, err = _cli(monkeypatch, capsys, "run", *TINY, "--out", "runs/" + "x" * 300)
    assert code == 2
    _one_error_line(err, "name too long")
    assert os.listdir(tmp_path) == []
    code, _, err = _cli(monkeypatch, capsys, "run", *TINY, "--out", "/".join(["y" * 200] * 25))
    assert code == 2
    _one_error_line(err, "path too long")
    assert os.listdir(tmp_path) == []


# ------------------------------------------------------------------ default names
@pytest.mark.parametrize("name", ["ABS", "../../escape", "a/b\\c d:e*?", "..", ".hidden"])
def test_default_output_name_is_sanitised_and_under_runs(tmp_path, monkeypatch, capsys, name):
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    if name == "ABS":
        name = str(tmp_path / "elsewhere" / "evil")
    (work / "s.yaml").write_text(f"context_name: {json.dumps(name)}\ncontext:\n{SMALL_CONTEXT}"
                                 f"strategy_name: {json.dumps(name)}\nstrategy:\n{SMALL_STRATEGY}")
    code, out, err = _cli(monkeypatch, capsys, "run", "s.yaml", *TINY)
    assert code == 0, err
    assert sorted(os.listdir(tmp_path)) == ["work"], "nothing written outside the working folder"
    assert sorted(os.listdir(work)) == ["runs", "s.yaml"]
    (folder,) = (work / "runs").iterdir()
    assert folder.is_dir() and not folder.name.startswith(".")
    assert (folder / "summary.json").is_file()
    assert f"outputs: runs/{folder.name}" in out


def test_safe_name_keeps_ordinary_names_and_tames_the_rest():
    assert outputs.safe_name("priority_estate") == "priority_estate"
    assert outputs.safe_name("quartier-été.v2") == "quartier-été.v2"
    assert outputs.safe_name("/abs/path") == "path"
    assert outputs.safe_name("../x.yaml") == "x"
    assert outputs.safe_name("..") == "custom"
    assert "/" not in outputs.safe_name("a b/c:d") and len(outputs.safe_name("z" * 500)) <= 80


# ------------------------------------------------------------------ report
@pytest.fixture(scope="module")
def sweep(tmp_path_factory):
    from tranqsim import experiments
    from tranqsim.experiments.spec import Experiment

    root = tmp_path_factory.mktemp("sweep")
    exp = Experiment.model_validate({"contexts": ["calm_neighbourhood"],
                                     "strategies": ["withdrawal", "proximity_management"],
                                     "design": "strategies", "replicates": 2, "years": 0.1, "seed": 3})
    experiments.run(exp, out=root / "sweep", workers=1)
    return root / "sweep"


@pytest.fixture
def no_rerun(monkeypatch):
    from tranqsim.report import resim

    def refuse(*a, **k):
        raise AssertionError("the report reran replicates before the outputs were checked")

    monkeypatch.setattr(resim, "rerun_all", refuse)


REPORT = ["--series-replicates", "1", "--workers", "1"]


def test_report_refuses_to_overwrite_a_users_notes_and_figures(tmp_path, monkeypatch, capsys, sweep, no_rerun):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "notes.md").write_text("# my notes\n")
    (tmp_path / "notes_figures").mkdir()
    (tmp_path / "notes_figures" / "photo.png").write_bytes(b"\x89PNG mine")
    before = _snapshot(tmp_path)
    code, _, err = _cli(monkeypatch, capsys, "report", sweep, "--out", "notes.html", *REPORT)
    assert code == 2
    _one_error_line(err, "notes.md", "not written by tranqsim report", "--overwrite")
    assert _snapshot(tmp_path) == before
    # the Markdown moved away: the figures folder is still the user's
    (tmp_path / "notes.md").unlink()
    code, _, err = _cli(monkeypatch, capsys, "report", sweep, "--out", "notes.html", *REPORT)
    assert code == 2
    _one_error_line(err, "notes_figures", "tranqsim-figures.json")
    assert (tmp_path / "notes_figures" / "photo.png").read_bytes() == b"\x89PNG mine"
    assert sorted(os.listdir(tmp_path)) == ["notes_figures"]
    # and a user's HTML file of that name too
    (tmp_path / "notes_figures" / "photo.png").unlink()
    (tmp_path / "notes_figures").rmdir()
    (tmp_path / "notes.html").write_text("<html>mine</html>")
    code, _, err = _cli(monkeypatch, capsys, "report", sweep, "--out", "notes.html", *REPORT)
    assert code == 2
    _one_error_line(err, "--out notes.html", "not written by tranqsim report")
    assert (tmp_path / "notes.html").read_text() == "<html>mine</html>"


def test_report_never_replaces_a_non_folder_figures_path(tmp_path, monkeypatch, capsys, sweep, no_rerun):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "notes_figures").write_text("not a folder")
    code, _, err = _cli(monkeypatch, capsys, "report", sweep, "--out", "notes.html", "--overwrite", *REPORT)
    assert code == 2
    _one_error_line(err, "notes_figures", "not a folder")
    assert (tmp_path / "notes_figures").read_text() == "not a folder"


def test_report_refuses_an_unwritable_place_before_rerunning(tmp_path, monkeypatch, capsys, sweep, no_rerun):
    ro = _unwritable_folder(tmp_path)
    monkeypatch.chdir(tmp_path)
    code, _, err = _cli(monkeypatch, capsys, "report", sweep, "--out", ro / "r" / "notes.html", *REPORT)
    assert code == 2
    _one_error_line(err, "cannot write in")


def test_report_replaces_its_own_earlier_report_and_with_overwrite_the_users(tmp_path, monkeypatch, capsys, sweep):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "notes.md").write_text("# my notes\n")
    code, _, err = _cli(monkeypatch, capsys, "report", sweep, "--out", "notes.html", "--overwrite", *REPORT)
    assert code == 0, err
    md = (tmp_path / "notes.md").read_text()
    assert md.startswith(outputs.MD_GENERATOR) and "my notes" not in md
    assert outputs.HTML_GENERATOR in (tmp_path / "notes.html").read_text()
    figs = tmp_path / "notes_figures"
    listed = json.loads((figs / outputs.FIGURES_MARKER).read_text())["files"]
    assert listed and sorted(listed) == sorted(p.name for p in figs.glob("*.png"))
    # a second report over the first: no --overwrite needed, the figures folder replaced whole
    (figs / "stale.png").unlink(missing_ok=True)
    first = sorted(os.listdir(figs))
    code, _, err = _cli(monkeypatch, capsys, "report", sweep, "--out", "notes.html", *REPORT)
    assert code == 0, err
    assert sorted(os.listdir(figs)) == first
    assert sorted(os.listdir(tmp_path)) == ["notes.html", "notes.md", "notes_figures"]
