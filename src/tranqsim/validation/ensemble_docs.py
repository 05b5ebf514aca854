"""The calibrated ensemble's section of ``docs/calibration.md``: the procedure, the sets tried to
choose the central set, each parameter's posterior against its prior box, and which checks ruled
candidates out (:mod:`tranqsim.validation.posterior` draws and judges them)."""

from __future__ import annotations

import numpy as np


def markdown(records: list[dict], ens) -> str:
    """The ensemble's section of ``docs/calibration.md``."""
    prov = ens.provenance
    box = prov["box"]
    names = list(box)
    acc = np.array([[v[n] for n in names] for v in ens.sets.values()])
    fails: dict[str, int] = {}
    for r in records:
        for k in (r.get("confirm_failed") or r["screen_failed"]):
            fails[k] = fails.get(k, 0) + 1
    lines = ["## The ensemble (history matching)", "",
             f"{prov['method']}.", "",
             f"**{prov['accepted']} of {prov['candidates']} candidates not ruled out** "
             f"({prov['screened_out']} ruled out on the first replicate). Central set: "
             f"`{prov['central_set']}`, installed as the parameter table's values. Sets tried with "
             "20 replicates of every arm on confirmation seeds (neither the candidates' nor the "
             "validation suite's), the set nearest the posterior "
             "median first, then those with the most room on the checks that failed so far (the "
             "sets refined on 4 fresh replicates first, by those means, when `--refine` was given); "
             "the first to pass every "
             "check is chosen, or, if none does, the one passing most"
             + (" (**none passed every check**)" if prov.get("central_confirmation")
                and all(t["failed"] for t in prov["central_confirmation"]) else "") + ":", ""]
    proposed = {r["index"]: r for r in records if r.get("proposed")}
    for t in prov.get("central_confirmation", []):
        p = proposed.get(t["index"])
        lines.append(f"- candidate {t['index']}"
                     + (f" (proposed by the emulator, emulated chance to pass every check "
                        f"{p['proposed']['chance']:.2f})" if p else "")
                     + f": {t['passed']} of {t['of']} checks pass"
                     + (f" (fails {'; '.join(t['failed'])})" if t["failed"] else ""))
    if proposed:
        lines += ["", f"{len(proposed)} of the {prov['candidates']} candidates were proposed by an emulator of "
                  "the checks (`--propose`, `tranqsim.validation.emulator`) rather than drawn: "
                  f"{sum(r['accepted'] for r in proposed.values())} accepted, judged like the drawn ones. "
                  "Proposals are not a sample of the region the checks allow; they are in the "
                  "ensemble beside the drawn sets, which are."]
    lines += ["",
             "| parameter | prior box | posterior 5 % | median | 95 % | central set | note |",
             "|---|---|---|---|---|---|---|"]
    central_vals = ens.sets[prov["central_set"]]
    for j, n in enumerate(names):
        q = np.quantile(acc[:, j], [0.05, 0.5, 0.95])
        lo, hi = box[n]
        pos = (q[1] - lo) / (hi - lo)
        note = "pushed to the low bound" if pos < 0.15 else "pushed to the high bound" if pos > 0.85 else ""
        edge = (central_vals[n] - lo) / (hi - lo) if hi > lo else 0.5
        if edge < 0.02 or edge > 0.98:
            note = "; ".join(x for x in (note, f"central set at the {'low' if edge < 0.5 else 'high'} edge") if x)
        lines.append(f"| {n} | [{lo:g}, {hi:g}] | {q[0]:.4g} | {q[1]:.4g} | {q[2]:.4g} | "
                     f"{central_vals[n]:g} | {note} |")
    lines += ["", "*pushed to a bound*: the posterior median lies in the outer 15 % of the box: the "
              "evidence favours values the box barely covers (the box was not widened to follow it). "
              "A posterior as wide as its box means the checks do not constrain that parameter within "
              "it: its uncertainty is carried to every comparison as it is.", "",
              "Checks that ruled candidates out (count of candidates):", "",
              "| check | candidates ruled out |", "|---|---|"]
    for k, v in sorted(fails.items(), key=lambda kv: -kv[1]):
        lines.append(f"| {k} | {v} |")
    return "\n".join(lines) + "\n"


__all__ = ["markdown"]
