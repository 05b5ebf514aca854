"""The estate model: one step is one day, in three phases (day 06-18h, evening 18-24h, night).

The model owns the estate's state (:class:`tranqsim.state.EstateState`: the static layout,
places, halls, households, offenders, levers in force, the day's scratch) and runs the day as
the ordered list of stages in :mod:`tranqsim.schedule` (the ODD's process overview lists the
same stages in the same order). Mechanism modules take the state, never the model.

Per-place state lives in the grid's PropertyLayers (flattened views), per-household state in
:class:`tranqsim.households.Households` arrays; random draws come from named streams.
"""

from __future__ import annotations

import math
from dataclasses import fields
from types import SimpleNamespace

import mesa
import numpy as np
from mesa.discrete_space import OrthogonalMooreGrid

from tranqsim.actors import (Caretaker, NightMediator, PoliceUnit, SecurityGuard,
                             TranquillityOfficer, mediation_targets, staff_count)
from tranqsim.config import Scenario
from tranqsim.estate import build_layout, nearest_halls
from tranqsim.household_view import Household
from tranqsim.households import Households
from tranqsim.incidents import (GROUP_PROFILE, H_LANDLORD, H_OFFICER, TABLE, Deterrence, S, T,
                                background_rates)
from tranqsim.levers import REGISTRY, Modifiers
from tranqsim.linalg import gemm_row_split
from tranqsim.metrics import Recorder
from tranqsim.offenders import DealingNetwork, YouthGroup, quietest_hall
from tranqsim.organisation import FACTORS
from tranqsim.params import Parameters
from tranqsim.rng import Streams
from tranqsim.schedule import DAY_STAGES
from tranqsim.space import cells_at, create_layer
from tranqsim.state import (EstateState, Halls, InForce, Offenders, Output, Places, Static, Today,
                            field_owner)
from tranqsim.vocabulary import DIFFUSED, STAFF_SOURCES, HallStatus, IncidentType as I, Neighbour, PlaceKind, Source

# "casework": the tranquillity function's diagnoses and tenancy procedures, charged as they
# happen (event-driven, like repairs: not known before the run, unlike the function's posts)
EVENT_COST_KEYS = ("repairs", "vacancy", "squats", "evictions", "organisation", "casework")
_OWNER = field_owner()


def _part(cls, ns: SimpleNamespace):
    """An instance of the state part ``cls`` from the namespace's values of its fields (fields
    with a default may be absent)."""
    return cls(**{f.name: getattr(ns, f.name) for f in fields(cls) if hasattr(ns, f.name)})


def _complete_victim_memory(hh: Households, days: int, n_halls: int, rng: np.random.Generator) -> None:
    """After a spin-up of ``days`` < 365 days, the 12-month victimisation memory holds only
    ``days`` days: each household not victimised during the spin-up is marked victimised at
    a uniform day of the missing part of the year, with the probability its hall's spin-up
    rate (shrunk toward the estate's, 20 households' weight) gives over that part."""
    if days >= 365:
        return
    occ = hh.occupied
    hit = occ & (hh.last_victim >= -days)
    n_occ = np.bincount(hh.hall, weights=occ, minlength=n_halls)
    n_hit = np.bincount(hh.hall, weights=hit, minlength=n_halls)
    r_est = hit.sum() / max(occ.sum(), 1)
    r = (n_hit + 20 * r_est) / (n_occ + 20)  # per household, over the spin-up
    q = 1 - (1 - np.minimum(r, 0.999)) ** ((365 - days) / days)
    u, when = rng.random(hh.n), rng.integers(days + 1, 365, hh.n)  # one each per slot (CRN)
    new = occ & ~hit & (u < q[hh.hall])
    hh.last_victim[new] = -when[new]


