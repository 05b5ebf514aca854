"""Disorder cleaned and repaired, attractiveness decaying and spreading: the places' evening.

After the day's incidents (the ``disorder`` stage, :mod:`tranqsim.schedule`):

- litter accumulates on the waste component, faster where disorder already invites it
  (``litter * (1 + contagion * dis_eff)``: broken windows, Keizer et al. 2008);
- each component (degradation, tags, waste) keeps the share ``keep`` of itself: repairs, tag
  removal and cleaning at the speeds the landlord's organisation and caretakers allow
  (``levers.in_force``);
- the disorder index is the components' sum, capped at 1;
- near-repeat attractiveness moves toward its neighbours' (spread) and decays (Johnson &
  Bowers 2004; Short et al. 2008).

One compiled call (see ``jit.py``), the numpy code's arithmetic element by element in its
order (float64 throughout; the components summed in index order, as numpy's reduction over
the first axis adds them).
"""

from __future__ import annotations

from tranqsim.jit import njit
from tranqsim.vocabulary import DisorderComponent as C, Neighbour

_DAMAGE, _TAGS, _WASTE = int(C.DAMAGE), int(C.TAGS), int(C.WASTE)
_NBR_ATTRACTIVENESS = int(Neighbour.ATTRACTIVENESS)


@njit(contiguous=True)
def evening(dis_comp, litter, contagion, dis_eff, keep, disorder, attractiveness, nbr, spread,
            decay):  # pragma: no cover - compiled
    """In place: ``dis_comp``, ``disorder`` (P,) and ``attractiveness`` (P,)."""
    P = dis_comp.shape[1]
    for p in range(P):
        # litter is waste; each component decays at its removal rate (keep = 1 - rate)
        dis_comp[_WASTE, p] = dis_comp[_WASTE, p] + litter[p] * (1 + contagion * dis_eff[p])
        d0 = dis_comp[_DAMAGE, p] * keep[_DAMAGE, p]
        d1 = dis_comp[_TAGS, p] * keep[_TAGS, p]
        d2 = dis_comp[_WASTE, p] * keep[_WASTE, p]
        dis_comp[_DAMAGE, p], dis_comp[_TAGS, p], dis_comp[_WASTE, p] = d0, d1, d2
        s = (d0 + d1) + d2
        disorder[p] = s if (s < 1.0 or s != s) else 1.0  # np.minimum(s, 1.0) (NaN kept)
        a = attractiveness[p]
        attractiveness[p] = a + (spread * (nbr[p, _NBR_ATTRACTIVENESS] - a) - decay * a)
