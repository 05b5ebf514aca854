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

import mesa
import numpy as np
from mesa.discrete_space import CellAgent

from tranqsim.gumbel import (  # noqa: F401 - gumbel_argmax: imported from here by tests
    _NO_BONUS, _NO_MASK, _NO_NEAR, _gumbel_argmax, _gumbel_argmax_near_counter, _near, gumbel_argmax)
from tranqsim.jit import njit
from tranqsim.rng import day_key, uniform
from tranqsim.state import EstateState


class YouthGroup(CellAgent):
    label_fr, label_en = "groupe de jeunes", "youth group"

    def __init__(self, model: mesa.Model, cell, place: int):
        super().__init__(model)
        self.place = place  # tonight's hangout (the Mesa cell follows in sync_cells)
        self.home = place  # the group's own hall or square: its territory
        self._territory = None  # hangout candidates in its territory (YouthGroup.territory)
        self.activity = 1.0
        self.tension = 0.1
        self.cell = cell

    def step(self) -> None:  # pragma: no cover
        raise RuntimeError("youth groups are moved together by YouthGroup.deploy")

    @classmethod
    def deploy(cls, s: EstateState, groups: list[YouthGroup], evening_guard: np.ndarray, day: int) -> None:
        """Choose tonight's hangouts for all groups in one draw (Gumbel-max softmax).

        One kernel (:func:`_deploy`): the candidates' utilities (numpy's elementwise
        operations, in its order), each group's Gumbel-max choice (:func:`gumbel_argmax`) and
        whether it stays where it was (the row's last uniform). Group ``r``'s uniforms are the
        counter-based stream "youth" of the day at ``r * (hangouts + 1) + j``
        (:mod:`tranqsim.rng`), computed only at the hangouts within its range: a sequential
        generator drew groups x hangouts uniforms a day, a fifth of a 50,000-dwelling estate's
        day, to read a few per group."""
        if not groups:
            return
        p = s.p
        cand = s.static.hangout_places
        # territorial attachment: each group favours its own territory
        if p.group_home_bonus:
            (bonus, mask), has_home = cls.home_utility(s, groups), True
            near = cls.near_places(s, groups)
        else:
            bonus, mask, has_home, near = _NO_BONUS, _NO_MASK, False, _NO_NEAR
        choice = _deploy(s.keys["youth"], day, len(groups), cand, s.places.attractiveness, s.places.disorder, evening_guard,
                         s.static.hangout_hall_bonus, float(p.group_choice_beta), bonus, mask,
                         has_home, float(p.group_stickiness), *near)
        for g, c in zip(groups, choice.tolist()):
            if c >= 0:  # -1: stays
                g.place = c  # the Mesa cell follows in sync_cells()

    @classmethod
    def home_utility(cls, s: EstateState, groups: list[YouthGroup]) -> tuple[np.ndarray, np.ndarray]:
        """(groups, candidates) utility of each group's own territory, and where it is not 0:
        constant over a run (the groups and their homes do not change), so computed once."""
        cached = s.offenders.group_home_util
        if cached is None or cached[0] != groups:
            p = s.p
            bonus = (p.group_choice_beta * p.group_home_bonus) * np.array(
                [cls.territory(s, g) for g in groups])
            # a group ranges over its part of the estate, not the whole of it: hangouts
            # farther than ``group_range`` cells from its home are out of its choice (without
            # this, a softmax over every hangout of the estate diluted the territory with
            # estate size: at 10,000 dwellings groups left their territory every night)
            lay, cand = s.static.layout, s.static.hangout_places
            homes = np.array([g.home for g in groups])
            far = np.hypot(lay.x[cand][None, :] - lay.x[homes][:, None],
                           lay.y[cand][None, :] - lay.y[homes][:, None]) > p.group_range
            bonus = bonus - 1e3 * far
            s.offenders.group_home_util = cached = (list(groups), (bonus, bonus != 0), _near(bonus))
        return cached[1]

    @classmethod
    def near_places(cls, s: EstateState, groups: list[YouthGroup]) -> tuple:
        """Per group, the candidates within its range, and the largest home term beyond it
        (see :func:`_gumbel_argmax_near`); cached with :meth:`home_utility`."""
        cls.home_utility(s, groups)
        return s.offenders.group_home_util[2]

    @staticmethod
    def territory(s: EstateState, group: YouthGroup) -> np.ndarray:
        """Which hangout candidates are the group's own: every hall of its home building (a
        group holds its building's entrances, not one door), or its home square."""
        if group._territory is None:
            b = s.static.layout.building
            cand = s.static.hangout_places
            group._territory = (b[cand] == b[group.home]) if b[group.home] >= 0 else (cand == group.home)
        return group._territory

    @classmethod
    def update(cls, s: EstateState, groups: list[YouthGroup], programme: float,
               heavy_contacts: np.ndarray, soft_contacts: np.ndarray) -> None:
        """Activity and tension: programmes and arrests lower activity; heavy-handed contacts
        raise tension, mediation lowers it, and it relaxes over time. ``heavy_contacts`` and
        ``soft_contacts``: float64 per place. (The model's day makes the same arithmetic in
        :func:`update_offenders`, from the day's visits.)"""
        p = s.p
        target, calm = cls.targets(p, programme)
        gain, ng = float(p.tension_from_order_maintenance), len(groups)
        vals = np.empty(2 * ng)  # as _offenders_day leaves them: bound codes, tensions
        for i, g in enumerate(groups):
            vals[ng + i], vals[i] = _tension(g.tension, heavy_contacts[g.place],
                                             soft_contacts[g.place], gain, calm)
        cls.write_back(groups, vals, 1, target)

    @staticmethod
    def targets(p, programme: float) -> tuple[float, float]:
        """Activity's target and tension's relaxation rate, with youth programmes."""
        target = 1.0 - p.youth_programme_effect * min(1.0, programme)
        calm = p.tension_decay * (1 + min(1.0, programme))  # programmes also defuse tension
        return target, float(calm)

    @staticmethod
    def write_back(groups: list[YouthGroup], vals: np.ndarray, bounded: int, target: float) -> None:
        """Activity (in Python floats, as before) and the kernel's tensions: numpy float64s
        (numpy scalars made them, before), or the Python float 0.0 or 1.0 where
        ``min(max(t, 0.0), 1.0)`` returned its bound (the model's ``sum`` of the tensions adds
        Python floats with compensation, numpy floats without: types matter)."""
        ng = len(groups)
        if bounded:
            for g, t, b in zip(groups, vals[ng:], vals[:ng].tolist()):
                g.activity += 0.01 * (target - g.activity)  # programmes act over months
                g.tension = _BOUNDS[int(b)] if b else t
        else:
            for g, t in zip(groups, vals[ng:]):
                g.activity += 0.01 * (target - g.activity)  # programmes act over months
                g.tension = t

    def arrested(self, effect: float) -> None:
        self.activity = max(0.2, self.activity - effect)


