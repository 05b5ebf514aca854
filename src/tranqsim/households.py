"""Households: many, so their state lives in numpy arrays updated in bulk.

One slot per dwelling; the slot holds the current household (``household_id``) or is vacant
(possibly squatted). Each day, in a handful of vectorised operations over all slots:

- **fear** moves toward a logistic target driven by visible disorder around the hall, recent
  incidents nearby, dealing in the hall, one's own victimisation in the last 12 months and the
  household's own sensitivity, and lowered by visible trusted presence (caretakers, mediators,
  community police); ``feels_insecure`` is fear above 0.5 (the survey question's yes/no);
- **satisfaction** and **trust** in the landlord and in the police move toward targets set by the
  hall's disorder, the responsiveness of landlord and police to reports, presence, participation
  and heavy-handed operations (procedural justice);
- **mobility**: those who can afford to leave (``means``) do so more when insecure or
  dissatisfied; vacancies are relet after a delay that grows with the hall's status, to poorer
  newcomers (ONPV 2017); long vacancies in orange/red halls may be squatted.

The daily updates are compiled loops (:mod:`tranqsim.jit`): one pass over the slots instead of
a dozen numpy calls, with numpy's operations in numpy's order and dtypes, so the same bits.
The newcomers' attributes need special functions (scipy's ``betaincinv``, ``ndtri``): they
stay in numpy, computed for the day's newcomers only.

:class:`tranqsim.household_view.Household` is a thin Mesa agent *view* on one slot, for
inspection and the UI: it is never stepped, and its attributes read the arrays.
"""

from __future__ import annotations


import numpy as np
from scipy.special import betaincinv, ndtri

from tranqsim.jit import njit
from tranqsim.rng import day_key, uniform32

NEVER = -(10**6)
# how quickly a vacant dwelling finds a tenant, by hall status (green .. red)
RELET_APPEAL = np.array([1.0, 0.75, 0.45, 0.25])
TENANTS_AHEAD = 6  # newcomers pre-drawn per dwelling (about 40 years at the usual turnover)
_NO_TARGETS = np.zeros(0)  # update_attitudes' weekly targets on other days (not read)


def p_candidates(params) -> int:
    """Candidates per slot in the stationary draw (:meth:`Households.settle_stationary`)."""
    return max(1, round(params.steady_candidates))


