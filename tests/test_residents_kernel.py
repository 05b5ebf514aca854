"""The compiled residents' day (residents.py, households.py) against the numpy version it
replaced, copied below as the reference: two models with the same seed stepped side by side,
one with the reference patched in, must hold the very same bits after every day (hall
quantities, hall status, every household array and counter, the random streams' states)."""

from types import MethodType

import numpy as np
import pytest

import tranqsim
import tranqsim.model
from tranqsim.estate import HallStatus
from scipy.special import betaincinv, ndtri

from tranqsim.households import NEVER, RELET_APPEAL, TENANTS_AHEAD, Households
from tranqsim.incidents import EVENING, NIGHT
from tranqsim.rng import uniforms32
from tranqsim.residents import POLICE_STYLE_REASSURANCE, update_residents

# ------------------------------------------------------------------ reference (numpy) version
# copied from residents.py and households.py before the compiled kernels (commit 34ef3be)


def ref_sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


def ref_per_hall_count(self, mask, halls):
    if getattr(self, "_hall_starts", None) is None:
        counts = np.bincount(self.hall, minlength=halls)
        self._hall_starts = np.concatenate([[0], np.cumsum(counts)[:-1]]) if counts.all() else False
    if self._hall_starts is False:
        return np.bincount(self.hall, weights=mask, minlength=halls)
    return np.add.reduceat(mask, self._hall_starts, dtype=np.int64).astype(np.float64)


def ref_update_attitudes(self, day, hall_fear_logit, hall_sat, hall_trust_l, hall_trust_p):
    p, h = self.p, self.hall
    vict = (day - self.last_victim) < 365
    logit = hall_fear_logit[h] + self.sensitivity + p.fear_victimisation * vict
    target = ref_sigmoid(logit)
    self.fear += p.fear_adjust_rate * (target - self.fear)
    if day % 7:
        return
    r = 1 - (1 - p.trust_adjust_rate) ** 7
    self.satisfaction += r * (ref_sigmoid(hall_sat[h] - 1.5 * (self.fear - 0.3)) - self.satisfaction)
    self.trust_landlord += r * (ref_sigmoid(hall_trust_l[h] + self.trust_offset) - self.trust_landlord)
    self.trust_police += r * (ref_sigmoid(hall_trust_p[h] + self.trust_offset) - self.trust_police)


def ref_mobility(self, day, u, hall_status, streams, evict_due):
    p, occ = self.p, self.occupied
    if day % 7 == 0 or self.hazard is None:
        self.hazard = ((p.move_base + p.move_insecurity * (self.fear > 0.5)
                        + p.move_dissatisfaction * (1 - self.satisfaction)) * self.mob_factor
                       ).astype(np.float32)
    out = occ & (u[0] < self.hazard)
    self.evictions_today = 0
    if evict_due is not None:
        self.evictions_today = int(evict_due.sum())
        out |= evict_due
    gone = np.flatnonzero(out)
    self.moves_today = gone.size
    if gone.size:
        occ[gone] = False
        self.household_id[gone] = -1
        self.vacant_since[gone] = day
        self.complaint_day[gone] = NEVER
    self.relets_today = 0
    vac = np.flatnonzero(~occ)
    if vac.size == 0:
        return
    if self.n_squatted:
        sq = self.squatted[vac]
        freed = vac[sq & (day - self.squat_since[vac] >= p.squat_eviction_days)]
        if freed.size:
            self.squatted[freed] = False
            self.vacant_since[freed] = day
            self.n_squatted -= int(freed.size)
        vac = vac[~self.squatted[vac]]
    status = hall_status[self.hall[vac]]
    waited = day - self.vacant_since[vac]
    relet = (waited >= 7) & (u[1, vac] < RELET_APPEAL[status] / p.relet_days)
    squat = exposed = status >= 2
    if exposed.any():
        squat = ~relet & exposed & (waited >= p.squat_after_days) & (u[2, vac] < p.squat_rate)
    if squat.any():
        self.squatted[vac[squat]] = True
        self.squat_since[vac[squat]] = day
        self.n_squatted += int(squat.sum())
    if relet.any():
        self.relets_today = int(relet.sum())
        ref_move_in(self, vac[relet], day, streams)


