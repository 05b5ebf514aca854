"""The scenario variants ("arms") the validation patterns compare, and what each run measures.

Every arm is a shipped context and strategy with lever changes, run for the same horizon; the
arms of one replicate share its seed (common random numbers), so a pattern that compares two
arms compares paired runs. A run returns a small dict of measures (scalars and per-place
vectors), never the whole result, so that a 20-replicate suite stays light in memory and cheap
to send between processes. Measures cover the last 12 months, like ``summary.json``.
"""

from __future__ import annotations

import numpy as np

from tranqsim.incidents import TABLE, IncidentType as I

SQ = ("priority_estate", "proximity_management")  # the status quo of a well-run priority estate
CAMERAS = 16
WITHDRAWAL_DAY = 365
# E12's bundle: measures that overlap with cameras at the riskiest places
BUNDLE = {"lighting": {"level": 1.0}, "access_control": {"share_of_halls": 1.0},
          "police": {"level": 1.0, "mode": "hot_spot", "style": "standard"}}

# name -> (context, strategy, lever overrides)
ARMS: dict[str, tuple[str, str, dict]] = {
    "priority": (*SQ, {}),
    "calm": ("calm_neighbourhood", "proximity_management", {}),
    # close management for a year, then the landlord withdraws its front-line staff and services
    "withdrawal": (*SQ, {lv: {"end": WITHDRAWAL_DAY} for lv in ("caretakers", "cleaning", "rapid_repair")}),
    "cctv_passive": (*SQ, {"cctv": {"cameras": CAMERAS, "monitoring": "passive", "placement": "hot_spots"}}),
    "cctv_active": (*SQ, {"cctv": {"cameras": CAMERAS, "monitoring": "active", "placement": "hot_spots"}}),
    "cctv_car_parks": (*SQ, {"cctv": {"cameras": 4, "monitoring": "passive", "placement": "car_parks"}}),
    "cctv_halls": (*SQ, {"cctv": {"cameras": 4, "monitoring": "passive", "placement": "halls"}}),
    "police_hot_spot": (*SQ, {"police": {"level": 1.0, "mode": "hot_spot", "style": "standard"}}),
    "police_community": (*SQ, {"police": {"level": 1.5, "mode": "random", "style": "community"}}),
    "police_order": (*SQ, {"police": {"level": 1.5, "mode": "random", "style": "order_maintenance"}}),
    "mediators": (*SQ, {"night_mediators": {"posts": 4, "shift": "evening"}}),
    # --- the evidence table E1-E12 (../shared/brief/evidence.md): one lever added (or removed)
    # alone to the status quo, same seeds
    "cctv_car_parks_active": (*SQ, {"cctv": {"cameras": 4, "monitoring": "active", "placement": "car_parks"}}),
    # a quarter of public spaces relit / half the halls equipped, the riskiest first, so that
    # unlit public cells and unequipped halls remain around them (the E4 buffer)
    "lighting": (*SQ, {"lighting": {"level": 0.25}}),
    "access_control": (*SQ, {"access_control": {"share_of_halls": 0.5}}),
    "police_community_same": (*SQ, {"police": {"level": 1.0, "mode": "random", "style": "community"}}),
    "police_order_same": (*SQ, {"police": {"level": 1.0, "mode": "random", "style": "order_maintenance"}}),
    "no_caretakers": (*SQ, {"caretakers": None}),  # None removes the lever (loading.load_scenario)
    "zsp": (*SQ, "zsp"),  # window relative to the horizon: see zsp_window()
    # E12: the same lever (passive cameras on the riskiest places, as in "cctv_passive") added to
    # a bundle of overlapping measures
    "bundle": (*SQ, BUNDLE),
    "bundle_cctv": (*SQ, {**BUNDLE, "cctv": {"cameras": CAMERAS, "monitoring": "passive", "placement": "hot_spots"}}),
    "global": ("priority_estate", "global_approach", {}),  # the richest shipped strategy
}

# arms whose per-place counts are also kept month by month (E10's time series)
MONTHLY_ARMS = ("priority", "zsp")
ZSP_CREWS = 3.0  # as in the shipped partnership_zsp strategy


def zsp_window(days: int) -> tuple[int, int]:
    """The ZSP arm's window: from a sixth to half of the horizon (3 years: days 182-547, a
    12-month reinforcement followed by 18 months without it, enough to see the return)."""
    return days // 6, days // 2

# incivilities in Keizer et al.'s sense: small norm violations that respond to visible disorder
INCIVILITY_TYPES = np.array([I.DEGRADATION, I.TAGS, I.BULKY_WASTE, I.INCIVILITY])
DEGRADATION_TYPES = np.array([I.DEGRADATION, I.TAGS])
NUISANCE_TYPES = np.flatnonzero(TABLE.nuisance)


def scenario(arm: str, seed: int, years: float, parameters: dict | None = None):
    from tranqsim.loading import load_scenario

    context, strategy, levers = ARMS[arm]
    if levers == "zsp":
        start, end = zsp_window(int(round(years * 365)))
        levers = {"zsp": {"start": start, "end": end, "extra_crews": ZSP_CREWS, "zone": "hot_spot", "radius": 5}}
    return load_scenario(context=context, strategy=strategy, years=years, seed=seed,
                         levers=levers or None, parameters=parameters or None)


