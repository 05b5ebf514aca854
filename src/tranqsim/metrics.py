"""What is measured: a row per day (model-level series) and the run's summary.

The summary is measured over the last 12 months of the run (or the whole run if shorter),
as a survey or a landlord's annual report would. The *tranquillity index* (0-100) is a
documented composite, higher is better::

    TI = 100 * (0.30 * (1 - insecurity_share)          # weights and references: parameters ti_*
              + 0.20 * (1 - min(1, victimisation_rate / 0.30))
              + 0.20 * 1 / (1 + incidents_per_1000_dwellings / 1000)
              + 0.15 * (1 - disorder_index)
              + 0.15 * (trust_landlord_mean + trust_police_mean) / 2)

Weights put residents' security first (the landlord's duty of *jouissance paisible* is felt
before it is counted), then victimisation and incidents, then the visible state of the estate
and trust. They are a convention, not a finding: comparisons should also read the components.
"""

from __future__ import annotations

import numpy as np

from tranqsim.actors import staff_count
from tranqsim.estate import STATUS_NAMES
from tranqsim.incidents import TYPE_NAMES, IncidentType as I
from tranqsim.jit import njit
from tranqsim.linalg import dot
from tranqsim.state import EstateState

FUNCTION_SERIES = ("cases_opened", "cases_closed", "cases_abandoned", "case_backlog",
                   "case_delay_days", "halls_diagnosed_30d", "halls_overdue_30d", "staff_days_lost",
                   "tenancy_warnings", "tenancy_procedures", "implementation_quality",
                   "zsp_landlord_input", "zsp_prosecution_closures")
SERIES = (["incidents", "reported", "handled"] + [f"n_{t}" for t in TYPE_NAMES]
          + ["insecurity_share", "victimised_12m_share", "victims", "occupied", "vacant", "squatted",
             "vacancy_rate", "moves", "evictions", "relets", "disorder_index", "satisfaction_mean",
             "trust_landlord_mean", "trust_police_mean"]
          + [f"halls_{s}" for s in STATUS_NAMES]
          + ["tension", "dealing_points", "dealing_strength", "youth_activity", "police_crews",
             "staff", "cost_eur", "public_cost_eur"]
          # the tranquillity function (issue 17; tranqsim.tranquillity_function)
          + list(FUNCTION_SERIES))
COL = {name: i for i, name in enumerate(SERIES)}
_EVENT_COSTS = ("repairs", "vacancy", "squats", "evictions")
# columns: the first of the model-level values, the three means over occupied dwellings
_C0 = COL["insecurity_share"]
_SAT, _TL, _TP = COL["satisfaction_mean"], COL["trust_landlord_mean"], COL["trust_police_mean"]
_F0 = COL[FUNCTION_SERIES[0]]
assert FUNCTION_SERIES[3] == "case_backlog" and _F0 + len(FUNCTION_SERIES) == len(SERIES)
# no tranquillity function yet: the kernel's arguments, of the types the function's values have
_NO_BACKLOG = np.zeros(0)
_NO_FUNCTION = (0.0, 0.0, 0.0, 0.0, 0, 0, 0.0, 0, 0, 0.0, 0.0, 0)


def tranquillity_index(insecurity: float, victimisation: float, incidents_per_1000: float,
                       disorder: float, trust_landlord: float, trust_police: float,
                       p=None) -> float:
    """The index of the module docstring; its weights and references are parameters
    (``ti_*``, a convention: :mod:`tranqsim.params`), read from ``p`` (default: the table)."""
    if p is None:
        from tranqsim.params import Parameters  # noqa: PLC0415

        p = Parameters()
    return 100 * (p.ti_weight_insecurity * (1 - insecurity)
                  + p.ti_weight_victimisation * (1 - min(1.0, victimisation / p.ti_victimisation_ref))
                  + p.ti_weight_incidents / (1 + incidents_per_1000 / p.ti_incidents_ref)
                  + p.ti_weight_disorder * (1 - disorder)
                  + p.ti_weight_trust * (trust_landlord + trust_police) / 2)


