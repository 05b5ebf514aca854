"""The estate's state, declared: every array and value that lives across days, by what it
describes.

- :class:`Static`: the layout and what follows from it and from the scenario, fixed for a run
  (places, halls, neighbourhood matrix, background rates, per-type tables);
- :class:`Places`: per-place state that moves day by day (disorder, attractiveness, memory of
  incidents; the first six are views on the Mesa grid's PropertyLayers);
- :class:`Halls`: per-hall state (residents' aggregates, responsiveness, trust, fear);
- :class:`tranqsim.households.Households`: per-dwelling arrays;
- :class:`Offenders`: the youth groups and dealing networks, and what they add up to;
- :class:`InForce`: the levers and what they set, recomputed on the days one starts or ends;
- :class:`Today`: the day's scratch, written by one stage of the day and read by later ones
  (and, after the day, by the UI and validation);
- :class:`Casework`: the tranquillity function's cases, lists and staff absences (issue 17),
  created by its stage on its first day;
- :class:`Output`: what is recorded.

This module sits below the mechanisms: it imports only data modules (layout, parameters,
households' arrays, the levers' modifiers), and the mechanism modules import it, never the
other way round (``tests/test_architecture.py``).

:class:`EstateState` bundles them with the run's parameters and random streams. Mechanism
functions take it (or the part they need) and the day; nothing below
:class:`tranqsim.model.EstateModel` sees the model. Field names are the model's attribute
names, so ``model.recent`` (read-only, for the UI and validation) and ``s.places.recent`` are the
same array.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Any

import mesa
import numpy as np
import scipy.sparse as sp

from tranqsim.config import Scenario
from tranqsim.estate import Layout
from tranqsim.households import Households
from tranqsim.incidents import Deterrence
from tranqsim.levers.base import Modifiers
from tranqsim.organisation import OrganisationFactors
from tranqsim.params import Parameters
from tranqsim.rng import Streams


@dataclass(slots=True)
class Static:
    """Fixed for a run: the layout, its derived indices and the per-type constants."""

    layout: Layout
    cells: list  # the Mesa grid's cell of each place (agents stand on them)
    n_places: int
    n_dwellings: int
    n_halls: int
    halls: np.ndarray  # (halls,) the halls' place ids
    hall_of_place: np.ndarray  # (places,) hall index, -1 for public places
    nearest_hall: np.ndarray  # (places,) the hall index nearest each place
    hall_start: np.ndarray  # (halls,) first dwelling slot of each hall
    W: sp.csr_matrix  # (places, places) neighbourhood weights (Moore, row-normalised)
    WT: sp.csr_matrix
    W_indptr: np.ndarray  # W's CSR arrays for the morning kernel (int64 / uint64)
    W_indices: np.ndarray
    public_mask: np.ndarray  # (places,) 1.0 for public places, 0.0 for halls
    litter: np.ndarray  # (places,) litter per day by place kind
    guard_beat: np.ndarray  # (places,) 1.0 where guards patrol (halls and car parks)
    hangout_places: np.ndarray  # halls and squares: where youth groups can gather
    hangout_hall_bonus: np.ndarray  # groups' preference for halls over squares
    background: np.ndarray  # (T, places) background rates
    bg_phase: np.ndarray  # (T, 3, places) float32, background times phase profile
    initial_risk: np.ndarray  # (places,) expected incidents at start (levers' placement)
    initial_deprived: float  # share of occupied dwellings deprived at start
    sens: np.ndarray  # (T, S) float32 sensitivity of each type to each source
    sens_ext: np.ndarray  # (T, S + 1) with the diffused staff deterrence
    g_split: Any  # how the guardianship product splits its rows (linalg.gemm_row_split)
    cctv_place_factor: np.ndarray  # (places,) cameras see more in car parks
    offender_types: np.ndarray
    nuisance_types: np.ndarray
    sens_med_nui: np.ndarray  # nuisance types' sensitivity to mediators
    group_types: np.ndarray
    displace_mask: np.ndarray  # (offender types, 1, places) where displaced offending lands
    deterrence: Deterrence  # the day's deterrence and displacement (with its work buffers)
    host_rate: np.ndarray  # (T,) what a group adds per unit of activity
    deal_rate: np.ndarray  # (T, 3) what a dealing point adds per unit of strength
    comp_amount: np.ndarray  # (T,) disorder an incident deposits
    repair_cost: np.ndarray  # (T,) repair cost of an incident
    trust_l0: float  # the territory's initial trust (log-odds), landlord and police
    trust_p0: float
    fear_offset: float  # the estate's fear log-odds beyond fear_base (context's population)
    rent: float  # monthly rent (vacancy cost)
    cost_keys: list[str]  # the cost table's columns: levers, then event costs
    cost_index: dict[str, int]


@dataclass(slots=True)
class Places:
    """Per-place state across days. The first six are the grid's PropertyLayers (views)."""

    disorder: np.ndarray
    attractiveness: np.ndarray
    surveillance: np.ndarray
    guardianship: np.ndarray
    fear: np.ndarray
    status: np.ndarray  # hall status (HallStatus) at halls, -1 elsewhere
    dis_comp: np.ndarray  # (DisorderComponent, places)
    recent: np.ndarray  # EMA of daily incidents (30 days): what hot-spot patrols target
    status_score: np.ndarray  # EMA of severity-weighted incidents (60 days)
    ring: np.ndarray  # (365, places) daily incident counts, a ring over the last year
    incidents_12m: np.ndarray
    raids: np.ndarray  # tomorrow's ZSP raids
    dealing: np.ndarray  # dealing strength per place (the day's, read next morning)
    # --- mechs (issue 16): state of the failure and adaptation mechanisms, created by the
    # guardians stage on its first day (None until then, so the model's build need not know them)
    equipment_up: np.ndarray | None = None  # (places,) expected share of equipment in service
    police_exposure: np.ndarray | None = None  # (places,) EMA of daily police visits


