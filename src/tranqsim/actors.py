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
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

import numpy as np
from mesa.discrete_space import CellAgent

from tranqsim.estate import PlaceKind
from tranqsim.incidents import EVENING, NIGHT

if TYPE_CHECKING:  # pragma: no cover
    from tranqsim.model import EstateModel


def _gumbel_top_k(rng: np.random.Generator, weights: np.ndarray, teams: int, k: int) -> np.ndarray:
    """(teams, k) places sampled without replacement per team, proportional to ``weights``."""
    pos = np.flatnonzero(weights > 0)
    k = min(k, pos.size)
    if teams == 0 or k == 0:
        return np.empty((teams, 0), np.int64)
    u = rng.random((teams, weights.size))
    # minus the keys log(w) - log(-log(u)): +inf wherever w == 0, whatever u, so the logs are
    # taken only where w > 0 (often a third of the places); the same array as over all places
    neg_keys = np.full((teams, weights.size), np.inf)
    gumbel = np.log(u[:, pos])
    np.negative(gumbel, out=gumbel)
    np.log(gumbel, out=gumbel)
    neg_keys[:, pos] = -(np.log(weights[pos]) - gumbel)
    return np.argpartition(neg_keys, k - 1, axis=1)[:, :k]


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

    def sync_cell(self) -> None:
        if self.place >= 0 and (self.cell is None or self.cell is not self.model.cells[self.place]):
            self.cell = self.model.cells[self.place]

    def step(self) -> None:  # pragma: no cover - deployed by type, not one by one
        raise RuntimeError(f"{type(self).__name__} agents are deployed by {type(self).__name__}.deploy")


class Caretaker(Staff):
    role, label_fr, label_en = "caretaker", "gardien", "caretaker"

    def __init__(self, model: EstateModel, sector: np.ndarray):
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
    def coverage(cls, model: EstateModel, agents) -> np.ndarray:
        """(places,) daytime presence, 0..1.5: it grows with the posts per hall and saturates
        (``1.5 * (1 - exp(-capacity * posts per hall))``: the legal minimum gives ~0.95, more
        posts a little more); forecourts (public neighbours of covered halls) get about half."""
        density = np.zeros(model.n_places)
        for a in agents:
            density[a.sector] += 1.0 / a.sector.size
        cov = 1.5 * (1 - np.exp(-model.p.halls_per_caretaker_capacity * density))
        around = model.layout.neighbours @ cov
        public = model.layout.kind != PlaceKind.HALL
        cov[public] = np.minimum(1.0, 0.5 * 8 / 3 * around[public])  # ~3 of 8 neighbours are halls
        return np.minimum(cov, 1.5)


class NightMediator(Staff):
    role, label_fr, label_en = "mediator", "correspondant de nuit", "night mediator"
    visits_per_round: ClassVar[int] = 8

    @classmethod
    def deploy(cls, model: EstateModel, agents, night_shift: bool) -> np.ndarray:
        phases = (EVENING, NIGHT) if night_shift else (EVENING,)
        return _rounds(model, agents, model.mediation_targets(), "mediation", cls.visits_per_round, phases)


class SecurityGuard(Staff):
    role, label_fr, label_en = "guard", "agent de sécurité", "security guard"
    visits_per_round: ClassVar[int] = 10

    @classmethod
    def deploy(cls, model: EstateModel, agents) -> np.ndarray:
        w = model.guard_beat * (0.05 + model.hotness())  # halls and car parks (1.0, else 0.0)
        return _rounds(model, agents, w, "guards", cls.visits_per_round, (NIGHT,))


def _rounds(model: EstateModel, agents, weights: np.ndarray, stream: str, k: int,
            phases: tuple[int, ...]) -> np.ndarray:
    """Rounds of staff working in pairs: each pair visits ``k`` distinct places drawn in
    proportion to ``weights``; returns visits per (phase, place)."""
    out = np.zeros((3, model.n_places))
    teams = (len(agents) + 1) // 2
    if teams == 0:
        return out
    visits = _gumbel_top_k(model.streams[stream], weights, teams, k)
    if visits.shape[1] == 0:
        return out
    per_place = np.bincount(visits.ravel(), minlength=model.n_places)
    for ph in phases:
        out[ph] += per_place
    for i, a in enumerate(agents):
        a.stand_on(int(visits[i // 2, 0]))
    return out


class PoliceUnit(Staff):
    role, label_fr, label_en = "police", "patrouille de police", "police crew"
    PHASE_SHARE: ClassVar[tuple[float, float, float]] = (0.4, 0.4, 0.2)

    def __init__(self, model: EstateModel, zsp: bool = False):
        super().__init__(model)
        self.zsp = zsp
        self.stand_on(0)

    @classmethod
    def deploy(cls, model: EstateModel, agents, mode: str, zone: np.ndarray | None) -> np.ndarray:
        """Visits per phase (a crew works one phase of the day, ``PHASE_SHARE``).
        Hot-spot mode weights places by recent incidents squared; ZSP crews patrol their zone."""
        out = np.zeros((3, model.n_places))
        if not agents:
            return out
        rng = model.streams["police"]
        hot = model.hotness()
        k = model.p.police_visits_per_crew
        regular = [a for a in agents if not a.zsp]
        zsp = [a for a in agents if a.zsp]
        for crews, m, z in ((regular, mode, None), (zsp, "hot_spot", zone)):
            if not crews:
                continue
            scale = model.crew_visit_scale if m is mode and z is None else 1.0
            sizes = [int(round(len(crews) * scale * share * k)) for share in cls.PHASE_SHARE]
            n_places = hot.size
            if m == "random" and z is None:  # uniform over the estate
                visits = rng.integers(0, n_places, sum(sizes))
            else:
                cum = np.cumsum(_weights(hot, m, z, model.p.hot_spot_exponent))
                visits = np.searchsorted(cum, rng.random(sum(sizes)) * cum[-1], side="right")
                np.minimum(visits, n_places - 1, out=visits)
            phase = np.repeat(np.arange(3), sizes)
            out += np.bincount(phase * n_places + visits, minlength=3 * n_places).reshape(3, -1)
            for i, a in enumerate(crews):
                if visits.size:
                    a.stand_on(int(visits[(i * visits.size) // len(crews)]))
        return out


def _weights(hot: np.ndarray, mode: str, zone: np.ndarray | None, exponent: float = 2.0) -> np.ndarray:
    # hot-spot patrols: visits in proportion to recent incidents to the power ``exponent``
    # (1: proportional; larger: more concentrated on the very hottest places)
    w = (hot ** exponent + 1e-3 * (hot.mean() ** exponent + 1e-6)) if mode == "hot_spot" else np.ones_like(hot)
    return w if zone is None else w * zone


class TranquillityOfficer(Staff):
    role, label_fr, label_en = "officer", "chargé de mission tranquillité", "tranquillity officer"

    def __init__(self, model: EstateModel, office: int):
        super().__init__(model)
        self.stand_on(office)