class DealingNetwork(CellAgent):
    label_fr, label_en = "point de deal", "dealing point"

    def __init__(self, model: mesa.Model, cell, hall_place: int, strength: float = 0.8):
        super().__init__(model)
        self.place = hall_place
        self.origin = hall_place  # its market: where demand keeps it (see return_home)
        self.strength = strength
        self.pressure = 0.0
        self.cell = cell

    def step(self) -> None:  # pragma: no cover
        raise RuntimeError("dealing networks are updated by DealingNetwork.update")

    @classmethod
    def update(cls, s: EstateState, networks: list[DealingNetwork], police: np.ndarray,
               raids: np.ndarray, guard: np.ndarray, dismantle_p: float) -> list[DealingNetwork]:
        """Pressure, regrowth, displacement and dismantling. Returns the dismantled ones.
        ``police``, ``raids``, ``guard``: float64 per place (visits and raids over the day).
        (The model's day makes the same arithmetic in :func:`update_offenders`.)"""
        p = s.p
        u = s.streams["dealing"].random((max(len(networks), 1), 2))
        regrowth, effect = float(p.dealing_regrowth), float(p.dealing_pressure_effect)
        nn = len(networks)
        vals = np.empty(3 * nn)  # as _offenders_day leaves them: bound codes, pressures, strengths
        for i, n in enumerate(networks):
            pl = n.place
            vals[nn + i], vals[2 * nn + i], vals[i] = _dealing(
                n.pressure, n.strength, police[pl], guard[pl], raids[pl], regrowth, effect)
        return cls.settle(s, networks, vals, 1, u, dismantle_p)

    @staticmethod
    def settle(s: EstateState, networks: list[DealingNetwork], vals: np.ndarray, bounded: int,
               u: np.ndarray, dismantle_p: float) -> list[DealingNetwork]:
        """The kernel's pressures and strengths (``vals``: bounds, pressures, strengths), then,
        point by point, dismantling or displacement (its draw). Pressures are numpy float64s,
        strengths too or the Python float 0.05 or 1.0 where ``min(max(s, 0.05), 1.0)`` returned
        its bound, as before (types matter to Python's ``sum``)."""
        nn = len(networks)
        threshold = s.p.dealing_relocate_threshold
        bounds = vals[:nn].tolist() if bounded else [0.0] * nn
        gone = []
        for i, (n, pr, sv, b) in enumerate(zip(networks, vals[nn:2 * nn], vals[2 * nn:], bounds)):
            n.pressure = pr
            n.strength = _BOUNDS[int(b)] if b else sv
            if u[i, 0] < dismantle_p:
                gone.append(n)
            elif n.pressure > threshold:
                n.move_to_place(quietest_hall(s, exclude=n.place), s.static.cells)
        return gone

    def move_to_place(self, place: int, cells: list) -> None:
        self.place = place
        self.pressure = 0.0
        self.strength *= 0.7  # moving costs customers
        self.cell = cells[place]


