"""The landlord's staff, mediators, police and guards: few, mobile, ordinary Mesa agents.

Each type deploys all its agents for the day in one vectorised draw (``deploy``), returning
where its presence falls per phase (``(3, places)`` array of visits). The agents' cells are
moved to where they are so that the map and inspection show them; their deterrence, reassurance
and handling act through the model's presence arrays.

- :class:`Caretaker` (*gardien*): a fixed sector of halls, covered every day (06-18h).
- :class:`NightMediator` (*correspondant de nuit*): pairs, evening rounds (and night if asked)
  of the halls and squares with recent nuisance.
- :class:`SecurityGuard`: pairs, night patrols of halls and car parks.
- :class:`PoliceUnit`: a patrol crew; random visits or hot-spot visits; ZSP crews patrol their zone.
- :class:`TranquillityOfficer` (*chargé de mission tranquillité*): at the landlord's office;
  acts through complaint handling and partnership (organisation factors), not patrols.

A deployment was a few dozen numpy calls on arrays of a few hundred to a few thousand places,
and the calls, more than the arithmetic, were its cost. The weights, the Gumbel keys, the
cumulative weights, the search and the counts run in compiled kernels (:mod:`tranqsim.jit`)
with numpy's operations in its order and dtypes. Numpy calls remain: the random draws, in the
same shapes and order; ``np.argpartition``, whose order of the k places it returns is its
implementation's and sets where each pair stands; and the hot-spot weights' pairwise sum and
power.
"""

from __future__ import annotations

import functools
from typing import ClassVar

import mesa
import numpy as np
from mesa.discrete_space import CellAgent

from tranqsim.incidents import EVENING, NIGHT
from tranqsim.jit import njit
from tranqsim.state import EstateState
from tranqsim.vocabulary import PlaceKind


def _gumbel_top_k(rng: np.random.Generator, weights: np.ndarray, n_pos: int, teams: int,
                  k: int) -> np.ndarray:
    """(teams, k) places sampled without replacement per team, proportional to ``weights``
    (``n_pos`` of them > 0): the k smallest of minus the keys log(w) - log(-log(u))."""
    k = min(k, n_pos)
    if teams == 0 or k == 0:
        return np.empty((teams, 0), np.int64)
    u = rng.random((teams, weights.size))
    # np.argpartition stays numpy's: the order of the k (the first is where a pair stands) is
    # its implementation's: sorted by key with this x86 build's SIMD selection, in another order
    # by the introselect of builds without it; a kernel would have to copy one of them
    return np.argpartition(_neg_gumbel_keys(u, weights), k - 1, axis=1)[:, :k]


@njit(contiguous=True)
def _neg_gumbel_keys(u, w):  # pragma: no cover - compiled
    """Minus the keys, ``-(log(w) - log(-log(u)))``, (teams, places): +inf wherever w > 0 is
    false, whatever u, so the logs are taken only where w > 0 (often a third of the places).
    numpy's operations in its order: log(w) once per place, log(u), negated, log."""
    teams, n = u.shape
    out = np.empty((teams, n))
    lw = np.empty(n)
    for j in range(n):
        lw[j] = np.log(w[j]) if w[j] > 0 else 0.0
    for r in range(teams):
        for j in range(n):
            if w[j] > 0:
                out[r, j] = -(lw[j] - np.log(-np.log(u[r, j])))
            else:
                out[r, j] = np.inf
    return out


@njit
def _mediation_weights(recent, hangout, n_places):  # pragma: no cover - compiled
    """:func:`mediation_targets` (0.02 + recent incidents at halls and squares, 0 elsewhere;
    the test checks they stay equal) and how many are > 0."""
    w = np.zeros(n_places)
    for j in hangout:
        w[j] = 0.02 + recent[j]
    return w, _count_positive(w)


@njit
def _guard_weights(beat, hot):  # pragma: no cover - compiled
    """``beat * (0.05 + hot)`` (halls and car parks: beat 1.0, else 0.0) and how many are > 0."""
    w = np.empty(hot.size)
    for j in range(hot.size):
        w[j] = beat[j] * (0.05 + hot[j])
    return w, _count_positive(w)


@njit
def _count_positive(w):  # pragma: no cover - compiled
    n = 0
    for j in range(w.size):
        if w[j] > 0:
            n += 1
    return n


