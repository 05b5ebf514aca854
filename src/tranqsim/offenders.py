"""Youth groups and drug-dealing networks: the estate's motivated offenders.

- :class:`YouthGroup` (*regroupements*): each evening a group picks a hangout among halls and
  squares -- attractive, disordered, unguarded places (a softmax over those features), with a
  strong habit of staying where it was. There it drives hall occupation, noise, tags,
  degradation and incivility. Its *activity* falls with youth programmes and arrests; its
  *tension* rises with heavy-handed contacts (order-maintenance policing, dispersals) and
  feeds urban violence (Epstein 2002: grievance and illegitimate force).
- :class:`DealingNetwork` (*point de deal*): anchored at a hall, with a *strength* that police
  pressure erodes and demand restores. Under sustained pressure the point moves to another
  hall (displacement); a GLTD can dismantle it, but while local demand persists a new point
  re-emerges after a while (supercritical hot spots, Short et al. 2010).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from mesa.discrete_space import CellAgent

from tranqsim.jit import njit

if TYPE_CHECKING:  # pragma: no cover
    from tranqsim.model import EstateModel


class YouthGroup(CellAgent):
    label_fr, label_en = "groupe de jeunes", "youth group"

    def __init__(self, model: EstateModel, place: int):
        super().__init__(model)
        self.place = place  # tonight's hangout (the Mesa cell follows in sync_cells)
        self.home = place  # the group's own hall or square: its territory
        self._territory = None  # hangout candidates in its territory (YouthGroup.territory)
        self.activity = 1.0
        self.tension = 0.1
        self.cell = model.cells[place]

    def step(self) -> None:  # pragma: no cover
        raise RuntimeError("youth groups are moved together by YouthGroup.deploy")

    @classmethod
    def deploy(cls, model: EstateModel, groups: list[YouthGroup], evening_guard: np.ndarray) -> None:
        """Choose tonight's hangouts for all groups in one draw (Gumbel-max softmax)."""
        if not groups:
            return
        p = model.p
        cand = model.hangout_places
        score = (model.attractiveness[cand] + model.disorder[cand] - evening_guard[cand]
                 + model.hangout_hall_bonus)
        rng = model.streams["youth"]
        u = rng.random((len(groups), cand.size + 1))
        util = p.group_choice_beta * score
        # territorial attachment: each group favours its own territory
        home = cls.home_utility(model, groups) if p.group_home_bonus else None
        choice = cand[gumbel_argmax(u[:, :-1], util, home)].tolist()
        for g, c, stay in zip(groups, choice, (u[:, -1] < p.group_stickiness).tolist()):
            if not stay:
                g.place = c  # the Mesa cell follows in sync_cells()

    @classmethod
    def home_utility(cls, model: EstateModel, groups: list[YouthGroup]) -> tuple[np.ndarray, np.ndarray]:
        """(groups, candidates) utility of each group's own territory, and where it is not 0:
        constant over a run (the groups and their homes do not change), so computed once."""
        cached = model.group_home_util
        if cached is None or cached[0] != groups:
            p = model.p
            bonus = (p.group_choice_beta * p.group_home_bonus) * np.array(
                [cls.territory(model, g) for g in groups])
            model.group_home_util = cached = (list(groups), (bonus, bonus != 0))
        return cached[1]

    @staticmethod
    def territory(model: EstateModel, group: YouthGroup) -> np.ndarray:
        """Which hangout candidates are the group's own: every hall of its home building (a
        group holds its building's entrances, not one door), or its home square."""
        if group._territory is None:
            b = model.layout.building
            cand = model.hangout_places
            group._territory = (b[cand] == b[group.home]) if b[group.home] >= 0 else (cand == group.home)
        return group._territory

    @classmethod
    def update(cls, model: EstateModel, groups: list[YouthGroup], programme: float,
               heavy_contacts: np.ndarray, soft_contacts: np.ndarray) -> None:
        """Activity and tension: programmes and arrests lower activity; heavy-handed contacts
        raise tension, mediation lowers it, and it relaxes over time."""
        p = model.p
        target = 1.0 - p.youth_programme_effect * min(1.0, programme)
        calm = p.tension_decay * (1 + min(1.0, programme))  # programmes also defuse tension
        for g in groups:
            g.activity += 0.01 * (target - g.activity)  # programmes act over months
            g.tension += (p.tension_from_order_maintenance * heavy_contacts[g.place]
                          - 0.01 * soft_contacts[g.place] - calm * (g.tension - 0.1))
            g.tension = min(max(g.tension, 0.0), 1.0)

    def arrested(self, effect: float) -> None:
        self.activity = max(0.2, self.activity - effect)