@dataclass(slots=True)
class Halls:
    """Per-hall state across days."""

    hall_reassure: np.ndarray  # EMA of reassuring presence (30 days)
    hall_community: np.ndarray  # EMA of community-policing visits (60 days)
    hall_heavy: np.ndarray  # EMA of heavy-handed operations (60 days)
    resp_landlord: np.ndarray  # residents' view of responsiveness (moving averages)
    resp_police: np.ndarray
    ce: np.ndarray  # collective efficacy
    stab_h: np.ndarray  # residential stability (weekly)
    hall_occ: np.ndarray  # occupancy
    hall_sat: np.ndarray | None  # weekly targets (log-odds); None until the first day
    hall_tl: np.ndarray | None
    hall_tp: np.ndarray | None
    hall_fear_logit: np.ndarray  # fear target (log-odds)
    hall_trust_l: np.ndarray  # trust that reporting uses
    hall_trust_p: np.ndarray


@dataclass(slots=True)
class Offenders:
    group_list: list  # YouthGroup agents
    network_list: list  # DealingNetwork agents
    reemergence_day: list[tuple[int, int]]  # (day, market place): dismantled points re-open there
    group_home_util: tuple | None = None  # groups' territorial bonus, cached
    tension: float = 0.0  # the day's tension (groups' mean + heavy-handed operations)


@dataclass(slots=True)
class InForce:
    """The levers and what they set (recomputed on the days one starts or ends)."""

    levers: list  # tranqsim.levers.Lever instances (the levers read the state: not imported)
    org: OrganisationFactors
    landlord_handler: int  # who answers nuisance reports (Handler)
    change_days: list[int]
    mods: Modifiers
    staff: dict  # agent class -> list of agents on the ground
    g_static: np.ndarray  # (DIFFUSED + 1, 3, places) float32 static guardianship
    keep: np.ndarray  # (DisorderComponent, places) share of each component kept per day
    caretaker_cov: np.ndarray  # (places,) caretakers' daytime presence
    cov_halls: np.ndarray
    cost_rate: np.ndarray  # running cost per day per cost key
    public_rate: float = 0.0  # public (State) cost per day
    police_crews: float = 0.0
    crew_visit_scale: float = 0.0


@dataclass(slots=True)
class Today:
    """The day's scratch: written by one stage, read by later ones (and after the day)."""

    med: np.ndarray  # (3, places) mediators' visits
    guard: np.ndarray  # (3, places) guards' visits
    police_today: np.ndarray  # (3, places) police visits
    g: np.ndarray  # (DIFFUSED + 1, 3, places) guardianship per source
    nbr: np.ndarray  # (places, Neighbour) neighbourhood means, morning values
    nbr_in: np.ndarray  # the product's inputs
    evening_guard: np.ndarray  # (places,) evening guardianship groups avoid
    n_occ: int = 0
    n_dep: int = 0
    dep: float = 1.0  # deprivation multiplier
    lam_today: np.ndarray | None = None  # (T, 3, places) final intensities
    dis_eff: np.ndarray | None = None  # (places,) effective disorder (contagion)
    ts: np.ndarray | None = None  # the day's incidents: types, phases, places
    hs: np.ndarray | None = None
    ps: np.ndarray | None = None
    day_type_counts: np.ndarray | None = None
    day_reported: int = 0
    day_handled: int = 0
    victims_today: int = 0
    day_repair_cost: float = 0.0
    day_evict_cost: float = 0.0
    occ_float: np.ndarray | None = None
    # --- mechs (issue 16): whether monitored cameras are watched today (an unfilled post:
    # they only record), read by the consequences stage
    cctv_watched: bool = True