@njit
def _tally_rounds(visits, phases, n_places):  # pragma: no cover - compiled
    """(3, places) visits in each of ``phases``: ``np.bincount(visits.ravel())`` added to zeros
    (integer counts: adding ones gives the same floats)."""
    out = np.zeros((3, n_places))
    for r in range(visits.shape[0]):
        for c in range(visits.shape[1]):
            v = visits[r, c]
            for ph in phases:
                out[ph, v] += 1.0
    return out


class Staff(CellAgent):
    """Base for the guardians: a role name and where the agent is today.

    Moving a Mesa agent between cells costs tens of microseconds, more than the rest of a
    patrol's day; so ``stand_on`` records the place and the cells follow on demand
    (:meth:`tranqsim.model.EstateModel.sync_cells`, called by the UI and at the end of a run).
    """

    role: ClassVar[str] = "staff"
    label_fr: ClassVar[str] = ""
    label_en: ClassVar[str] = ""
    place: int = -1

    def stand_on(self, place: int) -> None:
        self.place = place

    def sync_cell(self, cells: list) -> None:
        """Move the Mesa cell to where the agent is (``cells``: the grid's cell of each place)."""
        if self.place >= 0 and (self.cell is None or self.cell is not cells[self.place]):
            self.cell = cells[self.place]

    def step(self) -> None:  # pragma: no cover - deployed by type, not one by one
        raise RuntimeError(f"{type(self).__name__} agents are deployed by {type(self).__name__}.deploy")


class Caretaker(Staff):
    role, label_fr, label_en = "caretaker", "gardien", "caretaker"

    def __init__(self, model: mesa.Model, sector: np.ndarray):
        super().__init__(model)
        self.sector = sector  # place ids of the halls in its care
        self.stand_on(int(sector[0]))

    @staticmethod
    def sectors(hall_places: np.ndarray, posts: int) -> list[np.ndarray]:
        """One sector of consecutive halls per post; with more posts than halls, posts share."""
        if posts <= 0:
            return []
        parts = np.array_split(hall_places, min(posts, hall_places.size))
        return [parts[i % len(parts)] for i in range(posts)]

    @classmethod
    def coverage(cls, s: EstateState, agents) -> np.ndarray:
        """(places,) daytime presence, 0..1.5: it grows with the posts per hall and saturates
        (``1.5 * (1 - exp(-capacity * posts per hall))``: the legal minimum gives ~0.95, more
        posts a little more); forecourts (public neighbours of covered halls) get about half."""
        density = np.zeros(s.static.n_places)
        for a in agents:
            density[a.sector] += 1.0 / a.sector.size
        cov = 1.5 * (1 - np.exp(-s.p.halls_per_caretaker_capacity * density))
        around = s.static.layout.neighbours @ cov
        public = s.static.layout.kind != PlaceKind.HALL
        cov[public] = np.minimum(1.0, 0.5 * 8 / 3 * around[public])  # ~3 of 8 neighbours are halls
        return np.minimum(cov, 1.5)


class NightMediator(Staff):
    role, label_fr, label_en = "mediator", "correspondant de nuit", "night mediator"
    visits_per_round: ClassVar[int] = 8

    @classmethod
    def deploy(cls, s: EstateState, agents, night_shift: bool, hint: np.ndarray | None = None) -> np.ndarray:
        """Rounds at hangouts weighted by recent incidents; ``hint``: the same with the halls a
        dedicated tranquillity function has listed weighted up (issue 17)."""
        if not agents:
            return np.zeros((3, s.static.n_places))
        w, n_pos = _mediation_weights(s.places.recent if hint is None else hint,
                                      s.static.hangout_places, s.static.n_places)
        return _rounds(s, agents, w, n_pos, "mediation", cls.visits_per_round,
                       _EVENING_NIGHT if night_shift else _EVENING)


class SecurityGuard(Staff):
    role, label_fr, label_en = "guard", "agent de sécurité", "security guard"
    visits_per_round: ClassVar[int] = 10

    @classmethod
    def deploy(cls, s: EstateState, agents) -> np.ndarray:
        if not agents:
            return np.zeros((3, s.static.n_places))
        # halls and car parks (guard_beat 1.0, else 0.0), more where incidents were recent
        w, n_pos = _guard_weights(s.static.guard_beat, s.places.recent)
        return _rounds(s, agents, w, n_pos, "guards", cls.visits_per_round, _NIGHT)