class DealingNetwork(CellAgent):
    label_fr, label_en = "point de deal", "dealing point"

    def __init__(self, model: EstateModel, hall_place: int, strength: float = 0.8):
        super().__init__(model)
        self.place = hall_place
        self.strength = strength
        self.pressure = 0.0
        self.cell = model.cells[hall_place]

    def step(self) -> None:  # pragma: no cover
        raise RuntimeError("dealing networks are updated by DealingNetwork.update")

    @classmethod
    def update(cls, model: EstateModel, networks: list[DealingNetwork], police: np.ndarray,
               raids: np.ndarray, guard: np.ndarray, dismantle_p: float) -> list[DealingNetwork]:
        """Pressure, regrowth, displacement and dismantling. Returns the dismantled ones."""
        p = model.p
        rng = model.streams["dealing"]
        u = rng.random((max(len(networks), 1), 2))
        gone = []
        for i, n in enumerate(networks):
            # patrols disturb a point with diminishing returns (lookouts warn, trade pauses and
            # resumes: the day's second visit costs it less than the first); raids do not
            patrol = police[n.place] + 0.5 * guard[n.place]
            today = patrol / (1 + patrol) + 3.0 * raids[n.place]
            n.pressure = 0.9 * n.pressure + 0.1 * today
            n.strength += p.dealing_regrowth * (1 - n.strength) - p.dealing_pressure_effect * today
            n.strength = min(max(n.strength, 0.05), 1.0)
            if u[i, 0] < dismantle_p:
                gone.append(n)
            elif n.pressure > p.dealing_relocate_threshold:
                n.move_to_place(model.quietest_hall(exclude=n.place))
        return gone

    def move_to_place(self, place: int) -> None:
        self.place = place
        self.pressure = 0.0
        self.strength *= 0.7  # moving costs customers
        self.cell = self.model.cells[place]


def gumbel_argmax(u: np.ndarray, util: np.ndarray, home=None) -> np.ndarray:
    """Per row, ``argmax(util + home - log(-log(u)))`` (Gumbel-max softmax choice): the first
    maximum, as ``np.argmax`` over the whole array of keys would give, with the two logs taken
    only where the row's maximum can be (a few percent of the places on a large estate).

    ``u`` (rows, places) uniforms, ``util`` (places,) utilities, ``home`` None or (bonus,
    bonus != 0) with bonus (rows, places), from :meth:`YouthGroup.home_utility`.
    Why it is exact: the row's maximum is at least L, the exact key at its largest uniform. A
    place without bonus has key <= max(util) - log(-log u), which reaches L only if
    -log(u) <= t = exp(max(util) - L); since 1 - u <= -log(u), only places with 1 - u <= t
    can (t carries a margin far above rounding). Exact keys are computed there, at bonus places
    and at the largest uniform; the others cannot be the first maximum.
    """
    if home is None:
        return _gumbel_argmax(u, util, _NO_BONUS, _NO_MASK, False)
    return _gumbel_argmax(u, util, home[0], home[1], True)


_NO_BONUS, _NO_MASK = np.zeros((1, 1)), np.zeros((1, 1), bool)


@njit
def _gumbel_argmax(u, util, bonus, mask, has_home):  # pragma: no cover - compiled
    rows, n = u.shape
    out = np.empty(rows, np.int64)
    umax = util.max()
    for r in range(rows):
        top = 0
        for j in range(1, n):  # the first largest uniform, as np.argmax
            if u[r, j] > u[r, top]:
                top = j
        # key = -log(-log(u)) + (util + bonus): the operations numpy made, in its order
        ut = util[top] + bonus[r, top] if has_home else util[top]
        L = -np.log(-np.log(u[r, top])) + ut
        t = np.exp(min(umax - L, 700.0) + 1e-6)  # 700: exp stays finite
        best, arg = -np.inf, -1
        for j in range(n):
            if j != top and 1.0 - u[r, j] > t and not (has_home and mask[r, j]):
                continue  # its key cannot reach L (see the docstring)
            uj = util[j] + bonus[r, j] if has_home else util[j]
            key = -np.log(-np.log(u[r, j])) + uj
            if key > best or arg < 0:
                best, arg = key, j
        out[r] = arg if best > -np.inf else 0  # all keys -inf: np.argmax's first place
    return out


def update_offenders(m: EstateModel, d, pol, guard, med, style) -> None:
    """The offenders' day: groups' activity and tension; pressure on dealing points, their
    displacement, dismantling by a GLTD and re-emergence; tomorrow's ZSP operations."""
    p = m.p
    pol_day, guard_day = pol.sum(0), guard.sum(0)  # visits per place over the day
    heavy_contacts = pol_day * (style == "order_maintenance") + 0.5 * guard_day + 2 * m.raids
    YouthGroup.update(m, m.group_list, m.mods.youth_programme, heavy_contacts, med.sum(0))
    if m.network_list:
        dismantle = p.gltd_dismantle_per_month / 30 * m.org.partnership if m.mods.gltd else 0.0
        gone = DealingNetwork.update(m, m.network_list, pol_day, m.raids, guard_day, dismantle)
        for net in gone:
            m.network_list.remove(net)
            net.remove()
            m.reemergence_day.append(
                d + 1 + int(m.streams["dealing"].exponential(p.dealing_reemergence_days)))
    cap = m.spec.context.offenders.dealing_capacity
    for x in [x for x in m.reemergence_day if x <= d]:
        m.reemergence_day.remove(x)
        if len(m.network_list) < cap:
            m.network_list.append(DealingNetwork(m, m.quietest_hall(), strength=0.4))
    # ZSP operations on dealing points inside the zone (tomorrow's raids)
    zone = m.mods.zsp_zone
    if m.raids.any():
        m.raids[:] = 0.0
    if zone is not None and m.network_list:
        rng = m.streams["zsp"]
        for net in m.network_list:
            if zone[net.place] and rng.random() < p.zsp_raid_per_week / 7:
                m.raids[net.place] = 1.0
