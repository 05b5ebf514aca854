"""The day's guardianship and neighbourhood quantities, in compiled kernels (see ``jit.py``).

Every morning (the day's ``guardians`` stage, :mod:`tranqsim.schedule`) the guardians'
presence becomes deterrence per source, phase and place, ``g[s, h, p]`` (float32; rows
indexed by :class:`tranqsim.vocabulary.Source`, plus a last row, ``DIFFUSED``, for the staff
deterrence felt next door):

- the static sources (caretakers' coverage, cameras, lighting, access control,
  residentialisation: ``levers.in_force``) are copied, and the day's mobile ones added:
  mediators' and guards' visits times their coefficients, police visits times theirs with a
  saturating dose (``visits / (1 + visits / saturation)``: repeated visits to one place in one
  phase overlap, Koper 1995);
- the staff total per (phase, place) (sources 1-4) gives the places' guardianship layer (its
  mean over the phases) and, through one sparse product with the neighbourhood matrix ``W``,
  the deterrence diffusing to neighbouring places (Weisburd et al. 2006);
- the same product gives every other neighbourhood quantity of the day: neighbours' disorder,
  attractiveness, collective efficacy, recent incidents and dealing (``nbr``, morning values);
- residents' informal control is their hall's collective efficacy (a public place takes its
  neighbouring halls', scaled by 8/3: about 3 of 8 neighbours are halls), higher in enclosed
  grounds (residentialisation), weighted by phase (residents watch less at night).

:func:`morning` does all of it in one call; it also returns the evening guardianship the youth
groups avoid, and the counts of occupied and deprived-occupied dwellings. The arithmetic is the
numpy code's, element by element in its order and dtypes (float32 ``g`` += float64 terms
rounded back to float32; the staff sum in float32, source after source, as numpy's reduction
over the first axis adds them; the sparse product as scipy's ``csr_matvecs``: each element
summed over the row's entries in storage order, from 0.0), so outputs keep their bits.
"""

from __future__ import annotations

import numpy as np

from tranqsim.jit import njit
from tranqsim.vocabulary import Neighbour as N, Source

# the named indices as plain ints, which the kernel folds as constants
_RES, _CARE, _MED = int(Source.RESIDENTS), int(Source.CARETAKER), int(Source.MEDIATOR)
_GUARD, _POL, _TECH0 = int(Source.GUARD), int(Source.POLICE), int(Source.CCTV)
_ACC = int(Source.ACCESS_CONTROL)
_DIS, _ATT, _CE, _REC, _DEAL = (int(N.DISORDER), int(N.ATTRACTIVENESS), int(N.EFFICACY),
                                int(N.RECENT), int(N.DEALING))
_STAFF0, _GROUP_EVE = int(N.STAFF_DAY), int(N.GROUP_EVENING)
_THIRD = np.float32(1 / 3)  # numpy multiplies a float32 array by the Python float 1/3 in float32


