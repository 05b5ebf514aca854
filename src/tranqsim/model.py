"""The estate model: one step is one day, in three phases (day 06-18h, evening 18-24h, night).

Order of a day (``EstateModel.step``):

1. levers that start or end today change the modifiers (and the staff on the ground);
2. guardians deploy (caretakers, mediators' rounds, guards' patrols, police visits) and youth
   groups choose where to gather; residents' informal control comes from collective efficacy;
3. incident intensities are computed for every (phase, type, place) and incidents drawn
   (see :mod:`tranqsim.incidents` for the formula and its sources);
4. consequences: disorder left behind, near-repeat attractiveness, victims, witnesses,
   reporting, who handles it, arrests, repair costs;
5. disorder is cleaned and repaired; attractiveness decays and spreads;
6. households' fear, satisfaction and trust move; some move out, vacancies are relet or
   squatted, evictions complete; collective efficacy and hall status are updated;
7. costs and the day's metrics are recorded.

Per-place state lives in the grid's PropertyLayers (flattened views), per-household state in
:class:`tranqsim.households.Households` arrays; random draws come from named streams.
"""

from __future__ import annotations

import math

import mesa
import numpy as np
from mesa.discrete_space import OrthogonalMooreGrid

from tranqsim.actors import (Caretaker, NightMediator, PoliceUnit, SecurityGuard,
                             TranquillityOfficer)
from tranqsim import environment, intensities
from tranqsim.config import Scenario
from tranqsim.guardianship import morning
from tranqsim.estate import HallStatus, PlaceKind, build_layout
from tranqsim.households import Household, Households
from tranqsim.incidents import (EVENING, GROUP_PROFILE, H_LANDLORD, H_OFFICER, NIGHT,
                                STAFF_SOURCES, TABLE, Deterrence, IncidentType as I, S, T,
                                background_rates)
from tranqsim.incident_draw import draw
from tranqsim.levers import REGISTRY, Modifiers
from tranqsim.levers.in_force import apply_levers
from tranqsim.metrics import Recorder
from tranqsim.offenders import DealingNetwork, YouthGroup, update_offenders
from tranqsim.organisation import FACTORS
from tranqsim.params import Parameters
from tranqsim.residents import update_residents
from tranqsim.response import respond
from tranqsim.linalg import gemm_row_split, split_matmul
from tranqsim.rng import Streams
from tranqsim.vocabulary import Source

RESIDENT_PHASE = np.array([1.0, 0.8, 0.4])  # residents watch less at night
# police style: deterrence per visit
POLICE_STYLE_DETERRENCE = {"community": 0.8, "standard": 1.0, "order_maintenance": 1.3}
EVENT_COST_KEYS = ("repairs", "vacancy", "squats", "evictions", "organisation")
_NO_RESID = np.zeros(0, bool)  # (a kernel argument keeps one type: an empty array, not None)
_UV, _SA = int(I.URBAN_VIOLENCE), int(I.STAFF_AGGRESSION)
_NOISE, _DEGRADATION = int(I.NOISE_DISPUTE), int(I.DEGRADATION)