class Recorder:
    """Preallocated arrays: one row per day for the series, one per day for costs by key."""

    def __init__(self, days: int, cost_keys: list[str]):
        self.data = np.zeros((days, len(SERIES)))
        self.costs = np.zeros((days, len(cost_keys)))
        self.n = 0
        # where the day's event costs go in a row of costs (repairs, vacancy, squats, evictions)
        self.cost_slots = np.array([cost_keys.index(key) for key in _EVENT_COSTS], np.int64)
        self.case_slot = cost_keys.index("casework")

    def _grow(self) -> None:  # runs extended past the scenario's horizon (UI)
        self.data = np.vstack([self.data, np.zeros_like(self.data[:365])])
        self.costs = np.vstack([self.costs, np.zeros((365, self.costs.shape[1]))])

    def record(self, s: EstateState, d: int) -> None:
        """Day ``d``'s row of series and row of costs. Everything but the means over occupied
        dwellings (np.dot: BLAS, stays numpy, see linalg.dot) is written by one kernel (:func:`_record_day`),
        with the values the numpy version wrote."""
        if self.n >= self.data.shape[0]:
            self._grow()
        hh, today, places, in_force = s.households, s.today, s.places, s.in_force
        groups, networks, cw = s.offenders.group_list, s.offenders.network_list, s.casework
        occ_f = today.occ_float = np.empty(hh.occupied.size)  # occupied as floats: filled below
        row = self.data[self.n]
        k = _record_day(
            row, self.costs[self.n], today.day_type_counts, hh.occupied, hh.fear, hh.last_victim, d,
            occ_f, places.status, s.static.halls, places.disorder, in_force.cost_rate,
            self.cost_slots, today.day_reported, today.day_handled, today.victims_today, hh.n,
            hh.n_squatted, hh.moves_today, hh.evictions_today, hh.relets_today,
            s.offenders.tension, len(networks),
            # Python's sums, as before (the agents' attributes mix floats and numpy floats)
            float(sum(n.strength for n in networks)),
            float((sum(g.activity for g in groups) / len(groups)) if groups else 0.0),
            float(in_force.police_crews), staff_count(in_force.staff), float(in_force.public_rate),
            float(today.day_repair_cost),
            # exact as floats: products of small integers, then one division, as Python made it
            float(s.static.rent), float(s.p.cost_squat_day), float(today.day_evict_cost),
            # the tranquillity function's series (FUNCTION_SERIES; the backlog summed in the kernel)
            cw is not None, _NO_BACKLOG if cw is None else cw.backlog, _NO_FUNCTION if cw is None else (
                cw.opened, cw.closed, cw.abandoned, cw.delay, cw.diagnosed_30, cw.overdue_30,
                cw.days_lost, cw.warnings, cw.procedures, cw.factors.quality, cw.zsp_input,
                cw.zsp_closures))
        row[_SAT] = dot(hh.satisfaction, occ_f) / k
        row[_TL] = dot(hh.trust_landlord, occ_f) / k
        row[_TP] = dot(hh.trust_police, occ_f) / k
        if cw is not None:
            if cw.day_cost:  # diagnoses and tenancy procedures: the organisation's cost
                self.costs[self.n, self.case_slot] += cw.day_cost
                row[COL["cost_eur"]] += cw.day_cost
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
def _record_day(row, cost, counts, occ, fear, last_victim, day, occ_f, status, halls, disorder,
                cost_rate, slots, reported, handled, victims, n_hh, squatted, moves, evictions,
                relets, tension, n_networks, strength, activity, crews, staff, public_rate,
                repair_cost, rent, squat_day_cost, evict_cost, has_function, backlog,
                function):  # pragma: no cover - compiled
    """The day's row (all but the three means over occupied dwellings) and its row of costs;
    ``occ_f`` gets the occupied mask as floats. Returns max(occupied dwellings, 1).

    With ``has_function``, the tranquillity function's series: the values of ``function``
    (FUNCTION_SERIES but the backlog, in order) and ``float(backlog.sum())`` (numpy's pairwise
    sum, :func:`_np_sum`), as the assignment of their tuple to the row's slice wrote them."""
    # occupied dwellings, those victimised in the last 12 months, those feeling insecure
    # (fear > 0.5): three counts in one pass over the households, without branches and on
    # bytes (so that the loop is vectorised: with branches it took 2-3 ns a household, twice as
    # long as this on booleans)
    n_occ = vict = insecure = 0
    occ8 = occ.view(np.uint8)  # numpy's booleans are the bytes 0 and 1
    for i in range(occ.size):
        o = occ8[i]
        occ_f[i] = o
        n_occ += o
        vict += o & np.uint8(day - last_victim[i] < 365)
        insecure += o & np.uint8(fear[i] > 0.5)
    k = max(n_occ, 1)
    total = 0
    for t in range(counts.size):
        total += counts[t]
        row[3 + t] = counts[t]
    row[0] = total
    row[1] = reported
    row[2] = handled
    c = _C0
    row[c] = insecure / k
    row[c + 1] = vict / k
    row[c + 2] = victims
    row[c + 3] = n_occ
    row[c + 4] = n_hh - n_occ
    row[c + 5] = squatted
    row[c + 6] = (n_hh - n_occ) / n_hh
    row[c + 7] = moves
    row[c + 8] = evictions
    row[c + 9] = relets
    # mean disorder of the halls: the halls' values gathered, summed as np.sum sums them
    H = halls.size
    dis = np.empty(H)
    for j in range(H):
        dis[j] = disorder[halls[j]]
    row[c + 10] = _np_sum(dis) / H
    # c + 11 .. c + 13: the means over occupied dwellings (np.dot, in Python)
    # halls by status, as np.bincount(status[halls], minlength=4) (counted without branches)
    green = yellow = orange = red = 0
    for j in range(H):
        s = status[halls[j]]
        green += s == 0
        yellow += s == 1
        orange += s == 2
        red += s == 3
    if green + yellow + orange + red != H:  # the numpy version failed too (bincount, or the row)
        raise ValueError("hall status out of range")
    row[c + 14] = green
    row[c + 15] = yellow
    row[c + 16] = orange
    row[c + 17] = red
    row[c + 18] = tension
    row[c + 19] = n_networks
    row[c + 20] = strength
    row[c + 21] = activity
    row[c + 22] = crews
    row[c + 23] = staff
    row[c + 25] = public_rate
    # costs: the running costs, then the day's events, each added as numpy added it
    for j in range(cost.size):
        cost[j] = cost_rate[j]
    cost[slots[0]] += repair_cost
    cost[slots[1]] += (n_hh - n_occ) * rent * 12 / 365
    cost[slots[2]] += squatted * squat_day_cost
    cost[slots[3]] += evict_cost
    row[c + 24] = _np_sum(cost)
    if has_function:
        f = _F0
        row[f], row[f + 1], row[f + 2] = function[0], function[1], function[2]
        row[f + 3] = _np_sum(backlog)
        row[f + 4], row[f + 5], row[f + 6] = function[3], function[4], function[5]
        row[f + 7], row[f + 8], row[f + 9] = function[6], function[7], function[8]
        row[f + 10], row[f + 11], row[f + 12] = function[9], function[10], function[11]
    return k


