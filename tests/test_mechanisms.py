"""Mechanisms, stated as facts about the world. Each compares runs that share their seeds
(common random numbers), so the difference is the mechanism's, not the noise's."""

import numpy as np
import pytest
import scipy.sparse as sp

import tranqsim
from tranqsim.estate import PlaceKind
from tranqsim.incidents import IncidentType

SEEDS = (1, 2, 3)


def _run(seed, years=2.0, context="priority_estate", strategy="proximity_management", **kw):
    return tranqsim.simulate(tranqsim.load_scenario(context=context, strategy=strategy, years=years,
                                                    seed=seed, **kw))


def test_caretakers_lower_disorder_in_their_buildings():
    with_c = [_run(s, levers={"caretakers": {"per_100_dwellings": 2.0}}).summary["disorder_index"]
              for s in SEEDS]
    without = [_run(s, levers={"caretakers": None}).summary["disorder_index"] for s in SEEDS]
    assert all(a < b for a, b in zip(with_c, without)), (with_c, without)


def test_cctv_raises_surveillance_only_where_installed():
    sc = tranqsim.load_scenario(years=1, strategy="withdrawal",
                                levers={"cctv": {"cameras": 7, "placement": "car_parks"}})
    m = tranqsim.build_model(sc)
    m.step()
    cams = next(lv for lv in m.levers if lv.name == "cctv").places
    assert len(cams) == 7
    assert (m.layout.kind[cams] == PlaceKind.CAR_PARK).all()
    assert (m.surveillance[cams] > 0).all()
    others = np.setdiff1d(np.arange(m.n_places), cams)
    assert (m.surveillance[others] == 0).all()
    # and no camera, no surveillance anywhere
    m0 = tranqsim.build_model(tranqsim.load_scenario(years=1, strategy="withdrawal"))
    m0.step()
    assert (m0.surveillance == 0).all()


def _car_park_vehicle_crime(monitoring: str | None, seed: int) -> int:
    levers = {"cctv": {"cameras": 30, "placement": "car_parks", "monitoring": monitoring}} if monitoring else {}
    res = _run(seed, years=2.0, strategy="withdrawal", levers=levers)
    inc, places = res.incidents, res.places
    cp = set(places.loc[places["kind"] == "car_park", "place_id"])
    return int(((inc["type"] == "vehicle_crime") & inc["place_id"].isin(cp)).sum())


def test_actively_monitored_cameras_deter_more_than_passive_ones():
    """Piza et al. 2019 (evidence E3): active monitoring gives a larger effect than recording
    only, by a few points to about 15, not a multiple. Measured as E3 states it: the gap between
    the two effects in points of the count without cameras (band -20 to -2 points), here in the
    car parks, where cameras deter most."""
    none, passive, active = (sum(_car_park_vehicle_crime(m, s) for s in SEEDS)
                             for m in (None, "passive", "active"))
    gap = 100 * (active - passive) / none
    assert passive < none and -20 <= gap <= -2, (none, passive, active, gap)


def test_fear_rises_after_victimisation():
    m = tranqsim.build_model(tranqsim.load_scenario(years=1, seed=2))
    m.run(100)
    hh = m.households
    slots = np.flatnonzero(hh.occupied & (m.day - hh.last_victim >= 365))[:50]
    before = hh.fear[slots].copy()
    hh.victimise(m.day, slots, m.hall_fear_logit)
    assert (hh.fear[slots] >= before).all() and (hh.fear[slots] > before).mean() > 0.9


def test_victims_are_more_afraid_than_others():
    res = _run(1, years=2.0)
    hh = res.households[res.households["occupied"]]
    assert hh.loc[hh["victimised_12m"], "fear"].mean() > hh.loc[~hh["victimised_12m"], "fear"].mean() + 0.05


def test_withdrawal_raises_degradation():
    def degradation(strategy, seed):
        return _run(seed, years=3.0, strategy=strategy).summary["incidents_by_type"]["degradation"]

    w = [degradation("withdrawal", s) for s in SEEDS]
    p = [degradation("proximity_management", s) for s in SEEDS]
    assert np.mean(w) > 1.1 * np.mean(p), (w, p)