@njit(contiguous=True)
def morning(exposure, exposure_days, police_base, habituation, memory_weight,
            equipment, up, break_rate, vandalism, repair, presence,
            g_static, med, guard, pol, g_mediator, g_guard, saturation,
            disorder, attractiveness, halls, ce, recent, dealing, X, indptr, indices, data,
            residentialised, has_resid, g_residents, resident_phase, diffusion_weight,
            occupied, deprived, guardianship, situational_ratio,
            access_group_share, cctv_group_share):  # pragma: no cover - compiled
    """(g, nbr, evening_guard, n_occupied, n_deprived_occupied); writes ``guardianship`` (P,)
    and the product's inputs ``X`` (P, 9: :class:`~tranqsim.vocabulary.Neighbour`); moves the
    patrol ``exposure`` (P,) and, when ``equipment``, the equipment in service ``up`` (P,), in
    place.

    The day's calls that came before it, in one: :func:`police_day`'s kernel (exposure, then
    the police coefficients ``police_base / (1 + habituation * exposure)`` and, when
    ``memory_weight``, the memory), then ``g = g_static.copy()`` scaled as
    :func:`static_in_service` scales it when ``equipment`` (its kernel's two loops) and, when
    ``presence`` is not empty, ``g[CARETAKER, DAY] *= presence`` (float32: caretakers' presence
    left, issue 17): the same operations in the same order and dtypes.

    ``saturation`` 0 means no saturation (the dose is the visits); the police coefficient per
    place is ``g_police * style deterrence``, lowered where offenders have grown used to
    patrols (:func:`police_coefficients`). ``situational_ratio`` weighs cameras and access
    control in what diffuses next door, relative to staff;
    ``access_group_share`` and ``cctv_group_share`` are the shares of access control and of
    cameras that youth groups feel when they choose tonight's hangout, there and next door
    (their own badges; cameras deter premeditated offences more than gatherings, Gill & Spriggs
    2005)."""
    n_src, _, P = g_static.shape
    police_coef = np.empty(P)
    police_memory = np.empty(P if memory_weight else 0)
    _police_day(exposure, pol, exposure_days, police_base, habituation, memory_weight,
                police_coef, police_memory)
    g = g_static.copy()
    if equipment:
        _equipment_up(up, disorder, break_rate, vandalism, repair)
        _equipment_scale(up, g)
    for p in range(presence.size):
        g[_CARE, 0, p] *= presence[p]
    for h in range(3):
        for p in range(P):
            g[_MED, h, p] = np.float32(np.float64(g[_MED, h, p]) + g_mediator * med[h, p])
            g[_GUARD, h, p] = np.float32(np.float64(g[_GUARD, h, p]) + g_guard * guard[h, p])
            # offenders judge the risk by recent weeks' patrols too: where today's visits fall
            # below the remembered ones (a crackdown just ended), the memory deters
            # (residual deterrence, Sherman 1990; ``police_memory``, see police_memory())
            dose = pol[h, p]
            if police_memory.size and police_memory[p] > dose:
                dose = police_memory[p]
            if saturation != 0.0:
                dose = dose / (1 + dose / saturation)
            g[_POL, h, p] = np.float32(np.float64(g[_POL, h, p]) + police_coef[p] * dose)
    # staff (caretaker, mediator, guard, police) per (phase, place): the product's last inputs
    for p in range(P):
        s0 = ((g[_CARE, 0, p] + g[_MED, 0, p]) + g[_GUARD, 0, p]) + g[_POL, 0, p]
        s1 = ((g[_CARE, 1, p] + g[_MED, 1, p]) + g[_GUARD, 1, p]) + g[_POL, 1, p]
        s2 = ((g[_CARE, 2, p] + g[_MED, 2, p]) + g[_GUARD, 2, p]) + g[_POL, 2, p]
        guardianship[p] = np.float64(((s0 + s1) + s2) * _THIRD)
        X[p, _DIS] = disorder[p]
        X[p, _ATT] = attractiveness[p]
        X[p, _REC] = recent[p]
        X[p, _DEAL] = dealing[p]
        # what diffuses next door: staff, and cameras and access control (Guerette & Bowers
        # 2009: diffusion of benefits as common as displacement), weighted relative to staff
        X[p, _STAFF0] = np.float64(s0) + situational_ratio * _situational(g, 0, p)
        X[p, _STAFF0 + 1] = np.float64(s1) + situational_ratio * _situational(g, 1, p)
        X[p, _STAFF0 + 2] = np.float64(s2) + situational_ratio * _situational(g, 2, p)
        # the same evening term as youth groups feel it (the shares of cameras and badges
        # they heed), for their choice of hangout next door
        X[p, _GROUP_EVE] = np.float64(s1) + situational_ratio * (
            cctv_group_share * np.float64(g[_TECH0, 1, p]) + access_group_share * np.float64(g[_ACC, 1, p]))
    for i in range(halls.size):
        X[halls[i], _CE] = ce[i]
    # nbr = W @ X: each element from 0.0, the row's entries added in storage order (in
    # locals: the loads and stores of nbr between the additions cost more than the additions)
    nbr = np.empty((P, 9))
    for i in range(P):
        s0 = s1 = s2 = s3 = s4 = s5 = s6 = s7 = s8 = 0.0
        for jj in range(indptr[i], indptr[i + 1]):
            a, j = data[jj], indices[jj]
            s0 += a * X[j, 0]
            s1 += a * X[j, 1]
            s2 += a * X[j, 2]
            s3 += a * X[j, 3]
            s4 += a * X[j, 4]
            s5 += a * X[j, 5]
            s6 += a * X[j, 6]
            s7 += a * X[j, 7]
            s8 += a * X[j, 8]
        nbr[i, 0], nbr[i, 1], nbr[i, 2], nbr[i, 3] = s0, s1, s2, s3
        nbr[i, 4], nbr[i, 5], nbr[i, 6], nbr[i, 7], nbr[i, 8] = s4, s5, s6, s7, s8
    # residents' informal control
    ce_place = np.empty(P)
    for p in range(P):
        v = 8 / 3 * nbr[p, _CE]
        ce_place[p] = v if (v < 1.0 or v != v) else 1.0  # np.minimum(1.0, v) (NaN kept)
    for i in range(halls.size):
        ce_place[halls[i]] = ce[i]
    if has_resid:
        for p in range(P):
            if residentialised[p]:
                v = ce_place[p] * 1.3
                ce_place[p] = v if (v < 1.3 or v != v) else 1.3
    for h in range(3):
        w = g_residents * resident_phase[h]
        for p in range(P):
            g[_RES, h, p] = np.float32(w * ce_place[p])
    # the last source: staff deterrence felt next door; the evening guardianship groups avoid
    # (staff, then the technical sources summed source after source, then the diffusion)
    last = n_src - 1  # tranqsim.vocabulary.DIFFUSED
    evening_guard = np.empty(P)
    for p in range(P):
        for h in range(3):
            g[last, h, p] = np.float32(nbr[p, _STAFF0 + h])
        tech = cctv_group_share * np.float64(g[_TECH0, 1, p])
        for s in range(_TECH0 + 1, last):
            tech = tech + (access_group_share * g[s, 1, p] if s == _ACC else g[s, 1, p])
        s1 = ((g[_CARE, 1, p] + g[_MED, 1, p]) + g[_GUARD, 1, p]) + g[_POL, 1, p]
        evening_guard[p] = np.float64(s1 + tech) + diffusion_weight * nbr[p, _GROUP_EVE]
    n_occ = 0
    n_dep = 0
    for i in range(occupied.size):
        if occupied[i]:
            n_occ += 1
            if deprived[i]:
                n_dep += 1
    return g, nbr, evening_guard, n_occ, n_dep


