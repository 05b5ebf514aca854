"""The calibrated ensemble: a joint rejection-ABC sample of plausible parameter sets.

The block calibration (:mod:`tranqsim.validation.calibration`) gives one value per calibrated
parameter, each block fitted with the earlier blocks' values fixed. Comparisons need what we do
not know as well (issue 16, item 6; issue 19): many parameter sets, each consistent with *every*
target at once. This module draws them by rejection ABC with a uniform kernel (Pritchard et al.
1999, Mol. Biol. Evol. 16:1791; Beaumont, Zhang & Balding 2002, Genetics 162:2025): candidates
from a prior box, each run on the validation arms, accepted when the mean of every check
(C1-C10, E1-E12, :mod:`tranqsim.validation.patterns`) lies in its two-sided target range. The
targets are the published bands, unchanged: a set that fits them only by widening a band is
never accepted.

The prior box (:data:`PRIORS`):

- the block-calibrated parameters: their calibrated value +/- 25 % (fear's log-odds baseline
  +/- 0.3), clipped to the block's prior. This is a *local* posterior around the block
  calibration, which used the same targets (an empirical-Bayes step; sets far from it are not
  explored). A joint ABC-SMC over the blocks' full priors, tried on 2026-12-04, had an
  effective sample size of 2 after 44 minutes: the targets' joint region is small;
- the assumptions that decide what strategies do and that the evidence table bounds (youth
  programmes, the GLTD, dealing points' re-emergence, residents' participation, caretakers',
  mediators', lighting's and access control's deterrence): ranges around the table's value,
  stated below with their reason.

Acceptance is history matching's implausibility rule (Craig et al. 1997; Vernon, Goldstein &
Bower 2010): a candidate is ruled out when the mean of one of its checks lies outside that
check's band by more than :data:`CUTOFF` Monte Carlo standard errors (each check's
between-replicate standard deviation, measured once at the table's values, over the square
root of the candidate's replicates). A rule that required every mean inside every band on one
or two replicates would reject the block-calibrated set itself on noise: a pilot of four
candidates failed 8 to 14 of the 48 checks each, mostly the noisiest (vehicle crime at four
covered car parks, the ZSP's decay ratio, lighting's day/night ratio). Each candidate runs one
replicate of every arm; those not ruled out run a second (the same two seeds for every
candidate: common random numbers) and are judged again on the two-replicate means. "CI
excludes 0" is not asked of a candidate; it is checked, with 20 replicates, on the central set
by ``tranqsim validate``. Every candidate's outcome is appended to a JSON-lines file as it
ends, so a killed run resumes where it stopped.

The ensemble is the accepted sets (all of them, equally weighted: a uniform prior and a uniform
kernel give equal ABC weights). Its *central set* is the accepted set nearest the posterior
median in the prior box's units (a medoid, so itself a set that passed every band), or, if that
set fails a check on 20 replicates of the confirmation seeds, the next by room inside the bands
(:func:`tranqsim.validation.choice.confirm`); it is installed as the parameter table's values (``calibrated.json``, block
``ensemble``) and is what ``tranqsim validate`` checks with 20 replicates on seeds the choice
never saw.
"""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import numpy as np

from tranqsim.experiments.design import spawned_seed
from tranqsim.validation import run_jobs
from tranqsim.validation.arms import ARMS
from tranqsim.validation.patterns import PATTERNS

POSTERIOR_SEED = 2412  # candidates' draws and the replicates' seeds (not the validation suite's)
#: master seed of the 20 replicates that choose the central set: disjoint from the candidates'
#: seeds and from the validation suite's (MASTER_SEED), so that ``tranqsim validate`` then checks
#: the chosen set on seeds the choice never saw
CONFIRM_SEED = 3011
REPLICATES = 2
YEARS = 3.0

#: calibrated parameters, +/- this share of the calibrated value (clipped to the block prior)
LOCAL_SPREAD = 0.25
_ABSOLUTE = {"fear_base": 0.3}  # log-odds: an absolute spread

