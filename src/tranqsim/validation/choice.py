"""Choosing the ensemble's central set (:mod:`tranqsim.validation.posterior` draws and judges
the candidates): :func:`refine` runs the most promising accepted sets on fresh replicates,
:func:`propose` adds the sets an emulator of the checks puts most room in
(:mod:`tranqsim.validation.emulator`), and :func:`confirm` tries sets on 20 replicates of the
confirmation seeds until one passes every check. ``tranqsim validate`` then checks the chosen
set on seeds none of this used."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from tranqsim.validation.posterior import (CONFIRM_SEED, POSTERIOR_SEED, REPLICATES, YEARS, _checks, _run,
                                           central, evaluate, read)

#: proposed sets' indices start here (the drawn candidates' index is their Sobol' position)
PROPOSED_BASE = 100000
#: fresh replicates a proposal is meant to pass on (the confirmation's)
CONFIRM_REPLICATES = 20


def bands_of(out: Path, workers: int = 1, progress=None) -> dict[str, tuple]:
    """Every check's band: from the folder's confirmation log if it has one, else read off one
    replicate of every arm at the table's values (the bands do not depend on the runs)."""
    log = out / "confirmation.jsonl"
    if log.exists():
        for x in reversed(log.read_text().splitlines()):
            if x.strip() and json.loads(x).get("bands"):
                return {k: tuple(v) for k, v in json.loads(x)["bands"].items()}
    runs = _run([{}], range(1), workers, progress)[0]
    return {f"{c.pattern}: {c.name}": (c.low, c.high) for c in _checks(runs)}


def propose(out: Path, records: list[dict], k: int, workers: int = 1, progress=None, log=print,
            earlier: Path | None = None) -> list[dict]:
    """``k`` sets proposed by the emulator (:mod:`tranqsim.validation.emulator`) fitted on this
    wave's candidates and, with ``earlier``, the earlier wave's (the same seeds), then judged
    like every candidate (:func:`evaluate`, this wave's replicates). Appended to
    ``out/proposed.jsonl`` (indices from :data:`PROPOSED_BASE` on, with the emulator's version
    and the emulated chance to pass every check on 20 fresh replicates) and written to
    ``out/emulator.json`` (each check's emulated value at the first proposal, its spread, the
    emulator's error and leave-one-out R^2). A rerun reads back the proposals of the current
    :data:`~tranqsim.validation.emulator.VERSION` instead of proposing again; those of an
    earlier version stay in the file (their confirmation tries stay in the log) and are not
    part of the ensemble."""
    from tranqsim.params import PARAMS
    from tranqsim.validation import emulator

    path = out / "proposed.jsonl"
    logged = [json.loads(x) for x in path.read_text().splitlines() if x.strip()] if path.exists() else []
    done = [r for r in logged if r["proposed"].get("version", 1) == emulator.VERSION]
    if len(done) >= k:
        return done[:k]
    sd = json.loads((out / "noise.json").read_text())
    box = {n: tuple(v) for n, v in records[0]["box"].items()}
    train = records + (read(earlier) if earlier is not None else [])
    em = emulator.fit(train, box, sd, {n: PARAMS[n].value for n in box if n in PARAMS})
    bands = bands_of(out, workers, progress)
    reps = records[0].get("replicates", REPLICATES)
    sigma = emulator.spread(em, sd, reps, CONFIRM_REPLICATES)
    acc = [r["values"] for r in records if r["accepted"]]
    centre = np.median(em.unit(acc), axis=0) if acc else None
    props = emulator.propose(em, bands, sigma, k, POSTERIOR_SEED, centre)
    log(f"emulator on {len(train)} candidates, {len(em.checks)} checks: "
        + ", ".join(f"{p:.3f}" for _, p in props) + " emulated chance to pass every check")
    z0 = em.unit([props[0][0]])[0]
    (out / "emulator.json").write_text(json.dumps(
        {"version": emulator.VERSION, "trained_on": len(train), "ridge": emulator.RIDGE,
         "replicates": reps, "fresh_replicates": CONFIRM_REPLICATES,
         "first_proposal": emulator.table(em, sigma, bands, z0)}, indent=1) + "\n")
    start, todo = len(logged), props[len(done):]
    new = evaluate([v for v, _ in todo], sd, workers, progress, reps)
    for j, (rec, (_, chance)) in enumerate(zip(new, todo)):
        rec |= {"index": PROPOSED_BASE + start + j, "box": records[0]["box"], "replicates": reps,
                "proposed": {"by": "emulator", "version": emulator.VERSION, "chance": round(chance, 4)}}
        with path.open("a") as f:
            f.write(json.dumps(rec) + "\n")
        done.append(rec)
    log(f"proposed sets accepted on {reps} replicates: {sum(r['accepted'] for r in done)} of {len(done)}")
    return done