@njit
def _pairwise_leaf(a, lo, n):  # pragma: no cover - compiled
    """numpy's pairwise summation of a[lo:lo + n] for n <= 128 (loops_utils.h.src): under 8
    values in order from 0; else 8 accumulators over the multiples of 8, combined as a tree,
    then the rest in order."""
    if n < 8:
        res = 0.0
        for i in range(lo, lo + n):
            res += a[i]
        return res
    r0, r1, r2, r3 = a[lo], a[lo + 1], a[lo + 2], a[lo + 3]
    r4, r5, r6, r7 = a[lo + 4], a[lo + 5], a[lo + 6], a[lo + 7]
    i = lo + 8
    end8 = lo + n - n % 8
    while i < end8:
        r0 += a[i]
        r1 += a[i + 1]
        r2 += a[i + 2]
        r3 += a[i + 3]
        r4 += a[i + 4]
        r5 += a[i + 5]
        r6 += a[i + 6]
        r7 += a[i + 7]
        i += 8
    res = ((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 + r7))
    while i < lo + n:
        res += a[i]
        i += 1
    return res


@njit
def _np_sum(a):  # pragma: no cover - compiled
    """``np.sum(a)`` of a 1-D float64 array, to the bit: numpy adds the pairwise sum of all
    values to the identity 0.0; over 128 values, the pairwise sum is that of the first n2 plus
    that of the rest, n2 = n // 2 rounded down to a multiple of 8 (a recursion, made here with
    explicit stacks: each node's value is its left value plus its right value)."""
    n = a.size
    if n <= 128:
        return 0.0 + _pairwise_leaf(a, np.int64(0), n)  # (not the literal 0: one signature)
    # (depth < 60 for any array: at most 2 * depth + 1 nodes waiting, depth + 1 values)
    nodes = np.empty((128, 3), np.int64)  # to visit: start, length, children done (0, 1)
    vals = np.empty(64)  # values of the finished subtrees, left before right
    nodes[0, 0], nodes[0, 1], nodes[0, 2] = 0, n, 0
    top, vtop = 1, 0
    while top > 0:
        top -= 1
        lo, m, done = nodes[top, 0], nodes[top, 1], nodes[top, 2]
        if m <= 128:
            vals[vtop] = _pairwise_leaf(a, lo, m)
            vtop += 1
        elif done:
            vtop -= 1
            vals[vtop - 1] = vals[vtop - 1] + vals[vtop]
        else:
            m2 = m // 2
            m2 -= m2 % 8
            nodes[top, 2] = 1  # combine once both children are done
            nodes[top + 1, 0], nodes[top + 1, 1], nodes[top + 1, 2] = lo + m2, m - m2, 0  # right
            nodes[top + 2, 0], nodes[top + 2, 1], nodes[top + 2, 2] = lo, m2, 0  # left: first
            top += 3
    return 0.0 + vals[0]


