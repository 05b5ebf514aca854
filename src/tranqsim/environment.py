"""Disorder cleaned and repaired, attractiveness decaying and spreading: the places' evening.

After the day's incidents (``EstateModel.step``, stage 5):

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


@njit(contiguous=True)
def evening(dis_comp, litter, contagion, dis_eff, keep, disorder, attractiveness, nbr, spread,
            decay):  # pragma: no cover - compiled
    """In place: ``dis_comp``, ``disorder`` (P,) and ``attractiveness`` (P,)."""
    P = dis_comp.shape[1]
    for p in range(P):
        dis_comp[2, p] = dis_comp[2, p] + litter[p] * (1 + contagion * dis_eff[p])
        d0 = dis_comp[0, p] * keep[0, p]
        d1 = dis_comp[1, p] * keep[1, p]
        d2 = dis_comp[2, p] * keep[2, p]
        dis_comp[0, p], dis_comp[1, p], dis_comp[2, p] = d0, d1, d2
        s = (d0 + d1) + d2
        disorder[p] = s if (s < 1.0 or s != s) else 1.0  # np.minimum(s, 1.0) (NaN kept)
        a = attractiveness[p]
        attractiveness[p] = a + (spread * (nbr[p, 1] - a) - decay * a)
