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

:class:`Household` is a thin Mesa agent *view* on one slot, for inspection and the UI: it is never
stepped, and its attributes read the arrays.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import mesa
import numpy as np
from scipy.special import betaincinv, ndtri

if TYPE_CHECKING:  # pragma: no cover
    from tranqsim.model import EstateModel

NEVER = -(10**6)
# how quickly a vacant dwelling finds a tenant, by hall status (green .. red)
RELET_APPEAL = np.array([1.0, 0.75, 0.45, 0.25])
TENANTS_AHEAD = 6  # newcomers pre-drawn per dwelling (about 40 years at the usual turnover)


def sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


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
        self.trust_offset = rng.normal(0.0, 0.4, n)
        self.disruptive = rng.random(n) < pop.disruptive_share
        self.mob_factor = (0.7 + 0.6 * self.means) / 365  # those with means leave more easily
        self.n_squatted = 0
        self._hall_starts = None  # see per_hall_count
        self.hazard: np.ndarray | None = None  # daily move-out probability, refreshed weekly
        self.tenancies = np.zeros(n, np.int64)
        # uniforms for the next tenants of each dwelling (deprived, means, sensitivity, trust,
        # disruptive), drawn once: see _move_in
        self.tenant_u = tenant_rng.random((n, TENANTS_AHEAD, 5))
        # their attributes, a layer at a time (the k-th newcomers of all dwellings) when first
        # needed (special functions are slow one at a time; later layers are rarely reached)
        self.tenant_means = np.empty((2, n, TENANTS_AHEAD))
        self.tenant_sens = np.empty((n, TENANTS_AHEAD))
        self.tenant_trust = np.empty((n, TENANTS_AHEAD))
        self.tenant_layers = 0  # layers [0, tenant_layers) computed
        self.fear = np.full(n, 0.3)
        self.satisfaction = np.full(n, 0.6)
        self.trust_landlord = np.clip(rng.normal(pop.trust_landlord, 0.1, n), 0, 1)
        self.trust_police = np.clip(rng.normal(pop.trust_police, 0.1, n), 0, 1)
        self.last_victim = np.full(n, NEVER, np.int64)
        self.move_in = -rng.integers(0, 365 * 15, n)
        self.complaint_day = np.full(n, NEVER, np.int64)
        self.moves_today = 0
        self.evictions_today = 0
        self.relets_today = 0

    # ------------------------------------------------------------------ derived
    def per_hall_count(self, mask: np.ndarray, halls: int) -> np.ndarray:
        """``np.bincount(self.hall, weights=mask, minlength=halls)`` for a boolean mask (float
        counts, exact): slots are sorted by hall, so one segment sum per hall when none is empty."""
        if self._hall_starts is None:
            counts = np.bincount(self.hall, minlength=halls)
            self._hall_starts = np.concatenate([[0], np.cumsum(counts)[:-1]]) if counts.all() else False
        if self._hall_starts is False:
            return np.bincount(self.hall, weights=mask, minlength=halls)
        return np.add.reduceat(mask, self._hall_starts, dtype=np.int64).astype(np.float64)

    def victimised_12m(self, day: int) -> np.ndarray:
        return self.occupied & (day - self.last_victim < 365)

    def feels_insecure(self) -> np.ndarray:
        return self.occupied & (self.fear > 0.5)

    # ------------------------------------------------------------------ daily update
    def update_attitudes(self, day: int, hall_fear_logit: np.ndarray, hall_sat: np.ndarray,
                         hall_trust_l: np.ndarray, hall_trust_p: np.ndarray) -> None:
        """Move fear, satisfaction and trust toward their hall-level targets (bulk update)."""
        p, h = self.p, self.hall
        vict = (day - self.last_victim) < 365
        logit = hall_fear_logit[h] + self.sensitivity + p.fear_victimisation * vict
        target = sigmoid(logit)
        self.fear += p.fear_adjust_rate * (target - self.fear)
        if day % 7:
            return  # satisfaction and trust move slowly: update weekly, at a weekly rate
        r = 1 - (1 - p.trust_adjust_rate) ** 7
        self.satisfaction += r * (sigmoid(hall_sat[h] - 1.5 * (self.fear - 0.3)) - self.satisfaction)
        self.trust_landlord += r * (sigmoid(hall_trust_l[h] + self.trust_offset) - self.trust_landlord)
        self.trust_police += r * (sigmoid(hall_trust_p[h] + self.trust_offset) - self.trust_police)

    def victimise(self, day: int, dwellings: np.ndarray, hall_fear_logit: np.ndarray) -> None:
        """Victims' fear jumps to its victimised level at once (victimisation drives fear)."""
        if dwellings.size == 0:
            return
        self.last_victim[dwellings] = day
        jump = sigmoid(hall_fear_logit[self.hall[dwellings]] + self.sensitivity[dwellings]
                       + self.p.fear_victimisation)
        self.fear[dwellings] = np.maximum(self.fear[dwellings], jump)

    def mobility(self, day: int, u: np.ndarray, hall_status: np.ndarray, streams,
                 evict_due: np.ndarray | None) -> None:
        """Move-outs, evictions, relets to newcomers, squats and squat evictions.

        ``u`` holds one uniform per slot and per process, drawn every day whatever the state,
        so that two strategies share these draws (common random numbers).
        """
        p, occ = self.p, self.occupied
        if day % 7 == 0 or self.hazard is None:  # fear and satisfaction move slowly
            self.hazard = ((p.move_base + p.move_insecurity * (self.fear > 0.5)
                            + p.move_dissatisfaction * (1 - self.satisfaction)) * self.mob_factor
                           ).astype(np.float32)
        out = occ & (u[0] < self.hazard)
        self.evictions_today = 0
        if evict_due is not None:
            self.evictions_today = int(evict_due.sum())
            out |= evict_due
        gone = np.flatnonzero(out)  # a few slots: indexed once, not four masks over all slots
        self.moves_today = gone.size
        if gone.size:
            occ[gone] = False
            self.household_id[gone] = -1
            self.vacant_since[gone] = day
            self.complaint_day[gone] = NEVER
        self.relets_today = 0
        vac = np.flatnonzero(~occ)  # a few percent of slots: work on them only
        if vac.size == 0:
            return
        if self.n_squatted:  # (with no squat, nothing to free and every vacancy is relettable)
            sq = self.squatted[vac]
            freed = vac[sq & (day - self.squat_since[vac] >= p.squat_eviction_days)]
            if freed.size:  # squats end after the recovery procedure: relettable again
                self.squatted[freed] = False
                self.vacant_since[freed] = day
                self.n_squatted -= int(freed.size)
            vac = vac[~self.squatted[vac]]
        status = hall_status[self.hall[vac]]
        waited = day - self.vacant_since[vac]
        relet = (waited >= 7) & (u[1, vac] < RELET_APPEAL[status] / p.relet_days)
        squat = exposed = status >= 2  # squats happen only in orange and red halls
        if exposed.any():
            squat = ~relet & exposed & (waited >= p.squat_after_days) & (u[2, vac] < p.squat_rate)
        if squat.any():
            self.squatted[vac[squat]] = True
            self.squat_since[vac[squat]] = day
            self.n_squatted += int(squat.sum())
        if relet.any():
            self.relets_today = int(relet.sum())
            self._move_in(vac[relet], day, streams)

    def _tenant_layers_upto(self, k: int) -> None:
        """Compute the attributes of the newcomers of tenant layers up to ``k`` (inclusive)."""
        while self.tenant_layers <= k:
            j = self.tenant_layers
            tu = self.tenant_u[:, j]
            self.tenant_means[:, :, j] = betaincinv(4, 3, tu[:, 1]), betaincinv(2, 5, tu[:, 1])
            self.tenant_sens[:, j] = self.p.fear_sensitivity_sd * ndtri(np.clip(tu[:, 2], 1e-9, 1 - 1e-9))
            self.tenant_trust[:, j] = 0.4 * ndtri(np.clip(tu[:, 3], 1e-9, 1 - 1e-9))
            self.tenant_layers += 1

    def _move_in(self, idx: np.ndarray, day: int, streams) -> None:
        """Newcomers: poorer on average (ONPV 2017). The k-th tenant of each dwelling is drawn
        from uniforms fixed at the start (``tenant_u``), so the same dwelling relet for the k-th
        time gets the same kind of household under any strategy (common random numbers)."""
        p, pop = self.p, self.ctx.population
        self.occupied[idx] = True
        self.tenancies[idx] += 1
        k = self.tenancies[idx] - 1
        inside = k < TENANTS_AHEAD
        if not inside.all():  # a dwelling relet very often: draw its next tenants on demand
            self._tenant_layers_upto(TENANTS_AHEAD - 1)  # (the last layer, before it is replaced)
            for i in idx[~inside]:
                extra = streams.child("newcomers", int(i), int(self.tenancies[i])).random(5)
                self.tenant_u[i, -1] = extra
                self.tenant_means[:, i, -1] = betaincinv(4, 3, extra[1]), betaincinv(2, 5, extra[1])
                self.tenant_sens[i, -1] = p.fear_sensitivity_sd * ndtri(min(max(extra[2], 1e-9), 1 - 1e-9))
                self.tenant_trust[i, -1] = 0.4 * ndtri(min(max(extra[3], 1e-9), 1 - 1e-9))
            k = np.minimum(k, TENANTS_AHEAD - 1)
        self._tenant_layers_upto(int(k.max()))
        u = self.tenant_u[idx, k]
        dep = u[:, 0] < pop.newcomer_deprivation
        self.deprived[idx] = dep
        self.means[idx] = self.tenant_means[dep.astype(np.int64), idx, k]
        self.sensitivity[idx] = self.tenant_sens[idx, k]
        self.trust_offset[idx] = self.tenant_trust[idx, k]
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