@njit
def _situational(g, h, p):  # pragma: no cover - compiled
    """Cameras' and access control's deterrence at (phase, place): offenders cannot tell where
    a camera's view or a controlled entrance's reach ends (Clarke & Weisburd 1994), while
    lighting's deterrence stays where the light falls."""
    return np.float64(g[_TECH0, h, p]) + np.float64(g[_ACC, h, p])


def police_coefficients(s, base: float) -> np.ndarray:
    """(P,) police deterrence per visit: ``base`` (``g_police`` times the style's factor),
    divided by ``1 + police_habituation * exposure`` where exposure is the place's recent patrol
    visits per day (an average over ``police_exposure_days``). Offenders learn the real risk of
    a sustained presence, so a crackdown's deterrence decays while it lasts (Sherman 1990) and
    hot spots patrolled every day gain less from each visit; ordinary random patrols, a small
    fraction of a visit a day per place, lose little. (The day computes it in
    :func:`police_day`.)"""
    return base / (1.0 + s.p.police_habituation * s.places.police_exposure)


def police_memory(s) -> np.ndarray:
    """(P,) the patrol visits per phase offenders still expect at each place: a share
    ``police_residual_weight`` of its recent exposure (visits a day over the last weeks, a
    third of them per phase). Below today's visits it changes nothing; after a crackdown ends
    it keeps deterring while the memory fades (about ``police_exposure_days``). (The day
    computes it in :func:`police_day`.)"""
    w, e = s.p.police_residual_weight, s.places.police_exposure
    if not w or e is None:
        return _NO_MEMORY
    return w * e / 3


def police_day(s, pol: np.ndarray, base: float) -> tuple[np.ndarray, np.ndarray]:
    """The places' patrol exposure moves toward today's visits (``pol`` (3, P)), in place;
    returns (:func:`police_coefficients`, :func:`police_memory`) on the moved exposure. One
    kernel for the three: the numpy version's
    ``exposure += (pol.sum(0) - exposure) / police_exposure_days``, then
    ``base / (1.0 + police_habituation * exposure)`` and ``w * exposure / 3``, element by element
    in that order (float64; pol.sum(0) adds the phases in order, as numpy's reduction over
    the first axis does)."""
    e, w = police_exposure(s), s.p.police_residual_weight
    p = s.p
    coef = np.empty(e.size)
    memory = np.empty(e.size) if w else _NO_MEMORY
    _police_day(e, pol, float(p.police_exposure_days), float(base), float(p.police_habituation),
                float(w), coef, memory)
    return coef, memory