#: assumptions that strategies' effects depend on: (low, high), and why that range
ASSUMPTIONS: dict[str, tuple[float, float, str]] = {
    "youth_programme_effect": (0.05, 0.3, "Taheri & Welsh 2016 (d = 0.06) to Tolan et al. 2013 "
                               "(d = 0.21): a 5-25 % relative fall in group offending"),
    "gltd_dismantle_per_month": (0.05, 0.25, "one judicial investigation of a network takes "
                                 "months to a year: from one dismantling in 20 months to one in 4"),
    "dealing_reemergence_days": (30, 240, "points re-created within weeks (ministry's net count) "
                                 "to the 8 months first assumed"),
    "ce_participation": (0.15, 0.45, "the table's value +/- half: no measured effect on "
                         "collective efficacy in French estates"),
    "g_caretaker": (0.35, 0.65, "the table's value +/- 30 %, bounded by E8"),
    "g_mediator": (0.6, 1.2, "the table's value +/- 1/3, bounded by C9"),
    "g_lighting": (0.12, 0.3, "the table's value -40/+50 %, bounded by E7"),
    "g_access_control": (0.4, 0.8, "the table's value +/- 1/3, bounded by E9"),
    # the situational measures' spatial side effects (E4): what diffuses next door, and how
    # much youth groups, whose moves are the displacement, heed cameras and badges
    "situational_diffusion_weight": (0.2, 1.0, "Guerette & Bowers 2009: diffusion of benefits as "
                                     "common as displacement; size unmeasured, bounded by E4"),
    "cctv_group_share": (0.1, 0.8, "Gill & Spriggs 2005: cameras deter impulsive disorder "
                         "little; bounded by E4 (groups' moves) and E1-E3 (the direct effect)"),
    "access_control_group_share": (0.0, 0.3, "residents' own youths hold badges; bounded by E9's "
                                   "hall-occupation ratio"),
    "zsp_prosecution_month": (0.05, 0.3, "judicial follow-up of a ZSP: no measured rate; bounded by E10"),
    "zsp_closure_days": (14, 180, "a closed point re-opens within weeks to months (Sherman 1990); "
                         "bounded by E10"),
    # what the richest strategy's estate-wide fall depends on beyond its single levers (E12's
    # ceiling): the overlap of guardians, the household-side levers, the dedicated function
    "deterrable_share": (0.4, 1.0, "no source for the ceiling of overlapping guardians; bounded "
                         "from below by E2-E3 (car-park cameras about -51 %) and from above by E12"),
    "dispute_noise_cut": (0.1, 0.6, "no evaluation of mediation's effect on an estate's noise; "
                          "bounded by E12"),
    "eviction_noise_cut": (0.0, 0.4, "no evaluation of a procedure's deterrence; bounded by E12"),
    "dispute_settle_days": (365, 1460, "every dispute settled within about a year to a quarter a "
                            "year (half taken up, agreements' durability unmeasured); bounded by E12"),
    "eviction_complaint_days": (120, 720, "a procedure against nearly every disruptive household "
                                "within a year to about a third a year; bounded by E12"),
    "police_habituation": (1.0, 4.0, "Sherman 1990: crackdowns' deterrence decays as offenders "
                           "learn the real risk; half to twice the table's value, bounded by E5, E10"),
    # with police_habituation, chosen by hand against E5 and E10 (params_levers); waves 1 and 2
    # held them at the table's values, and their confirmation tries failed E10 most often
    # (residual deterrence 1-2 months after a ZSP: 10 of 20 wave-2 tries)
    "police_residual_weight": (1.0, 5.0, "Sherman 1990: residual deterrence in 5 of 5 "
                               "crackdowns with post-crackdown data, fading within months; a "
                               "third to 5/3 of the table's value, bounded by E10"),
    "police_exposure_days": (30, 180, "Sherman 1990: deterrence decays within weeks to months "
                             "of a crackdown's start; a third to twice the table's 90 days, "
                             "bounded by E5 and E10"),
    "police_deterrence_community": (0.5, 1.0, "Gill et al. 2014: community policing's effect on "
                                    "crime is limited; half to as much deterrence per visit as "
                                    "the standard style"),
    "org_dedicated_partnership": (1.0, 1.6, "a dedicated function's weight in the partnership "
                                  "(police response, GLTD, information sharing): no measure; at "
                                  "least the integrated function's 0.9, up to about 1.6"),
    "impl_quality_dedicated": (0.75, 1.0, "a dedicated function implements levers at least as "
                               "well as the integrated reference (0.75); bounded by E12"),
}


def priors() -> dict[str, tuple[float, float]]:
    """The prior box: name -> (low, high)."""
    from tranqsim.params import PARAMS
    from tranqsim.validation.calibration import BLOCKS

    block_values = _block_values()
    out: dict[str, tuple[float, float]] = {}
    for block in BLOCKS:
        for name, (lo, hi) in block.priors.items():
            v = block_values.get(name, PARAMS[name].value)
            d = _ABSOLUTE.get(name, LOCAL_SPREAD * abs(v))
            out[name] = (round(max(lo, v - d), 6), round(min(hi, v + d), 6))
    for name, (lo, hi, _) in ASSUMPTIONS.items():
        out[name] = (lo, hi)
    return out