def test_disorder_breeds_incivility():
    """Keizer et al. 2008: places with visible disorder see more incivility (contagion on)."""
    res = _run(1, years=2.0, strategy="withdrawal")
    pl = res.places
    halls = pl[pl["kind"] == "hall"]
    inc = res.incidents
    civ = inc[(inc["type"] == "incivility") & (inc["day"] >= inc["day"].max() - 365)]
    per_place = civ.groupby("place_id").size().reindex(halls["place_id"], fill_value=0)
    high = halls["disorder"] >= halls["disorder"].median()
    assert per_place[high.to_numpy()].mean() > per_place[~high.to_numpy()].mean()


def test_night_mediators_displace_nuisance_into_the_night():
    """de Maillard & Bénec'h-Le Roux 2011: nuisance resumes after the mediators' shift."""
    def by_phase(levers, seed):
        inc = _run(seed, years=1.5, strategy="withdrawal", levers=levers).incidents
        n = inc[inc["type"].isin(["noise_dispute", "hall_occupation", "incivility"])]
        return n["phase"].value_counts()

    base = sum(by_phase({}, s) for s in SEEDS)
    med = sum(by_phase({"night_mediators": {"posts": 8}}, s) for s in SEEDS)
    assert med["evening"] < base["evening"]
    assert med["night"] / med["evening"] > base["night"] / base["evening"]


def test_order_maintenance_policing_erodes_trust_in_police():
    def trust(style, seed):
        return _run(seed, years=2.0, levers={"police": {"level": 2.0, "mode": "hot_spot",
                                                        "style": style}}).summary["trust_police_mean"]

    om = [trust("order_maintenance", s) for s in SEEDS]
    cp = [trust("community", s) for s in SEEDS]
    assert all(a < b for a, b in zip(om, cp)), (om, cp)


def test_zsp_reinforcement_is_active_only_inside_its_window():
    sc = tranqsim.load_scenario(years=1, levers={"zsp": {"start": 100, "end": 200, "extra_crews": 4}})
    m = tranqsim.build_model(sc)
    m.run(99)
    assert m.mods.zsp_zone is None
    m.run(2)
    assert m.mods.zsp_zone is not None and m.mods.zsp_zone.any()
    m.run(100)
    assert m.mods.zsp_zone is None
    ts = tranqsim.simulate(sc).timeseries
    assert ts.loc[150, "police_crews"] == ts.loc[50, "police_crews"] + 4
    assert ts.loc[250, "police_crews"] == ts.loc[50, "police_crews"]


@pytest.mark.parametrize("lever", ["caretakers", "night_mediators", "cctv", "private_security"])
def test_levers_cost_money_while_active(lever):
    cfg = {"caretakers": {"per_100_dwellings": 1.0}, "night_mediators": {"posts": 4},
           "cctv": {"cameras": 5}, "private_security": {"level": 1.0}}[lever]
    res = _run(1, years=1.0, strategy="withdrawal", levers={lever: {**cfg, "start": 0, "end": 100}})
    costs = res.costs[lever]
    assert costs[:100].min() > 0
    assert costs[100:].max() == 0


def test_incident_types_are_all_produced_in_the_zsp_estate():
    res = _run(1, years=2.0, context="zsp_estate", strategy="heavy_security")
    produced = set(res.incidents["type"].astype(str))
    missing = {t.name.lower() for t in IncidentType} - produced
    assert not missing, missing


def test_youth_groups_keep_to_their_own_territory():
    """Groups favour their own building's halls or their square (group_home_bonus): with the
    attachment, they spend more evenings there than without it, on the same seeds."""
    from tranqsim.offenders import YouthGroup

    def evenings_at_home(bonus, seed):
        m = tranqsim.build_model(tranqsim.load_scenario(years=1, seed=seed,
                                                        parameters={"group_home_bonus": bonus}))
        home = 0
        for _ in range(120):
            m.step()
            own = [m.hangout_places[YouthGroup.territory(m.state, g)] for g in m.group_list]
            home += sum(g.place in o for g, o in zip(m.group_list, own))
        return home / (120 * len(m.group_list))

    attached = [evenings_at_home(2.0, s) for s in SEEDS]
    free = [evenings_at_home(0.0, s) for s in SEEDS]
    assert all(a > f + 0.2 for a, f in zip(attached, free)), (attached, free)