def ref_tenant_layers_upto(self, k):
    """The newcomers' attributes of tenant layers up to ``k`` (inclusive): the k-th newcomers
    of all dwellings at once, on the reference object's own arrays (households.py before the
    attributes were computed per day's newcomers, commit c85f3e0)."""
    if not hasattr(self, "ref_tenant_layers"):
        n = self.tenant_u.shape[0]
        self.ref_tenant_means = np.empty((2, n, TENANTS_AHEAD))
        self.ref_tenant_sens = np.empty((n, TENANTS_AHEAD))
        self.ref_tenant_trust = np.empty((n, TENANTS_AHEAD))
        self.ref_tenant_layers = 0  # layers [0, ref_tenant_layers) computed
    while self.ref_tenant_layers <= k:
        j = self.ref_tenant_layers
        tu = self.tenant_u[:, j]
        self.ref_tenant_means[:, :, j] = betaincinv(4, 3, tu[:, 1]), betaincinv(2, 5, tu[:, 1])
        self.ref_tenant_sens[:, j] = self.p.fear_sensitivity_sd * ndtri(np.clip(tu[:, 2], 1e-9, 1 - 1e-9))
        self.ref_tenant_trust[:, j] = 0.4 * ndtri(np.clip(tu[:, 3], 1e-9, 1 - 1e-9))
        self.ref_tenant_layers += 1


def ref_move_in(self, idx, day, streams):
    p, pop = self.p, self.ctx.population
    self.occupied[idx] = True
    self.tenancies[idx] += 1
    k = self.tenancies[idx] - 1
    inside = k < TENANTS_AHEAD
    if not inside.all():
        ref_tenant_layers_upto(self, TENANTS_AHEAD - 1)
        for i in idx[~inside]:
            extra = streams.child("newcomers", int(i), int(self.tenancies[i])).random(5)
            self.tenant_u[i, -1] = extra
            self.ref_tenant_means[:, i, -1] = betaincinv(4, 3, extra[1]), betaincinv(2, 5, extra[1])
            self.ref_tenant_sens[i, -1] = p.fear_sensitivity_sd * ndtri(min(max(extra[2], 1e-9), 1 - 1e-9))
            self.ref_tenant_trust[i, -1] = 0.4 * ndtri(min(max(extra[3], 1e-9), 1 - 1e-9))
        k = np.minimum(k, TENANTS_AHEAD - 1)
    ref_tenant_layers_upto(self, int(k.max()))
    u = self.tenant_u[idx, k]
    dep = u[:, 0] < pop.newcomer_deprivation
    self.deprived[idx] = dep
    self.means[idx] = self.ref_tenant_means[dep.astype(np.int64), idx, k]
    self.sensitivity[idx] = self.ref_tenant_sens[idx, k]
    self.trust_offset[idx] = self.ref_tenant_trust[idx, k]
    self.disruptive[idx] = u[:, 4] < pop.disruptive_share
    n = idx.size
    self.household_id[idx] = np.arange(self.next_id, self.next_id + n)
    self.next_id += n
    self.mob_factor[idx] = (0.7 + 0.6 * self.means[idx]) / 365
    self.hazard = None
    self.fear[idx] = 0.3
    self.satisfaction[idx] = 0.6
    self.trust_landlord[idx] = pop.trust_landlord
    self.trust_police[idx] = pop.trust_police
    self.last_victim[idx] = NEVER
    self.move_in[idx] = day
    self.complaint_day[idx] = NEVER


