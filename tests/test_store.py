"""The results store (issue 14, part 2): one writer per folder, a store that knows what it
holds, damaged chunks named and rerun, and one schema per table."""

import os
import shutil
import signal
import socket
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest
import yaml

from tranqsim import experiments
from tranqsim.experiments import compare as cmp
from tranqsim.experiments.chunks import Damage, read_chunk
from tranqsim.experiments.lock import StoreLock
from tranqsim.experiments.spec import Experiment
from tranqsim.experiments.store import Store, StoreWarning, damage_message

TINY = {"contexts": ["calm_neighbourhood"], "strategies": ["withdrawal", "proximity_management"],
        "design": "strategies", "replicates": 2, "years": 0.05, "seed": 3,
        "metrics": ["tranquillity_index", "insecurity_share", "incidents_per_1000_dwellings"]}
EXE = Path(sys.executable).with_name("tranqsim")


def _write(folder: Path, spec: dict, name="exp.yaml") -> Path:
    p = folder / name
    p.write_text(yaml.safe_dump(spec))
    return p


def _cli(*args, cwd=None):
    return subprocess.run([str(EXE), *map(str, args)], capture_output=True, text=True, cwd=cwd, timeout=600)


def _sweep(tmp_path, spec=TINY, name="out", **kw) -> Path:
    out = tmp_path / name
    experiments.run(Experiment.model_validate(spec), out, flush_every=1, **kw)
    return out


def _runs(out: Path) -> pd.DataFrame:
    return experiments.load(out).drop(columns="runtime_s").sort_values("run_id").reset_index(drop=True)


def _chunks(out: Path, table="runs") -> list[Path]:
    return sorted((out / table).glob("part-*.parquet"))


