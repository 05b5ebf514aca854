"""The sweep runner's bounds and its resilience (issue 14): a plan counted and capped before any
job is built, ``--workers`` capped, a worker killed mid-run recorded as one failed run while
the sweep goes on, workers that die with their parent, and an in-flight window sized from the
executor (a Dask cluster's threads, not this machine's cores)."""

import os
import signal
import subprocess
import sys
import threading
import time
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from pathlib import Path

import pytest
import yaml

from tranqsim import experiments
from tranqsim.experiments import design, own_pool, runner
from tranqsim.experiments.spec import Experiment
from tranqsim.pools import max_workers

TINY = {"contexts": ["calm_neighbourhood"], "strategies": ["withdrawal", "proximity_management"],
        "design": "strategies", "replicates": 3, "years": 0.05, "seed": 3,
        "metrics": ["tranquillity_index", "insecurity_share"]}
RANGES = {"parameters.g_police": {"low": 0.1, "high": 1.0}, "parameters.fear_base": {"low": -2, "high": 0}}
# 100,000 Saltelli base samples of 4 factors: 600,000 points; x 10,000 replicates = 6e9 runs
HUGE = {"contexts": ["priority_estate"], "strategies": ["withdrawal"], "design": "sobol",
        "samples": 100000, "replicates": 10000,
        "factors": {**RANGES, "parameters.g_caretaker": {"low": 0.1, "high": 1.0},
                    "parameters.g_guard": {"low": 0.1, "high": 1.0}}}
EXE = Path(sys.executable).with_name("tranqsim")


def _write(tmp_path, spec, name="exp.yaml"):
    p = tmp_path / name
    p.write_text(yaml.safe_dump(spec))
    return p


def _cli(*args, cwd, env=None, timeout=600):
    return subprocess.run([str(EXE), *map(str, args)], capture_output=True, text=True, cwd=cwd,
                          env=env, timeout=timeout)


# --- bounds before work -------------------------------------------------------------------------

@pytest.mark.parametrize("spec", [
    {"design": "strategies"},
    {"design": "grid", "factors": {"parameters.g_police": {"values": [0.2, 0.5, 1.0]},
                                   "organisation": {"values": ["none", "dedicated"]}}},
    {"design": "lhs", "factors": RANGES, "samples": 5},
    {"design": "sobol", "factors": RANGES, "samples": 4},
    {"design": "morris", "factors": RANGES, "samples": 3},
])
def test_the_planned_runs_counted_from_the_spec_are_the_jobs_a_sweep_builds(spec):
    exp = Experiment.model_validate({**TINY, **spec})
    assert runner.planned_runs(exp) == len(experiments.jobs(exp))


def test_a_huge_sobol_design_is_refused_with_its_count_before_any_job_is_built(tmp_path, monkeypatch):
    exp = Experiment.model_validate(HUGE)

    def built(*a, **k):
        raise AssertionError("a design point was built")

    monkeypatch.setattr(design, "factor_points", built)
    monkeypatch.setattr(runner, "jobs", built)
    t0 = time.perf_counter()
    with pytest.raises(runner.PlanTooLarge, match="6,000,000,000 runs") as err:
        experiments.run(exp, tmp_path / "out", workers=2)
    # counting is arithmetic (milliseconds); building the plan would take hours and all memory
    assert time.perf_counter() - t0 < 5
    assert "600,000 design points x 10,000 replicates" in str(err.value) and "200,000" in str(err.value)
    assert not (tmp_path / "out").exists()
    # --force lifts the refusal: the check passes and gives the count (the plan is not run here)
    assert runner.check_plan(exp, force=True) == 6_000_000_000


def test_the_cli_refuses_a_huge_plan_with_exit_2_and_names_count_and_limit(tmp_path):
    p = _write(tmp_path, HUGE, "huge.yaml")
    r = _cli("sweep", p, "--out", tmp_path / "out", cwd=tmp_path, timeout=120)
    assert r.returncode == 2, r.stderr
    assert r.stderr.startswith("error: ") and "huge.yaml" in r.stderr
    assert "6,000,000,000 runs" in r.stderr and "limit of 200,000" in r.stderr and "--force" in r.stderr
    assert "Traceback" not in r.stderr
    assert not (tmp_path / "out").exists()


def test_ten_thousand_workers_are_refused_unless_forced(tmp_path):
    p = _write(tmp_path, TINY)
    r = _cli("sweep", p, "--out", tmp_path / "out", "--workers", 10000, cwd=tmp_path, timeout=120)
    assert r.returncode == 2, r.stderr
    assert "--workers 10000" in r.stderr and str(max_workers()) in r.stderr and "--force" in r.stderr
    assert "Traceback" not in r.stderr and not (tmp_path / "out").exists()
    with pytest.raises(runner.TooManyWorkers):
        experiments.run(Experiment.model_validate(TINY), tmp_path / "api", workers=10000)
    assert not (tmp_path / "api").exists()
    assert runner.check_workers(10000, force=True) == 10000
    assert runner.check_workers(max_workers()) == max_workers()


# --- a worker killed mid-run --------------------------------------------------------------------