class EstateModel(mesa.Model):
    """A social-housing estate under a tranquillity strategy. Build from a validated Scenario.

    The estate's state is ``self.state`` (:class:`tranqsim.state.EstateState`). The state's
    fields also read as the model's attributes (``model.recent`` is ``state.places.recent``),
    for the UI, validation and tests; they are not set on the model.
    """

    def __init__(self, scenario: Scenario):
        streams = Streams(scenario.run.seed)
        # the counter-based streams' keys (see tranqsim.rng): incidents, reports, tenancies,
        # the youth groups' evening choice
        keys = {name: np.uint64(streams.key(name)) for name in ("incidents", "reporting", "mobility", "youth")}
        super().__init__(rng=streams["mesa"])
        self.day = 0
        self.household_views: list[Household] = []  # read-only agent views (built with the state)
        self.state = self._build(scenario, streams, keys)
        for lev in self.state.in_force.levers:
            lev.setup(self.state)
        self._spin_up(int(round(self.state.p.spinup_days)))

    def _spin_up(self, days: int) -> None:
        """Bring the estate to its stationary state before day 0 (ODD section 5): ``days``
        unreported days under the scenario's day-0 levers, then the households drawn from the
        stationary population (:meth:`Households.settle_stationary`).

        The spin-up runs the day's stages on the days ``-days .. -1``: the fast variables --
        disorder (settles in ~30 days), the incident memory, hall status, reassurance and
        community-policing memories (30-60 days), groups and dealing points -- reach their
        level under the day-0 levers; lever windows keep their meaning (they start on the
        first reported day, day 0), nothing is recorded (series, costs, event log). The
        victimisation memory (12 months) is completed from the spin-up's own rate by hall.
        Then the slow variable, the households' composition (who stays: turnover selects
        against the fearful, the dissatisfied and those with means), is drawn from its
        stationary distribution, with fear, satisfaction and trust at their equilibrium.
        ``days = 0``: no spin-up (the raw initial state of the context file)."""
        if days <= 0:
            return
        from tranqsim.levers.in_force import apply_levers  # noqa: PLC0415 (import cycle)

        s = self.state
        apply_levers(s, 0)
        for d in range(-days, 0):
            self.day = d
            for stage in DAY_STAGES:
                if stage.name not in ("levers", "observation"):
                    stage.run(s, d)
        self.day = 0
        hh, hs, rng = s.households, s.halls, s.streams["steady_state"]
        _complete_victim_memory(hh, days, s.static.n_halls, rng)
        hh.settle_stationary(0, hs.hall_fear_logit, hs.hall_sat, hs.hall_tl, hs.hall_tp, rng)
        # the composition's deprived share is the one deprivation-driven offending refers to
        st = s.static
        st.initial_deprived = np.count_nonzero(hh.deprived & hh.occupied) / max(hh.occupied.sum(), 1)
        s.output.events.clear()
        s.output.lever_changes.clear()

    def _build(self, scenario: Scenario, streams: Streams, keys: dict) -> EstateState:
        """The state at day 0 (the levers' effects are applied by the day's first stage).

        Values go into a namespace ``b`` under their field names, then into the state's parts;
        the order of the random draws is the order of the code below."""
        b = SimpleNamespace()
        b.spec = scenario
        b.p = p = Parameters(scenario.parameters)
        ctx = scenario.context
        b.days_total = scenario.days

        # --- space -----------------------------------------------------------------
        e = ctx.estate
        b.layout = lay = build_layout(e.dwellings, e.dwellings_per_hall, e.halls_per_building,
                                      e.car_parks, e.squares, streams["layout"],
                                      buildings=e.buildings)
        self.grid = OrthogonalMooreGrid((lay.width, lay.height), torus=False, random=self.random)
        b.cells = cells_at(self.grid, lay.x, lay.y)
        b.n_places = P = lay.n_places
        b.n_dwellings = e.dwellings
        for name, default, dtype in (("disorder", 0.0, float), ("attractiveness", 0.0, float),
                                     ("surveillance", 0.0, float), ("guardianship", 0.0, float),
                                     ("fear", 0.0, float), ("status", -1, int)):
            arr = create_layer(self.grid, name, default, dtype)
            setattr(b, name, arr.reshape(-1))  # a view: place i == cell (x, y)
            assert np.shares_memory(getattr(b, name), arr)
        b.halls = lay.hall_places
        b.n_halls = H = b.halls.size
        b.hall_of_place = np.full(P, -1)
        b.hall_of_place[b.halls] = np.arange(H)
        # a k-d tree, not a places x halls matrix (which needed ~20 GiB at 50,000 dwellings)
        b.nearest_hall = nearest_halls(lay)  # hall index per place
        W = lay.neighbours
        b.WT = W.T.tocsr()
        b.public_mask = (lay.kind != PlaceKind.HALL).astype(float)
        b.nbr_in = np.zeros((P, len(Neighbour)))  # inputs of the day's neighbourhood product
        b.W = W
        # W's CSR arrays for the morning kernel (guardianship.morning): int64 row pointers and
        # unsigned column indices, which spare numba's negative-index check on every load
        b.W_indptr, b.W_indices = W.indptr.astype(np.int64), W.indices.astype(np.uint64)
        litter_by_kind = np.zeros(len(PlaceKind))
        litter_by_kind[[PlaceKind.HALL, PlaceKind.STREET, PlaceKind.CAR_PARK, PlaceKind.SQUARE]] = \
            [1.0, 0.3, 0.5, 0.5]
        b.litter = p.litter_per_day * ctx.offenders.pressure * litter_by_kind[lay.kind]
        # where guards patrol, as the float 0/1 weights the boolean mask multiplies into
        b.guard_beat = ((lay.kind == PlaceKind.HALL) | (lay.kind == PlaceKind.CAR_PARK)).astype(float)
        b.hangout_places = np.flatnonzero((lay.kind == PlaceKind.HALL) | (lay.kind == PlaceKind.SQUARE))
        # groups' preference for halls over squares (YouthGroup.deploy), as the float it adds
        b.hangout_hall_bonus = 0.3 * (lay.kind[b.hangout_places] == PlaceKind.HALL)
        b.group_home_util = None  # groups' territorial bonus, cached (YouthGroup.home_utility)
        b.status[b.halls] = HallStatus.GREEN

        # --- households --------------------------------------------------------------
        hall_of = np.repeat(np.arange(H), lay.dwellings_per_hall)
        b.hall_start = np.concatenate([[0], np.cumsum(lay.dwellings_per_hall)[:-1]])
        b.households = hh0 = Households(hall_of, lay.building[b.halls][hall_of], ctx, p,
                                        streams["population"], streams["newcomers"])
        self.household_views = [Household(self, i) for i in range(e.dwellings)]
        b.initial_deprived = np.count_nonzero(hh0.deprived & hh0.occupied) / max(hh0.occupied.sum(), 1)

        # --- disorder, attractiveness, memory of incidents ------------------------------
        init = streams["initial_state"]
        b.dis_comp = np.clip(ctx.initial.disorder / 3 * init.lognormal(0, 0.5, (3, P)), 0, 1)
        b.disorder[:] = np.clip(b.dis_comp.sum(0), 0, 1)
        b.recent = np.zeros(P)  # EMA of daily incidents (30 days)
        b.status_score = np.zeros(P)  # EMA of severity-weighted incidents (60 days)
        b.ring = np.zeros((365, P), np.int32)
        b.incidents_12m = np.zeros(P, np.int64)
        b.hall_reassure = np.full(H, 0.2)
        b.hall_community = np.zeros(H)
        b.hall_heavy = np.zeros(H)
        b.resp_landlord = np.full(H, 0.5)
        b.resp_police = np.full(H, 0.4)
        b.ce = np.full(H, 0.5)
        b.stab_h = np.full(H, 0.8)
        b.dep = 1.0
        b.hall_occ = np.ones(H)
        b.hall_sat = b.hall_tl = b.hall_tp = None  # weekly targets (residents.py)
        b.fear_offset = float(ctx.population.fear_offset)  # the estate's own, beyond fear_base
        b.hall_fear_logit = np.full(H, p.fear_base + b.fear_offset)
        b.hall_trust_l = np.full(H, ctx.population.trust_landlord)
        b.hall_trust_p = np.full(H, ctx.population.trust_police)
        logit = lambda q: math.log(max(q, 1e-3) / max(1 - q, 1e-3))  # noqa: E731
        b.trust_l0, b.trust_p0 = logit(ctx.population.trust_landlord), logit(ctx.population.trust_police)
        b.raids = np.zeros(P)
        b.dealing = np.zeros(P)
        b.caretaker_cov = np.zeros(P)
        b.tension = 0.0
        b.lever_changes = []

        # --- offenders ---------------------------------------------------------------
        b.background = background_rates(lay.kind, e.dwellings, ctx.offenders.pressure, p)
        if ctx.offenders.hot_spot_spread > 0:
            # buildings' lasting exposure (hot spots, Weisburd 2015): each place takes its
            # nearest hall's building's lognormal factor; the total is kept, so pressure keeps
            # its meaning and the spread only moves incidents between buildings. Its own
            # stream: without it (the shipped contexts) no other draw changes
            bld = lay.building[b.halls[b.nearest_hall]]
            z = streams["hot_spots"].standard_normal(int(bld.max()) + 1)
            f = np.exp(ctx.offenders.hot_spot_spread * z)[bld]
            b.background = b.background * f * (b.background.sum() / (b.background * f).sum())
        # the intensity tensor is float32: its exp() is 4x cheaper and Poisson rates need no more
        b.bg_phase = (TABLE.phase[:, :, None] * b.background[:, None, :]).astype(np.float32)
        oinit = streams["offenders_init"]
        n_groups = round(ctx.offenders.youth_groups_per_1000 * e.dwellings / 1000)
        b.group_list = [YouthGroup(self, b.cells[int(c)], int(c)) for c in oinit.choice(
            b.hangout_places, size=n_groups, replace=n_groups > b.hangout_places.size)]
        weight = b.disorder[b.halls] + 0.05
        k = min(ctx.offenders.dealing_points, H)
        b.network_list = [DealingNetwork(self, b.cells[int(c)], int(c)) for c in
                          oinit.choice(b.halls, size=k, replace=False, p=weight / weight.sum())]
        b.reemergence_day = []
        b.initial_risk = b.background.sum(0) * (1 + p.disorder_contagion * b.disorder)
        for n in list(b.network_list):
            b.initial_risk[n.place] += p.dealing_daily_rate
        for g in list(b.group_list):
            b.initial_risk[g.place] += p.group_evening_rate

        b.sens = sens = TABLE.sensitivity.astype(np.float32)
        # cameras see more of an enclosed car park, with few legitimate users, than of a hall
        # (Welsh & Farrington 2009: the CCTV effect is concentrated in car parks)
        b.cctv_place_factor = np.where(lay.kind == PlaceKind.CAR_PARK, p.cctv_car_park_factor, 1.0)
        # one extra "source" (DIFFUSED): staff deterrence felt from neighbouring places
        # (diffusion of benefits), weighted by the mean sensitivity of each type to staff
        b.sens_ext = np.concatenate(
            [sens, p.diffusion_weight * sens[:, STAFF_SOURCES].mean(1, keepdims=True)], axis=1)
        b.g_split = gemm_row_split(b.sens_ext, 3 * P)  # None: one BLAS call
        b.offender_types = np.flatnonzero(TABLE.offender_driven)
        b.nuisance_types = np.flatnonzero(TABLE.nuisance)
        b.sens_med_nui = np.ascontiguousarray(sens[b.nuisance_types, Source.MEDIATOR])
        b.group_types = np.flatnonzero(GROUP_PROFILE)
        # displaced offending lands only where its type can happen (no cellar crime in a street)
        possible = TABLE.kind_weight[:, lay.kind] > 0
        possible[I.DRUG_DEALING] = lay.kind == PlaceKind.HALL
        b.displace_mask = possible[b.offender_types][:, None, :].astype(np.float32)
        b.deterrence = Deterrence(sens, b.WT, p.displacement_share, b.displace_mask)
        # what a group (per unit of activity and phase) and a dealing point (per unit of
        # strength) add to each type's intensity (see intensities.add_offenders)
        b.host_rate, b.deal_rate = np.zeros(T), np.zeros((T, 3))
        b.host_rate[I.HALL_OCCUPATION] = p.group_evening_rate
        b.host_rate[GROUP_PROFILE > 0] = p.group_nuisance_rate
        ph = TABLE.phase[I.DRUG_DEALING]
        b.deal_rate[I.DRUG_DEALING], b.deal_rate[I.HALL_OCCUPATION] = p.dealing_daily_rate * ph, 0.5 * ph
        b.comp_amount = np.array([getattr(p, n) for n in TABLE.disorder_param])
        b.repair_cost = np.zeros(T)
        b.repair_cost[I.DEGRADATION] = p.cost_repair_degradation
        b.repair_cost[I.TAGS] = p.cost_repair_tag
        b.repair_cost[I.BULKY_WASTE] = p.cost_repair_waste
        b.repair_cost[I.URBAN_VIOLENCE] = p.cost_repair_urban_violence

        # --- levers (their effects: the day's first stage) -------------------------------
        strat = scenario.strategy
        b.org = FACTORS[strat.organisation]
        b.landlord_handler = H_OFFICER if strat.organisation == "dedicated" else H_LANDLORD
        b.staff = {cls: [] for cls in (Caretaker, NightMediator, SecurityGuard, PoliceUnit,
                                       TranquillityOfficer)}
        b.levers = [REGISTRY[name](cfg) for name, cfg in strat.levers if cfg is not None]
        b.change_days = sorted({0} | {lv.config.start for lv in b.levers}
                               | {lv.config.end for lv in b.levers if lv.config.end is not None})
        b.cost_keys = [lv.name for lv in b.levers] + list(EVENT_COST_KEYS)
        b.rent = e.rent_eur_month if e.rent_eur_month is not None else p.rent_eur_month
        b.cost_index = {k: i for i, k in enumerate(b.cost_keys)}
        b.mods = Modifiers()
        # set by the levers' stage on day 0 (the neutral values until then)
        b.g_static = np.zeros((DIFFUSED + 1, 3, P), np.float32)
        b.keep = np.ones((3, P))
        b.cov_halls = np.zeros(H)
        b.cost_rate = np.zeros(len(b.cost_keys))

        # --- the day's scratch, and what is recorded -----------------------------------
        b.med, b.guard, b.police_today = np.zeros((3, P)), np.zeros((3, P)), np.zeros((3, P))
        b.g = b.g_static.copy()
        b.nbr = np.zeros((P, len(Neighbour)))
        b.evening_guard = np.zeros(P)
        b.recorder = Recorder(b.days_total, b.cost_keys)
        assert S == DIFFUSED
        return EstateState(
            p=p, spec=scenario, streams=streams, keys=keys, days_total=b.days_total,
            registry=self, static=_part(Static, b), places=_part(Places, b), halls=_part(Halls, b),
            households=b.households, offenders=_part(Offenders, b), in_force=_part(InForce, b),
            today=_part(Today, b), output=_part(Output, b))

    def __getattr__(self, name: str):
        """The state's fields, read as the model's attributes (for the UI, validation, tests);
        called only for names that are not the model's own."""
        owner = _OWNER.get(name)
        state = self.__dict__.get("state")
        if owner is None or state is None:
            raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")
        return getattr(state if owner == "" else getattr(state, owner), name)

    # ------------------------------------------------------------------ agent sets
    @property
    def groups(self) -> list[YouthGroup]:
        return list(self.state.offenders.group_list)

    @property
    def networks(self) -> list[DealingNetwork]:
        return list(self.state.offenders.network_list)

    def staff_count(self) -> int:
        """Landlord-side staff on the ground (caretakers, mediators, guards, officers)."""
        return staff_count(self.state.in_force.staff)

    # ------------------------------------------------------------------ views for the UI
    def hotness(self) -> np.ndarray:
        """Recent incidents per place (30-day moving average): what hot-spot patrols target."""
        return self.state.places.recent

    def mediation_targets(self) -> np.ndarray:
        """Where night mediators' rounds go (see :func:`tranqsim.actors.mediation_targets`)."""
        return mediation_targets(self.state)

    def quietest_hall(self, exclude: int | None = None) -> int:
        """See :func:`tranqsim.offenders.quietest_hall` (draws from the "dealing" stream)."""
        return quietest_hall(self.state, exclude)

    # ------------------------------------------------------------------ the day
    def step(self) -> None:
        """One day: the stages of :data:`tranqsim.schedule.DAY_STAGES`, in order."""
        s, d = self.state, self.day
        for stage in DAY_STAGES:
            stage.run(s, d)
        self.day += 1

    def sync_cells(self) -> None:
        """Move the staff's Mesa cells to where they worked today (for the map, inspection)."""
        cells = self.state.static.cells
        for agents in self.state.in_force.staff.values():
            for a in agents:
                a.sync_cell(cells)
        for g in self.state.offenders.group_list:
            if g.cell is not cells[g.place]:
                g.cell = cells[g.place]

    def run(self, days: int | None = None, progress=None) -> None:
        """Advance the model ``days`` days (default: to the end of the scenario)."""
        n = self.state.days_total - self.day if days is None else days
        for _ in range(n):
            self.step()
            if progress is not None:
                progress(self.day)
        self.sync_cells()

