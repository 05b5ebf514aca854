"""The experiments engine (issue 3, first part): designs, common seeds, the store, resume,
failures, serial/parallel equality."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

from tranqsim import experiments
from tranqsim.experiments import design
from tranqsim.experiments.spec import Experiment

TINY = {"contexts": ["calm_neighbourhood"], "strategies": ["withdrawal", "proximity_management"],
        "design": "strategies", "replicates": 2, "years": 0.05, "seed": 3,
        "metrics": ["tranquillity_index", "insecurity_share", "incidents_per_1000_dwellings"]}


def _write(tmp_path, spec, name="exp.yaml"):
    p = tmp_path / name
    p.write_text(yaml.safe_dump(spec))
    return p


def _cli(*args, cwd=None, **kw):
    exe = Path(sys.executable).with_name("tranqsim")
    return subprocess.run([str(exe), *map(str, args)], capture_output=True, text=True, cwd=cwd, **kw)


def test_replicate_k_has_the_same_seed_at_every_design_point():
    exp = Experiment.model_validate({**TINY, "replicates": 3})
    js = experiments.jobs(exp)
    by_rep = {}
    for j in js:
        by_rep.setdefault(j["replicate"], set()).add(j["seed"])
    assert all(len(s) == 1 for s in by_rep.values())
    assert len({next(iter(s)) for s in by_rep.values()}) == 3
    assert len({j["run_id"] for j in js}) == len(js)


def test_design_sizes_follow_the_design():
    base = {"contexts": ["priority_estate"], "strategies": ["withdrawal"], "samples": 8}
    grid = Experiment.model_validate({**base, "design": "grid", "factors": {
        "parameters.g_police": {"values": [0.2, 0.5, 1.0]}, "organisation": {"values": ["none", "dedicated"]}}})
    assert len(design.design_points(grid)) == 6
    rng = {"parameters.g_police": {"low": 0.1, "high": 1.0}, "parameters.fear_base": {"low": -2, "high": 0}}
    lhs = Experiment.model_validate({**base, "design": "lhs", "factors": rng})
    pts = design.design_points(lhs)
    assert len(pts) == 8 and all(0.1 <= p["parameters.g_police"] <= 1.0 for p in pts)
    assert design.design_points(lhs) == pts  # same file, same points
    sob = Experiment.model_validate({**base, "design": "sobol", "factors": rng})
    assert len(design.design_points(sob)) == 8 * (2 + 2)
    mor = Experiment.model_validate({**base, "design": "morris", "factors": rng})
    assert len(design.design_points(mor)) == 8 * (2 + 1)


@pytest.mark.parametrize("spec, field", [
    ({"design": "lhs"}, "needs factors"),
    ({"factors": {"parameters.g_polize": {"low": 0, "high": 1}}, "design": "lhs"}, "unknown parameter"),
    ({"factors": {"levers.cctv.camera": {"values": [1]}}, "design": "grid"}, "has no field"),
    ({"replicates": 0}, "must be >= 1"),
    ({"contexts": ["nowhere"]}, "unknown context"),
    ({"designn": "grid"}, "unknown field"),
])
def test_bad_experiment_files_are_refused_with_file_and_line(tmp_path, spec, field):
    p = _write(tmp_path, {**TINY, **spec})
    r = _cli("sweep", p, "--out", tmp_path / "out", cwd=tmp_path)
    assert r.returncode == 2, r.stderr
    assert r.stderr.startswith("error: exp.yaml") and field in r.stderr and "Traceback" not in r.stderr
    assert not (tmp_path / "out").exists()


def test_serial_and_process_pool_give_identical_results(tmp_path):
    exp = Experiment.model_validate(TINY)
    experiments.run(exp, tmp_path / "serial", workers=1)
    experiments.run(exp, tmp_path / "pool", workers=2)
    a = experiments.load(tmp_path / "serial").drop(columns="runtime_s").sort_values("run_id").reset_index(drop=True)
    b = experiments.load(tmp_path / "pool").drop(columns="runtime_s").sort_values("run_id").reset_index(drop=True)
    assert len(a) == 4
    assert a.equals(b)


def test_rerun_runs_exactly_the_missing_runs(tmp_path):
    exp = Experiment.model_validate({**TINY, "replicates": 3})
    rep = experiments.run(exp, tmp_path / "s", flush_every=1)
    assert (rep.done, rep.skipped) == (6, 0)
    parts = sorted((tmp_path / "s" / "runs").glob("part-*.parquet"))
    for p in parts[:2]:
        p.unlink()
    rep2 = experiments.run(exp, tmp_path / "s", flush_every=1)
    assert (rep2.done, rep2.skipped) == (2, 4)
    df = experiments.load(tmp_path / "s")
    assert len(df) == 6 and df["run_id"].is_unique


def test_another_experiment_is_refused_in_an_existing_folder(tmp_path):
    experiments.run(Experiment.model_validate(TINY), tmp_path / "s")
    with pytest.raises(experiments.StoreMismatch):
        experiments.run(Experiment.model_validate({**TINY, "seed": 4}), tmp_path / "s")


def test_failing_runs_are_recorded_and_the_sweep_goes_on(tmp_path):
    spec = {**TINY, "strategies": ["withdrawal"], "design": "grid", "replicates": 1,
            "factors": {"context.estate.dwellings": {"values": [60, 5]}}}  # 5 < minimum of 20
    p = _write(tmp_path, spec)
    r = _cli("sweep", p, "--out", tmp_path / "out", "--workers", "1", cwd=tmp_path)
    assert r.returncode == 1, r.stderr
    assert "1 done, 1 failed" in r.stdout
    errs = experiments.load(tmp_path / "out", "errors")
    assert len(errs) == 1 and "dwellings" in errs.loc[0, "error"]
    assert errs.loc[0, "context.estate.dwellings"] == "5"


@pytest.mark.slow  # a 4-worker sweep killed and rerun (~40 s)
def test_kill_9_then_rerun_completes_without_duplicates(tmp_path):
    spec = {**TINY, "replicates": 12, "years": 0.1}  # 24 runs, one chunk per run
    p = _write(tmp_path, spec)
    out = tmp_path / "out"
    proc = subprocess.Popen([str(Path(sys.executable).with_name("tranqsim")), "sweep", str(p), "--out",
                             str(out), "--workers", "2", "--chunk-rows", "1"], cwd=tmp_path, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, start_new_session=True)
    deadline = time.time() + 120
    while time.time() < deadline and not list((out / "runs").glob("part-*.parquet")):
        time.sleep(0.2)
    os.killpg(proc.pid, signal.SIGKILL)  # the sweep and its workers, as a crash would
    proc.wait()
    before = len(experiments.load(out))
    assert 0 < before < 24
    r = _cli("sweep", p, "--out", out, "--workers", "2", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert f"{before} already stored" in r.stdout
    df = experiments.load(out)
    assert len(df) == 24 and df["run_id"].is_unique


def _default_sigint():
    # as a terminal's foreground job gets it: a suite started in the background by a
    # non-interactive shell (``make test &``) ignores SIGINT, and children inherit that
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def _start_sweep_and_wait_for_a_chunk(tmp_path):
    """A 24-run sweep on 2 workers in its own process group, once its first chunk is stored.
    Runs of a year (about 0.3 s each here): the rest of the sweep takes seconds, so a signal
    sent now finds it running (with runs of 36 days it had sometimes finished first)."""
    p = _write(tmp_path, {**TINY, "replicates": 12, "years": 1.0})
    out = tmp_path / "out"
    proc = subprocess.Popen([str(Path(sys.executable).with_name("tranqsim")), "sweep", str(p), "--out",
                             str(out), "--workers", "2", "--chunk-rows", "1"], cwd=tmp_path, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, start_new_session=True,
                            preexec_fn=_default_sigint)
    deadline = time.time() + 120
    while time.time() < deadline and not list((out / "runs").glob("part-*.parquet")):
        time.sleep(0.05)
    return p, out, proc


@pytest.mark.slow  # a sweep started, signalled and checked, twice (~30 s each)
@pytest.mark.parametrize("how", ["sigterm", "ctrl-c"])
def test_sigterm_or_ctrl_c_stop_workers_and_leave_a_consistent_store(tmp_path, how):
    """SIGTERM to the sweep, or SIGINT to its whole process group (what Ctrl-C does in a
    terminal): exit 130, workers gone, no partial chunk, and a rerun completes the sweep."""
    import psutil

    p, out, proc = _start_sweep_and_wait_for_a_chunk(tmp_path)
    children = psutil.Process(proc.pid).children(recursive=True)
    assert children, "the sweep should run its workers in child processes"
    if how == "sigterm":
        proc.send_signal(signal.SIGTERM)
    else:
        os.killpg(proc.pid, signal.SIGINT)
    stdout, stderr = proc.communicate(timeout=60)
    assert proc.returncode == 130, stderr
    assert "interrupted" in stdout and "Traceback" not in stderr and "Process Spawn" not in stderr
    _, alive = psutil.wait_procs(children, timeout=10)
    assert not alive
    assert not list(out.rglob("*.tmp"))
    first = experiments.load(out)
    assert 0 < len(first) < 24 and first["run_id"].is_unique
    r = _cli("sweep", p, "--out", out, "--workers", "2", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    df = experiments.load(out)
    assert len(df) == 24 and df["run_id"].is_unique


def test_workers_leave_sigint_to_the_parent(tmp_path):
    """Ctrl-C reaches every process of the group. A worker must not act on it alone: busy, it
    would turn the run into a failed one; idle in its queue, it would die with a traceback and
    break the pool. SIGINT sent to the workers only: the sweep goes on and completes cleanly."""
    import psutil

    p, out, proc = _start_sweep_and_wait_for_a_chunk(tmp_path)
    children = psutil.Process(proc.pid).children(recursive=True)
    assert children
    for c in children:
        c.send_signal(signal.SIGINT)
    stdout, stderr = proc.communicate(timeout=120)
    assert proc.returncode == 0, stdout + stderr
    assert "Traceback" not in stderr and "Process Spawn" not in stderr, stderr
    df = experiments.load(out)
    assert len(df) == 24 and df["run_id"].is_unique


def test_more_replicates_extend_the_same_folder_and_run_only_the_new_ones(tmp_path):
    experiments.run(Experiment.model_validate(TINY), tmp_path / "s")
    rep = experiments.run(Experiment.model_validate({**TINY, "replicates": 3}), tmp_path / "s")
    assert (rep.skipped, rep.done) == (4, 2)
    df = experiments.load(tmp_path / "s")
    assert len(df) == 6 and sorted(df["replicate"].unique()) == [0, 1, 2]
    # fewer replicates: nothing to run, and the manifest still records the larger experiment
    rep = experiments.run(Experiment.model_validate(TINY), tmp_path / "s")
    assert (rep.skipped, rep.done) == (4, 0)
    assert '"replicates": 3' in (tmp_path / "s" / "manifest.json").read_text()


def test_a_failed_chunk_write_leaves_no_temporary_file(tmp_path, monkeypatch):
    import pyarrow.parquet as pq

    from tranqsim.experiments.store import Store

    store = Store(tmp_path / "s", Experiment.model_validate(TINY).model_dump(mode="json"))

    def boom(table, where, **kw):  # the store writes its chunks through pyarrow
        Path(where).write_bytes(b"half a file")
        raise KeyboardInterrupt

    monkeypatch.setattr(pq, "write_table", boom)
    with pytest.raises(KeyboardInterrupt):
        store.write("runs", [{"run_id": "a", "x": 1.0}])
    assert not list((tmp_path / "s").rglob("*.tmp"))
    assert not list((tmp_path / "s").rglob("part-*.parquet"))