def _block_values() -> dict[str, float]:
    """The block calibration's values (``calibrated.json``), not the ensemble's central set
    installed over them: the box stays the same when the ensemble is redrawn."""
    from tranqsim.params import CALIBRATION_FILE

    if not CALIBRATION_FILE.exists():
        return {}
    vals = json.loads(CALIBRATION_FILE.read_text())["values"]
    return {n: e.get("block_calibration", e)["value"] for n, e in vals.items()
            if e.get("block_calibration", e).get("block") != "ensemble"}


def draw(box: dict[str, tuple[float, float]], n: int, start: int = 0) -> list[dict[str, float]]:
    """Candidates ``start .. start+n-1`` (a scrambled Sobol' sequence over the box: the same
    candidates every time, and more of them fill the box evenly)."""
    from scipy.stats import qmc

    names = list(box)
    sob = qmc.Sobol(d=len(names), scramble=True, rng=np.random.default_rng(POSTERIOR_SEED))
    if start:
        sob.fast_forward(start)
    with warnings.catch_warnings():  # batches need not be powers of 2: the sequence stays the same
        warnings.filterwarnings("ignore", message="The balance properties")
        unit = sob.random(n)
    return [{k: round(float(lo + u * (hi - lo)), 5) for k, u, (lo, hi) in zip(names, row, box.values())}
            for row in unit]


#: patterns judged first, on one replicate of their own arms only: the checks that rule most
#: candidates out (E12's global approach, C1-C3's residents) cost 3 runs instead of 21
FIRST = ("C1", "C2", "C3", "E12")


def _arms(patterns=None) -> list[str]:
    chosen = [p for p in PATTERNS if patterns is None or p.id in patterns]
    return [a for a in ARMS if any(a in p.arms for p in chosen)]


def _checks(runs: dict[str, list], patterns=None) -> list:
    return [c for p in PATTERNS if patterns is None or p.id in patterns for c in p.checks(runs)]


CUTOFF = 3.0  # implausibility cut-off (Pukelsheim's three-sigma rule; Vernon et al. 2010)
NOISE_REPLICATES = 10


def noise(workers: int = 1, progress=None) -> dict[str, float]:
    """Each check's between-replicate standard deviation at the table's values (``NOISE_REPLICATES``
    replicates on the posterior's seeds): the Monte Carlo noise a candidate's mean carries."""
    runs = _run([{}], range(NOISE_REPLICATES), workers, progress)[0]
    out = {}
    for c in _checks(runs):
        v = np.asarray(c.values, float)
        v = v[np.isfinite(v)]
        out[f"{c.pattern}: {c.name}"] = float(np.std(v, ddof=1)) if v.size >= 2 else float("nan")
    return out


def implausibility(c, sd: float, n: int) -> float:
    """How far the mean of ``n`` replicates lies outside the check's band, in Monte Carlo
    standard errors (0 inside the band). History matching's implausibility (Craig et al. 1997;
    Vernon, Goldstein & Bower 2010, Bayesian Analysis 5:619) with the band as the target's
    uncertainty: a set is ruled out only when noise cannot explain its distance from the band."""
    m = c.mean
    if not np.isfinite(m):
        return float("inf")
    gap = max((c.low - m) if c.low is not None else 0.0, (m - c.high) if c.high is not None else 0.0, 0.0)
    se = sd / np.sqrt(n) if np.isfinite(sd) and sd > 0 else 1e-9
    return float(gap / se)


def _judge(cs, sd: dict[str, float], n: int) -> tuple[list[str], dict[str, float]]:
    imp = {f"{c.pattern}: {c.name}": implausibility(c, sd.get(f"{c.pattern}: {c.name}", np.nan), n)
           for c in cs}
    return [k for k, v in imp.items() if v > CUTOFF], imp


def _run(cands: list[dict], reps: range, workers: int, progress=None, arms=None) -> list[dict[str, list]]:
    arms = arms or _arms()
    jobs, index = [], []
    for i, cand in enumerate(cands):
        for k in reps:
            seed = spawned_seed(POSTERIOR_SEED, k)
            for arm in arms:
                jobs.append((arm, k, seed, YEARS, cand))
                index.append((i, arm, k - reps.start))
    out = [{a: [None] * len(reps) for a in arms} for _ in cands]
    for (i, arm, k), r in zip(index, run_jobs(jobs, workers, progress)):
        out[i][arm][k] = r
    return out