@dataclass(slots=True)
class Casework:
    """The tranquillity function as a process (:mod:`tranqsim.tranquillity_function`): what
    lives across days, and the day's figures the recorder reads."""

    capacity: float  # cases a day the function handles (organisation, training)
    backlog: np.ndarray  # (halls,) cases waiting, per hall (fluid counts)
    flagged_since: np.ndarray  # (halls,) day the hall turned orange/red, undiagnosed (NEVER: none)
    listed_until: np.ndarray  # (halls,) last day a diagnosed hall stays on the function's list
    warned: np.ndarray  # (dwellings,) day a disruptive household was warned (NEVER: not)
    absent: np.ndarray  # (caretakers,) outstanding days of sick leave after aggressions
    sector_of_hall: np.ndarray  # (halls,) the caretaker in charge of each hall; -1 none
    withdrawn_until: np.ndarray  # (halls,) last day staff withdraw from the hall (right of withdrawal)
    presence: np.ndarray  # (places,) float32 share of caretakers' daytime presence left
    factors: Any  # the day's OrganisationFactors (implementation quality)
    key: Any  # the counter-based stream "casework" (np.uint64: diagnoses, answers to warnings)
    consts: tuple  # the kernel's parameters
    out: np.ndarray  # the kernel's day figures (positions in tranquillity_function)
    diag: np.ndarray  # (halls,) diagnosed today
    warn_at: np.ndarray  # (halls,) warnings given today
    withdrew: np.ndarray  # (halls,) staff withdrew today (right of withdrawal)
    police_hint: np.ndarray | None = None  # (places,) what crews target when lists are shared
    mediator_hint: np.ndarray | None = None  # (places,) mediators' round weights, dedicated
    presence_full: bool = True  # no caretaker presence lost today (guardians skip the scaling)
    impl_key: tuple = ()  # what the day's factors were computed from (recomputed on change)
    sectors_for: int = -1  # the lever change the sectors were read at
    closed_ema: float = 0.0  # cases closed a day (30-day EMA): Little's law for the delay
    overload: float = 0.0
    # the day's figures (recorded by metrics.Recorder)
    opened: float = 0.0
    closed: float = 0.0
    abandoned: float = 0.0
    delay: float = 0.0
    diagnosed_30: int = 0
    overdue_30: int = 0
    days_lost: float = 0.0
    warnings: int = 0
    procedures: int = 0
    day_cost: float = 0.0
    zsp_input: float = 0.0  # landlord's input to the ZSP cell today (0-1)
    zsp_closures: int = 0  # dealing points closed by prosecution today
    # the function's actions for the UI's log, from day 0: (day, kind, place, count)
    log: list = field(default_factory=list)


@dataclass(slots=True)
class Output:
    recorder: Any  # tranqsim.metrics.Recorder (metrics reads the state: not imported here)
    events: list = field(default_factory=list)  # the event log, one tuple per day
    log_events: bool = True
    lever_changes: list[int] = field(default_factory=list)  # days the levers were applied


@dataclass(slots=True)
class EstateState:
    p: Parameters
    spec: Scenario
    streams: Streams
    keys: dict  # counter-based streams' keys (tranqsim.rng)
    days_total: int
    registry: mesa.Model  # the Mesa model the agents register with (agents only)
    static: Static
    places: Places
    halls: Halls
    households: Households
    offenders: Offenders
    in_force: InForce
    today: Today
    output: Output
    casework: Casework | None = None  # created by the tranquillity_function stage (issue 17)


# which part of the state holds each field (the model's read-only attribute view)
PARTS = ("static", "places", "halls", "offenders", "in_force", "today", "output")


def field_owner() -> dict[str, str]:
    """Field name -> the part of :class:`EstateState` that holds it ('' for the state itself)."""
    out = {f.name: "" for f in fields(EstateState) if f.name not in PARTS}
    for part, cls in zip(PARTS, (Static, Places, Halls, Offenders, InForce, Today, Output)):
        for f in fields(cls):
            assert f.name not in out, f"field {f.name} declared twice"
            out[f.name] = part
    return out