# ------------------------------------------------------------------ one writer
def test_a_second_sweep_into_a_held_folder_names_the_holder_and_exits_2(tmp_path):
    p = _write(tmp_path, TINY)
    out = tmp_path / "out"
    out.mkdir()
    with StoreLock(out):  # what a running sweep holds, taken here: no race with a real run
        r = _cli("sweep", p, "--out", out, "--workers", "1", cwd=tmp_path)
        assert r.returncode == 2, r.stderr
        assert "in use by another sweep" in r.stderr and f"pid {os.getpid()} on {socket.gethostname()}" in r.stderr
        assert "Traceback" not in r.stderr
        assert not (out / "manifest.json").exists() and not (out / "runs").exists()
        # the same in one process: a second Store on the folder is refused too
        with pytest.raises(experiments.StoreLocked, match="in use by another sweep"):
            Store(out, Experiment.model_validate(TINY).model_dump(mode="json"))
    r = _cli("sweep", p, "--out", out, "--workers", "1", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert len(experiments.load(out)) == 4


def test_a_lock_left_by_a_killed_sweep_does_not_block(tmp_path):
    """kill -9 of the holder: the kernel drops the lock; the file and its details stay."""
    p = _write(tmp_path, TINY)
    out = tmp_path / "out"
    out.mkdir()
    code = ("import sys, time; from tranqsim.experiments.lock import StoreLock; "
            f"lock = StoreLock({str(out)!r}).acquire(); print('held', flush=True); time.sleep(600)")
    holder = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"  # waits for the lock, not for a clock
        r = _cli("sweep", p, "--out", out, "--workers", "1", cwd=tmp_path)
        assert r.returncode == 2 and f"pid {holder.pid}" in r.stderr, r.stderr
    finally:
        holder.send_signal(signal.SIGKILL)
        holder.wait()
    assert f'"pid": {holder.pid}' in (out / ".lock").read_text()  # stale details left behind
    r = _cli("sweep", p, "--out", out, "--workers", "1", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert (out / ".lock").read_text() == ""  # released at the end of the sweep


# ------------------------------------------------------------------ what the store holds
def test_a_chunk_copied_twice_is_counted_once(tmp_path):
    out = _sweep(tmp_path)
    before = _runs(out)
    for f in _chunks(out)[:2]:  # same bytes under another name: a copy a user made by mistake
        shutil.copy(f, f.with_name(f.name.replace("part-", "part-9", 1)))
    assert len(_chunks(out)) == 6
    after = _runs(out)
    assert len(after) == 4 and after.equals(before)
    table = cmp.compare(experiments.load(out), "proximity_management")
    assert set(table["n_pairs"]) == {2}  # two replicates, not "4 replicates"
    rep = experiments.run(Experiment.model_validate(TINY), out)
    assert (rep.skipped, rep.done) == (4, 0)


def test_rows_of_another_experiment_are_ignored_with_a_warning_naming_their_chunk(tmp_path):
    out = _sweep(tmp_path)
    other = _sweep(tmp_path, {**TINY, "seed": 4}, name="other")
    before = _runs(out)
    stray = _chunks(other)[0]
    shutil.copy(stray, out / "runs" / stray.name)
    with pytest.warns(StoreWarning, match=stray.name) as caught:
        after = _runs(out)
    assert len(caught) == 1
    assert after.equals(before)
    r = _cli("compare", out, "--baseline", "proximity_management", "--out", tmp_path / "cmp")
    assert r.returncode == 0, r.stderr
    assert r.stderr.count("warning: ") == 1 and stray.name in r.stderr and "Traceback" not in r.stderr
    assert set(pd.read_csv(tmp_path / "cmp" / "compare.csv")["n_pairs"]) == {2}


def test_an_edited_strategy_file_is_refused_like_a_changed_seed(tmp_path):
    strat = tmp_path / "my_strategy.yaml"
    shutil.copy(Path(__file__).parents[1] / "scenarios" / "strategies" / "withdrawal.yaml", strat)
    p = _write(tmp_path, {**TINY, "strategies": [str(strat), "proximity_management"]})
    out = tmp_path / "out"
    r = _cli("sweep", p, "--out", out, "--workers", "1", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    chunks = _chunks(out)
    strat.write_text(strat.read_text().replace("per_100_dwellings: 0.4", "per_100_dwellings: 1.2"))
    r = _cli("sweep", p, "--out", out, "--workers", "1", "--replicates", "3", cwd=tmp_path)
    assert r.returncode == 2 and "Traceback" not in r.stderr
    assert f"holds another experiment: strategy file {strat} changed since the store was created" in r.stderr
    assert _chunks(out) == chunks  # nothing run, nothing written
    # put back as it was: more replicates extend the same experiment again
    strat.write_text(strat.read_text().replace("per_100_dwellings: 1.2", "per_100_dwellings: 0.4"))
    r = _cli("sweep", p, "--out", out, "--workers", "1", "--replicates", "3", cwd=tmp_path)
    assert r.returncode == 0 and "4 already stored, 2 done" in r.stdout, r.stderr


def test_changed_parameters_or_version_are_refused_and_named(tmp_path, monkeypatch):
    import dataclasses
    from types import MappingProxyType

    import tranqsim
    from tranqsim import params

    out = _sweep(tmp_path)
    spec = Experiment.model_validate(TINY)
    name = next(iter(params.PARAMS))
    changed = {**params.PARAMS, name: dataclasses.replace(params.PARAMS[name], value=params.PARAMS[name].value + 1)}
    with monkeypatch.context() as m:
        m.setattr(params, "PARAMS", MappingProxyType(changed))
        with pytest.raises(experiments.StoreMismatch, match=f"parameter table changed \\({name}: "):
            experiments.run(spec, out)
    with monkeypatch.context() as m:
        m.setattr(tranqsim, "__version__", "99.0")
        with pytest.raises(experiments.StoreMismatch, match="tranqsim version .* -> 99.0"):
            experiments.run(spec, out)
    with pytest.raises(experiments.StoreMismatch, match="seed: 3 -> 4"):
        experiments.run(Experiment.model_validate({**TINY, "seed": 4}), out)
    assert experiments.run(spec, out).skipped == 4  # unchanged: the folder is still open to it


def test_a_manifest_from_before_identities_is_refused_not_mixed(tmp_path):
    import json

    out = _sweep(tmp_path)
    manifest = out / "manifest.json"
    data = json.loads(manifest.read_text())
    del data["identity"]
    manifest.write_text(json.dumps(data))
    with pytest.raises(experiments.StoreMismatch, match="earlier tranqsim .* new --out folder"):
        experiments.run(Experiment.model_validate({**TINY, "replicates": 3}), out)
    assert len(experiments.load(out)) == 4  # still readable


# ------------------------------------------------------------------ damaged chunks
def _flip(path: Path, pos: int) -> None:
    data = bytearray(path.read_bytes())
    data[pos] ^= 0x10
    path.write_bytes(bytes(data))


def _data_page_positions(path: Path) -> list[int]:
    """A byte near the end of each column's last data page: its payload, after the page header
    (a column chunk is an optional dictionary page, then data pages, each header then data)."""
    md = pq.ParquetFile(path).metadata.row_group(0)
    out = []
    for i in range(md.num_columns):
        c = md.column(i)
        start = min(c.data_page_offset, c.dictionary_page_offset or c.data_page_offset)
        out.append(start + c.total_compressed_size - 2)
    return out


def test_every_flipped_byte_is_caught_and_page_checksums_are_written(tmp_path):
    out = _sweep(tmp_path)
    good = _chunks(out)[0]
    data = good.read_bytes()
    spare = tmp_path / "spare"
    spare.mkdir()
    positions = sorted(set(range(0, len(data), 53)) | set(_data_page_positions(good)))
    for pos in positions:
        bad = spare / good.name
        bad.write_bytes(data)
        _flip(bad, pos)
        with pytest.raises(Damage):
            read_chunk(bad)
    # the pages carry their own checksums: caught even without the digest in the name (as a
    # reader that knows nothing of names sees the file)
    legacy = spare / "part-1-1.parquet"
    caught = 0
    for pos in _data_page_positions(good):
        legacy.write_bytes(data)
        _flip(legacy, pos)
        try:
            read_chunk(legacy)
        except Damage as d:
            caught += "checksum" in d.reason
    assert caught == len(_data_page_positions(good))


@pytest.fixture(scope="module")
def damaged(tmp_path_factory):
    """A strategy sweep and a Morris sweep, each with one chunk's data page flipped."""
    root = tmp_path_factory.mktemp("damaged")
    exp = _write(root, TINY)
    r = _cli("sweep", exp, "--out", root / "sweep", "--workers", "1", "--chunk-rows", "1", cwd=root)
    assert r.returncode == 0, r.stderr
    morris = {**TINY, "strategies": ["withdrawal"], "design": "morris", "samples": 2, "replicates": 1,
              "factors": {"parameters.report_base": {"low": 0.3, "high": 0.6}}}
    experiments.run(Experiment.model_validate(morris), root / "morris", flush_every=1)
    original = _runs(root / "sweep")
    hit = {}
    for name in ("sweep", "morris"):
        chunk = _chunks(root / name)[1]
        hit[name] = (chunk, set(pq.read_table(chunk)["run_id"].to_pylist()))
        _flip(chunk, _data_page_positions(chunk)[3])
    return {"root": root, "exp": exp, "original": original, "hit": hit}


def test_compare_sensitivity_report_and_sweep_name_the_damaged_chunk_alike(damaged):
    root, (chunk, _) = damaged["root"], damaged["hit"]["sweep"]
    sweep = root / "sweep"
    expected = damage_message(sweep, [read_chunk_damage(chunk)])
    assert chunk.name in expected and "changed after it was written" in expected
    assert "--move-damaged" in expected
    for args in (("compare", sweep, "--baseline", "proximity_management"),
                 ("report", sweep, "--out", root / "r.html", "--baseline", "proximity_management"),
                 ("store", "check", sweep),
                 ("sweep", damaged["exp"], "--out", sweep, "--workers", "1", "--replicates", "3")):
        r = _cli(*args, cwd=root)
        assert (r.returncode, r.stderr) == (2, f"error: {expected}\n"), args
    assert not (root / "r.html").exists()
    assert '"replicates": 2' in (sweep / "manifest.json").read_text()  # the refused sweep changed nothing
    morris = root / "morris"
    r = _cli("sensitivity", morris)
    m_chunk = damaged["hit"]["morris"][0]
    assert (r.returncode, r.stderr) == (2, f"error: {damage_message(morris, [read_chunk_damage(m_chunk)])}\n")


def read_chunk_damage(path: Path) -> Damage:
    with pytest.raises(Damage) as e:
        read_chunk(path)
    return e.value


def test_moved_aside_damaged_chunks_are_rerun_by_the_next_sweep(damaged):
    root, (chunk, ids) = damaged["root"], damaged["hit"]["sweep"]
    sweep = root / "sweep"
    r = _cli("store", "check", sweep, "--move-damaged")
    assert r.returncode == 0 and "1 of 4 chunks damaged, moved aside" in r.stdout, r.stderr
    assert not chunk.exists() and (sweep / "damaged" / "runs" / chunk.name).exists()
    r = _cli("sweep", damaged["exp"], "--out", sweep, "--workers", "1", cwd=root)
    assert r.returncode == 0, r.stderr
    assert f"{4 - len(ids)} already stored, {len(ids)} done" in r.stdout
    assert _runs(sweep).equals(damaged["original"])  # the same runs, the same numbers
    r = _cli("store", "check", sweep)
    assert r.returncode == 0 and "none damaged" in r.stdout


@pytest.mark.parametrize("harm, reason", [
    (lambda p: p.write_bytes(p.read_bytes()[: len(p.read_bytes()) // 2]), "truncated"),
    (lambda p: p.write_text("run_id,x\na,1\n"), "not a Parquet file"),
    (lambda p: p.write_bytes(b""), "empty file"),
])
def test_a_truncated_or_foreign_file_is_named_with_what_is_wrong(tmp_path, harm, reason):
    out = _sweep(tmp_path)
    victim = _chunks(out)[2]
    harm(victim)
    with pytest.raises(experiments.StoreDamaged, match=f"{victim.name}: {reason}"):
        experiments.load(out)


def test_a_run_whose_time_series_chunk_is_gone_is_rerun(tmp_path):
    spec = {**TINY, "timeseries": True}
    out = _sweep(tmp_path, spec)
    lost = _chunks(out, "timeseries")[0]
    ids = set(pq.read_table(lost, columns=["run_id"])["run_id"].to_pylist())
    lost.unlink()  # as `store check --move-damaged` would
    rep = experiments.run(Experiment.model_validate(spec), out)
    assert (rep.skipped, rep.done) == (4 - len(ids), len(ids))
    ts = experiments.load(out, "timeseries")
    assert set(ts["run_id"]) == set(experiments.load(out)["run_id"])
    assert len(experiments.load(out)) == 4  # the rerun's row is not counted twice


# ------------------------------------------------------------------ one schema per table
def test_every_chunk_of_a_table_has_every_column(tmp_path):
    """withdrawal and global_approach have different levers, hence different cost columns;
    one chunk per run: a reader that takes the first file's schema still sees them all."""
    spec = {**TINY, "strategies": ["withdrawal", "global_approach"], "metrics": None, "timeseries": True}
    out = _sweep(tmp_path, spec)
    for table in ("runs", "timeseries"):
        ours = experiments.load(out, table)
        schemas = {str(pq.read_schema(f).remove_metadata()) for f in _chunks(out, table)}
        assert len(schemas) == 1, table
        theirs = pd.read_parquet(out / table)
        assert list(theirs.columns) == list(ours.columns) and len(theirs) == len(ours), table
    runs = experiments.load(out)
    lever_cols = [c for c in runs.columns if c.startswith("cost_by_lever_eur.")]
    by = runs.set_index("strategy")[lever_cols]
    only_global = [c for c in lever_cols if by.loc["withdrawal", c].isna().all()]
    assert only_global and by.loc["global_approach", only_global].notna().all().all()
    assert all(runs[c].dtype == "float64" for c in only_global)
    import pyarrow.dataset as ds

    assert ds.dataset(out / "runs").to_table().num_columns == len(runs.columns)
    try:
        import duckdb
    except ImportError:
        return
    cols = duckdb.sql(f"select * from read_parquet('{out}/runs/*.parquet')").columns
    assert len(cols) == len(runs.columns)


@pytest.mark.parametrize("make, says", [
    (lambda p: None, "cannot read the strategy file named in the experiment (No such file"),
    (lambda p: os.mkfifo(p), "is a named pipe (FIFO), not a regular file"),  # would block a reader
])
def test_a_strategy_file_that_cannot_be_hashed_is_refused_before_the_folder_exists(tmp_path, make, says):
    strat = tmp_path / "mine.yaml"
    make(strat)
    p = _write(tmp_path, {**TINY, "strategies": [str(strat)]})
    r = _cli("sweep", p, "--out", tmp_path / "out", "--workers", "1", cwd=tmp_path)
    assert r.returncode == 2 and r.stderr.startswith(f"error: {strat}: ") and says in r.stderr, r.stderr
    assert not (tmp_path / "out").exists()


def test_a_chunk_rewritten_while_it_is_read_is_not_called_damaged(tmp_path, monkeypatch):
    """A sweep widening the schema replaces chunks while compare or report reads the folder:
    a chunk listed then gone is a reason to list again, not damage."""
    from tranqsim.experiments import store

    out = _sweep(tmp_path)
    real, moved = store.read_chunk, []

    def racing(path, *a, **kw):
        if not moved:  # the writer replaces this chunk just before we open it
            moved.append(path.rename(path.with_name(path.name.replace("part-", "part-2", 1))))
        return real(path, *a, **kw)

    monkeypatch.setattr(store, "read_chunk", racing)
    assert len(experiments.load(out)) == 4 and moved