def ref_update_residents(m, d, med, pol, guard, style):
    p, hh, halls, H = m.p, m.households, m.halls, m.n_halls
    occ = hh.occupied
    n_occ = hh.per_hall_count(occ, H)
    m.hall_occ = n_occ / m.layout.dwellings_per_hall
    denom = np.maximum(n_occ, 1)
    fear_h = np.bincount(hh.hall, weights=hh.fear * occ, minlength=H) / denom
    m.fear[halls] = fear_h
    part = min(m.mods.participation, 2.0)
    if d % 7 == 0:
        stable = np.minimum(1.0, (d - hh.move_in) / (3 * 365)) * occ
        m.stab_h = np.bincount(hh.hall, weights=stable, minlength=H) / denom
    ce = m.hall_occ * (1 - fear_h) * (0.5 + 0.5 * m.stab_h) * (
        1 + 0.3 * part + p.community_ce_gain * np.minimum(m.hall_community, 1.0))
    m.ce = np.minimum(np.maximum(ce, 0.0, out=ce), 1.3, out=ce)
    near = m.nbr[halls]
    dis_h = 0.6 * m.disorder[halls] + 0.4 * near[:, 0]
    inc_month = 30 * (m.recent[halls] + 4 * near[:, 3])
    deal_h = np.minimum(m.dealing[halls] + 4 * near[:, 4], 1.5)
    pol_h = pol[0, halls] + pol[1, halls] + pol[2, halls]
    presence = m.caretaker_cov[halls] + med[EVENING, halls] + 0.3 * guard[NIGHT, halls] + \
        POLICE_STYLE_REASSURANCE[style] * pol_h
    m.hall_reassure += (presence - m.hall_reassure) / 30
    reassure = np.minimum(m.hall_reassure, 1.0)
    if style == "community":
        m.hall_community += (pol_h - m.hall_community) / 60
    else:
        m.hall_community -= m.hall_community / 60
    heavy = pol_h * (style == "order_maintenance") + m.raids[halls]
    m.hall_heavy += (heavy - m.hall_heavy) / 60
    m.hall_fear_logit = (p.fear_base + p.fear_disorder * dis_h + p.fear_incidents * np.log1p(inc_month)
                         + p.fear_dealing * deal_h - p.fear_reassurance * reassure)
    if d % 7 == 0 or m.hall_sat is None:
        cov = m.cov_halls
        m.hall_sat = 1.2 - 3 * dis_h + 2 * (m.resp_landlord - 0.5) + 0.8 * cov + 0.3 * part \
            - 0.1 * 30 * m.recent[halls] + 0.3 * m.mods.dispute_mediation
        m.hall_tl = m.trust_l0 + 2 * (m.resp_landlord - 0.5) + 0.8 * (cov - 0.7) \
            + 0.6 * (reassure - 0.5) + 0.4 * part - 1.5 * (dis_h - 0.1)
        m.hall_tp = m.trust_p0 + 1.5 * (m.resp_police - 0.4) + 0.6 * np.minimum(m.hall_community, 1) \
            - p.order_maintenance_trust_loss * np.minimum(m.hall_heavy, 1) - 0.8 * np.minimum(deal_h, 1)
        m.hall_trust_l = ref_sigmoid(m.hall_tl)
        m.hall_trust_p = ref_sigmoid(m.hall_tp)
    ref_update_attitudes(hh, d, m.hall_fear_logit, m.hall_sat, m.hall_tl, m.hall_tp)
    u = uniforms32(m.keys["mobility"], d, 0, 4 * hh.n).reshape(4, hh.n)  # counter-based
    m.day_evict_cost = 0.0
    evict_due = None
    if m.mods.eviction:
        odds = np.flatnonzero(u[3] < 1 / 120)
        file = odds[occ[odds] & hh.disruptive[odds] & (hh.complaint_day[odds] < 0)]
        hh.complaint_day[file] = d
        m.day_evict_cost = file.size * p.cost_eviction_case
        evict_due = occ & (hh.complaint_day >= 0) & (d - hh.complaint_day >= p.eviction_procedure_days)
    if m.mods.dispute_mediation:
        hh.disruptive &= u[3] < 1 - 1 / 365
    ref_mobility(hh, d, u, m.status[halls], m.streams, evict_due)
    score = 30 * m.status_score[halls]
    st = (score >= p.status_yellow).astype(np.int64) + (score >= p.status_orange) + (score >= p.status_red)
    dh = m.dealing[halls]
    if dh.any():
        st = np.where(dh > 0, np.maximum(st, HallStatus.ORANGE), st)
        st = np.where(dh > 0.7, HallStatus.RED, st)
    m.status[halls] = st


# ------------------------------------------------------------------ side by side

HALL_STATE = ("hall_occ", "fear", "stab_h", "ce", "hall_reassure", "hall_community", "hall_heavy",
              "hall_fear_logit", "hall_sat", "hall_tl", "hall_tp", "hall_trust_l", "hall_trust_p",
              "status", "day_evict_cost")


def _same_bits(a, b, what):
    if a is None or b is None:
        assert a is None and b is None, what
        return
    if not isinstance(a, np.ndarray):  # a scalar (day_evict_cost): its type and exact repr
        assert type(a) is type(b) and repr(a) == repr(b), f"{what}: {a!r} != {b!r}"
        return
    assert a.dtype == b.dtype and a.shape == b.shape, what
    # bytes, not values: -0.0 == 0.0 and NaN != NaN would hide or invent differences
    assert np.array_equal(a.view(np.uint8), b.view(np.uint8)), what


def assert_same_state(new, ref, day):
    for name in HALL_STATE:
        _same_bits(getattr(new, name, None), getattr(ref, name, None), f"day {day}: m.{name}")
    hn, hr = new.households, ref.households
    for name, a in vars(hn).items():
        if name.startswith("_"):  # the kernels' constants and work arrays
            continue
        b = getattr(hr, name)
        if isinstance(a, (np.ndarray, int, float, np.integer)) or a is None:
            _same_bits(a, b, f"day {day}: households.{name}")
    for name in set(new.streams.names()) | set(ref.streams.names()):
        assert new.streams.state(name) == ref.streams.state(name), f"day {day}: stream {name}"


