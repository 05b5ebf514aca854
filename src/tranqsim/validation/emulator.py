"""An emulator of the checks over the ensemble's box, and the sets it proposes.

History matching refocuses its box wave after wave (:mod:`tranqsim.validation.posterior`), but
a uniform draw from the box that no check rules out on 4 replicates seldom holds a set inside
*every* band on 20 others: 28 confirmation tries of waves 2 and 3 passed at most 47 of 48
checks. The accepted region is thin, and its sets sit near several band edges at once.
Emulated history matching (Craig et al. 1997; Vernon, Goldstein & Bower 2010, Bayesian
Analysis 5:619; Andrianakis et al. 2015, Annals of Applied Statistics 9:1131) fits a cheap
statistical model of each check's mean over the box to the simulations already run, and
searches it for the places that direct simulation would take thousands of runs to find.

The emulator here is deliberately plain: per check, a ridge regression of the candidates' means
on the parameters and their squares (in the box's units, -1 to 1), each candidate weighted by
its replicates (a candidate ruled out on one replicate still tells what its first-stage checks
read). Its error per check is the root mean square of its leave-one-out residuals over the
candidates judged on all their replicates. It is not made net of their Monte Carlo noise: the
candidates share their seeds, so most of that noise is common to all of them and does not show
in the residuals; the first version subtracted it, found no error for 40 of 48 checks, and
proposed a set whose ZSP decay ratio read 0.70 on its replicates against 0.36 emulated.

A set's chance to pass a check on ``n`` fresh replicates is the normal probability that its
mean falls in the band, with a standard deviation that adds, in quadrature: the emulator's
error; the candidates' shared seeds' luck (they all run on the same replicates: common random
numbers, so the emulated mean carries one draw's luck, ``sd / sqrt(replicates)``); and the
fresh replicates' own noise (``sd / sqrt(n)``). :func:`propose` maximises the product of
those chances over every check (independence assumed: a guide to the search, not a claim) by
differential evolution, from a few seeds, then takes the set nearest the accepted sets' median
that keeps most of that chance. Proposals are then run like every candidate: the
emulator chooses where to look, the simulations decide.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

#: the emulator's version, kept with each proposal: a rerun proposes anew when it changed
#: (1: error net of independent noise; 2: the whole leave-one-out residual)
VERSION = 2
#: a proposal keeps at least this share of the highest emulated chance to pass every check
KEEP = 0.8
#: ridge penalty on the coefficients (box units): enough to keep 83 coefficients stable on a
#: few hundred candidates, small against the squared effects of the parameters that matter
RIDGE = 1.0


@dataclass
class Emulator:
    names: list[str]
    low: np.ndarray  # (D,) box
    span: np.ndarray  # (D,)
    checks: list[str]
    beta: np.ndarray  # (F, C) coefficients on the features
    error: np.ndarray  # (C,) emulator error (leave-one-out, net of Monte Carlo noise)
    r2: np.ndarray  # (C,) leave-one-out R^2 on the fully judged candidates

    def unit(self, values: list[dict]) -> np.ndarray:
        """Sets (name -> value) in the box's units (-1 to 1)."""
        x = np.array([[v[n] for n in self.names] for v in values], float)
        return (x - self.low) / self.span * 2 - 1

    def values(self, z: np.ndarray) -> dict[str, float]:
        """One point of the box's units back as a set (rounded as drawn sets are)."""
        x = self.low + (np.clip(z, -1, 1) + 1) / 2 * self.span
        return {n: round(float(v), 5) for n, v in zip(self.names, x)}

    def predict(self, z: np.ndarray) -> np.ndarray:
        """(n, C) emulated means at ``z`` (n, D)."""
        return features(np.atleast_2d(z)) @ self.beta


def features(z: np.ndarray) -> np.ndarray:
    """Intercept, the parameters and their squares (no interactions: 41 parameters would need
    861 of them, more than the candidates)."""
    return np.hstack([np.ones((z.shape[0], 1)), z, z ** 2])


def fit(records: list[dict], box: dict[str, tuple[float, float]], sd: dict[str, float],
        defaults: dict[str, float]) -> Emulator:
    """The emulator on ``records`` (candidates of this wave and earlier ones, on the same seeds):
    a parameter a record lacks (an earlier wave held it) takes ``defaults``' value. Checks with
    no finite noise estimate, or too few finite means, are left out."""
    names = list(box)
    low = np.array([box[n][0] for n in names], float)
    span = np.array([box[n][1] - box[n][0] for n in names], float)
    span = np.where(span > 0, span, 1.0)
    x = np.array([[r["values"].get(n, defaults.get(n, np.nan)) for n in names] for r in records], float)
    z = (x - low) / span * 2 - 1
    full = np.array([r.get("stage") == 3 for r in records])
    w = np.array([r.get("replicates", 1) if r.get("stage") == 3 else 1 for r in records], float)
    keep_rows = np.isfinite(z).all(axis=1)
    f_all = features(np.where(np.isfinite(z), z, 0.0))
    order = next((list(r["means"]) for r in records if r.get("stage") == 3), [])
    checks = order + sorted({k for r in records for k in r["means"]} - set(order))
    cols, betas, errors, r2s = [], [], [], []
    for c in checks:
        s = sd.get(c, np.nan)
        y = np.array([_num(r["means"].get(c)) for r in records], float)
        ok = keep_rows & np.isfinite(y)
        if not np.isfinite(s) or ok.sum() < 2 * f_all.shape[1] or (ok & full).sum() < 10:
            continue
        f, yy, ww = f_all[ok], y[ok], w[ok]
        a = f.T @ (ww[:, None] * f) + RIDGE * np.eye(f.shape[1])
        ainv = np.linalg.inv(a)
        beta = ainv @ (f.T @ (ww * yy))
        lev = np.einsum("ij,jk,ik->i", f, ainv, f) * ww
        loo = (yy - f @ beta) / (1 - lev)
        judged = full[ok]
        # the whole leave-one-out residual, not net of the candidates' Monte Carlo noise: the
        # candidates share their seeds, so most of their noise is common to all and absent from
        # the residuals (subtracting independent noise left 0 for 40 of 48 checks of wave 3,
        # and a proposal whose ZSP decay ratio read 0.70 against 0.36 emulated)
        cols.append(c)
        betas.append(beta)
        errors.append(float(np.sqrt(np.mean(loo[judged] ** 2))))
        r2s.append(1 - np.mean(loo[judged] ** 2) / np.var(yy[judged]) if np.var(yy[judged]) > 0 else np.nan)
    return Emulator(names, low, span, cols, np.array(betas).T, np.array(errors), np.array(r2s))