def run_arm(job: tuple) -> dict:
    """One run of one arm (in a worker): its measures."""
    arm, replicate, seed, years, parameters = job
    from tranqsim.model import EstateModel
    from tranqsim.result import Result

    m = EstateModel(scenario(arm, seed, years, parameters))
    lay = m.layout
    halls = lay.hall_places
    n_days = m.days_total
    window = min(365, n_days)
    first = n_days - window
    police = np.zeros(m.n_places)
    keizer = []  # C7: (disordered, clean) incivility intensity at halls, one pair per experiment
    for d in range(n_days):
        if arm == KEIZER_ARM and d >= first and (d - first) % 30 == 15:
            keizer.append(_keizer_experiment(m, halls))
        m.step()
        if d >= first:
            police += m.police_today.sum(0)
    res = Result.from_model(m)
    inc = res.incidents
    last = inc[inc["day"] >= first]
    typ = last["type"].cat.codes.to_numpy().astype(np.int64)
    place = last["place_id"].to_numpy().astype(np.int64)
    phase = last["phase"].cat.codes.to_numpy().astype(np.int64)
    P = m.n_places
    out = {"arm": arm, "replicate": replicate, "seed": seed, "summary": {
        k: v for k, v in res.summary.items() if isinstance(v, (int, float))}}
    out["place_counts"] = np.bincount(place, minlength=P).astype(np.int32)
    out["police_visits"] = police.astype(np.float32)
    nuis = np.isin(typ, NUISANCE_TYPES)
    out["nuisance_by_phase"] = np.bincount(phase[nuis], minlength=3).astype(np.int64)
    deg = np.isin(inc["type"].cat.codes.to_numpy(), DEGRADATION_TYPES)
    years_idx = (inc["day"].to_numpy()[deg] // 365).astype(int)
    out["degradation_by_year"] = np.bincount(years_idx, minlength=int(np.ceil(n_days / 365)))
    if keizer:
        k = np.array(keizer)
        out["c7_ratio"] = float(k[:, 0].sum() / k[:, 1].sum())
    # C3: share of the move-out hazard due to insecurity, over occupied households at the end
    hh = m.households
    occ = hh.occupied
    p = m.p
    insec = p.move_insecurity * (hh.fear[occ] > 0.5)
    hazard = p.move_base + insec + p.move_dissatisfaction * (1 - hh.satisfaction[occ])
    w = hh.mob_factor[occ]
    out["insecurity_move_share"] = float((insec * w).sum() / max((hazard * w).sum(), 1e-12))
    # E checks: counts by type and by phase per place, last 12 months
    T = len(TABLE.nuisance)
    out["place_type_counts"] = np.bincount(typ * P + place, minlength=T * P).reshape(T, P).astype(np.int32)
    out["place_phase_counts"] = np.bincount(phase * P + place, minlength=3 * P).reshape(3, P).astype(np.int32)
    if arm in MONTHLY_ARMS:  # whole run, 30-day months
        month = (inc["day"].to_numpy() // 30).astype(int)
        n_months = int(np.ceil(n_days / 30))
        out["monthly_place_counts"] = np.bincount(month * P + inc["place_id"].to_numpy().astype(np.int64),
                                                  minlength=n_months * P).reshape(n_months, P).astype(np.int32)
    # the places each lever covers, read from the lever objects (read-only): cameras, relit
    # public spaces, equipped halls, the ZSP zone
    for lv in m.levers:
        idx = {"cctv": "places", "lighting": "places", "access_control": "halls", "zsp": "zone_mask"}.get(lv.name)
        if idx is None or getattr(lv, idx, None) is None:
            continue
        mask = np.zeros(P, bool)
        mask[np.asarray(getattr(lv, idx))] = True
        out["covered" if lv.name == "cctv" else f"covered_{lv.name}"] = mask
        if lv.name == "zsp":
            out["zsp_window"] = (lv.config.start, lv.config.end)
    out["kind"] = lay.kind.astype(np.int8)
    out["initial_risk"] = m.initial_risk.astype(np.float32)
    out["xy"] = np.stack([lay.x, lay.y]).astype(np.int16)
    return out


KEIZER_ARM = "priority"


def _keizer_experiment(m, halls: np.ndarray) -> tuple[float, float]:
    """Keizer, Lindenberg & Steg's (2008) field experiments in the model: the same estate on the
    same morning, once with full visible disorder everywhere (disorder 1: tags and litter on
    every wall and floor) and once cleaned (disorder 0); everything else, random streams
    included, identical (two deep copies). Returns the day's expected incivilities at halls in
    each condition (the summed intensities: no sampling noise)."""
    import copy

    out = []
    for level in (1.0, 0.0):
        twin = copy.deepcopy(m)
        twin.disorder[:] = level
        twin.step()
        out.append(float(twin.lam_today[INCIVILITY_TYPES][:, :, halls].sum()))
    return out[0], out[1]