def margin(record: dict, sd: dict[str, float], bands: dict[str, tuple], only=None) -> float:
    """A record's smallest distance inside its bands, in Monte Carlo standard errors of its
    means (over its ``replicates``, two for the screen's; negative: outside one), as the block
    calibration ranks its finalists; ``only``: over these checks alone."""
    out = np.inf
    n = record.get("replicates", REPLICATES)
    for k, m in record["means"].items():
        if only is not None and k not in only:
            continue
        lo, hi = bands.get(k, (None, None))
        se = sd.get(k, np.nan) / np.sqrt(n)
        gaps = ([m - lo] if lo is not None else []) + ([hi - m] if hi is not None else [])
        if gaps and np.isfinite(se) and se > 0:
            out = min(out, min(gaps) / se)
    return float(out)


#: fresh replicates per set in :func:`refine` (the posterior's seeds after the screen's two)
REFINE_REPLICATES = 4


def refine(records: list[dict], sd: dict[str, float], bands: dict[str, tuple] | None, top: int,
           workers: int = 1, progress=None, log=print, path: Path | None = None,
           skip: set[int] = frozenset()) -> dict[int, dict]:
    """Before confirming: :data:`REFINE_REPLICATES` more replicates of every arm for the ``top``
    accepted sets with most room inside the bands on their two screen replicates (by
    :func:`margin`; by implausibility if no band is known yet), on posterior seeds the screen
    did not use. Their means are free of the screen's selection (a set accepted because its two
    replicates fell inside the bands is, on average, less far inside on others: the winner's
    curse that made 6 of 6 confirmation tries fail) and twice as precise, so
    :func:`confirm` ranks the refined sets by them. Returns {candidate index: record}; each
    record is appended to ``path`` as its batch ends and a rerun goes on from there. ``skip``:
    sets already confirmed (or not), left out."""
    acc = [r for r in records if r["accepted"] and r["index"] not in skip]
    done: dict[int, dict] = {}
    if path is not None and path.exists():
        for x in path.read_text().splitlines():
            if x.strip():
                rec = json.loads(x)
                done[rec["index"]] = rec
    if bands:
        order = sorted(acc, key=lambda r: -margin(r, sd, bands))
    else:
        order = sorted(acc, key=lambda r: r.get("max_implausibility", 0.0))
    todo = [r for r in order[:top] if r["index"] not in done]
    first = max((r.get("replicates", REPLICATES) for r in acc), default=REPLICATES)
    reps = range(first, first + REFINE_REPLICATES)
    for b in range(0, len(todo), 2):
        batch = todo[b:b + 2]
        for r, runs in zip(batch, _run([r["values"] for r in batch], reps, workers, progress)):
            rec = {"index": r["index"], "replicates": REFINE_REPLICATES,
                   "means": {f"{c.pattern}: {c.name}": round(c.mean, 4) for c in _checks(runs)}}
            done[r["index"]] = rec
            if path is not None:
                with path.open("a") as f:
                    f.write(json.dumps(rec) + "\n")
        log(f"refined {min(b + 2, len(todo))} of {len(todo)} sets on {REFINE_REPLICATES} fresh replicates")
    return done