class Households:
    """Arrays of household state, one entry per dwelling slot (sorted by hall)."""

    def __init__(self, hall_of: np.ndarray, building_of: np.ndarray, ctx, params,
                 rng: np.random.Generator, tenant_rng: np.random.Generator):
        n = hall_of.size
        self.n = n
        self.hall = hall_of  # hall index (0..halls-1), dwellings sorted by hall
        self.building = building_of
        self.p = params
        self.ctx = ctx
        pop = ctx.population
        self.occupied = rng.random(n) >= ctx.initial.vacancy
        self.household_id = np.where(self.occupied, np.arange(n), -1).astype(np.int64)
        self.next_id = n
        self.vacant_since = np.where(self.occupied, 0, -rng.integers(0, 120, n))
        self.squatted = np.zeros(n, bool)
        self.squat_since = np.zeros(n, np.int64)
        self.deprived = rng.random(n) < pop.deprivation
        self.means = np.where(self.deprived, rng.beta(2, 5, n), rng.beta(4, 3, n))
        self.sensitivity = rng.normal(0.0, params.fear_sensitivity_sd, n)
        self.trust_offset = rng.normal(0.0, params.trust_offset_sd, n)
        self.disruptive = rng.random(n) < pop.disruptive_share
        self.mob_factor = (0.7 + 0.6 * self.means) / 365  # those with means leave more easily
        self.n_squatted = 0
        self.hazard: np.ndarray | None = None  # daily move-out probability, refreshed weekly
        self.tenancies = np.zeros(n, np.int64)
        # uniforms for the next tenants of each dwelling (deprived, means, sensitivity, trust,
        # disruptive), drawn once: see _move_in
        self.tenant_u = tenant_rng.random((n, TENANTS_AHEAD, 5))
        self.fear = np.full(n, 0.3)
        self.satisfaction = np.full(n, 0.6)
        self.trust_landlord = np.clip(rng.normal(pop.trust_landlord, 0.1, n), 0, 1)
        self.trust_police = np.clip(rng.normal(pop.trust_police, 0.1, n), 0, 1)
        self.last_victim = np.full(n, NEVER, np.int64)
        self.move_in = -rng.integers(0, 365 * 15, n)
        self.complaint_day = np.full(n, NEVER, np.int64)
        # the kernels' constants, converted once (parameters and context are read-only): floats,
        # and the thresholds in the dtype numpy compared the uniforms in (float32 against a
        # Python float, NEP 50; float64 against the float64 array of relet odds)
        self._attitude_consts = (float(params.fear_victimisation), float(params.fear_adjust_rate),
                                 1 - (1 - params.trust_adjust_rate) ** 7,  # (C pow, as before)
                                 float(params.sat_fear))
        self._tenancy_consts = (
            np.float32(1 / params.eviction_complaint_days), np.float32(1 - 1 / params.dispute_settle_days),
            float(params.eviction_procedure_days),
            float(params.move_base), float(params.move_insecurity),
            float(params.move_dissatisfaction), RELET_APPEAL / params.relet_days,
            float(params.squat_eviction_days), float(params.squat_after_days),
            np.float32(params.squat_rate))
        self._newcomer_consts = (float(pop.newcomer_deprivation), float(pop.disruptive_share),
                                 float(pop.trust_landlord), float(pop.trust_police),
                                 float(params.fear_sensitivity_sd), float(params.trust_offset_sd))
        # mobility's work arrays, reused: a fresh slot-sized array a day costs more (page faults)
        # than the loop that fills it
        self._hazard_buf = np.empty(n, np.float32)
        self._relet_buf = np.empty(n, np.int64)  # the day's relets: slots
        self._tenant_k_buf = np.empty(n, np.int64)  # and which of their tenants moves in
        self.moves_today = 0
        self.evictions_today = 0
        self.relets_today = 0

    # ------------------------------------------------------------------ derived
    def per_hall_count(self, mask: np.ndarray, halls: int) -> np.ndarray:
        """``np.bincount(self.hall, weights=mask, minlength=halls)`` for a boolean mask: float
        counts (exact: integers counted, then converted)."""
        return _count_per_hall(self.hall, mask, halls)

    def victimised_12m(self, day: int) -> np.ndarray:
        return self.occupied & (day - self.last_victim < 365)

    def feels_insecure(self) -> np.ndarray:
        return self.occupied & (self.fear > 0.5)

    # ------------------------------------------------------------------ daily update
    def update_attitudes(self, day: int, hall_fear_logit: np.ndarray, hall_sat: np.ndarray,
                         hall_trust_l: np.ndarray, hall_trust_p: np.ndarray) -> None:
        """Move fear, satisfaction and trust toward their hall-level targets (bulk update).

        Daily: ``fear += fear_adjust_rate * (sigmoid(fear_logit[hall] + sensitivity
        + fear_victimisation * [victimised < 365 days ago]) - fear)``. Satisfaction and trust
        move slowly: only on days with ``day % 7 == 0``, at the weekly rate
        ``r = 1 - (1 - trust_adjust_rate) ** 7``, toward ``sigmoid(sat[hall] - 1.5 * (fear -
        0.3))`` (today's fear) and ``sigmoid(tl or tp[hall] + trust_offset)``. The hall arguments
        are log-odds (``m.hall_tl``, ``m.hall_tp``)."""
        weekly = day % 7 == 0
        if not weekly:  # the weekly targets are not read
            hall_sat = hall_trust_l = hall_trust_p = _NO_TARGETS
        _attitudes(day, weekly, self.hall, self.last_victim, self.sensitivity, self.trust_offset,
                   self.fear, self.satisfaction, self.trust_landlord, self.trust_police,
                   hall_fear_logit, hall_sat, hall_trust_l, hall_trust_p, self._attitude_consts)

    def settle_stationary(self, day: int, hall_fear_logit: np.ndarray, hall_sat: np.ndarray,
                          hall_tl: np.ndarray, hall_tp: np.ndarray,
                          rng: np.random.Generator) -> None:
        """Replace the occupied slots' households by a draw from the stationary population
        (the end of the unreported spin-up, :meth:`tranqsim.model.EstateModel._spin_up`).

        Why: the households present on a given day are not a sample of newcomers. Each tenant
        stays an exponential time with rate ``h(x) = (move_base + move_insecurity * [fear >
        0.5] + move_dissatisfaction * (1 - satisfaction)) * mob_factor(means)``, so among the
        tenants present a kind ``x`` is over-represented in proportion to its mean stay: the
        stationary density is ``g(x) / h(x)`` (renewal theory: length-biased sampling), with
        ``g`` the newcomers' density. Starting every run from newcomers' composition (as the
        model did) made the stock lose its fearful households for decades (those feeling
        insecure leave 3x faster): the mean fear sensitivity fell by 0.4 s.d. over 20 years and
        the priority estate's insecurity from 28 % to 20 %, while the deprived share rose from
        the context's 0.5 toward the newcomers' 0.6 and beyond.

        How: for each occupied slot, ``candidates`` newcomers are drawn from the newcomers'
        distribution (as :meth:`_move_in` draws them); each is weighted by ``1 / h(x)``, its
        fear and satisfaction at their equilibrium targets in the slot's hall (today's
        ``hall_fear_logit``, the slot's victimisation in the last 12 months, ``hall_sat``); one
        is kept (importance resampling). Its time in the dwelling is drawn from the same
        renewal process (exponential with rate ``h(x)``: the backward recurrence time), and
        fear, satisfaction and trust start at their equilibrium targets."""
        occ = np.flatnonzero(self.occupied)
        if occ.size == 0:
            return
        p, K = self.p, int(p_candidates(self.p))
        ndep, disr, _tl0, _tp0, sd, toff_sd = self._newcomer_consts
        m = occ.size
        # uniforms for every slot, occupied or not, so that slot i gets the same ones in any
        # scenario of the seed (common random numbers: two strategies differ only where their
        # levers changed the weights or the occupancy)
        u = rng.random((self.n, K, 5))[occ]
        u_pick, u_stay = rng.random(self.n)[occ], rng.random(self.n)[occ]
        dep = u[..., 0] < ndep
        means = np.where(dep, betaincinv(2.0, 5.0, u[..., 1]), betaincinv(4.0, 3.0, u[..., 1]))
        z = ndtri(np.clip(u[..., 2:4], 1e-9, 1 - 1e-9))
        sens, toff = sd * z[..., 0], toff_sd * z[..., 1]
        disruptive = u[..., 4] < disr
        h = self.hall[occ][:, None]
        vict = (day - self.last_victim[occ] < 365)[:, None]
        fear = 1 / (1 + np.exp(-(hall_fear_logit[h] + sens + p.fear_victimisation * vict)))
        sat = 1 / (1 + np.exp(-(hall_sat[h] - p.sat_fear * (fear - 0.3))))
        mob = (0.7 + 0.6 * means) / 365
        hz = (p.move_base + p.move_insecurity * (fear > 0.5) + p.move_dissatisfaction * (1 - sat)) * mob
        w = 1 / hz
        cum = np.cumsum(w, axis=1)
        pick = np.minimum((cum < u_pick[:, None] * cum[:, -1:]).sum(1), K - 1)
        rows = np.arange(m)
        self.deprived[occ] = dep[rows, pick]
        self.means[occ] = means[rows, pick]
        self.sensitivity[occ] = sens[rows, pick]
        self.trust_offset[occ] = toff[rows, pick]
        self.disruptive[occ] = disruptive[rows, pick]
        self.mob_factor[occ] = mob[rows, pick]
        self.fear[occ] = fear[rows, pick]
        self.satisfaction[occ] = sat[rows, pick]
        hh = self.hall[occ]
        self.trust_landlord[occ] = 1 / (1 + np.exp(-(hall_tl[hh] + self.trust_offset[occ])))
        self.trust_police[occ] = 1 / (1 + np.exp(-(hall_tp[hh] + self.trust_offset[occ])))
        # the time already spent in the dwelling (backward recurrence time of the renewal)
        stay = -np.log1p(-u_stay) / hz[rows, pick]  # exponential, by inversion
        self.move_in[occ] = day - np.floor(stay).astype(np.int64)
        self.complaint_day[occ] = NEVER
        self.hazard = None

    def victimise(self, day: int, dwellings: np.ndarray, hall_fear_logit: np.ndarray) -> None:
        """Victims' fear jumps to its victimised level at once (victimisation drives fear)."""
        if dwellings.size == 0:
            return
        # fear rises to sigmoid(hall_fear_logit[hall] + sensitivity + fear_victimisation): a
        # compiled loop, numpy's arithmetic slot by slot (a slot twice gets the same jump)
        _victimise(day, dwellings, self.hall, hall_fear_logit, self.sensitivity,
                   float(self.p.fear_victimisation), self.last_victim, self.fear)

    def mobility(self, day: int, key: np.uint64, hall_status: np.ndarray, streams,
                 eviction: bool = False, dispute_mediation: bool = False) -> int:
        """Tenancy: complaints and evictions for disturbance (``eviction`` lever), settled
        disputes (``dispute_mediation``), move-outs, relets to newcomers, squats and squat
        evictions. Returns the number of complaints filed today.

        Each slot has one uniform per process and day whatever the state, so that two
        strategies share these draws (common random numbers): counter-based (``key``, see
        :mod:`tranqsim.rng`), index ``r * n + slot`` for row r -- 3 for complaints and
        disputes, 0, 1, 2 for move-outs, relets and squats -- computed only where read. One
        pass over the slots
        (:func:`_mobility`); newcomers move in afterwards (:meth:`_move_in`).
        """
        refresh = day % 7 == 0 or self.hazard is None  # fear and satisfaction move slowly
        if refresh:
            self.hazard = self._hazard_buf  # (the kernel rewrites it whole)
        filed, evictions, moves, freed, squats, n_relet, k_max = _mobility(
            day, np.uint64(key), hall_status, self.hall, self.occupied, self.disruptive, self.household_id,
            self.vacant_since, self.complaint_day, self.squatted, self.squat_since, self.fear,
            self.satisfaction, self.mob_factor, self.hazard, refresh, eviction, dispute_mediation,
            self._tenancy_consts, self.tenancies, self._relet_buf, self._tenant_k_buf)
        self.evictions_today = evictions
        self.moves_today = moves
        self.n_squatted += squats - freed
        self.relets_today = n_relet
        if n_relet:
            self._move_in(self._relet_buf[:n_relet], self._tenant_k_buf[:n_relet], k_max, day,
                          streams)
        return filed

    def _move_in(self, idx: np.ndarray, k: np.ndarray, k_max: int, day: int, streams) -> None:
        """Newcomers: poorer on average (ONPV 2017). The k-th tenant of each dwelling is drawn
        from uniforms fixed at the start (``tenant_u``), so the same dwelling relet for the k-th
        time gets the same kind of household under any strategy (common random numbers).
        ``idx``: the slots relet today; ``k``: their tenancies before today's (counted by
        :func:`_mobility`), ``k_max`` the largest.

        Only today's newcomers' attributes are computed, from their uniforms: the special
        functions compute elementwise, so a newcomer gets the bits it got when whole layers
        (the k-th newcomers of all dwellings) were computed at once, and a 5-year run on
        ``large_estate`` (10,000 dwellings, ~3.5 newcomers a day) no longer computes 6 layers
        (~150 ms, 2-3%) for a few thousand newcomers. ``means`` is the Beta(2,5) quantile of u1
        for the deprived, Beta(4,3) for the others: one call with each newcomer's parameters
        computes only the one it needs (the ufunc takes the integers 4, 3, 2, 5 as float64
        anyway; measured in runs, both quantiles for all cost 1.5x). A numpy call on a model
        day costs 10-30 us (cold caches), so a kernel gathers the arguments
        (:func:`_newcomer_args`): four calls on a day with relets."""
        if k_max >= TENANTS_AHEAD:  # a dwelling relet very often: draw its next tenants on demand
            for i in idx[k >= TENANTS_AHEAD]:
                # kept in the last pre-drawn slot, as before
                extra = streams.child("newcomers", int(i), int(self.tenancies[i])).random(5)
                self.tenant_u[i, -1] = extra
            k = np.minimum(k, TENANTS_AHEAD - 1)
        # the special functions' arguments, then the newcomers' attributes: one call each
        args = _newcomer_args(idx, k, self.tenant_u, self._newcomer_consts[0])
        means = betaincinv(args[0], args[1], args[2])
        z = ndtri(args[3:])  # sensitivity's and trust offset's standard normal quantiles
        # the newcomers take their slots' arrays (a compiled loop: a dozen fancy-indexed numpy
        # assignments cost more than the few slots of a day's relets)
        _settle(idx, k, day, self.next_id, self.tenant_u, means, z, self._newcomer_consts,
                self.occupied, self.deprived, self.means, self.sensitivity, self.trust_offset,
                self.disruptive, self.household_id, self.mob_factor, self.fear, self.satisfaction,
                self.trust_landlord, self.trust_police, self.last_victim, self.move_in,
                self.complaint_day)
        self.next_id += idx.size
        self.hazard = None