def test_patrol_pressure_on_a_dealing_point_has_diminishing_returns():
    """Ten visits a day cost a dealing point less than ten times what one visit costs it
    (lookouts, pauses in trade); a raid hits harder than a day of patrols."""
    from tranqsim.offenders import DealingNetwork

    def loss(visits=0.0, raid=0.0):
        m = tranqsim.build_model(tranqsim.load_scenario(context="zsp_estate", years=1, seed=1))
        net = m.network_list[0]
        net.strength, before = 0.5, 0.5
        police, raids = np.zeros(m.n_places), np.zeros(m.n_places)
        police[net.place], raids[net.place] = visits, raid
        DealingNetwork.update(m.state, [net], police, raids, np.zeros(m.n_places), 0.0)
        return before - net.strength

    base = loss()
    one, ten = loss(1.0) - base, loss(10.0) - base
    assert 0 < one < ten < 2 * one, (one, ten)
    assert loss(raid=1.0) - base > ten


# --- issue 16: mechanisms bounded by the evidence (overlap, diffusion and displacement,
# failure, adaptation). Each states the mechanism, not which strategy wins.

def _overlapped(g_other, share=0.7):
    """Deterred share of offending for a summed formal deterrence ``g_other`` (no residents)."""
    from tranqsim.schedule import overlap

    G = np.array(g_other, np.float32).reshape(1, 1, -1)
    overlap(G, np.zeros(1, np.float32), np.zeros((1, G.shape[2]), np.float32), share)
    return 1 - np.exp(-G.ravel().astype(float))


def test_one_more_watcher_gains_less_at_a_place_already_watched():
    """The same extra deterrence lowers offending less, in proportion, where guardians already
    watch than where none does (diminishing returns), and never deters more than the share."""
    d = 0.3
    unwatched_before, unwatched_after, watched_before, watched_after = _overlapped([0.0, d, 1.0, 1.0 + d])
    gain_unwatched = (unwatched_after - unwatched_before) / (1 - unwatched_before)
    gain_watched = (watched_after - watched_before) / (1 - watched_before)
    assert 0 < gain_watched < gain_unwatched, (gain_watched, gain_unwatched)
    assert _overlapped([50.0])[0] <= 0.7 + 1e-6


def test_a_bundle_of_watchers_deters_less_than_the_sum_of_its_parts():
    parts = [0.2, 0.3, 0.4]
    alone = _overlapped(parts)
    together = _overlapped([sum(parts)])[0]
    assert max(alone) < together < alone.sum(), (alone, together)
    # with no ceiling (share 1) the watchers multiply, the model before issue 16
    assert np.isclose(_overlapped([sum(parts)], share=1.0)[0], 1 - np.exp(-sum(parts)), atol=1e-6)


@pytest.mark.parametrize("share", [0.7, 0.35, 1.0])
def test_the_days_compiled_overlap_applies_the_same_law_as_its_exponent_form(share):
    """The model applies the overlap as a factor in one compiled pass
    (``Deterrence.guardians_overlapped``); it must equal ``exp(-G)`` after the exponent form
    ``schedule.overlap``, with residents' control present, and scale the kept types' rates."""
    from tranqsim.incidents import TABLE, T, Deterrence
    from tranqsim.schedule import overlap
    from tranqsim.vocabulary import Source

    rng = np.random.default_rng(7)
    P = 40
    G = (rng.random((T, 3, P)) * 3).astype(np.float32)
    sens_res = rng.random(T).astype(np.float32)
    g_res = rng.random((3, P)).astype(np.float32)
    G[0, 0, :5] = 0.0  # formal deterrence below the residents' own: clipped at zero
    lam = rng.random((T, 3, P)).astype(np.float32)
    expected_G = G.copy()
    overlap(expected_G, sens_res, g_res, share)
    factor = np.exp(-expected_G.astype(np.float64))
    got_lam, got_G = lam.copy(), G.copy()
    sens = np.zeros((T, len(Source)), np.float32)
    sens[:, Source.RESIDENTS] = sens_res
    n_off = int(TABLE.offender_driven.sum())
    det = Deterrence(sens, sp.identity(P, format="csr"), 0.35, np.ones((n_off, 1, P), np.float32))
    det.guardians_overlapped(got_lam, got_G, g_res, share)
    kept = slice(0, T - 2)  # staff aggressions and urban violence are set later
    assert np.allclose(got_G[kept], factor[kept], rtol=2e-5, atol=1e-7)
    assert np.allclose(got_G[T - 1], factor[T - 1], rtol=2e-5, atol=1e-7)
    assert np.allclose(got_lam[kept], lam[kept] * factor[kept], rtol=2e-5, atol=1e-7)
    assert np.array_equal(got_lam[T - 2:], lam[T - 2:])