def evaluate(cands: list[dict], sd: dict[str, float], workers: int = 1, progress=None,
             replicates: int = REPLICATES) -> list[dict]:
    """Judge ``cands``: the :data:`FIRST` patterns on one replicate, then every check on one
    replicate, then every check on :data:`REPLICATES`; one record each. A candidate is accepted
    when no check's implausibility exceeds :data:`CUTOFF` on the last. The stages only save
    runs: a candidate ruled out early would be ruled out by the full screen too (same seeds,
    same checks)."""
    first_arms = _arms(FIRST)
    rest_arms = [a for a in _arms() if a not in first_arms]
    runs = _run(cands, range(1), workers, progress, first_arms)
    records, alive = [], []
    for i, cand in enumerate(cands):
        cs = _checks(runs[i], FIRST)
        failed, _ = _judge(cs, sd, 1)
        records.append({"values": cand, "screen_failed": failed, "accepted": False, "stage": 1,
                        "means": {f"{c.pattern}: {c.name}": round(c.mean, 4) for c in cs}})
        if not failed:
            alive.append(i)
    if alive:
        more = _run([cands[i] for i in alive], range(1), workers, progress, rest_arms)
        survivors = []
        for i, extra in zip(alive, more):
            runs[i] |= extra
            cs = _checks(runs[i])
            failed, _ = _judge(cs, sd, 1)
            records[i].update(screen_failed=failed, stage=2,
                              means={f"{c.pattern}: {c.name}": round(c.mean, 4) for c in cs})
            if not failed:
                survivors.append(i)
        alive = survivors
    if alive:
        second = _run([cands[i] for i in alive], range(1, replicates), workers, progress)
        for i, runs2 in zip(alive, second):
            cs = _checks({a: runs[i][a] + runs2[a] for a in runs2})
            failed, imp = _judge(cs, sd, replicates)
            records[i].update(confirm_failed=failed, accepted=not failed, stage=3, replicates=replicates,
                              max_implausibility=round(max(imp.values()), 3),
                              means={f"{c.pattern}: {c.name}": round(c.mean, 4) for c in cs})
    return records


def wave_box(records: list[dict], pad: float = 0.1) -> dict[str, tuple[float, float]]:
    """The next wave's box (history matching's refocusing, Vernon et al. 2010): per parameter,
    the range of the sets this wave did not rule out, widened by ``pad`` of that range on each
    side (the accepted sets are a sample of the region, not its edges) and kept inside this
    wave's box. A parameter of the prior box (:func:`priors`) that the earlier wave held at the
    table's value enters at its prior range."""
    box = {k: tuple(v) for k, v in records[0]["box"].items()}
    acc = [r["values"] for r in records if r["accepted"]]
    if not acc:
        raise ValueError("no set accepted: nothing to refocus on")
    out = {}
    for k, (lo, hi) in box.items():
        v = [a[k] for a in acc]
        d = pad * (max(v) - min(v))
        out[k] = (round(max(lo, min(v) - d), 6), round(min(hi, max(v) + d), 6))
    for k, (lo, hi) in priors().items():
        out.setdefault(k, (lo, hi))
    return out


def run(out: Path, target: int = 60, max_candidates: int = 400, batch: int = 8, workers: int = 1,
        progress=None, log=print, box: dict[str, tuple[float, float]] | None = None,
        replicates: int = REPLICATES, noise_from: Path | None = None) -> list[dict]:
    """Draw and evaluate candidates in batches until ``target`` are accepted or
    ``max_candidates`` have been tried; every record is appended to ``out/candidates.jsonl``
    (resumed from it: a candidate's index fixes its draw). ``box``: the prior box (default
    :func:`priors`; a later wave's, :func:`wave_box`); ``replicates``: judged on that many
    (more make the acceptance tighter: the same cut-off, in smaller standard errors);
    ``noise_from``: a folder whose ``noise.json`` (measured at the table's values) to reuse."""
    out.mkdir(parents=True, exist_ok=True)
    path = out / "candidates.jsonl"
    box = box or priors()
    noise_path = out / "noise.json"
    if not noise_path.exists() and noise_from is not None and (noise_from / "noise.json").exists():
        noise_path.write_text((noise_from / "noise.json").read_text())
    if noise_path.exists():
        sd = json.loads(noise_path.read_text())
    else:
        log(f"Monte Carlo noise of each check: {NOISE_REPLICATES} replicates at the table's values")
        sd = noise(workers, progress)
        noise_path.write_text(json.dumps(sd, indent=1) + "\n")
    records = [json.loads(x) for x in path.read_text().splitlines() if x.strip()] if path.exists() else []
    if records and (records[0].get("box") != {k: list(v) for k, v in box.items()}
                    or any(r.get("replicates", REPLICATES) != replicates for r in records)):
        from tranqsim.errors import ScenarioError

        raise ScenarioError(f"{path}: drawn from another prior box (the model's table or the "
                            "earlier wave changed) or judged on another number of replicates: "
                            "start in an empty folder")
    while sum(r["accepted"] for r in records) < target and len(records) < max_candidates:
        start = len(records)
        cands = draw(box, min(batch, max_candidates - start), start)
        for j, rec in enumerate(evaluate(cands, sd, workers, progress, replicates)):
            rec |= {"index": start + j, "box": {k: list(v) for k, v in box.items()}, "replicates": replicates}
            with path.open("a") as f:
                f.write(json.dumps(rec) + "\n")
            records.append(rec)
        log(f"{len(records)} candidates, {sum(r['accepted'] for r in records)} accepted")
    return records