_EVENING, _EVENING_NIGHT, _NIGHT = np.array([EVENING]), np.array([EVENING, NIGHT]), np.array([NIGHT])


def _rounds(s: EstateState, agents, weights: np.ndarray, n_pos: int, stream: str, k: int,
            phases: np.ndarray) -> np.ndarray:
    """Rounds of staff working in pairs: each pair visits ``k`` distinct places drawn in
    proportion to ``weights`` (``n_pos`` of them > 0); returns visits per (phase, place)."""
    teams = (len(agents) + 1) // 2
    if teams == 0:
        return np.zeros((3, s.static.n_places))
    visits = _gumbel_top_k(s.streams[stream], weights, n_pos, teams, k)
    if visits.shape[1] == 0:
        return np.zeros((3, s.static.n_places))
    out = _tally_rounds(visits, phases, s.static.n_places)
    first = visits[:, 0].tolist()  # each pair stands at its first visit
    for i, a in enumerate(agents):
        a.stand_on(first[i // 2])
    return out


class PoliceUnit(Staff):
    role, label_fr, label_en = "police", "patrouille de police", "police crew"
    PHASE_SHARE: ClassVar[tuple[float, float, float]] = (0.4, 0.4, 0.2)

    def __init__(self, model: mesa.Model, zsp: bool = False):
        super().__init__(model)
        self.zsp = zsp
        self.stand_on(0)

    @classmethod
    def deploy(cls, s: EstateState, agents, mode: str, zone: np.ndarray | None,
               hint: np.ndarray | None = None) -> np.ndarray:
        """Visits per phase (a crew works one phase of the day, ``PHASE_SHARE``).
        Hot-spot mode weights places by recent incidents squared; ZSP crews patrol their zone.
        ``hint``: the recent incidents with the landlord's listed halls weighted up, when the
        lists are shared (issue 17, :mod:`tranqsim.tranquillity_function`)."""
        out = np.zeros((3, s.static.n_places))
        if not agents:
            return out
        rng = s.streams["police"]
        hot = s.places.recent if hint is None else hint
        k, exponent = s.p.police_visits_per_crew, s.p.hot_spot_exponent
        regular = [a for a in agents if not a.zsp]
        zsp = [a for a in agents if a.zsp]
        pw, hot_sum = hot, 0.0  # hot-spot mode: the weights' numpy terms, computed once
        for crews, m, z in ((regular, mode, None), (zsp, "hot_spot", zone)):
            if not crews:
                continue
            scale = s.in_force.crew_visit_scale if m is mode and z is None else 1.0
            sizes, total = _phase_sizes(len(crews), scale, k)
            if m == "random" and z is None:  # uniform over the estate
                drawn, r, searched = rng.integers(0, hot.size, total), _NO_DRAWS, False
            else:
                drawn, r, searched = _NO_VISITS, rng.random(total), True
            hot_spot = m == "hot_spot"
            if hot_spot and pw is hot:
                pw, hot_sum = _hot_spot_terms(hot, exponent)
            # (pw and hot_sum are read in hot-spot mode only; the exponent as the float numpy's
            # scalar power takes)
            places = _patrols(out, drawn, r, searched, pw, hot_sum, float(exponent), hot_spot,
                              _NO_ZONE if z is None else z, z is not None, sizes[0], sizes[1], len(crews))
            for a, place in zip(crews, places.tolist()):
                if place >= 0:  # no visit today (a fraction of a crew): it stays where it was
                    a.stand_on(place)
        return out


_NO_DRAWS, _NO_VISITS, _NO_ZONE = np.zeros(0), np.zeros(0, np.int64), np.zeros(0, bool)


@functools.lru_cache(maxsize=64)
def _phase_sizes(crews: int, scale: float, k: int) -> tuple[tuple[int, ...], int]:
    """Visits per phase of ``crews`` crews (``PoliceUnit.PHASE_SHARE``; ``scale``: the
    strategy's crews over the regular crews on the ground) and their total; the same every day
    between lever changes, hence cached."""
    sizes = tuple(int(round(crews * scale * share * k)) for share in PoliceUnit.PHASE_SHARE)
    return sizes, sum(sizes)


def _hot_spot_terms(hot: np.ndarray, exponent: float) -> tuple[np.ndarray, float]:
    """The numpy terms of the hot-spot weights ``hot ** exponent + 1e-3 * (hot.mean() **
    exponent + 1e-6)`` (see :func:`_cum_weights`): ``hot ** exponent``, a numpy call because
    numpy's power has fast paths for some exponents (2.0 is x * x, 0.5 a square root, not the C
    library's pow) and may be numpy's own SIMD code; and the sum of ``hot``, numpy's pairwise
    sum, which ``hot.mean()`` divides by the count (its Python wrapper costs more than the sum;
    the same double as a Python float, which the kernel's call unboxes faster)."""
    return hot ** exponent, float(np.add.reduce(hot))


@njit
def _patrols(out, drawn, r, searched, pw, hot_sum, exponent, hot_spot, zone, zoned, s0, s1,
             n_crews):  # pragma: no cover - compiled
    """One kind of crew's visits added to ``out`` (3, places); returns each crew's place
    (-1: no visit). The visits are ``drawn`` (uniform), or, when ``searched``, where the
    uniforms ``r`` fall in the cumulative weights (:func:`_cum_weights`):
    ``np.searchsorted(cum, r * cum[-1], side="right")``, at most the last place. The weights
    are >= 0, so ``cum`` is sorted (a NaN would sort last, as numpy orders them): the insertion
    point is unique, and this binary search finds numpy's. The first ``s0`` visits are in the
    day, the next ``s1`` in the evening, the rest at night (``np.repeat(np.arange(3), sizes)``)."""
    P = pw.size
    visits = np.empty(r.size if searched else drawn.size, np.int64)
    if searched:
        cum = _cum_weights(pw, hot_sum, exponent, hot_spot, zone, zoned)
        total = cum[P - 1]
        for i in range(r.size):
            key = r[i] * total
            lo, hi = 0, P
            while lo < hi:
                mid = (lo + hi) >> 1
                x = cum[mid]
                # side="right": go right while not key < x (numpy's order: NaN last)
                if not (key < x or (x != x and key == key)):
                    lo = mid + 1
                else:
                    hi = mid
            visits[i] = min(lo, P - 1)
    else:
        visits[:] = drawn
    n = visits.size
    for i in range(n):
        ph = 0 if i < s0 else (1 if i < s0 + s1 else 2)
        out[ph, visits[i]] += 1.0  # the integer counts np.bincount added
    places = np.full(n_crews, -1, np.int64)
    if n:
        for i in range(n_crews):
            places[i] = visits[(i * n) // n_crews]
    return places


@njit
def _cum_weights(pw, hot_sum, exponent, hot_spot, zone, zoned):  # pragma: no cover - compiled
    """``np.cumsum`` (in order, from the first weight) of the patrol weights: in hot-spot
    mode ``pw + 1e-3 * (mean ** exponent + 1e-6)`` (``pw`` is ``hot ** exponent``, the mean
    ``hot_sum / places`` as ``hot.mean()`` makes it, and its power the C library's pow, as
    numpy's scalar power), else 1.0; times ``zone`` (0/1) if ``zoned``."""
    c = 1e-3 * ((hot_sum / pw.size) ** exponent + 1e-6) if hot_spot else 0.0
    cum = np.empty(pw.size)
    for j in range(pw.size):
        w = pw[j] + c if hot_spot else 1.0
        if zoned:
            w = w * (1.0 if zone[j] else 0.0)
        cum[j] = w if j == 0 else cum[j - 1] + w
    return cum


class TranquillityOfficer(Staff):
    role, label_fr, label_en = "officer", "chargé de mission tranquillité", "tranquillity officer"

    def __init__(self, model: mesa.Model, office: int):
        super().__init__(model)
        self.stand_on(office)


def mediation_targets(s: EstateState) -> np.ndarray:
    """Where night mediators' rounds go: halls and squares, weighted by 0.02 + their recent
    incidents (0 elsewhere); the weights the compiled :func:`_mediation_weights` builds."""
    st = s.static
    w = np.zeros(st.n_places)
    w[st.hangout_places] = 0.02 + s.places.recent[st.hangout_places]
    return w


_LANDLORD_STAFF = (Caretaker, NightMediator, SecurityGuard, TranquillityOfficer)


def staff_count(staff: dict) -> int:
    """Landlord-side staff on the ground (caretakers, mediators, guards, officers)."""
    return sum(len(staff[c]) for c in _LANDLORD_STAFF)
