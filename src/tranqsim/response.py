"""What follows an incident: victims, witnesses, reporting, who handles it, arrests.

- a victimising incident (cellar or vehicle crime, incivility) hits a household of the hall,
  or of the nearest hall for public places; its fear jumps (victimisation drives fear);
- witnesses: staff or police present, a monitored camera, or residents (halls: in proportion
  to occupancy; public spaces less);
- reporting depends on trust in whoever receives the report (landlord for nuisance, police for
  crime): ``report_base * (0.3 + 0.7 * trust)``;
- handling, from the least to the most specific: the landlord's services (or the tranquillity
  officer when the function is dedicated) answer a share of reported nuisance set by the
  organisation; police attend reported crimes with a probability raised by partnership,
  information sharing and monitored cameras; whoever is on the spot handles what is theirs;
- residents' view of responsiveness (moving averages per hall) feeds their trust;
- police handling weakens the youth group or dealing point present (arrests).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from tranqsim.incidents import (DAY, H_CARETAKER, H_GUARD, H_MEDIATOR, H_NONE, H_POLICE, TABLE,
                                IncidentType as I, T)

if TYPE_CHECKING:  # pragma: no cover
    from tranqsim.model import EstateModel


def respond(m: EstateModel, d, hs, ts, ps, pol, med, guard) -> None:
    p, P, hh = m.p, m.n_places, m.households
    n = ts.size
    counts = np.bincount(ps, minlength=P)
    m.recent += (counts - m.recent) / 30
    m.incidents_12m += counts - m.ring[d % 365]
    m.ring[d % 365] = counts
    m.status_score += (np.bincount(ps, weights=TABLE.severity[ts], minlength=P)
                          - m.status_score) / 60
    m.attractiveness += p.attract_boost * np.bincount(ps, weights=TABLE.offender_driven[ts],
                                                        minlength=P)
    m.dis_comp += np.bincount(TABLE.disorder_component[ts] * P + ps, weights=m.comp_amount[ts],
                                 minlength=3 * P).reshape(3, P)
    m.day_repair_cost = float(m.repair_cost[ts].sum())
    m.day_type_counts = np.bincount(ts, minlength=T)
    if n == 0:
        m.streams["reporting"].random((3, P, 4), dtype=np.float32)  # keep the stream in step
        m.day_reported = m.day_handled = m.victims_today = 0
        return
    hall_idx = m.nearest_hall[ps]  # the hall itself, or the nearest one for public places
    # four uniforms per (phase, place), drawn every day: witness, report, handling, victim
    u = m.streams["reporting"].random((3, P, 4), dtype=np.float32)[hs, ps]
    # several events in one (phase, place): shift each one's uniforms (golden-ratio offsets)
    cell = hs * P + ps  # events come sorted by type, then (phase, place)
    if n > 1 and np.bincount(cell, minlength=3 * P).max() > 1:
        order = np.argsort(cell, kind="stable")
        sc = cell[order]
        new = np.empty(n, bool)
        new[0] = True
        np.not_equal(sc[1:], sc[:-1], out=new[1:])
        start = np.maximum.accumulate(np.where(new, np.arange(n), 0))
        rank = np.empty(n, np.float32)
        rank[order] = np.arange(n) - start  # 0 for the first event of a cell, 1 for the next...
        u = (u + np.float32(0.6180339887) * rank[:, None]) % 1.0
    # victims: a household of the hall (or of the nearest hall for public places)
    vic = TABLE.victim[ts]
    hv = hall_idx[vic]
    slots = m.hall_start[hv] + (u[vic, 3] * m.layout.dwellings_per_hall[hv]).astype(np.int64)
    slots = slots[hh.occupied[slots]]
    hh.victimise(d, slots, m.hall_fear_logit)
    m.victims_today = slots.size
    # witnesses, reporting, who handles it
    police_here = pol[hs, ps] > 0
    med_here = med[hs, ps] > 0
    guard_here = guard[hs, ps] > 0
    care_here = (hs == DAY) & (u[:, 0] < 0.5 * m.caretaker_cov[ps])  # on a round there
    monitored = m.mods.cctv_active[ps] > 0 if m.mods.cctv_active is not None else np.zeros(n, bool)
    present = med_here | guard_here | care_here | police_here | monitored
    is_hall = m.hall_of_place[ps] >= 0
    p_witness = np.where(is_hall, p.witness_hall * m.hall_occ[hall_idx], p.witness_public)
    witnessed = present | (u[:, 0] < p_witness)
    to_police = TABLE.to_police[ts]
    trust = np.where(to_police, m.hall_trust_p[hall_idx], m.hall_trust_l[hall_idx])
    reported = present | (witnessed & (u[:, 1] < p.report_base * (0.3 + 0.7 * trust)))
    pol_resp = np.minimum(0.95, p.police_response_base * m.org.partnership
                          * (1.5 if m.mods.information_sharing else 1.0)
                          * np.where(monitored, 1.5, 1.0))  # operators dispatch on what they see
    nuis = TABLE.nuisance[ts]
    prop = TABLE.disorder_component[ts] != 2
    # from lowest to highest priority: the landlord's services, then whoever is there
    handler = np.where(~to_police & reported & (u[:, 2] < m.org.landlord_response),
                       m.landlord_handler, H_NONE).astype(np.int8)
    handler[police_here] = H_POLICE
    handler[care_here & (prop | nuis) & ~to_police] = H_CARETAKER
    handler[guard_here & nuis] = H_GUARD
    handler[med_here & nuis] = H_MEDIATOR
    handler[to_police & ((reported & (u[:, 2] < pol_resp)) | police_here)] = H_POLICE
    # responsiveness as residents of the hall see it (moving averages over reports)
    H = m.n_halls
    # per (receiver, hall): landlord reports in [0, H), police reports in [H, 2H)
    key = to_police * H + hall_idx
    answered = np.where(to_police, handler == H_POLICE, handler != H_NONE)
    rep = np.bincount(key, weights=reported, minlength=2 * H)
    han = np.bincount(key, weights=reported & answered, minlength=2 * H)
    m.resp_landlord += 0.05 * (han[:H] - rep[:H] * m.resp_landlord)
    m.resp_police += 0.05 * (han[H:] - rep[H:] * m.resp_police)
    for r in (m.resp_landlord, m.resp_police):  # keep in [0, 1] (np.clip is slow on small arrays)
        np.minimum(np.maximum(r, 0.0, out=r), 1.0, out=r)
    # arrests weaken groups and dealing points where police handled an incident
    arrests = ps[handler == H_POLICE]
    if arrests.size:
        hit = set(arrests.tolist())
        for grp in m.group_list:
            if grp.place in hit:
                grp.arrested(p.arrest_effect)
        for net in m.network_list:
            if net.place in hit:
                net.strength = max(0.05, net.strength - p.arrest_effect)
    m.day_reported = np.count_nonzero(reported & (ts != I.STAFF_AGGRESSION))
    m.day_handled = np.count_nonzero(handler != H_NONE)
    if m.log_events:
        m.events.append((d, ps.astype(np.int32), ts.astype(np.int8),
                            hs.astype(np.int8), witnessed, reported, handler))