class Household(mesa.Agent):
    """A read-only Mesa agent view on one dwelling slot's current household."""

    def __init__(self, model: EstateModel, slot: int):
        super().__init__(model)
        self.slot = slot

    def _arr(self, name):
        return getattr(self.model.households, name)[self.slot]

    @property
    def household_id(self) -> int:
        return int(self._arr("household_id"))

    @property
    def occupied(self) -> bool:
        return bool(self._arr("occupied"))

    @property
    def hall_place(self) -> int:
        return int(self.model.layout.hall_places[self._arr("hall")])

    @property
    def building_id(self) -> int:
        return int(self._arr("building"))

    @property
    def fear(self) -> float:
        return float(self._arr("fear"))

    @property
    def feels_insecure(self) -> bool:
        return self.occupied and self.fear > 0.5

    @property
    def satisfaction(self) -> float:
        return float(self._arr("satisfaction"))

    @property
    def trust_landlord(self) -> float:
        return float(self._arr("trust_landlord"))

    @property
    def trust_police(self) -> float:
        return float(self._arr("trust_police"))

    @property
    def victimised_12m(self) -> bool:
        return self.occupied and self.model.day - int(self._arr("last_victim")) < 365

    def step(self) -> None:  # pragma: no cover - views are never stepped
        raise RuntimeError("households are updated in bulk by the model, not one by one")

    def __repr__(self) -> str:
        return (f"Household(slot={self.slot}, id={self.household_id}, hall={self.hall_place}, "
                f"fear={self.fear:.2f}, trust_landlord={self.trust_landlord:.2f})")