@njit
def _count_per_hall(hall, mask, halls):  # pragma: no cover - compiled
    # integers counted, then converted: the bits of bincount's float sums of 0s and 1s
    cnt = np.zeros(halls, np.int64)
    for i in range(hall.size):
        if mask[i]:
            cnt[hall[i]] += 1
    return cnt.astype(np.float64)


@njit(contiguous=True)
def _attitudes(day, weekly, hall, last_victim, sensitivity, trust_offset, fear, satisfaction,
               trust_landlord, trust_police, hall_fear_logit, hall_sat, hall_tl, hall_tp,
               consts):  # pragma: no cover - compiled
    # slot by slot, the bulk version's elementwise operations in its order (sigmoid(x) =
    # 1 / (1 + exp(-x))); the weekly updates read today's updated fear, as it did
    fear_victimisation, fear_adjust_rate, r, sat_fear = consts
    for i in range(hall.size):
        h = hall[i]
        vict = 1.0 if day - last_victim[i] < 365 else 0.0  # the bool as the float it multiplied
        logit = hall_fear_logit[h] + sensitivity[i] + fear_victimisation * vict
        f = fear[i] + fear_adjust_rate * (1.0 / (1.0 + np.exp(-logit)) - fear[i])
        fear[i] = f
        if weekly:
            x = hall_sat[h] - sat_fear * (f - 0.3)
            satisfaction[i] += r * (1.0 / (1.0 + np.exp(-x)) - satisfaction[i])
            x = hall_tl[h] + trust_offset[i]
            trust_landlord[i] += r * (1.0 / (1.0 + np.exp(-x)) - trust_landlord[i])
            x = hall_tp[h] + trust_offset[i]
            trust_police[i] += r * (1.0 / (1.0 + np.exp(-x)) - trust_police[i])