def confirm(records: list[dict], sd: dict[str, float], tries: int = 5, workers: int = 1,
            progress=None, log=print, path: Path | None = None,
            refined: dict[int, dict] | None = None, first: list[int] = ()) -> tuple[int, list[dict]]:
    """Choose the central set by confirmation: 20 replicates of every arm on the confirmation
    seeds (:data:`CONFIRM_SEED`, which neither the candidates' screen nor the validation suite
    uses) for accepted sets until one passes every check, ``tries`` sets in all. The first tried
    is the set :func:`central` picks (nearest the posterior median); then, by decreasing
    :func:`margin`, the sets with the most room inside every band (two replicates on common seeds
    share those seeds' luck: the 2026-12-05 draw's median set passed E12 on them, -40 %, and
    failed it on 20 other replicates, -44.7 %). Returns the index of the set chosen (in the
    accepted records; the one with most checks passed if none passes) and one record per try.

    The confirmation seeds are not the validation seeds: a set chosen because it passed on the
    validation seeds passes there by selection, not by fit (the 2026-12-05 choice passed 48 of 48
    on the validation seeds and 44 of 48 on 20 fresh replicates). ``tranqsim validate`` is then an
    out-of-sample check of the choice.

    After each failed try the remaining sets are re-ranked: first those whose two-replicate
    means all lie inside their bands, then by their room on the checks that have failed on the
    confirmation seeds so far (the binding ones: the 2026-12-05 draw's second try, ranked by room
    on every band, passed E12 and failed two checks the first had passed), then by room on every
    band.

    ``path``: a JSON-lines file of the tries (each with its checks' bands), appended as each
    ends and resumed from: a try costs minutes, so a killed or extended confirmation (a larger
    ``tries``) does not repeat the sets already tried. ``refined`` (:func:`refine`): after the
    first try, the refined sets not yet tried come first, ranked the same way on their refined
    means. ``first``: candidate indices tried before any other, in that order (the emulator's
    proposals, :func:`propose`, those accepted)."""
    from tranqsim.validation import validate

    acc = [r for r in records if r["accepted"]]
    box = {k: tuple(v) for k, v in records[0]["box"].items()}
    pos = {r["index"]: j for j, r in enumerate(acc)}
    tried: list[dict] = []
    if path is not None and path.exists():
        tried = [t for t in (json.loads(x) for x in path.read_text().splitlines() if x.strip())
                 if t["index"] in pos]  # tries of sets this draw no longer accepts are left out
    while True:
        if tried:
            best = max(tried, key=lambda t: t["passed"])
            if not best["failed"] or len(tried) >= tries:
                return pos[best["index"]], tried
        elif tries <= 0:
            return central(acc, box), tried
        done = {t["index"] for t in tried}
        rest = [j for j in range(len(acc)) if acc[j]["index"] not in done]
        if not rest:
            return pos[max(tried, key=lambda t: t["passed"])["index"]], tried
        bands = next((t["bands"] for t in reversed(tried) if t.get("bands")), None)
        c = central(acc, box)
        ahead = [pos[x] for x in first if x in pos and x not in done]
        if ahead:
            i = ahead[0]
        elif acc[c]["index"] not in done or bands is None:
            i = c if acc[c]["index"] not in done else rest[0]
        else:
            bands = {k: tuple(v) for k, v in bands.items()}
            hard = {f for t in tried for f in t["failed"]}
            rec = {j: (refined or {}).get(acc[j]["index"], acc[j]) for j in rest}
            pool = [j for j in rest if refined and acc[j]["index"] in refined] or rest
            room = {j: margin(rec[j], sd, bands) for j in pool}
            i = min(pool, key=lambda j: (room[j] < 0, -margin(rec[j], sd, bands, hard), -room[j]))
        rep = validate(20, YEARS, workers, parameters=acc[i]["values"], progress=progress, seed=CONFIRM_SEED)
        n_pass = sum(c.passed for c in rep.checks)
        rec = {"index": acc[i]["index"], "passed": n_pass, "of": len(rep.checks),
               "failed": [f"{c.pattern}: {c.name}" for c in rep.checks if not c.passed],
               "means": {f"{c.pattern}: {c.name}": round(float(c.mean), 4) for c in rep.checks},
               "bands": {f"{c.pattern}: {c.name}": [c.low, c.high] for c in rep.checks}}
        tried.append(rec)
        if path is not None:
            with path.open("a") as f:
                f.write(json.dumps(rec) + "\n")
        log(f"central set candidate {acc[i]['index']}: {n_pass} of {len(rep.checks)} checks pass")


__all__ = ["CONFIRM_REPLICATES", "PROPOSED_BASE", "REFINE_REPLICATES", "bands_of", "confirm", "margin",
           "propose", "refine"]