def test_a_run_that_kills_its_worker_is_recorded_failed_and_the_others_are_stored(tmp_path):
    """The run's worker dies by SIGKILL (as from the out-of-memory killer) through the test hook
    TRANQSIM_TEST_KILL_RUN; the pool is rebuilt, the other five runs are stored, the killer is
    in ``errors`` with its signal, and the sweep exits 1 (failed runs), without a traceback."""
    exp = Experiment.model_validate(TINY)
    ids = [j["run_id"] for j in experiments.jobs(exp)]
    killer = ids[2]
    p = _write(tmp_path, TINY)
    env = {**os.environ, runner.TEST_KILL_ENV: killer[:10]}
    r = _cli("sweep", p, "--out", tmp_path / "out", "--workers", 2, cwd=tmp_path, env=env)
    assert r.returncode == 1, r.stdout + r.stderr
    assert "5 done, 1 failed" in r.stdout
    assert "Traceback" not in r.stderr and "BrokenProcessPool" not in r.stderr, r.stderr
    errs = experiments.load(tmp_path / "out", "errors")
    assert errs["run_id"].tolist() == [killer]
    assert "worker process died" in errs.loc[0, "error"] and "SIGKILL" in errs.loc[0, "error"]
    runs = experiments.load(tmp_path / "out")
    assert sorted(runs["run_id"]) == sorted(set(ids) - {killer})
    # and the five stored runs are the ones an undisturbed sweep gives
    experiments.run(exp, tmp_path / "serial", workers=1)
    a = experiments.load(tmp_path / "serial").drop(columns="runtime_s")
    a = a[a["run_id"] != killer].sort_values("run_id").reset_index(drop=True)
    b = runs.drop(columns="runtime_s").sort_values("run_id").reset_index(drop=True)
    assert a.equals(b)


def test_pool_workers_die_with_their_parent(tmp_path):
    """``kill -9`` of the sweep alone (not its group): its workers follow it."""
    import psutil

    p = _write(tmp_path, {**TINY, "replicates": 40, "years": 1.0})  # minutes of work
    out = tmp_path / "out"
    proc = subprocess.Popen([str(EXE), "sweep", str(p), "--out", str(out), "--workers", "2", "--chunk-rows", "1"],
                            cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)
    try:
        deadline = time.time() + 300
        while time.time() < deadline and not list((out / "runs").glob("part-*.parquet")):
            time.sleep(0.1)
        assert proc.poll() is None, "the sweep ended before the test could kill it"
        workers = [c for c in psutil.Process(proc.pid).children(recursive=True)
                   if "resource_tracker" not in " ".join(c.cmdline())]
        assert len(workers) == 2
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        _, alive = psutil.wait_procs(workers, timeout=30)
        assert not alive, f"workers still alive after their parent was killed: {alive}"
    finally:
        try:
            os.killpg(proc.pid, signal.SIGKILL)  # whatever is left of the group, if the test failed
        except ProcessLookupError:
            pass


# --- the in-flight window -----------------------------------------------------------------------

class _FakeClient:
    def __init__(self, threads: dict):
        self.threads = threads

    def nthreads(self):
        return dict(self.threads)


class _FakeDaskExecutor(Executor):
    """Shaped like distributed's ClientExecutor (a ``_client``); runs nothing: each job completes
    a few ms later with a stub row. Records the most runs it ever held at once."""

    def __init__(self, client):
        self._client = client
        self.outstanding: list[Future] = []
        self.most = 0
        self.lock = threading.Lock()
        self.stop = False
        self.thread = threading.Thread(target=self._complete, daemon=True)
        self.thread.start()

    def submit(self, fn, job):
        f = Future()
        with self.lock:
            self.outstanding.append((f, job))
            self.most = max(self.most, len(self.outstanding))
        return f

    def _complete(self):
        while not self.stop:
            time.sleep(0.002)
            with self.lock:
                if not self.outstanding:
                    continue
                f, job = self.outstanding.pop(0)
            f.set_result({"row": {"run_id": job["run_id"], "replicate": job["replicate"], "seed": job["seed"],
                                  **job["point"], "tranquillity_index": 50.0}})


def test_the_window_follows_the_dask_cluster_threads_not_the_local_workers(tmp_path):
    client = _FakeClient({"tcp://a:1": 1, "tcp://b:1": 2})
    idle = _FakeDaskExecutor(client)
    idle.stop = True
    assert own_pool.capacity(idle, fallback=64) == 3
    window = own_pool.Window(idle, fallback=64, every_s=0)
    assert window.size() == 12
    client.threads["tcp://c:1"] = 5  # a worker joins
    assert window.size() == 32
    with ProcessPoolExecutor(3) as local:  # no process started
        assert own_pool.capacity(local, fallback=64) == 3
    ex = _FakeDaskExecutor(_FakeClient({"tcp://a:1": 1, "tcp://b:1": 1}))
    try:
        rep = experiments.run(Experiment.model_validate({**TINY, "replicates": 40}), tmp_path / "s",
                              executor=ex, workers=64)
    finally:
        ex.stop = True
    assert rep.done == 80
    assert ex.most <= 8  # 4 x 2 cluster threads; sized from --workers it was 4 x 64