_NO_EXPOSURE = np.zeros(0)

@njit
def _utilities(cand, attractiveness, disorder, guard, hall_bonus, beta):  # pragma: no cover
    """The candidates' utilities, as numpy made them: ``beta * (attractiveness[cand] +
    disorder[cand] - guard[cand] + hall_bonus)``, left to right."""
    util = np.empty(cand.size)
    for j in range(cand.size):
        c = cand[j]
        util[j] = beta * (attractiveness[c] + disorder[c] - guard[c] + hall_bonus[j])
    return util


@njit
def _deploy(key, day, rows, cand, attractiveness, disorder, guard, hall_bonus, beta, bonus, mask, has_home,
            stickiness, ptr, idx, far_max):  # pragma: no cover - compiled
    """Tonight's place of each of ``rows`` groups, -1 where it stays (its row's last uniform
    below ``stickiness``), from the candidates' utilities (:func:`_utilities`); row ``r``'s
    uniforms are ``uniform(day_key(key, day), r * (n + 1) + j)``, column ``n`` the stay."""
    dk = day_key(key, day)
    n = cand.size
    util = _utilities(cand, attractiveness, disorder, guard, hall_bonus, beta)
    if has_home:
        pick = _gumbel_argmax_near_counter(dk, rows, n, util, bonus, mask, ptr, idx, far_max)
    else:  # no territory: every hangout is a candidate of every group
        u = np.empty((rows, n + 1))
        for r in range(rows):
            for j in range(n):
                u[r, j] = uniform(dk, r * (n + 1) + j)
        pick = _gumbel_argmax(u, n, util, bonus, mask, has_home)
    for r in range(pick.size):
        pick[r] = -1 if uniform(dk, r * (n + 1) + n) < stickiness else cand[pick[r]]
    return pick


def quietest_hall(s: EstateState, exclude: int | None = None) -> int:
    """Where a displaced or re-emerging dealing point goes: a disordered, unguarded hall
    (disorder minus guardianship, with a little noise from the "dealing" stream)."""
    st, places = s.static, s.places
    score = places.disorder[st.halls] - places.guardianship[st.halls] + \
        0.1 * s.streams["dealing"].random(st.n_halls)
    if exclude is not None:
        score[st.hall_of_place[exclude]] = -np.inf
    return int(st.halls[np.argmax(score)])