@njit
def _victimise(day, dwellings, hall, hall_fear_logit, sensitivity, fear_victimisation, last_victim,
               fear):  # pragma: no cover - compiled
    for j in range(dwellings.size):
        last_victim[dwellings[j]] = day
    for j in range(dwellings.size):
        i = dwellings[j]
        x = hall_fear_logit[hall[i]] + sensitivity[i] + fear_victimisation
        jump = 1.0 / (1.0 + np.exp(-x))
        f = fear[i]
        fear[i] = f if (f >= jump or f != f) else jump  # np.maximum (a NaN propagates)


@njit(contiguous=True)
def _mobility(day, key, hall_status, hall, occupied, disruptive, household_id, vacant_since,
              complaint_day, squatted, squat_since, fear, satisfaction, mob_factor, hazard, refresh,
              eviction, mediation, consts, tenancies, relet, tenant_k):  # pragma: no cover
    # Each step reads and writes only its own slot, so the bulk version's sequence of
    # whole-array steps (complaints filed, evictions due, disputes settled; the move-out hazard;
    # move-outs and evictions; among all vacancies, today's included: squats freed, then relets
    # and squats) done slot by slot gives the same state. Returns the counts; the slots to
    # relet are the first n_relet of ``relet``, in increasing order (as np.flatnonzero gave),
    # their tenancies so far in ``tenant_k`` (and k_max), each counted one more.
    (complaint_odds, keep_dispute, procedure_days, move_base, move_insecurity,
     move_dissatisfaction, relet_thr, squat_eviction_days, squat_after_days, squat_rate) = consts
    n = hall.size
    dk = day_key(key, day)
    filed = evictions = moves = freed = squats = n_relet = k_max = 0
    for i in range(n):
        due = False
        if eviction:
            # complaints filed: the monthly odds, against occupied disruptive households
            # without one; eviction once the procedure has run
            if occupied[i] and disruptive[i] and complaint_day[i] < 0 and \
                    uniform32(dk, 3 * n + i) < complaint_odds:
                complaint_day[i] = day
                filed += 1
            due = occupied[i] and complaint_day[i] >= 0 and day - complaint_day[i] >= procedure_days
        if mediation and disruptive[i]:
            disruptive[i] = uniform32(dk, 3 * n + i) < keep_dispute  # or settled for good
        if refresh:
            ins = 1.0 if fear[i] > 0.5 else 0.0  # the bool as the float it multiplied
            hz = (move_base + move_insecurity * ins + move_dissatisfaction * (1 - satisfaction[i])) \
                * mob_factor[i]
            hazard[i] = np.float32(hz)
        if occupied[i]:
            out = uniform32(dk, i) < hazard[i]  # float32 against float32
            if due:
                evictions += 1
                out = True
            if not out:
                continue
            moves += 1
            occupied[i] = False
            household_id[i] = -1
            vacant_since[i] = day
            complaint_day[i] = NEVER
        if squatted[i]:
            if day - squat_since[i] < squat_eviction_days:
                continue
            squatted[i] = False  # squats end after the recovery procedure: relettable again
            vacant_since[i] = day
            freed += 1
        status = hall_status[hall[i]]
        waited = day - vacant_since[i]
        if waited >= 7 and np.float64(uniform32(dk, n + i)) < relet_thr[status]:
            relet[n_relet] = i
            tenant_k[n_relet] = k = tenancies[i]
            tenancies[i] = k + 1
            k_max = max(k_max, k)
            n_relet += 1
        elif status >= 2 and waited >= squat_after_days and uniform32(dk, 2 * n + i) < squat_rate:
            squatted[i] = True  # squats happen only in orange and red halls
            squat_since[i] = day
            squats += 1
    return filed, evictions, moves, freed, squats, n_relet, k_max