def summary(s: EstateState) -> dict:
    """The run's headline figures over its last 12 months (see module docstring)."""
    rec = s.output.recorder
    n = rec.n
    w = min(365, n)
    last = rec.data[n - w:n]
    col = lambda name: last[:, COL[name]]  # noqa: E731
    scale = 365 / w  # annualise a shorter window
    D = s.static.n_dwellings
    per1000 = 1000 / D * scale
    by_type = {t: float(col(f"n_{t}").sum() * per1000) for t in TYPE_NAMES}
    incidents = float(col("incidents").sum())
    staff = max(float(col("staff").mean()), 1e-9)
    witnessable = incidents - float(col(f"n_{I.STAFF_AGGRESSION.name.lower()}").sum())
    costs = rec.costs[n - w:n].sum(0) * scale
    cost_by = {k: round(float(v), 2) for k, v in zip(s.static.cost_keys, costs)}
    hh = s.households
    by_status = np.bincount(s.places.status[s.static.halls], minlength=len(STATUS_NAMES))
    status_counts = dict(zip(STATUS_NAMES, by_status.tolist()))
    counts = np.sort(s.places.incidents_12m)[::-1]
    total = counts.sum()
    share_half = float((np.searchsorted(np.cumsum(counts), 0.5 * total) + 1) / counts.size) if total else 0.0
    out = {
        "context": s.spec.context_name,
        "strategy": s.spec.strategy_name,
        "seed": s.spec.run.seed,
        "days": n,
        "window_days": w,
        "households": int(hh.occupied.sum()),
        "dwellings": D,
        "places": s.static.n_places,
        "halls": s.static.n_halls,
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
        "dealing_points": int(len(s.offenders.network_list)),
    }
    out.update(function_summary(col, scale))
    out["tranquillity_index"] = tranquillity_index(
        out["insecurity_share"], out["victimisation_rate"], out["incidents_per_1000_dwellings"],
        out["disorder_index"], out["trust_landlord_mean"], out["trust_police_mean"], s.p)
    return out


def function_summary(col, scale: float) -> dict:
    """The tranquillity function's figures over the window (issue 17): cases opened and closed
    a year, mean backlog and delay, the share of halls turning orange or red diagnosed within
    30 days, staff days lost to aggressions, tenancy warnings and procedures a year, the mean
    implementation quality, the landlord's ZSP input and the points prosecution closed."""
    diag, overdue = float(col("halls_diagnosed_30d").sum()), float(col("halls_overdue_30d").sum())
    return {
        "cases_opened_per_year": float(col("cases_opened").sum() * scale),
        "cases_closed_per_year": float(col("cases_closed").sum() * scale),
        "cases_abandoned_per_year": float(col("cases_abandoned").sum() * scale),
        "case_backlog_mean": float(col("case_backlog").mean()),
        "case_delay_days_mean": float(col("case_delay_days").mean()),
        "halls_diagnosed_30d_share": diag / (diag + overdue) if diag + overdue else 0.0,
        "staff_days_lost_per_year": float(col("staff_days_lost").sum() * scale),
        "tenancy_warnings_per_year": float(col("tenancy_warnings").sum() * scale),
        "tenancy_procedures_per_year": float(col("tenancy_procedures").sum() * scale),
        "implementation_quality_mean": float(col("implementation_quality").mean()),
        "zsp_landlord_input_days": float(col("zsp_landlord_input").sum()),
        "zsp_prosecution_closures": int(col("zsp_prosecution_closures").sum()),
    }