def update_offenders(s: EstateState, d, pol, guard, med, style) -> None:
    """The offenders' day: groups' activity and tension; pressure on dealing points, their
    displacement, dismantling by a GLTD and re-emergence; tomorrow's ZSP operations.

    The arithmetic of :meth:`YouthGroup.update` and :meth:`DealingNetwork.update` runs in one
    kernel (:func:`_offenders_day`) over the agents' places and values gathered in one array,
    with the day's visits summed at those places only (numpy summed them everywhere, in some
    ten calls, then read them a numpy scalar at a time: about 2 us a group or point); the
    kernel also clears today's raids. Python keeps the draws, the agents' lists and Mesa cells.
    Same operations, order and types as the numpy version it replaced."""
    p = s.p
    groups, networks = s.offenders.group_list, s.offenders.network_list
    target, calm = YouthGroup.targets(p, s.in_force.mods.youth_programme)
    vals = _gather(groups, networks)
    ng, nn = len(groups), len(networks)
    bounded_g, bounded_n = _offenders_day(
        vals, ng, pol, guard, med, s.places.raids, style == "order_maintenance",
        float(p.tension_from_order_maintenance), calm, float(p.dealing_regrowth),
        float(p.dealing_pressure_effect),
        s.places.police_exposure if s.places.police_exposure is not None else _NO_EXPOSURE,
        float(p.police_habituation))
    if groups:
        YouthGroup.write_back(groups, vals, bounded_g, target)
    if networks:
        gltd = s.in_force.mods.gltd
        dismantle = p.gltd_dismantle_per_month / 30 * s.in_force.org.partnership if gltd else 0.0
        u = s.streams["dealing"].random((nn, 2))
        gone = DealingNetwork.settle(s, networks, vals[2 * ng:], bounded_n, u, dismantle)
        for net in gone:
            s.offenders.network_list.remove(net)
            net.remove()
            s.offenders.reemergence_day.append(
                (d + 1 + int(s.streams["dealing"].exponential(p.dealing_reemergence_days)), net.origin))
    if networks:
        return_home(s, s.offenders.network_list)
    cap = s.spec.context.offenders.dealing_capacity
    # a dismantled point's market re-opens where it was: demand stays there (Sherman 1990;
    # Weisburd et al. 2006, Criminology 44:549: crime does not simply move around the corner);
    # a point that opened at the quietest hall instead took the market away for good, so a
    # ZSP's closures left its zone calm for years (E10: back within 5 % in 6 months)
    for entry in [x for x in s.offenders.reemergence_day if x[0] <= d]:
        s.offenders.reemergence_day.remove(entry)
        if len(s.offenders.network_list) < cap:
            place = entry[1]
            s.offenders.network_list.append(
                DealingNetwork(s.registry, s.static.cells[place], place, strength=0.4))
    # ZSP operations on dealing points inside the zone (tomorrow's raids; today's were cleared)
    zone = s.in_force.mods.zsp_zone
    if zone is not None and s.offenders.network_list:
        rng = s.streams["zsp"]
        for net in s.offenders.network_list:
            if zone[net.place] and rng.random() < p.zsp_raid_per_week / 7:
                s.places.raids[net.place] = 1.0


def return_home(s: EstateState, networks: list[DealingNetwork]) -> None:
    """Points that police pressure displaced go back to their market: demand stays where the
    market was, so a displacement lasts weeks to months, not for good (Sherman 1990: crackdown
    effects decay, and do not outlast them for long). Each day a displaced point returns with
    probability ``1 / dealing_return_days``, pressure or not (if pressure is still there, it
    may be displaced again: the cat-and-mouse of crackdowns); draws from its own stream
    ("dealing_return"), so the other streams keep their draws."""
    away = [n for n in networks if n.place != n.origin]
    if not away:
        return
    u = s.streams["dealing_return"].random(len(away))
    for n, x in zip(away, u.tolist()):
        if x < 1.0 / s.p.dealing_return_days:
            n.move_to_place(n.origin, s.static.cells)


def _gather(groups, networks) -> np.ndarray:
    """The agents' places and values in one float64 array (exact: places are small integers):
    the groups' places, their tensions, the points' places, pressures, strengths."""
    return np.array([g.place for g in groups] + [g.tension for g in groups]
                    + [n.place for n in networks] + [n.pressure for n in networks]
                    + [n.strength for n in networks], np.float64)


# what min(max(x, lo), 1.0) returned when it returned a bound (tension: 0.0, strength: 0.05),
# by the code the kernels write in place of the agent's place
_BOUNDS = (None, 0.0, 1.0, 0.05)