class EstateModel(mesa.Model):
    """A social-housing estate under a tranquillity strategy. Build from a validated Scenario."""

    def __init__(self, scenario: Scenario):
        self.streams = Streams(scenario.run.seed)
        # the counter-based streams' keys (see tranqsim.rng): incidents, reports, tenancies
        self.keys = {name: np.uint64(self.streams.key(name))
                     for name in ("incidents", "reporting", "mobility")}
        super().__init__(rng=self.streams["mesa"])
        self.spec = scenario
        self.p = p = Parameters(scenario.parameters)
        ctx = scenario.context
        self.day = 0
        self.days_total = scenario.days

        # --- space -----------------------------------------------------------------
        e = ctx.estate
        self.layout = lay = build_layout(e.dwellings, e.dwellings_per_hall, e.halls_per_building,
                                         e.car_parks, e.squares, self.streams["layout"])
        self.grid = OrthogonalMooreGrid((lay.width, lay.height), torus=False, random=self.random)
        self.cells = [self.grid._cells[(int(x), int(y))] for x, y in zip(lay.x, lay.y)]
        self.n_places = P = lay.n_places
        self.n_dwellings = e.dwellings
        for name, default, dtype in (("disorder", 0.0, float), ("attractiveness", 0.0, float),
                                     ("surveillance", 0.0, float), ("guardianship", 0.0, float),
                                     ("fear", 0.0, float), ("status", -1, int)):
            layer = self.grid.create_property_layer(name, default, dtype)
            setattr(self, name, layer.data.reshape(-1))  # a view: place i == cell (x, y)
            assert np.shares_memory(getattr(self, name), layer.data)
        self.halls = lay.hall_places
        self.n_halls = H = self.halls.size
        self.hall_of_place = np.full(P, -1)
        self.hall_of_place[self.halls] = np.arange(H)
        self.nearest_hall = self._nearest_halls()
        W = lay.neighbours
        self.WT = W.T.tocsr()
        self.public_mask = (lay.kind != PlaceKind.HALL).astype(float)
        self.nbr_in = np.zeros((P, 8))  # inputs of the day's neighbourhood product
        self.W = W
        # W's CSR arrays for the morning kernel (guardianship.morning): int64 row pointers and
        # unsigned column indices, which spare numba's negative-index check on every load
        self.W_indptr, self.W_indices = W.indptr.astype(np.int64), W.indices.astype(np.uint64)
        self.litter = p.litter_per_day * ctx.offenders.pressure * \
            np.array([1.0, 0.3, 0.5, 0.5])[lay.kind]  # hall, street, car park, square
        # where guards patrol, as the float 0/1 weights the boolean mask multiplies into
        self.guard_beat = ((lay.kind == PlaceKind.HALL) | (lay.kind == PlaceKind.CAR_PARK)).astype(float)
        self.hangout_places = np.flatnonzero((lay.kind == PlaceKind.HALL) | (lay.kind == PlaceKind.SQUARE))
        # groups' preference for halls over squares (YouthGroup.deploy), as the float it adds
        self.hangout_hall_bonus = 0.3 * (lay.kind[self.hangout_places] == PlaceKind.HALL)
        self.group_home_util = None  # groups' territorial bonus, cached (YouthGroup.home_utility)
        self.status[self.halls] = HallStatus.GREEN

        # --- households --------------------------------------------------------------
        hall_of = np.repeat(np.arange(H), lay.dwellings_per_hall)
        self.hall_start = np.concatenate([[0], np.cumsum(lay.dwellings_per_hall)[:-1]])
        self.households = Households(hall_of, lay.building[self.halls][hall_of], ctx, p,
                                     self.streams["population"], self.streams["newcomers"])
        self.household_views = [Household(self, i) for i in range(e.dwellings)]
        hh0 = self.households
        self.initial_deprived = np.count_nonzero(hh0.deprived & hh0.occupied) / max(hh0.occupied.sum(), 1)

        # --- disorder, attractiveness, memory of incidents ------------------------------
        init = self.streams["initial_state"]
        self.dis_comp = np.clip(ctx.initial.disorder / 3 * init.lognormal(0, 0.5, (3, P)), 0, 1)
        self.disorder[:] = np.clip(self.dis_comp.sum(0), 0, 1)
        self.recent = np.zeros(P)  # EMA of daily incidents (30 days)
        self.status_score = np.zeros(P)  # EMA of severity-weighted incidents (60 days)
        self.ring = np.zeros((365, P), np.int32)
        self.incidents_12m = np.zeros(P, np.int64)
        self.hall_reassure = np.full(H, 0.2)
        self.hall_community = np.zeros(H)
        self.hall_heavy = np.zeros(H)
        self.resp_landlord = np.full(H, 0.5)
        self.resp_police = np.full(H, 0.4)
        self.ce = np.full(H, 0.5)
        self.stab_h = np.full(H, 0.8)
        self.dep = 1.0
        self.hall_occ = np.ones(H)
        self.hall_sat = self.hall_tl = self.hall_tp = None  # weekly targets (residents.py)
        self.hall_fear_logit = np.full(H, p.fear_base)
        self.hall_trust_l = np.full(H, ctx.population.trust_landlord)
        self.hall_trust_p = np.full(H, ctx.population.trust_police)
        logit = lambda q: math.log(max(q, 1e-3) / max(1 - q, 1e-3))  # noqa: E731
        self.trust_l0, self.trust_p0 = logit(ctx.population.trust_landlord), logit(ctx.population.trust_police)
        self.raids = np.zeros(P)
        self.dealing = np.zeros(P)
        self.caretaker_cov = np.zeros(P)
        self.tension = 0.0
        self.lever_changes: list[int] = []

        # --- offenders ---------------------------------------------------------------
        self.background = background_rates(lay.kind, e.dwellings, ctx.offenders.pressure, p)
        # the intensity tensor is float32: its exp() is 4x cheaper and Poisson rates need no more
        self.bg_phase = (TABLE.phase[:, :, None] * self.background[:, None, :]).astype(np.float32)
        oinit = self.streams["offenders_init"]
        n_groups = round(ctx.offenders.youth_groups_per_1000 * e.dwellings / 1000)
        self.group_list = [YouthGroup(self, int(c)) for c in oinit.choice(
            self.hangout_places, size=n_groups, replace=n_groups > self.hangout_places.size)]
        weight = self.disorder[self.halls] + 0.05
        k = min(ctx.offenders.dealing_points, H)
        self.network_list = [DealingNetwork(self, int(c)) for c in
                             oinit.choice(self.halls, size=k, replace=False, p=weight / weight.sum())]
        self.reemergence_day: list[int] = []
        self.initial_risk = self.background.sum(0) * (1 + p.disorder_contagion * self.disorder)
        for n in self.networks:
            self.initial_risk[n.place] += p.dealing_daily_rate
        for g in self.groups:
            self.initial_risk[g.place] += p.group_evening_rate

        self.sens = TABLE.sensitivity.astype(np.float32)
        # cameras see more of an enclosed car park, with few legitimate users, than of a hall
        # (Welsh & Farrington 2009: the CCTV effect is concentrated in car parks)
        self.cctv_place_factor = np.where(self.layout.kind == PlaceKind.CAR_PARK, p.cctv_car_park_factor, 1.0)
        # one extra "source": staff deterrence felt from neighbouring places (diffusion of
        # benefits), weighted by the mean sensitivity of each type to staff
        self.sens_ext = np.concatenate(
            [self.sens, p.diffusion_weight * self.sens[:, STAFF_SOURCES].mean(1, keepdims=True)], axis=1)
        self.g_split = gemm_row_split(self.sens_ext, 3 * P)  # None: one BLAS call
        self.offender_types = np.flatnonzero(TABLE.offender_driven)
        self.nuisance_types = np.flatnonzero(TABLE.nuisance)
        self.sens_med_nui = np.ascontiguousarray(self.sens[self.nuisance_types, Source.MEDIATOR])
        self.group_types = np.flatnonzero(GROUP_PROFILE)
        # displaced offending lands only where its type can happen (no cellar crime in a street)
        possible = TABLE.kind_weight[:, lay.kind] > 0
        possible[I.DRUG_DEALING] = lay.kind == PlaceKind.HALL
        self.displace_mask = possible[self.offender_types][:, None, :].astype(np.float32)
        self.deterrence = Deterrence(self.sens, self.WT, p.displacement_share, self.displace_mask)
        # what a group (per unit of activity and phase) and a dealing point (per unit of
        # strength) add to each type's intensity (see intensities.add_offenders)
        self.host_rate, self.deal_rate = np.zeros(T), np.zeros((T, 3))
        self.host_rate[I.HALL_OCCUPATION], self.host_rate[GROUP_PROFILE > 0] = p.group_evening_rate, p.group_nuisance_rate
        ph = TABLE.phase[I.DRUG_DEALING]
        self.deal_rate[I.DRUG_DEALING], self.deal_rate[I.HALL_OCCUPATION] = p.dealing_daily_rate * ph, 0.5 * ph
        self.comp_amount = np.array([getattr(p, n) for n in TABLE.disorder_param])
        self.repair_cost = np.zeros(T)
        self.repair_cost[I.DEGRADATION] = p.cost_repair_degradation
        self.repair_cost[I.TAGS] = p.cost_repair_tag
        self.repair_cost[I.BULKY_WASTE] = p.cost_repair_waste
        self.repair_cost[I.URBAN_VIOLENCE] = p.cost_repair_urban_violence

        # --- levers --------------------------------------------------------------------
        strat = scenario.strategy
        self.org = FACTORS[strat.organisation]
        self.landlord_handler = H_OFFICER if strat.organisation == "dedicated" else H_LANDLORD
        self.staff = {cls: [] for cls in (Caretaker, NightMediator, SecurityGuard, PoliceUnit,
                                          TranquillityOfficer)}
        self.levers = [REGISTRY[name](cfg) for name, cfg in strat.levers if cfg is not None]
        for lev in self.levers:
            lev.setup(self)
        self.change_days = sorted({0} | {lv.config.start for lv in self.levers}
                                  | {lv.config.end for lv in self.levers if lv.config.end is not None})
        self.cost_keys = [lv.name for lv in self.levers] + list(EVENT_COST_KEYS)
        self.rent = e.rent_eur_month if e.rent_eur_month is not None else p.rent_eur_month
        self.cost_index = {k: i for i, k in enumerate(self.cost_keys)}
        self.mods = Modifiers()
        self.recorder = Recorder(self)
        self.events: list[tuple[np.ndarray, ...]] = []
        self.log_events = True

    # ------------------------------------------------------------------ agent sets
    @property
    def groups(self) -> list[YouthGroup]:
        return list(self.group_list)

    @property
    def networks(self) -> list[DealingNetwork]:
        return list(self.network_list)

    def staff_count(self) -> int:
        """Landlord-side staff on the ground (caretakers, mediators, guards, officers)."""
        return sum(len(self.staff[c]) for c in (Caretaker, NightMediator, SecurityGuard,
                                                  TranquillityOfficer))

    # ------------------------------------------------------------------ helpers used by agents
    def hotness(self) -> np.ndarray:
        """Recent incidents per place (30-day moving average): what hot-spot patrols target."""
        return self.recent

    def mediation_targets(self) -> np.ndarray:
        w = np.zeros(self.n_places)
        w[self.hangout_places] = 0.02 + self.recent[self.hangout_places]
        return w

    def quietest_hall(self, exclude: int | None = None) -> int:
        """Where a displaced or re-emerging dealing point goes: a disordered, unguarded hall."""
        score = self.disorder[self.halls] - self.guardianship[self.halls] + \
            0.1 * self.streams["dealing"].random(self.n_halls)
        if exclude is not None:
            score[self.hall_of_place[exclude]] = -np.inf
        return int(self.halls[np.argmax(score)])

    def _nearest_halls(self) -> np.ndarray:
        lay = self.layout
        x, y = lay.x.astype(np.int32), lay.y.astype(np.int32)  # exact, and 4x faster than int64
        hx, hy = x[lay.hall_places], y[lay.hall_places]
        d = np.abs(x[:, None] - hx[None, :])
        d += np.abs(y[:, None] - hy[None, :])
        return np.argmin(d, axis=1)  # hall index per place

    # ------------------------------------------------------------------ levers
    def _apply_levers(self) -> None:
        """Recompute modifiers from the active levers and reconcile staff on the ground."""
        apply_levers(self)

    # ------------------------------------------------------------------ the day
    def step(self) -> None:
        d, p, P = self.day, self.p, self.n_places
        if d in self.change_days:
            self._apply_levers()
        mods, hh = self.mods, self.households
        T_, staff_of = T, self.staff

        # 2. guardians and offenders take their places -------------------------------------
        med = NightMediator.deploy(self, staff_of[NightMediator], mods.mediator_night_shift)
        guard = SecurityGuard.deploy(self, staff_of[SecurityGuard])
        pol = PoliceUnit.deploy(self, staff_of[PoliceUnit], mods.police_mode, mods.zsp_zone)
        self.police_today = pol  # (3, P) visits: read by validation (C6) and the UI
        style = mods.police_style
        # guardianship per (source, phase, place), the places' guardianship layer and the day's
        # neighbourhood quantities (one sparse product, morning values): see guardianship.py
        sat = p.police_saturation_visits
        g, nb, evening_guard, n_occ, n_dep = morning(
            self.g_static, med, guard, pol, p.g_mediator, p.g_guard, float(sat) if sat else 0.0,
            p.g_police * POLICE_STYLE_DETERRENCE[style], self.disorder, self.attractiveness,
            self.halls, self.ce, self.recent, self.dealing, self.nbr_in, self.W_indptr,
            self.W_indices, self.W.data, _NO_RESID if mods.residentialised is None else mods.residentialised,
            mods.residentialised is not None,
            p.g_residents, RESIDENT_PHASE, p.diffusion_weight, hh.occupied, hh.deprived,
            self.guardianship)
        self.nbr = nb
        groups = self.group_list
        YouthGroup.deploy(self, groups, evening_guard)  # by area

        # 3. intensities lam[t, h, p] -------------------------------------------------------
        G = split_matmul(self.sens_ext, g.reshape(S + 1, 3 * P), self.g_split).reshape(T_, 3, P)
        self.dep = dep = 1 + p.deprivation_offending * (n_dep / max(n_occ, 1) - self.initial_deprived)
        # background x deprivation x contagion x (saturating) attractiveness
        lam, dis_eff = intensities.base(self.bg_phase, self.disorder, nb, self.attractiveness,
                                        p.attract_max, dep, p.disorder_contagion, p.attractiveness_gain)
        # offenders present: groups, dealing points, squats, disruptive households
        host = np.zeros((3, P))
        for grp in groups:
            host[EVENING, grp.place] += grp.activity
            host[NIGHT, grp.place] += 0.4 * grp.activity
        deal = np.zeros(P)
        for n in self.network_list:
            deal[n.place] += n.strength
        self.dealing = deal
        # group_evening_rate (hall occupation), group_nuisance_rate (noise, tags, degradation,
        # incivility) * host; dealing_daily_rate * phase (dealing), 0.5 * phase (occupation)
        intensities.add_offenders(lam, host, self.host_rate, deal, self.deal_rate)
        noise_rate = 0.02 * (0.5 if mods.dispute_mediation else 1.0) * (0.7 if mods.eviction else 1.0)
        intensities.add_households(lam, _NOISE, TABLE.phase[I.NOISE_DISPUTE], _DEGRADATION,
                                   TABLE.phase[I.DEGRADATION], self.halls, hh.hall, hh.disruptive,
                                   hh.occupied, hh.squatted, hh.n_squatted != 0, noise_rate)
        # deterrence: residents' informal control, then staff, police and technical guardians;
        # what the latter deter partly moves next door (displacement; see incidents.Deterrence)
        back, back_on = None, not mods.mediator_night_shift and mods.mediator_posts
        res_off, res_nui = self.deterrence.residents(lam, g[Source.RESIDENTS], back_on)
        self.deterrence.guardians(lam, G)  # G now holds exp(-G)
        if back_on:
            # nuisance deterred by the evening rounds partly resumes after the shift: the part of
            # lam_res removed by the mediators' term alone, bounded by what was there to deter
            back = self.deterrence.resumed(lam, self.sens_med_nui, p.g_mediator, med, res_nui)
        self.deterrence.displace(lam, res_off)
        if back is not None:
            self.deterrence.resume(lam, back, p.time_displacement_share)
        # urban violence from accumulated tension; aggressions against staff from contacts
        tension = (sum(grp.tension for grp in groups) / len(groups) if groups else 0.0) \
            + 0.3 * float(self.hall_heavy.sum()) / self.n_halls
        self.tension = tension
        uv_total = p.urban_violence_rate * self.n_dwellings / 1000 / 365 * dep * \
            math.exp(p.urban_violence_tension_gain * (tension - 0.1))  # 0.1: tension at rest
        w_uv = self.public_mask * (1 + self.attractiveness)
        # G now holds exp(-G)
        intensities.add_late_types(
            lam, _UV, TABLE.phase[I.URBAN_VIOLENCE], uv_total / w_uv.sum(), w_uv,
            G[I.URBAN_VIOLENCE], _SA, self.org.aggression, med, guard,
            self.caretaker_cov, p.staff_aggression_rate * (1 + 2 * tension), host, deal,
            p.staff_reminder_rate)

        # 4. incidents and their consequences ----------------------------------------------
        self.lam_today = lam  # (T, 3, P) final intensities: read by validation (C7)
        ts, hs, ps = draw(lam, self.keys["incidents"], d)
        respond(self, d, hs, ts, ps, pol, med, guard)

        # 5. disorder is cleaned and repaired; attractiveness decays and spreads -----------
        environment.evening(self.dis_comp, self.litter, p.disorder_contagion, dis_eff, self.keep,
                            self.disorder, self.attractiveness, nb, p.attract_spread,
                            p.attract_decay)

        # 6. residents, offenders; 7. costs and metrics --------------------------------------
        update_residents(self, d, med, pol, guard, style)
        update_offenders(self, d, pol, guard, med, style)
        self.recorder.record(self)
        self.day += 1

    def sync_cells(self) -> None:
        """Move the staff's Mesa cells to where they worked today (for the map, inspection)."""
        for agents in self.staff.values():
            for a in agents:
                a.sync_cell()
        for g in self.group_list:
            if g.cell is not self.cells[g.place]:
                g.cell = self.cells[g.place]

    def run(self, days: int | None = None, progress=None) -> None:
        """Advance the model ``days`` days (default: to the end of the scenario)."""
        n = self.days_total - self.day if days is None else days
        for _ in range(n):
            self.step()
            if progress is not None:
                progress(self.day)
        self.sync_cells()
