"""What is measured: a row per day (model-level series) and the run's summary.

The summary is measured over the last 12 months of the run (or the whole run if shorter),
as a survey or a landlord's annual report would. The *tranquillity index* (0-100) is a
documented composite, higher is better::

    TI = 100 * (0.30 * (1 - insecurity_share)
              + 0.20 * (1 - min(1, victimisation_rate / 0.30))
              + 0.20 * 1 / (1 + incidents_per_1000_dwellings / 1000)
              + 0.15 * (1 - disorder_index)
              + 0.15 * (trust_landlord_mean + trust_police_mean) / 2)

Weights put residents' security first (the landlord's duty of *jouissance paisible* is felt
before it is counted), then victimisation and incidents, then the visible state of the estate
and trust. They are a convention, not a finding: comparisons should also read the components.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from tranqsim.estate import STATUS_NAMES
from tranqsim.incidents import TYPE_NAMES, IncidentType as I
from tranqsim.jit import njit

if TYPE_CHECKING:  # pragma: no cover
    from tranqsim.model import EstateModel

SERIES = (["incidents", "reported", "handled"] + [f"n_{t}" for t in TYPE_NAMES]
          + ["insecurity_share", "victimised_12m_share", "victims", "occupied", "vacant", "squatted",
             "vacancy_rate", "moves", "evictions", "relets", "disorder_index", "satisfaction_mean",
             "trust_landlord_mean", "trust_police_mean"]
          + [f"halls_{s}" for s in STATUS_NAMES]
          + ["tension", "dealing_points", "dealing_strength", "youth_activity", "police_crews",
             "staff", "cost_eur", "public_cost_eur"])
COL = {name: i for i, name in enumerate(SERIES)}


def tranquillity_index(insecurity: float, victimisation: float, incidents_per_1000: float,
                       disorder: float, trust_landlord: float, trust_police: float) -> float:
    return 100 * (0.30 * (1 - insecurity) + 0.20 * (1 - min(1.0, victimisation / 0.30))
                  + 0.20 / (1 + incidents_per_1000 / 1000) + 0.15 * (1 - disorder)
                  + 0.15 * (trust_landlord + trust_police) / 2)


class Recorder:
    """Preallocated arrays: one row per day for the series, one per day for costs by key."""

    def __init__(self, model: EstateModel):
        self.data = np.zeros((model.days_total, len(SERIES)))
        self.costs = np.zeros((model.days_total, len(model.cost_keys)))
        self.n = 0

    def _grow(self) -> None:  # runs extended past the scenario's horizon (UI)
        self.data = np.vstack([self.data, np.zeros_like(self.data[:365])])
        self.costs = np.vstack([self.costs, np.zeros((365, self.costs.shape[1]))])

    def record(self, m: EstateModel) -> None:
        if self.n >= self.data.shape[0]:
            self._grow()
        hh, d = m.households, m.day
        occ = hh.occupied
        n_occ, vict, insecure = _household_counts(occ, hh.fear, hh.last_victim, d)
        k = max(n_occ, 1)
        occ_f = m.occ_float = occ.astype(np.float64)
        row = self.data[self.n]
        counts = m.day_type_counts
        row[0] = counts.sum()
        row[1] = m.day_reported
        row[2] = m.day_handled
        row[3:3 + counts.size] = counts
        c = 3 + counts.size
        squatted = hh.n_squatted
        status = np.bincount(m.status[m.halls], minlength=4)
        groups = m.group_list
        networks = m.network_list
        row[c:] = [
            insecure / k, vict / k, m.victims_today, n_occ,
            hh.n - n_occ, squatted, (hh.n - n_occ) / hh.n, hh.moves_today, hh.evictions_today,
            hh.relets_today, m.disorder[m.halls].sum() / m.n_halls, np.dot(hh.satisfaction, occ_f) / k,
            np.dot(hh.trust_landlord, occ_f) / k, np.dot(hh.trust_police, occ_f) / k,
            *status, m.tension, len(networks), sum(n.strength for n in networks),
            (sum(g.activity for g in groups) / len(groups)) if groups else 0.0,
            m.police_crews, m.staff_count(), 0.0, m.public_rate]
        cost = self.costs[self.n]
        cost[:] = m.cost_rate
        keys = m.cost_index
        cost[keys["repairs"]] += m.day_repair_cost
        cost[keys["vacancy"]] += (hh.n - n_occ) * m.rent * 12 / 365
        cost[keys["squats"]] += squatted * m.p.cost_squat_day
        cost[keys["evictions"]] += m.day_evict_cost
        row[COL["cost_eur"]] = cost.sum()
        self.n += 1

    # ------------------------------------------------------------------ outputs
    def frame(self):
        import pandas as pd

        df = pd.DataFrame(self.data[: self.n], columns=SERIES)
        df.insert(0, "day", np.arange(self.n))
        return df

    def costs_frame(self, keys):
        import pandas as pd

        return pd.DataFrame(self.costs[: self.n], columns=keys)


@njit
def _household_counts(occ, fear, last_victim, day):  # pragma: no cover - compiled
    """Occupied dwellings, those victimised in the last 12 months, those feeling insecure
    (fear > 0.5): three counts in one pass over the households."""
    n_occ = vict = insecure = 0
    for i in range(occ.size):
        if occ[i]:
            n_occ += 1
            vict += day - last_victim[i] < 365
            insecure += fear[i] > 0.5
    return n_occ, vict, insecure


def summary(m: EstateModel) -> dict:
    """The run's headline figures over its last 12 months (see module docstring)."""
    rec = m.recorder
    n = rec.n
    w = min(365, n)
    last = rec.data[n - w:n]
    col = lambda name: last[:, COL[name]]  # noqa: E731
    scale = 365 / w  # annualise a shorter window
    D = m.n_dwellings
    per1000 = 1000 / D * scale
    by_type = {t: float(col(f"n_{t}").sum() * per1000) for t in TYPE_NAMES}
    incidents = float(col("incidents").sum())
    staff = max(float(col("staff").mean()), 1e-9)
    witnessable = incidents - float(col(f"n_{I.STAFF_AGGRESSION.name.lower()}").sum())
    costs = rec.costs[n - w:n].sum(0) * scale
    cost_by = {k: round(float(v), 2) for k, v in zip(m.cost_keys, costs)}
    hh = m.households
    status_counts = dict(zip(STATUS_NAMES, np.bincount(m.status[m.halls], minlength=4).tolist()))
    counts = np.sort(m.incidents_12m)[::-1]
    total = counts.sum()
    share_half = float((np.searchsorted(np.cumsum(counts), 0.5 * total) + 1) / counts.size) if total else 0.0
    out = {
        "context": m.spec.context_name,
        "strategy": m.spec.strategy_name,
        "seed": m.spec.run.seed,
        "days": n,
        "window_days": w,
        "households": int(hh.occupied.sum()),
        "dwellings": D,
        "places": m.n_places,
        "halls": m.n_halls,
        "incidents_per_1000_dwellings": incidents * per1000,
        "incidents_by_type": by_type,
        "insecurity_share": float(col("insecurity_share").mean()),
        "victimisation_rate": float(col("victimised_12m_share")[-1]),
        "turnover_rate": float(col("moves").sum() * scale / max(col("occupied").mean(), 1)),
        "vacancy_rate": float(col("vacancy_rate").mean()),
        "squatted_dwellings": int(hh.squatted.sum()),
        "disorder_index": float(col("disorder_index").mean()),
        "satisfaction_mean": float(col("satisfaction_mean").mean()),
        "trust_landlord_mean": float(col("trust_landlord_mean").mean()),
        "trust_police_mean": float(col("trust_police_mean").mean()),
        "reporting_rate": float(col("reported").sum() / witnessable) if witnessable else 0.0,
        "staff_aggressions_per_100_staff": float(col("n_staff_aggression").sum() * scale / staff * 100)
        if col("staff").mean() > 0 else 0.0,
        "cost_per_dwelling_eur": float(costs.sum() / D),
        "cost_by_lever_eur": cost_by,
        "public_cost_per_dwelling_eur": float(col("public_cost_eur").sum() * scale / D),
        "places_share_for_half_incidents": share_half,
        "hall_status_counts": status_counts,
        "dealing_points": int(len(m.networks)),
    }
    out["tranquillity_index"] = tranquillity_index(
        out["insecurity_share"], out["victimisation_rate"], out["incidents_per_1000_dwellings"],
        out["disorder_index"], out["trust_landlord_mean"], out["trust_police_mean"])
    return out