def run_side_by_side(monkeypatch, context, strategy, days, seed, reference=ref_update_residents,
                     forget_targets_on=(), many_tenancies_on=None):
    def dispatch(m, *args):
        return getattr(m, "_reference_residents", update_residents)(m, *args)

    monkeypatch.setattr(tranqsim.model, "update_residents", dispatch)
    sc = tranqsim.load_scenario(context=context, strategy=strategy, years=days / 365, seed=seed)
    new, ref = tranqsim.build_model(sc), tranqsim.build_model(sc)
    ref._reference_residents = reference
    ref.households.per_hall_count = MethodType(ref_per_hall_count, ref.households)
    assert_same_state(new, ref, -1)
    seen = {"evictions": 0, "relets": 0, "squats": 0, "moves": 0, "complaint_days": 0,
            "on_demand": 0}
    for d in range(days):
        if d in forget_targets_on:  # the first-day path: targets not yet set on a non-weekly day
            new.hall_sat = ref.hall_sat = None
        if d == many_tenancies_on:  # from now on newcomers are drawn on demand (child streams)
            for m in (new, ref):
                m.households.tenancies += TENANTS_AHEAD - 1
        new.step()
        ref.step()
        assert_same_state(new, ref, d)
        hh = new.households
        seen["evictions"] += hh.evictions_today
        seen["relets"] += hh.relets_today
        # today's newcomers beyond the pre-drawn ones (their k-th tenancy, k >= TENANTS_AHEAD)
        seen["on_demand"] += int(((hh.move_in == d) & (hh.tenancies > TENANTS_AHEAD)).sum())
        seen["moves"] += hh.moves_today
        seen["complaint_days"] += new.day_evict_cost > 0
        seen["squats"] = max(seen["squats"], hh.n_squatted)
    return seen


def test_heavy_security_with_evictions_matches_numpy(monkeypatch):
    # order-maintenance police, eviction lever: complaints, evictions, relets, squats
    seen = run_side_by_side(monkeypatch, "zsp_estate", "heavy_security", 730, 3,
                            forget_targets_on=(10, 400))
    assert seen["evictions"] > 0 and seen["relets"] > 0 and seen["squats"] > 0


def test_withdrawal_with_many_squats_matches_numpy(monkeypatch):
    # many long vacancies in orange and red halls: squats taken and freed
    seen = run_side_by_side(monkeypatch, "zsp_estate", "withdrawal", 540, 3)
    assert seen["squats"] >= 10 and seen["relets"] > 0


def test_newcomers_drawn_on_demand_match_numpy(monkeypatch):
    # dwellings relet more than TENANTS_AHEAD times: the on-demand path of _move_in
    seen = run_side_by_side(monkeypatch, "zsp_estate", "withdrawal", 200, 4, many_tenancies_on=30)
    assert seen["on_demand"] > 0


def test_global_approach_matches_numpy(monkeypatch):
    # community police style, participation, dispute mediation and eviction together
    seen = run_side_by_side(monkeypatch, "zsp_estate", "global_approach", 365, 3)
    assert seen["complaint_days"] > 0


def test_priority_estate_matches_numpy(monkeypatch):
    run_side_by_side(monkeypatch, "priority_estate", "proximity_management", 240, 2)


def test_a_last_bit_difference_is_caught(monkeypatch):
    """The comparison sees a one-ulp change in one hall's fear target on one day."""
    def nudged(m, d, *args):
        ref_update_residents(m, d, *args)
        if d == 5:
            m.hall_fear_logit[0] = np.nextafter(m.hall_fear_logit[0], np.inf)

    with pytest.raises(AssertionError, match="day 5: m.hall_fear_logit"):
        run_side_by_side(monkeypatch, "zsp_estate", "heavy_security", 20, 3, reference=nudged)


def test_per_hall_count_matches_bincount_with_empty_halls():
    rng = np.random.default_rng(0)
    hall = np.sort(rng.choice([0, 1, 3, 4, 6], 200))  # halls 2 and 5 have no dwellings
    hh = Households.__new__(Households)
    hh.hall = hall
    for mask in (rng.random(200) < 0.5, np.zeros(200, bool), np.ones(200, bool)):
        _same_bits(hh.per_hall_count(mask, 7), np.bincount(hall, weights=mask, minlength=7), "count")
        full = np.repeat(np.arange(4), 50)  # no empty hall: the reference took reduceat
        hh.hall, ref = full, Households.__new__(Households)
        ref.hall = full
        _same_bits(hh.per_hall_count(mask, 4), ref_per_hall_count(ref, mask, 4), "count")
        hh.hall = hall