def _num(v) -> float:
    return np.nan if v is None else float(v)


def spread(em: Emulator, sd: dict[str, float], replicates: int, fresh: int) -> np.ndarray:
    """(C,) the standard deviation of a fresh ``fresh``-replicate mean about the emulated one:
    the emulator's error, the shared seeds' luck of ``replicates`` replicates, the fresh noise."""
    s = np.array([sd[c] for c in em.checks], float)
    return np.sqrt(em.error ** 2 + s ** 2 / replicates + s ** 2 / fresh)


def log_pass(em: Emulator, z: np.ndarray, bands: dict[str, tuple], sigma: np.ndarray) -> np.ndarray:
    """(n,) log of the emulated chance that every check passes, at ``z`` (n, D)."""
    from scipy.stats import norm

    lo = np.array([_edge(bands.get(c, (None, None))[0], -np.inf) for c in em.checks])
    hi = np.array([_edge(bands.get(c, (None, None))[1], np.inf) for c in em.checks])
    m = em.predict(z)
    p = norm.cdf((hi - m) / sigma) - norm.cdf((lo - m) / sigma)
    return np.log(np.maximum(p, 1e-300)).sum(axis=1)


def _edge(v, default: float) -> float:
    return default if v is None else float(v)


def propose(em: Emulator, bands: dict[str, tuple], sigma: np.ndarray, k: int, seed: int,
            centre: np.ndarray | None = None, keep: float = KEEP) -> list[tuple[dict[str, float], float]]:
    """``k`` sets (differential evolution from ``k`` seeds, one set each), with their emulated
    chance that every check passes. Each search first finds the highest chance, then, with
    ``centre`` (the accepted sets' median in the box's units), the set nearest the centre whose
    chance is at least ``keep`` of that highest: parameters the checks hardly constrain then
    stay near the posterior's middle instead of wherever the emulator's slight slopes push them
    (the edges of the box, for a quadratic over 41 dimensions). Sets that round to one already
    proposed are dropped."""
    from scipy.optimize import differential_evolution

    def objective(zt):  # (D, n) -> (n,)
        return -log_pass(em, zt.T, bands, sigma)

    def search(f, s):
        return differential_evolution(f, [(-1.0, 1.0)] * len(em.names), seed=s, maxiter=1000, tol=1e-10,
                                      polish=False, vectorized=True, updating="deferred").x

    out: list[tuple[dict[str, float], float]] = []
    for j in range(k):
        z = search(objective, seed + j)
        if centre is not None:
            floor = -objective(z[:, None])[0] + np.log(keep)

            def near(zt, floor=floor):  # distance to the centre; a steep wall below the floor
                d = ((zt.T - centre) ** 2).mean(axis=1)
                return d + 100.0 * np.maximum(0.0, floor + objective(zt))

            z = search(near, seed + j)
        vals = em.values(z)
        chance = float(np.exp(-objective(em.unit([vals]).T)[0]))
        if all(vals != v for v, _ in out):
            out.append((vals, chance))
    return out


def table(em: Emulator, sigma: np.ndarray, bands: dict[str, tuple], z: np.ndarray) -> list[dict]:
    """Per check at ``z`` (D,): emulated mean, band, spread, chance to pass, the emulator's
    error and leave-one-out R^2 (for the report)."""
    from scipy.stats import norm

    m = em.predict(z)[0]
    rows = []
    for j, c in enumerate(em.checks):
        lo, hi = bands.get(c, (None, None))
        p = norm.cdf((_edge(hi, np.inf) - m[j]) / sigma[j]) - norm.cdf((_edge(lo, -np.inf) - m[j]) / sigma[j])
        rows.append({"check": c, "emulated": float(m[j]), "band": [lo, hi], "spread": float(sigma[j]),
                     "pass": float(p), "error": float(em.error[j]), "r2": float(em.r2[j])})
    return rows


__all__ = ["Emulator", "KEEP", "RIDGE", "VERSION", "features", "fit", "log_pass", "propose", "spread", "table"]