@njit
def _tension(t, heavy, soft, gain, calm):  # pragma: no cover - compiled
    """A group's new tension, as YouthGroup.update made it: ``t += gain * heavy - 0.01 * soft -
    calm * (t - 0.1)`` (left to right), then ``min(max(t, 0.0), 1.0)``; and which bound that
    returned (0: none, 1: 0.0, 2: 1.0), as Python's max and min compare: max(t, 0.0) is 0.0
    only if 0.0 > t, min(x, 1.0) is 1.0 only if 1.0 < x."""
    t = t + (gain * heavy - 0.01 * soft - calm * (t - 0.1))
    if 0.0 > t:
        return 0.0, 1
    if 1.0 < t:
        return 1.0, 2
    return t, 0


@njit
def _dealing(pressure, strength, police, guard, raid, regrowth, effect):  # pragma: no cover
    """A dealing point's new pressure and strength, as DealingNetwork.update made them (left
    to right; ``1 + patrol`` is 1.0 + patrol), strength bounded as ``min(max(s, 0.05), 1.0)``;
    and which bound that returned (0: none, 3: 0.05, 2: 1.0)."""
    # patrols disturb a point with diminishing returns (lookouts warn, trade pauses and
    # resumes: the day's second visit costs it less than the first); raids do not
    patrol = police + 0.5 * guard
    today = patrol / (1 + patrol) + 3.0 * raid
    pressure = 0.9 * pressure + 0.1 * today
    s = strength + (regrowth * (1 - strength) - effect * today)
    if 0.05 > s:
        return pressure, 0.05, 3
    if 1.0 < s:
        return pressure, 1.0, 2
    return pressure, s, 0


@njit
def _day_sum(a, pl):  # pragma: no cover - compiled
    """``a.sum(0)[pl]`` for the (3, places) visits: numpy adds the phases to 0.0, in order."""
    s = 0.0
    for h in range(a.shape[0]):
        s += a[h, pl]
    return s


@njit
def _heavy(pol, guard, raids, pl, om):  # pragma: no cover - compiled
    """Heavy-handed contacts at ``pl``: ``pol.sum(0) * om + 0.5 * guard.sum(0) + 2 * raids``
    there, left to right (``om``: 1.0 or 0.0, the Python bool numpy multiplied by)."""
    return _day_sum(pol, pl) * om + 0.5 * _day_sum(guard, pl) + 2.0 * raids[pl]


@njit
def _offenders_day(vals, ng, pol, guard, med, raids, order_maintenance, gain, calm, regrowth,
                   effect, exposure, habituation):  # pragma: no cover - compiled
    """YouthGroup.update's and DealingNetwork.update's arithmetic (:func:`_tension`,
    :func:`_dealing`), in place over ``vals`` (see :func:`_gather`: new values, and bound codes
    where the places were), with the day's contacts at the agents' places as numpy made them
    for every place: ``pol_day, guard_day = pol.sum(0), guard.sum(0)``; heavy-handed contacts
    ``pol_day * (style == "order_maintenance") + 0.5 * guard_day + 2 * raids`` (times 1.0 or
    0.0, left to right), soft ones ``med.sum(0)``. Then clears the raids, as
    ``if raids.any(): raids[:] = 0.0``. Returns how many groups, and points, hit a bound."""
    nn = (vals.size - 2 * ng) // 3
    om = 1.0 if order_maintenance else 0.0
    bounded_g = bounded_n = 0
    for i in range(ng):
        pl = np.int64(vals[i])
        vals[ng + i], b = _tension(vals[ng + i], _heavy(pol, guard, raids, pl, om),
                                   _day_sum(med, pl), gain, calm)
        vals[i] = b
        bounded_g += b != 0
    o = 2 * ng
    for i in range(nn):
        pl = np.int64(vals[o + i])
        # a market used to sustained police pressure feels each visit and raid less (lookouts,
        # delivery, trade moved indoors: Sherman 1990's decay of crackdowns)
        f = 1.0 / (1.0 + habituation * exposure[pl]) if exposure.size else 1.0
        vals[o + nn + i], vals[o + 2 * nn + i], b = _dealing(
            vals[o + nn + i], vals[o + 2 * nn + i], f * _day_sum(pol, pl), _day_sum(guard, pl),
            f * raids[pl], regrowth, effect)
        vals[o + i] = b
        bounded_n += b != 0
    for j in range(raids.size):
        if raids[j] != 0.0:  # np.any: any value that is not zero (NaN included)
            raids[:] = 0.0
            break
    return bounded_g, bounded_n
