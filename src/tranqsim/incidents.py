"""Incident types and how they arise: routine activity, contagion, near-repeat, deterrence.

The expected number of incidents of type ``t`` at place ``p`` in phase ``h`` of a day is::

    lambda[t, h, p] = (dep * background[t, p] * phase[t, h] * (1 + kappa * disorder[p])
                       * (1 + a * attractiveness[p]) + offenders[t, h, p]) * exp(-G[t, h, p])
                      + displaced[t, h, p]

- ``dep`` follows the share of deprived households (poorer newcomers concentrate difficulty);
- ``background`` spreads a type's reference rate (per 1,000 dwellings per year, parameter
  table) over the places where it can occur (hall, street, car park, square weights), scaled by
  the territory's offender pressure -- the *motivated offender* and *suitable target* of routine
  activity theory (Cohen & Felson 1979);
- ``1 + kappa * disorder``: visible disorder breeds disorder (Keizer et al. 2008: about a
  doubling at full disorder);
- ``1 + a * attractiveness``: near-repeat victimisation (Short et al. 2008);
- ``offenders``: youth groups at their hangout, dealing points, squats, disruptive households;
- ``exp(-G)``: *capable guardians* -- residents' informal control (collective efficacy), staff,
  police, guards, cameras, lighting, access control, enclosure -- each weighted by how much the
  type responds to it (``SENSITIVITY``); guardians' deterrence also reaches neighbouring
  places (diffusion of benefits, Weisburd et al. 2006);
- ``displaced``: part of what guardians deter moves next door (spatial displacement), and part
  of the evening nuisance deterred by mediators comes back at night (displacement in time,
  de Maillard & Bénec'h-Le Roux 2011).

Counts are drawn cell by cell by inverting each Poisson law with one uniform per cell and day
(:func:`draw`), so that policies compared on the same seed share their incident draws.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from tranqsim.jit import njit
from tranqsim.vocabulary import DisorderComponent, Handler, IncidentType, Phase, Source, names


T = len(IncidentType)
TYPE_NAMES = names(IncidentType)
LABELS_FR = ["occupation de hall", "dégradation", "tags", "encombrants", "bruit / conflit de voisinage",
             "vol ou effraction de cave", "vol ou dégradation de véhicule", "incivilité envers un habitant",
             "trafic de stupéfiants", "agression d'un agent", "violences urbaines"]
LABELS_EN = ["hall occupation", "degradation", "tags", "bulky waste", "noise / neighbour dispute",
             "cellar crime", "vehicle crime", "incivility against a resident", "drug dealing",
             "aggression against staff", "urban violence"]

# names of the vocabulary's indices (tranqsim.vocabulary), as tables and plots label them
PHASES = tuple(names(Phase))  # 06-18h, 18-24h, 00-06h
SOURCES = tuple(names(Source))  # in the order of the guardianship array's rows
S = len(SOURCES)
HANDLERS = tuple(names(Handler))
# the phases and handlers as plain ints, for kernels and the hot loops' indexing
DAY, EVENING, NIGHT = (int(h) for h in Phase)
H_NONE, H_CARETAKER, H_MEDIATOR, H_GUARD, H_POLICE, H_OFFICER, H_LANDLORD = (int(h) for h in Handler)

I = IncidentType


@dataclass(frozen=True)
class TypeTable:
    """Per-type constants, as arrays indexed by incident type."""

    rate_param: tuple[str | None, ...]
    kind_weight: np.ndarray  # (T, 4): hall, street, car park, square
    phase: np.ndarray  # (T, 3) sums to 1
    sensitivity: np.ndarray  # (T, S)
    disorder_component: np.ndarray  # (T,) 0 damage, 1 tags, 2 waste
    disorder_param: tuple[str, ...]
    victim: np.ndarray  # (T,) bool: a household is victimised
    to_police: np.ndarray  # (T,) bool: reported to police (else to the landlord)
    nuisance: np.ndarray  # (T,) bool: mediators' target, displaced in time
    severity: np.ndarray  # (T,) weight in the hall-status score
    offender_driven: np.ndarray  # (T,) bool: deterred offending can be displaced


def _table() -> TypeTable:
    kw = np.zeros((T, 4))
    kw[I.HALL_OCCUPATION] = [1, 0, 0, 0.3]
    kw[I.DEGRADATION] = [1, 0.25, 0.4, 0.3]
    kw[I.TAGS] = [1, 0.3, 0.2, 0.2]
    kw[I.BULKY_WASTE] = [1, 0.3, 0.5, 0.1]
    kw[I.NOISE_DISPUTE] = [1, 0, 0, 0.1]
    kw[I.CELLAR_CRIME] = [1, 0, 0, 0]
    kw[I.VEHICLE_CRIME] = [0, 0.25, 1, 0]
    kw[I.INCIVILITY] = [1, 0.3, 0.3, 0.6]
    ph = np.zeros((T, 3))
    ph[I.HALL_OCCUPATION] = [0.2, 0.55, 0.25]
    ph[I.DEGRADATION] = [0.3, 0.4, 0.3]
    ph[I.TAGS] = [0.2, 0.4, 0.4]
    ph[I.BULKY_WASTE] = [0.6, 0.3, 0.1]
    ph[I.NOISE_DISPUTE] = [0.2, 0.5, 0.3]
    ph[I.CELLAR_CRIME] = [0.3, 0.3, 0.4]
    ph[I.VEHICLE_CRIME] = [0.2, 0.3, 0.5]
    ph[I.INCIVILITY] = [0.4, 0.45, 0.15]
    ph[I.DRUG_DEALING] = [0.4, 0.45, 0.15]
    ph[I.STAFF_AGGRESSION] = [0.5, 0.4, 0.1]
    ph[I.URBAN_VIOLENCE] = [0.0, 0.5, 0.5]
    # sensitivity to each guardian source:
    #            res  care  med  guard pol  cctv  light acc  resid
    sens = np.ones((T, S))
    sens[I.HALL_OCCUPATION] = [1.0, 0.6, 1.2, 1.2, 1.0, 0.5, 0.0, 1.0, 0.5]
    sens[I.DEGRADATION] = [1.0, 0.8, 0.6, 0.8, 0.6, 1.0, 0.5, 0.6, 1.0]
    sens[I.TAGS] = [0.8, 0.6, 0.5, 0.8, 0.5, 1.0, 0.8, 0.6, 1.0]
    sens[I.BULKY_WASTE] = [0.5, 1.0, 0.2, 0.2, 0.1, 0.5, 0.3, 0.3, 1.0]
    sens[I.NOISE_DISPUTE] = [0.6, 0.3, 1.5, 0.6, 0.5, 0.0, 0.0, 0.2, 0.0]
    sens[I.CELLAR_CRIME] = [1.0, 0.6, 0.4, 1.0, 1.0, 1.0, 0.0, 1.5, 0.5]
    sens[I.VEHICLE_CRIME] = [0.8, 0.3, 0.3, 1.0, 1.0, 1.0, 1.5, 0.0, 1.0]  # cctv x factor in model
    sens[I.INCIVILITY] = [1.0, 0.8, 1.2, 1.0, 1.0, 0.8, 0.5, 0.5, 0.5]
    sens[I.DRUG_DEALING] = [0.3, 0.2, 0.2, 0.5, 1.0, 0.5, 0.3, 1.0, 0.5]
    sens[I.STAFF_AGGRESSION] = 0.0
    sens[I.URBAN_VIOLENCE] = [0.0, 0.0, 0.3, 0.0, 0.5, 0.3, 0.0, 0.0, 0.0]
    # which disorder component each type leaves: occupation, noise, incivility, dealing leave litter
    comp = np.full(T, int(DisorderComponent.DAMAGE))
    comp[[I.HALL_OCCUPATION, I.BULKY_WASTE, I.NOISE_DISPUTE, I.INCIVILITY, I.DRUG_DEALING]] = DisorderComponent.WASTE
    comp[I.TAGS] = DisorderComponent.TAGS
    dparam = ("disorder_per_other", "disorder_per_degradation", "disorder_per_tag",
              "disorder_per_waste", "disorder_per_other", "disorder_per_other",
              "disorder_per_other", "disorder_per_other", "disorder_per_other",
              "disorder_per_other", "disorder_per_urban_violence")
    victim = np.zeros(T, bool)
    victim[[I.CELLAR_CRIME, I.VEHICLE_CRIME, I.INCIVILITY]] = True
    police = np.zeros(T, bool)
    police[[I.CELLAR_CRIME, I.VEHICLE_CRIME, I.INCIVILITY, I.DRUG_DEALING, I.STAFF_AGGRESSION,
            I.URBAN_VIOLENCE]] = True
    nuisance = np.zeros(T, bool)
    nuisance[[I.HALL_OCCUPATION, I.NOISE_DISPUTE, I.INCIVILITY]] = True
    severity = np.array([1, 1, 0.5, 0.3, 0.5, 2, 1, 2, 3, 3, 5], float)
    offender = np.ones(T, bool)
    offender[[I.BULKY_WASTE, I.NOISE_DISPUTE, I.STAFF_AGGRESSION, I.URBAN_VIOLENCE]] = False
    rates = ("rate_hall_occupation", "rate_degradation", "rate_tags", "rate_bulky_waste",
             "rate_noise_dispute", "rate_cellar_crime", "rate_vehicle_crime", "rate_incivility",
             None, None, None)
    return TypeTable(rates, kw, ph, sens, comp, dparam, victim, police, nuisance, severity, offender)


TABLE = _table()

# What an offender group does at its hangout, per group-evening (share of each type).
GROUP_PROFILE = np.zeros(T)
GROUP_PROFILE[[I.NOISE_DISPUTE, I.TAGS, I.DEGRADATION, I.INCIVILITY]] = 1.0


def background_rates(kind: np.ndarray, dwellings: int, pressure: float, params) -> np.ndarray:
    """(T, P) daily background intensity at reference disorder, attractiveness and no guardian."""
    out = np.zeros((T, kind.size))
    for t, name in enumerate(TABLE.rate_param):
        if name is None:
            continue
        w = TABLE.kind_weight[t, kind]
        if w.sum() == 0:
            continue
        out[t] = getattr(params, name) * dwellings / 1000 / 365 * pressure * w / w.sum()
    return out


class Deterrence:
    """One day's deterrence and spatial displacement of the intensities (the ``intensities`` stage),
    with what never changes prepared once. The same arithmetic, in the same order, as::

        lam_res = lam * exp(-sens_res * g_res)          # residents' informal control only
        lam *= exp(-G)                                   # all guardians
        deterred = lam_res[off] - lam[off]               # what guardians removed...
        lam[off] += share * mask * (W.T @ deterred)      # ...partly moves next door

    but exp() only where it is used: ``exp(-sens_res * g_res)`` once per distinct residents'
    sensitivity (six values for eleven types), shared by the residents' term and the guardians'
    overlap, and not for the types whose intensity is set afterwards.

    Up to ``deterred`` all of it is float32 (``lam``, ``g_res``, ``G``, the sensitivities); the
    displacement is float64 (``W.T`` is) and ``lam[off] += ...`` rounds the float64 sum back to
    float32, as numpy's in-place add does. The exponentials stay numpy calls: numpy's float32
    exp is its own SIMD code, whose last bits the C library's (numba's) need not match. So
    :meth:`residents_and_guardians` writes every exponent of the day into one buffer (a kernel),
    takes one ``np.exp`` of it and applies the factors (a kernel); ``guardians`` (no overlap)
    is numpy's whole-array passes as they were; ``displace`` is one kernel, product included,
    which follows scipy's ``csr_matvecs``
    (each output element summed over the row's entries in storage order, from 0.0): the same
    bits as ``csr_times_dense``.
    """

    SET_AFTER = (IncidentType.STAFF_AGGRESSION, IncidentType.URBAN_VIOLENCE)  # rows set later

    def __init__(self, sens: np.ndarray, WT, share: float, mask: np.ndarray):
        assert self.SET_AFTER == (T - 2, T - 1)  # the kept types are the rows [:T - 2]
        self.off = off = np.flatnonzero(TABLE.offender_driven)
        self.nui = np.flatnonzero(TABLE.nuisance)
        # the residents' sensitivity per type (float32) and its distinct negated values: those
        # of the offender-driven types first, then the nuisance types', then the others, so
        # that the residents' term alone reads a prefix of them
        self.sens_res = np.ascontiguousarray(sens[:, Source.RESIDENTS])
        neg = (-self.sens_res).tolist()
        order = [neg[t] for t in off] + [neg[t] for t in self.nui] + neg
        vals = list(dict.fromkeys(order))
        self.vals = np.array(vals, np.float32)
        self.val_of = np.array([vals.index(v) for v in neg])  # (T,) each type's value
        self.n_vals_off = len(dict.fromkeys(neg[t] for t in off))
        self.n_vals_res = len(dict.fromkeys([neg[t] for t in off] + [neg[t] for t in self.nui]))
        self.coef = share * mask  # float32, as (share * mask) * moved evaluates
        assert WT.format == "csr"  # the product below is scipy's CSR kernel's loop
        # W.T in CSR arrays; unsigned column indices spare the product numba's negative-index
        # wraparound on every load of D (with D's padding below, ~30% of the product's time)
        self.indptr = WT.indptr.astype(np.int64)
        self.indices = WT.indices.astype(np.uint64)
        self.data = WT.data.astype(np.float64)
        P = self.P = mask.shape[-1]
        C = 3 * off.size
        # coef in the product's (place, 3 * type + phase) layout, as the float64 it is promoted to
        self.coef_T = np.ascontiguousarray(np.broadcast_to(self.coef, (off.size, 3, P))
                                           .reshape(C, P).T, dtype=np.float64)
        # deterred, float64, (place, 3 * type + phase), padded with zero columns to a multiple of
        # 4 (one AVX2 register); the padding columns are never written and give zero sums
        self.D = np.zeros((P, -(-C // 4) * 4))
        self.acc = np.empty(self.D.shape[1])  # one row of W.T @ deterred
        # exponents, then their exp(): residents' (value, phase, place), then the overlapping
        # guardians' (type, phase, place)
        # (views of it are taken at each call, not kept: a deep copy of the model -- validation's
        # C7 twins, the UI -- copies each array on its own and would cut a kept view loose)
        self.exp_buf = np.empty((self.vals.size + T) * 3 * P, np.float32)

    def residents(self, lam: np.ndarray, g_res: np.ndarray, nuisance: bool):
        """lam_res for the offender-driven types, and for nuisance in the evening if asked."""
        return self._deter(lam, _NO_G, g_res, 1.0, nuisance, False)

    def residents_and_guardians(self, lam: np.ndarray, G: np.ndarray, g_res: np.ndarray,
                                share: float, nuisance: bool):
        """:meth:`residents` (returned), then all guardians: :meth:`guardians_overlapped` if
        ``share`` < 1, else :meth:`guardians`. With the overlap, one ``np.exp`` call takes
        the residents' exponents and the guardians' (the residents' factor of each type is
        the one its distinct sensitivity gave)."""
        if share >= 1.0:
            out = self.residents(lam, g_res, nuisance)
            self.guardians(lam, G)
            return out
        return self._deter(lam, G, g_res, share, nuisance, True)

    def guardians_overlapped(self, lam: np.ndarray, G: np.ndarray, g_res: np.ndarray,
                             share: float) -> None:
        """As :meth:`guardians` once guardians overlap (issue 16): residents' informal control
        ``G_res = sens_res * g_res`` stays multiplicative, while the summed deterrence of staff,
        police and technical measures, ``G_o = max(G - G_res, 0)``, deters a share
        ``share * (1 - exp(-G_o / share))`` of offending -- close to ``1 - exp(-G_o)`` for one
        modest watcher, at most ``share`` however many watch. So one more watcher at a watched
        place gains less, in proportion, than at an unwatched one, and a bundle gains less than
        the sum of its parts. ``G`` becomes the factor ``exp(-G_res) * (1 - deterred)``.

        One pass prepares both exponents, numpy's float32 ``exp`` takes them in one call, one
        pass applies them (the former numpy expression, ``G_res - log1p(-deterred)`` then
        ``exp(-G)``, took eleven passes over ``G``). ``share`` >= 1 is the multiplicative
        model."""
        if share >= 1.0:
            self.guardians(lam, G)
        else:
            self.residents_and_guardians(lam, G, g_res, share, False)

    def _deter(self, lam, G, g_res, share, nuisance, overlap):
        nuisance, P = bool(nuisance), self.P
        nv = self.vals.size if overlap else (self.n_vals_res if nuisance else self.n_vals_off)
        n_res = nv * 3 * P
        buf = self.exp_buf[:n_res + (G.size if overlap else 0)]
        E_res = buf[:n_res].reshape(nv, 3, P)
        E_g = buf[n_res:].reshape(G.shape) if overlap else _NO_G
        _deter_exponents(self.vals, g_res, G, self.sens_res, np.float32(1.0 / share), E_res, E_g)
        np.exp(buf, out=buf)  # numpy's float32 exp (see the class docstring)
        res_off = np.empty((self.off.size, 3, P), np.float32)
        # (a kernel's arguments keep one type: an empty array, not None, when nuisance is off)
        res_nui = np.empty((self.nui.size if nuisance else 0, P), np.float32)
        _deter_factors(lam, self.off, self.nui, self.val_of, E_res, res_off, res_nui, E_g,
                       np.float32(share), T - 2, G)
        return res_off, (res_nui if nuisance else None)

    @staticmethod
    def guardians(lam: np.ndarray, G: np.ndarray) -> None:
        """lam *= exp(-G) for the kept types; G becomes exp(-G) where it is read afterwards.
        numpy throughout: the exp() must be numpy's, and the rest is two whole-array passes."""
        np.negative(G, out=G)
        k = T - 2
        np.exp(G[:k], out=G[:k])
        lam[:k] *= G[:k]
        np.exp(G[T - 1], out=G[T - 1])  # urban violence reads its exp(-G)

    def resumed(self, lam: np.ndarray, sens_med: np.ndarray, g_mediator: float, med: np.ndarray,
                res_nui: np.ndarray) -> np.ndarray:
        """The nuisance the evening rounds deterred that resumes after the shift: the part of
        ``res_nui`` (residents' control alone) the mediators' term alone removed, bounded by
        what was there to deter -- in numpy, with ``g_med = sens_med[:, None] *
        float32(g_mediator) * med[evening].astype(float32)``::

            fmin(lam[nui, evening] * expm1(minimum(g_med, 30)), res_nui)

        float32 throughout; one kernel (``expm1`` of a float32 is the C library's ``expm1f``
        in numpy on machines without AVX-512, as in the kernel)."""
        back = np.empty_like(res_nui)
        _resumed(lam, self.nui, sens_med, np.float32(g_mediator), med, res_nui, back)
        return back

    def resumed_exponent(self, lam: np.ndarray, x: np.ndarray, res_nui: np.ndarray) -> np.ndarray:
        """As :meth:`resumed`, with the mediators' exponent ``x`` (nuisance types, places) given:
        what their rounds add to the deterrence once guardians overlap (``schedule.overlap``),
        not their coefficient alone. ``fmin(lam[nui, evening] * expm1(minimum(x, 30)), res_nui)``."""
        x = np.minimum(x, np.float32(30))
        return np.fmin(lam[self.nui, EVENING] * np.expm1(x), res_nui)

    def resume(self, lam: np.ndarray, back: np.ndarray, share: float) -> None:
        """``lam[nui, night] += share * back`` (float32, as numpy's in-place add)."""
        _resume(lam, self.nui, np.float32(share), back)

    def displace(self, lam: np.ndarray, res_off: np.ndarray) -> None:
        """lam[off] += share * mask * (W.T @ (res_off - lam[off])), in place."""
        _displace(lam, res_off, self.off, self.indptr, self.indices, self.data, self.coef_T,
                  self.D, self.acc)


_NO_G = np.zeros((0, 3, 0), np.float32)  # no overlap: no guardians' exponents


@njit(contiguous=True)
def _deter_exponents(vals, g_res, G, sens_res, inv_share, E_res, E_g):  # pragma: no cover
    """E_res[v] = vals[v] * g_res (float32; ``vals`` the distinct ``-sens_res``); if ``E_g``
    is not empty, the guardians' overlap, E_g[t] = -max(G[t] - sens_res[t] * g_res, 0) *
    inv_share."""
    P = g_res.shape[1]
    for v in range(E_res.shape[0]):
        for h in range(3):
            for p in range(P):
                E_res[v, h, p] = vals[v] * g_res[h, p]
    if E_g.size:
        zero = np.float32(0.0)
        for t in range(E_g.shape[0]):
            s = sens_res[t]
            for h in range(3):
                for p in range(P):
                    go = G[t, h, p] - s * g_res[h, p]
                    if go < zero:
                        go = zero
                    E_g[t, h, p] = -go * inv_share


@njit(contiguous=True)
def _deter_factors(lam, off, nui, val_of, E_res, res_off, res_nui, E_g, share, k,
                   G):  # pragma: no cover - compiled
    """res_off[r] = lam[off[r]] * E_res[val_of[off[r]]]; res_nui[j] = lam[nui[j], evening] *
    E_res[val_of[nui[j]], evening] if res_nui is not empty; then, if E_g is not empty (the
    overlap), G[t] = E_res[val_of[t]] * ((1 - share) + share * E_g[t]) and lam[:k] *= G[:k]
    (float32). ``E_res[val_of[t]]`` is exp(-sens_res[t] * g_res): -(a * b) and (-a) * b are
    the same float."""
    P = lam.shape[2]
    for r in range(off.size):
        t = off[r]
        v = val_of[t]
        for h in range(3):
            for p in range(P):
                res_off[r, h, p] = lam[t, h, p] * E_res[v, h, p]
    for j in range(res_nui.shape[0]):
        t = nui[j]
        v = val_of[t]
        for p in range(P):
            res_nui[j, p] = lam[t, EVENING, p] * E_res[v, EVENING, p]
    if E_g.size:
        rest = np.float32(1.0) - share
        for t in range(G.shape[0]):
            v = val_of[t]
            for h in range(3):
                for p in range(P):
                    f = E_res[v, h, p] * (rest + share * E_g[t, h, p])
                    G[t, h, p] = f
                    if t < k:
                        lam[t, h, p] *= f


@njit(contiguous=True)
def _resumed(lam, nui, sens_med, g_mediator, med, res_nui, back):  # pragma: no cover - compiled
    """See Deterrence.resumed: numpy's operations element by element, in its order."""
    P = lam.shape[2]
    cap = np.float32(30)
    for k in range(nui.size):
        t = nui[k]
        sg = sens_med[k] * g_mediator
        for p in range(P):
            x = sg * np.float32(med[EVENING, p])
            if x > cap:  # np.minimum (a NaN would stay)
                x = cap
            v = lam[t, EVENING, p] * np.expm1(x)
            r = res_nui[k, p]
            # np.fmin: the smaller, or the one that is not NaN
            back[k, p] = v if (v <= r or r != r) else r


@njit(contiguous=True)
def _resume(lam, nui, share, back):  # pragma: no cover - compiled
    for k in range(nui.size):
        t = nui[k]
        for p in range(lam.shape[2]):
            lam[t, NIGHT, p] = lam[t, NIGHT, p] + share * back[k, p]


@njit(contiguous=True)
def _displace(lam, res_off, off, indptr, indices, data, coef_T, D, acc):
    """lam[off] += coef * (W.T @ (res_off - lam[off])): the float32 difference widened to
    float64 (D), its product with W.T row by row (``_csr_row``), scaled by coef, and lam's
    float64 sum rounded back to float32 -- numpy's promotions in the numpy version."""
    n, P = off.size, lam.shape[2]
    for r in range(n):
        t = off[r]
        for h in range(3):
            c = 3 * r + h
            for p in range(P):
                D[p, c] = np.float64(res_off[r, h, p] - lam[t, h, p])
    for i in range(P):
        _csr_row(indptr, indices, data, D, i, acc)
        for r in range(n):
            t = off[r]
            for h in range(3):
                c = 3 * r + h
                lam[t, h, i] = np.float32(np.float64(lam[t, h, i]) + acc[c] * coef_T[i, c])


@njit
def _csr_row(indptr, indices, data, D, i, acc):
    """acc = row i of (CSR matrix) @ D, as scipy's csr_matvecs makes it: each element summed
    over the row's entries in storage order, from 0.0. Two entries per pass over acc, still
    added one after the other, halve acc's loads and stores."""
    C = D.shape[1]
    for c in range(C):
        acc[c] = 0.0
    jj, stop = indptr[i], indptr[i + 1]
    while jj + 1 < stop:
        a, j = data[jj], indices[jj]
        b, k = data[jj + 1], indices[jj + 1]
        for c in range(C):
            acc[c] = (acc[c] + a * D[j, c]) + b * D[k, c]
        jj += 2
    if jj < stop:
        a, j = data[jj], indices[jj]
        for c in range(C):
            acc[c] += a * D[j, c]