def _buffer_change(params, seeds=(1, 2), placement="car_parks"):
    """Incidents in the 2-cell ring around 8 cameras, with the cameras against without them
    (same seeds), one year."""
    out = []
    cctv = {"cctv": {"cameras": 8, "placement": placement}}
    for s in seeds:
        cams = _run(s, years=1.0, parameters=params, levers=cctv)
        base = _run(s, years=1.0, parameters=params)
        pl = cams.places
        m = tranqsim.build_model(tranqsim.load_scenario(years=1.0, seed=s, levers=cctv))
        covered = np.zeros(len(pl), bool)
        covered[next(lv for lv in m.levers if lv.name == "cctv").places] = True
        x, y = pl["x"].to_numpy(), pl["y"].to_numpy()
        near = np.array([not covered[i] and bool(np.any((abs(x[covered] - x[i]) <= 2) & (abs(y[covered] - y[i]) <= 2)))
                         for i in range(len(pl))])
        ring = set(pl.loc[near, "place_id"])
        out.append(cams.incidents["place_id"].isin(ring).sum() / max(base.incidents["place_id"].isin(ring).sum(), 1) - 1)
    return np.mean(out)


def test_cameras_can_displace_crime_next_door_or_spread_their_benefits():
    """Around cameras, crime can rise (offenders move next door) or fall (diffusion of benefits:
    offenders cannot tell where a camera's view ends), depending on which dominates
    (Guerette & Bowers 2009: each in about a quarter of observations). Cameras in car parks,
    where youth groups do not gather (groups leaving a watched hall for the next one is a
    displacement of its own)."""
    displacing = _buffer_change({"situational_diffusion_weight": 0.0, "displacement_share": 0.6})
    diffusing = _buffer_change({"situational_diffusion_weight": 1.0, "displacement_share": 0.0})
    assert displacing > 0 > diffusing, (displacing, diffusing)


def _evening_guard(params, cameras=16):
    """The evening guardianship youth groups weigh on the first day, and the cameras' places."""
    levers = {"cctv": {"cameras": cameras, "placement": "hot_spots"}} if cameras else {}
    m = tranqsim.build_model(tranqsim.load_scenario(years=1.0, seed=1, levers=levers, parameters={
        "equipment_break_rate": 0.0, **params}))
    m.step()
    cams = next((lv.places for lv in m.levers if lv.name == "cctv"), [])
    return m.state.today.evening_guard.copy(), np.asarray(cams), m


def test_youth_groups_heed_cameras_by_their_share_only():
    """Groups weigh cameras by ``cctv_group_share`` when they choose tonight's hangout, there
    and next door (cameras deter impulsive disorder little, Gill & Spriggs 2005): at 0 the
    cameras leave the groups' choice as it was; at 1 a camera counts as much as its deterrence."""
    none, _, _ = _evening_guard({}, cameras=0)
    ignored, cams, _ = _evening_guard({"cctv_group_share": 0.0})
    heeded, _, m = _evening_guard({"cctv_group_share": 1.0})
    half, _, _ = _evening_guard({"cctv_group_share": 0.5})
    from tranqsim.vocabulary import Phase, Source
    g_cam = m.state.today.g[Source.CCTV, Phase.EVENING, cams]
    assert np.allclose(ignored, none)
    assert np.all(heeded[cams] - none[cams] >= g_cam - 1e-6)  # its own camera, and next door's
    assert np.allclose(half - none, 0.5 * (heeded - none), rtol=1e-5, atol=1e-9)


def _camera_deterrence(params, days=200, seed=1, **levers):
    m = tranqsim.build_model(tranqsim.load_scenario(years=1.0, seed=seed, parameters=params, levers={
        "cctv": {"cameras": 16, "placement": "hot_spots", **levers}}))
    m.run(days)
    cams = next(lv for lv in m.levers if lv.name == "cctv").places
    from tranqsim.vocabulary import Source
    return float(m.state.today.g[Source.CCTV][:, cams].mean()), m


