"""The distributed path for real: a `dask scheduler` and two `dask worker` processes on
127.0.0.1, a small sweep sent through them by the CLI, results equal to the serial run."""

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

from tranqsim import experiments
from tranqsim.experiments.spec import Experiment

BIN = Path(sys.executable).parent
SPEC = {"contexts": ["calm_neighbourhood"], "strategies": ["withdrawal", "proximity_management"],
        "design": "strategies", "replicates": 3, "years": 0.05, "seed": 21,
        "metrics": ["tranquillity_index", "insecurity_share", "incidents_per_1000_dwellings"]}


@pytest.fixture
def cluster(tmp_path):
    sched_file = tmp_path / "scheduler.json"
    common = ["--no-dashboard"]
    procs = [subprocess.Popen([str(BIN / "dask"), "scheduler", "--host", "127.0.0.1", "--port", "0",
                               "--scheduler-file", str(sched_file), *common],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=tmp_path)]
    try:
        deadline = time.time() + 60
        while not sched_file.exists() and time.time() < deadline:
            time.sleep(0.2)
        assert sched_file.exists(), "the dask scheduler did not start"
        for _ in range(2):
            procs.append(subprocess.Popen([str(BIN / "dask"), "worker", "--scheduler-file", str(sched_file),
                                           "--nthreads", "1", "--nworkers", "1", "--host", "127.0.0.1", *common],
                                          stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=tmp_path))
        from distributed import Client

        with Client(scheduler_file=str(sched_file), timeout="30s") as client:
            client.wait_for_workers(2, timeout=60)
            assert len(client.scheduler_info()["workers"]) == 2
        yield json.loads(sched_file.read_text())["address"]
    finally:
        for p in reversed(procs):
            p.terminate()
        for p in procs:
            try:
                p.wait(timeout=20)
            except subprocess.TimeoutExpired:
                p.kill()


def test_sweep_on_a_real_dask_cluster_equals_the_serial_sweep(cluster, tmp_path):
    assert cluster.startswith("tcp://127.0.0.1:")
    exp_file = tmp_path / "exp.yaml"
    exp_file.write_text(yaml.safe_dump(SPEC))
    r = subprocess.run([str(BIN / "tranqsim"), "sweep", str(exp_file), "--out", str(tmp_path / "dask"),
                        "--executor", "dask", "--scheduler", cluster], capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stderr
    assert "6 done, 0 failed" in r.stdout
    experiments.run(Experiment.model_validate(SPEC), tmp_path / "serial", workers=1)
    a = experiments.load(tmp_path / "serial").drop(columns="runtime_s").sort_values("run_id").reset_index(drop=True)
    b = experiments.load(tmp_path / "dask").drop(columns="runtime_s").sort_values("run_id").reset_index(drop=True)
    assert len(b) == 6 and a.equals(b)


@pytest.mark.slow  # waits out the CLI's 20 s connect timeout
def test_an_unreachable_scheduler_is_one_clear_error(tmp_path):
    exp_file = tmp_path / "exp.yaml"
    exp_file.write_text(yaml.safe_dump(SPEC))
    r = subprocess.run([str(BIN / "tranqsim"), "sweep", str(exp_file), "--out", str(tmp_path / "x"),
                        "--executor", "dask", "--scheduler", "tcp://127.0.0.1:9"], capture_output=True, text=True,
                       timeout=120)
    assert r.returncode == 2 and "cannot reach the Dask scheduler" in r.stderr and "Traceback" not in r.stderr
    assert not (tmp_path / "x").exists()  # nothing written