def central(accepted: list[dict], box: dict[str, tuple[float, float]]) -> int:
    """Index (in ``accepted``) of the set nearest the posterior median, in the box's units,
    among the accepted sets whose two-replicate means all lie inside their bands (if any: the
    central set is the one validated on 20 replicates, so it should not start at a band's
    edge); the median is the whole ensemble's."""
    names = list(box)
    lo = np.array([box[n][0] for n in names])
    span = np.array([box[n][1] - box[n][0] for n in names])
    x = (np.array([[r["values"][n] for n in names] for r in accepted]) - lo) / span
    med = np.median(x, axis=0)
    dist = ((x - med) ** 2).sum(axis=1)
    inside = np.array([r.get("max_implausibility", 0.0) == 0.0 for r in accepted])
    if inside.any():
        dist = np.where(inside, dist, np.inf)
    return int(np.argmin(dist))


def read(out: Path) -> list[dict]:
    path = out / "candidates.jsonl"
    if not path.exists():
        raise FileNotFoundError(f"{path}: no candidates yet (run the posterior first)")
    return [json.loads(x) for x in path.read_text().splitlines() if x.strip()]


def ensemble_of(records: list[dict], chosen: int | None = None, confirmation: list | None = None):
    """The accepted sets as an :class:`~tranqsim.ensemble.Ensemble` (ids ``h000``...), the
    central set first, with the procedure in its provenance."""
    from tranqsim.ensemble import Ensemble

    acc = [r for r in records if r["accepted"]]
    if not acc:
        raise ValueError(f"none of {len(records)} candidates accepted: no ensemble")
    box = {k: tuple(v) for k, v in records[0]["box"].items()}
    c = central(acc, box) if chosen is None else chosen
    order = [c] + [i for i in range(len(acc)) if i != c]
    sets = {f"h{j:03d}": dict(acc[i]["values"]) for j, i in enumerate(order)}
    prov = {"method": "history matching by direct simulation (implausibility <= "
                      f"{CUTOFF:g} Monte Carlo standard errors on every check C1-C10, E1-E12; "
                      f"{max(r.get('replicates', REPLICATES) for r in acc)} replicates of {YEARS:g} "
                      "years per candidate; "
                      "tranqsim.validation.posterior)",
            "calibrated": True, "candidates": len(records), "accepted": len(acc),
            "screened_out": sum(1 for r in records if r["screen_failed"]),
            "central_set": "h000", "seed": POSTERIOR_SEED, "box": {k: list(v) for k, v in box.items()},
            "note": f"{len(acc)} parameter sets not ruled out by the evidence, of {len(records)} drawn",
            "central_confirmation": confirmation or []}
    return Ensemble(sets, prov, source="tranqsim.validation.posterior")


def install_central(ens, calibrated: dict) -> dict:
    """``calibrated.json``'s content with the central set's values as block ``ensemble``
    (the parameter table's values then are the central set)."""
    out = json.loads(json.dumps(calibrated))
    prov = ens.provenance
    for name, value in ens.sets[prov["central_set"]].items():
        old = out["values"].get(name)
        entry = {"value": value, "block": "ensemble", "prior": prov["box"][name],
                 "accepted": prov["accepted"], "candidates": prov["candidates"],
                 "patterns": ["C1-C10", "E1-E12"], "method": "central set of the history-matched ensemble"}
        # keep the block calibration's entry (the ensemble's box is built on it); an earlier
        # ensemble's entry for a parameter no block calibrates is not one
        kept = None if old is None else old.get("block_calibration", old)
        if kept is not None and kept.get("block") != "ensemble":
            entry["block_calibration"] = kept
        out["values"][name] = entry
    return out


__all__ = ["ASSUMPTIONS", "CONFIRM_SEED", "CUTOFF", "POSTERIOR_SEED", "central", "draw", "evaluate",
           "implausibility", "noise", "wave_box", "install_central", "ensemble_of", "priors", "read", "run"]