def police_exposure(s) -> np.ndarray:
    """``places.police_exposure`` (P,), created at zero the first time."""
    pl = s.places
    if pl.police_exposure is None:
        pl.police_exposure = np.zeros(s.static.n_places)
    return pl.police_exposure


@njit(contiguous=True)
def _police_day(e, pol, days, base, habituation, w, coef, memory):  # pragma: no cover - compiled
    """See :func:`police_day`; ``memory`` empty: no memory (weight 0)."""
    remember = memory.size != 0
    for p in range(e.size):
        visits = (pol[0, p] + pol[1, p]) + pol[2, p]
        x = e[p] + (visits - e[p]) / days
        e[p] = x
        coef[p] = base / (1.0 + habituation * x)
        if remember:
            memory[p] = w * x / 3.0


def static_in_service(s) -> np.ndarray:
    """The static guardianship with cameras and access control scaled by the expected share
    of door-entry systems and cameras in service at each place, one day on (lighting,
    caretakers and enclosure are not equipment that breaks here). A two-state process (in
    service / broken) in expectation: equipment breaks at ``equipment_break_rate * (1 +
    equipment_vandalism_disorder * disorder)`` a day (vandalised where disorder already is)
    and is repaired in ``equipment_repair_days``, shortened by a rapid-repair contract as
    repairs are (``repair_days_factor``) and lengthened by a poor organisation. At steady
    state the share is ``1 / (1 + break rate * repair days)``. The share in service
    (``places.equipment_up``) moves only while the estate has such equipment: equipment
    installed later starts in service and wears to its steady share.

    One kernel (:func:`_equipment_day`) for the numpy version's ``brk = rate * (1 + k *
    disorder)``, ``up += (1 - up) * repair - up * brk``, ``np.clip(up, 0, 1, out=up)``, then
    ``out = g.copy(); out[CCTV] *= f; out[ACCESS_CONTROL] *= f`` with ``f =
    up.astype(float32)``: the same operations element by element, in the same dtypes."""
    g = s.in_force.g_static
    has, up, break_rate, vandalism, repair = equipment_args(s)
    if not has:
        return g
    out = np.empty_like(g)
    _equipment_day(up, s.places.disorder, break_rate, vandalism, repair, g, out)
    return out


def equipment_args(s) -> tuple[bool, np.ndarray, float, float, float]:
    """(whether the estate has cameras or access control, ``places.equipment_up`` (created
    in service the first time), break rate, vandalism factor, repair rate): what
    :func:`static_in_service` and :func:`morning` take."""
    p, pl, inf = s.p, s.places, s.in_force
    if inf.mods.cctv_passive is None and inf.mods.cctv_active is None \
            and inf.mods.access_control is None:
        return False, _NO_UP, 0.0, 0.0, 0.0
    if pl.equipment_up is None:
        pl.equipment_up = np.ones(s.static.n_places)
    repair = 1.0 / max(p.equipment_repair_days * inf.mods.repair_days_factor * inf.org.repair, 1.0)
    return (True, pl.equipment_up, float(p.equipment_break_rate),
            float(p.equipment_vandalism_disorder), float(repair))


@njit(contiguous=True)
def _equipment_day(up, disorder, break_rate, vandalism, repair, g, out):  # pragma: no cover - compiled
    """See :func:`static_in_service`."""
    _equipment_up(up, disorder, break_rate, vandalism, repair)
    out[...] = g
    _equipment_scale(up, out)


@njit
def _equipment_up(up, disorder, break_rate, vandalism, repair):  # pragma: no cover - compiled
    """``brk = rate * (1 + k * disorder)``, ``up += (1 - up) * repair - up * brk``,
    ``np.clip(up, 0, 1, out=up)`` (a NaN stays NaN, as here), in place."""
    for p in range(up.size):
        brk = break_rate * (1.0 + vandalism * disorder[p])
        u = up[p]
        u = u + ((1.0 - u) * repair - u * brk)
        if u < 0.0:
            u = 0.0
        elif u > 1.0:
            u = 1.0
        up[p] = u


@njit
def _equipment_scale(up, out):  # pragma: no cover - compiled
    """``out[CCTV] *= f; out[ACCESS_CONTROL] *= f`` with ``f = up.astype(float32)``, in place."""
    for h in range(out.shape[1]):
        for p in range(up.size):
            f = np.float32(up[p])
            out[_TECH0, h, p] *= f
            out[_ACC, h, p] *= f


_NO_MEMORY = np.zeros(0)
_NO_UP = np.zeros(0)  # no equipment: an empty array keeps the kernel's argument types