@njit
def _newcomer_args(idx, k, tenant_u, newcomer_deprivation):  # pragma: no cover - compiled
    # rows: Beta quantile parameters a, b and its argument u1 for newcomer j (the k[j]-th of
    # slot idx[j]), then u2 and u3 clipped (np.clip(u, 1e-9, 1 - 1e-9) is this min(max()));
    # deprived as _settle decides it
    args = np.empty((5, idx.size))
    for j in range(idx.size):
        i, kj = idx[j], k[j]
        dep = tenant_u[i, kj, 0] < newcomer_deprivation
        args[0, j] = 2.0 if dep else 4.0
        args[1, j] = 5.0 if dep else 3.0
        args[2, j] = tenant_u[i, kj, 1]
        args[3, j] = min(max(tenant_u[i, kj, 2], 1e-9), 1 - 1e-9)
        args[4, j] = min(max(tenant_u[i, kj, 3], 1e-9), 1 - 1e-9)
    return args


@njit
def _settle(idx, k, day, next_id, tenant_u, means_new, z, consts, occupied, deprived, means,
            sensitivity, trust_offset, disruptive, household_id, mob_factor, fear, satisfaction,
            trust_landlord, trust_police, last_victim, move_in,
            complaint_day):  # pragma: no cover - compiled
    # newcomer j of the day takes slot idx[j] with its k[j]-th pre-drawn tenant's uniforms and
    # its attributes means_new[j], z[:, j] (standard normal quantiles); float64 comparisons of
    # the uniforms, as numpy made them (a float64 array against a Python float), and float64
    # products, as numpy's
    (newcomer_deprivation, disruptive_share, trust_landlord0, trust_police0, sensitivity_sd,
     trust_offset_sd) = consts
    for j in range(idx.size):
        i, kj = idx[j], k[j]
        occupied[i] = True
        deprived[i] = tenant_u[i, kj, 0] < newcomer_deprivation
        means[i] = means_new[j]
        sensitivity[i] = sensitivity_sd * z[0, j]
        trust_offset[i] = trust_offset_sd * z[1, j]
        disruptive[i] = tenant_u[i, kj, 4] < disruptive_share
        household_id[i] = next_id + j
        mob_factor[i] = (0.7 + 0.6 * means[i]) / 365
        fear[i] = 0.3
        satisfaction[i] = 0.6
        trust_landlord[i] = trust_landlord0
        trust_police[i] = trust_police0
        last_victim[i] = NEVER
        move_in[i] = day
        complaint_day[i] = NEVER