def test_broken_cameras_deter_less_and_rapid_repair_brings_them_back():
    """Equipment breaks down (more where disorder is) and deters only while in service; a
    rapid-repair contract shortens the downtime."""
    intact, _ = _camera_deterrence({"equipment_break_rate": 0.0})
    fragile, m = _camera_deterrence({"equipment_break_rate": 0.05})
    assert fragile < 0.8 * intact, (fragile, intact)
    slow = m.state.places.equipment_up.mean()
    m2 = tranqsim.build_model(tranqsim.load_scenario(years=1.0, seed=1, parameters={"equipment_break_rate": 0.05},
                                                     levers={"cctv": {"cameras": 16},
                                                             "rapid_repair": {"repair_days": 2}}))
    m2.run(200)
    assert m2.state.places.equipment_up.mean() > slow


def test_monitored_cameras_with_their_posts_unfilled_only_record():
    never, _ = _camera_deterrence({"monitoring_staffed_share": 0.0, "equipment_break_rate": 0.0}, days=5,
                                  monitoring="active")
    passive, _ = _camera_deterrence({"equipment_break_rate": 0.0}, days=5, monitoring="passive")
    always, m = _camera_deterrence({"monitoring_staffed_share": 1.0, "equipment_break_rate": 0.0}, days=5,
                                   monitoring="active")
    assert np.isclose(never, passive) and always > passive
    assert m.state.today.cctv_watched
    _, m0 = _camera_deterrence({"monitoring_staffed_share": 0.0}, days=5, monitoring="active")
    assert not m0.state.today.cctv_watched


def test_lighting_acts_by_day_too():
    from tranqsim.vocabulary import Phase, Source

    m = tranqsim.build_model(tranqsim.load_scenario(years=1.0, seed=1, levers={"lighting": {"level": 0.5}}))
    m.step()
    lit = next(lv for lv in m.levers if lv.name == "lighting").places
    day, night = m.state.today.g[Source.LIGHTING, Phase.DAY, lit], m.state.today.g[Source.LIGHTING, Phase.NIGHT, lit]
    assert (day > 0).all() and np.allclose(day, m.p.lighting_day_share * night)


def test_heavy_handed_policing_raises_tension():
    def tension(style, seed):
        m = tranqsim.build_model(tranqsim.load_scenario(years=1.0, seed=seed, levers={
            "police": {"level": 1.5, "mode": "random", "style": style}}))
        out = []
        for _ in range(180):
            m.step()
            out.append(m.state.offenders.tension)
        return np.mean(out[60:])

    heavy = [tension("order_maintenance", s) for s in SEEDS[:2]]
    standard = [tension("standard", s) for s in SEEDS[:2]]
    assert all(h > s for h, s in zip(heavy, standard)), (heavy, standard)


def test_a_crackdowns_deterrence_decays_while_it_lasts_and_lingers_after_it():
    """Offenders learn the risk of a sustained presence (Sherman 1990): per visit, a ZSP's
    patrols deter less at its end than at its start; after it ends, the patrols they remember
    still deter where no crew comes any more."""
    from tranqsim.guardianship import police_coefficients, police_memory

    # the ZSP opens after day 0: the unreported spin-up runs the day-0 levers, and a crackdown
    # in force then would already be months old at "day 20"
    m = tranqsim.build_model(tranqsim.load_scenario(years=1.0, seed=1, levers={
        "zsp": {"start": 10, "end": 210, "extra_crews": 3, "radius": 4}}))
    m.run(15)
    zone = m.mods.zsp_zone.copy()
    early = police_coefficients(m.state, 1.0)[zone].mean()
    m.run(194)
    late = police_coefficients(m.state, 1.0)[zone].mean()
    # per visit: about 0.93 -> 0.84 here (0.79 before the calibrated ensemble's central set
    # and the function's shared hall lists spread patrols over more halls); the size is E10's
    # business in `tranqsim validate` (last 3 months / months 2-4 <= 0.8): here, a clear fall
    assert late < 0.95 * early, (late, early)
    m.run(30)  # a month after the end
    assert m.mods.zsp_zone is None
    assert police_memory(m.state)[zone].mean() > 0


def test_a_displaced_dealing_point_returns_to_its_market():
    from tranqsim.offenders import return_home

    m = tranqsim.build_model(tranqsim.load_scenario(context="zsp_estate", years=1, seed=1,
                                                    parameters={"dealing_return_days": 1}))
    net = m.network_list[0]
    origin = net.origin
    other = int(next(h for h in m.layout.hall_places if h != origin))
    net.move_to_place(other, m.state.static.cells)
    assert net.place == other
    return_home(m.state, [net])
    assert net.place == origin
