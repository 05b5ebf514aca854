"""The evidence table E1-E12 (``../shared/brief/evidence.md``, sources checked in
``docs/evidence_review.md``) as checks. Each is two-sided: an effect that is too strong fails as
surely as one that is too weak. The experiment: the status quo (``priority``) with one lever
added (or removed) alone, paired seeds, last 12 months, at the places the lever covers unless
the pattern's reading says otherwise; the reading says which bounds are judgement and which
bands were corrected against the source."""

from __future__ import annotations

import numpy as np

from tranqsim.estate import PlaceKind
from tranqsim.incidents import DAY, EVENING, NIGHT, IncidentType as I
from tranqsim.validation.check import Check, Pattern, _buffer, _hot_spot_changes, _rel, _s

PROPERTY_IN_HALLS = np.array([I.CELLAR_CRIME, I.DEGRADATION])


def _masked(r, mask, types=None, phases=None) -> float:
    """Incidents of ``types`` (all if None) in ``phases`` (all if None) at the places in ``mask``."""
    if phases is not None:
        if types is not None:
            raise ValueError("types and phases: the run keeps them separately")
        return float(r["place_phase_counts"][np.asarray(phases)][:, mask].sum())
    c = r["place_type_counts"]
    return float((c if types is None else c[np.asarray(types)])[:, mask].sum())


def _lever_change(runs, arm, cover_key, base="priority", types=None, phases=None, kind=None,
                  exclude_kind=None) -> np.ndarray:
    """Relative change (%) at the places arm ``arm``'s lever covers, against ``base`` (paired)."""
    out = []
    for r, b in zip(runs[arm], runs[base]):
        mask = r[cover_key].copy()
        if kind is not None:
            mask &= r["kind"] == kind
        if exclude_kind is not None:
            mask &= r["kind"] != exclude_kind
        out.append(_rel(_masked(r, mask, types, phases), _masked(b, mask, types, phases)))
    return np.array(out, float)


def _e1(p, runs):
    return [Check(p.id, "passive CCTV at halls and streets (car parks excluded): change at covered places", "%",
                  -20.0, 0.0, _lever_change(runs, "cctv_passive", "covered", exclude_kind=PlaceKind.CAR_PARK))]


def _e2(p, runs):
    return [Check(p.id, "passive CCTV in car parks: change in vehicle crime at covered car parks", "%",
                  -60.0, -25.0, _lever_change(runs, "cctv_car_parks", "covered", types=[I.VEHICLE_CRIME],
                                              kind=PlaceKind.CAR_PARK))]


def _e3(p, runs):
    act = _lever_change(runs, "cctv_active", "covered")
    pas = _lever_change(runs, "cctv_passive", "covered")
    cpa = _lever_change(runs, "cctv_car_parks_active", "covered", types=[I.VEHICLE_CRIME], kind=PlaceKind.CAR_PARK)
    return [Check(p.id, "active minus passive monitoring, 16 cameras on the riskiest places (pp)", "pp",
                  -20.0, -2.0, act - pas),
            Check(p.id, "monitored cameras in car parks: change in vehicle crime at covered car parks", "%",
                  -60.0, -25.0, cpa)]


def _buffer_pair(runs, arm, cover_key) -> tuple[np.ndarray, np.ndarray]:
    """(buffer change %, buffer change / direct reduction in counts) for a situational lever."""
    pct, ratio = [], []
    for r, b in zip(runs[arm], runs["priority"]):
        cov = r[cover_key]
        buf = _buffer(r, cov)
        d_buf = r["place_counts"][buf].sum() - b["place_counts"][buf].sum()
        d_dir = r["place_counts"][cov].sum() - b["place_counts"][cov].sum()
        pct.append(_rel(float(r["place_counts"][buf].sum()), float(b["place_counts"][buf].sum())))
        ratio.append(d_buf / -d_dir if d_dir < 0 else np.nan)  # no direct reduction: undefined
    return np.array(pct, float), np.array(ratio, float)


E4_LEVERS = (("cameras", "cctv_passive", "covered"), ("lighting", "lighting", "covered_lighting"),
             ("access control", "access_control", "covered_access_control"))


def _e4(p, runs):
    out = []
    for label, arm, key in E4_LEVERS:
        pct, ratio = _buffer_pair(runs, arm, key)
        out.append(Check(p.id, f"{label}: change in a 2-cell buffer around covered places (> 0 is displacement)",
                         "%", -10.0, 5.0, pct))
        out.append(Check(p.id, f"{label}: buffer change / direct reduction (incidents)", "x", -1.0, 1.0, ratio))
    return out


def _e5(p, runs):
    tgt, buf = _hot_spot_changes(runs)
    return [Check(p.id, "hot-spot patrols: change at the targeted places", "%", -20.0, -5.0, tgt),
            Check(p.id, "hot-spot patrols: change in a 2-cell buffer (> 0 is displacement)", "%", -10.0, 2.0,
                  buf)]


def _e6(p, runs):
    arm = "police_community_same"
    inc = _rel(_s(runs, arm, "incidents_per_1000_dwellings"), _s(runs, "priority", "incidents_per_1000_dwellings"))
    trust = _rel(_s(runs, arm, "trust_police_mean"), _s(runs, "priority", "trust_police_mean"))
    insec = 100 * (_s(runs, arm, "insecurity_share") - _s(runs, "priority", "insecurity_share"))
    return [Check(p.id, "community style, same crews: change in incidents (estate)", "%", -8.0, 0.0, inc),
            Check(p.id, "community style: change in the share feeling insecure (points)", "pp", -2.0, 0.0, insec),
            Check(p.id, "community style: relative rise in trust in police", "%", 2.0, 25.0, trust),
            Check(p.id, "community style: trust rise minus incident fall (relative, pp)", "pp", 0.5, 25.0,
                  trust + inc)]


def _e7(p, runs):
    tot = _lever_change(runs, "lighting", "covered_lighting")
    day = _lever_change(runs, "lighting", "covered_lighting", phases=[DAY])
    dark = _lever_change(runs, "lighting", "covered_lighting", phases=[EVENING, NIGHT])
    return [Check(p.id, "lighting: change in incidents at lit places", "%", -25.0, -5.0, tot),
            Check(p.id, "lighting: daytime effect / evening-and-night effect", "x", 0.5, 2.0,
                  day / np.where(dark < 0, dark, np.nan))]


def _e8(p, runs):
    inc = _rel(_s(runs, "no_caretakers", "incidents_per_1000_dwellings"),
               _s(runs, "priority", "incidents_per_1000_dwellings"))
    insec = _rel(_s(runs, "no_caretakers", "insecurity_share"), _s(runs, "priority", "insecurity_share"))
    return [Check(p.id, "caretakers removed: change in incidents (estate)", "%", 5.0, 40.0, inc),
            Check(p.id, "caretakers removed: relative change in the share feeling insecure", "%", 0.0, 15.0, insec)]


def _e9(p, runs):
    prop = _lever_change(runs, "access_control", "covered_access_control", types=PROPERTY_IN_HALLS)
    occ = _lever_change(runs, "access_control", "covered_access_control", types=[I.HALL_OCCUPATION])
    return [Check(p.id, "access control: cellar crime and degradation at equipped halls", "%", -45.0, -10.0, prop),
            Check(p.id, "access control: hall occupation change / property crime change", "x", 0.0, 1 / 3,
                  occ / np.where(prop < 0, prop, np.nan))]


def _month_blocks(r, b, mask, first: int, last: int) -> float:
    """Relative change (%) of incidents in ``mask`` over 30-day months [first, last)."""
    a, c = r["monthly_place_counts"], b["monthly_place_counts"]
    if first < 0 or last > a.shape[0] or last <= first:
        return np.nan
    return _rel(float(a[first:last][:, mask].sum()), float(c[first:last][:, mask].sum()))


def _e10(p, runs):
    early, late, resid, back = [], [], [], []
    for r, b in zip(runs["zsp"], runs["priority"]):
        mask = r["covered_zsp"]
        s0, s1 = (d // 30 for d in r["zsp_window"])
        e = _month_blocks(r, b, mask, s0 + 1, s0 + 4)  # months 2-4 of the window (month 1 is partial)
        late.append(_month_blocks(r, b, mask, s1 - 3, s1))  # its last 3 months
        early.append(e)
        resid.append(_month_blocks(r, b, mask, s1 + 1, s1 + 3))  # months 1-2 after the end
        back.append(_month_blocks(r, b, mask, s1 + 10, s1 + 13))  # months 10-12 after the end
    early, late = np.array(early, float), np.array(late, float)
    return [Check(p.id, "ZSP zone: effect in its last 3 months / in its months 2-4", "x", 0.0, 0.8,
                  late / np.where(early < 0, early, np.nan)),
            Check(p.id, "ZSP zone: change 1-2 months after the end (residual deterrence)", "%", -20.0, -1.0,
                  np.array(resid, float)),
            Check(p.id, "ZSP zone: change 10-12 months after the end", "%", -5.0, 5.0, np.array(back, float))]


def _e11(p, runs):
    arm = "police_order_same"
    inc = _rel(_s(runs, arm, "incidents_per_1000_dwellings"), _s(runs, "priority", "incidents_per_1000_dwellings"))
    trust = _rel(_s(runs, arm, "trust_police_mean"), _s(runs, "priority", "trust_police_mean"))
    return [Check(p.id, "order-maintenance style, same crews: change in incidents (estate)", "%", -5.0, 5.0, inc),
            Check(p.id, "order-maintenance style: relative change in trust in police", "%", -30.0, -1.0, trust)]


def _e12(p, runs):
    alone, bundled = [], []
    for base, lone, bun, bun_l in zip(runs["priority"], runs["cctv_passive"], runs["bundle"], runs["bundle_cctv"]):
        cov = lone["covered"]  # the same 16 places in both (ranked by risk at the start)
        # proportional gains: in a model where each watcher multiplies the rate by a fixed factor
        # the gain in *counts* is smaller in the bundle anyway (fewer incidents are left), so only
        # a smaller *proportional* gain shows that watchers overlap
        alone.append(_rel(lone["place_counts"][cov].sum(), base["place_counts"][cov].sum()))
        bundled.append(_rel(bun_l["place_counts"][cov].sum(), bun["place_counts"][cov].sum()))
    alone, bundled = np.array(alone, float), np.array(bundled, float)
    inc = "incidents_per_1000_dwellings"
    glob = _rel(_s(runs, "global", inc), _s(runs, "priority", inc))
    return [Check(p.id, "cameras' relative effect at their places, added to a bundle / added alone", "x",
                  0.0, 0.95, bundled / np.where(alone < 0, alone, np.nan)),
            Check(p.id, "global approach vs status quo: change in incidents (estate)", "%", -40.0, -5.0, glob)]


E_CHECKS = {"E1": _e1, "E2": _e2, "E3": _e3, "E4": _e4, "E5": _e5, "E6": _e6, "E7": _e7, "E8": _e8,
               "E9": _e9, "E10": _e10, "E11": _e11, "E12": _e12}

_E = ("Status quo (close management) with the lever added alone, paired seeds, last 12 months. ")

E_PATTERNS = [
    Pattern("E1", "Passive CCTV in residential settings",
            "Welsh & Farrington 2009, Justice Quarterly 26:716; Piza, Welsh, Farrington & Thomas 2019, "
            "Criminology & Public Policy 18:135",
            "public housing / residential about -7%, not significant (W&F 2009); overall modest (Piza 2019)",
            _E + "16 recording-only cameras on the riskiest places; change at the covered halls and "
            "street cells (car parks excluded, they are E2). Band -20% to 0% as in evidence.md; the "
            "review found -7% n.s. (public housing) and could not read Piza's -13%, so the centre of "
            "the band should be about -7%.", ("priority", "cctv_passive")),
    Pattern("E2", "CCTV in car parks", "Welsh & Farrington 2009, Justice Quarterly 26:716",
            "car parks about -51%, the largest setting effect",
            _E + "4 recording-only cameras placed in car parks first; change in vehicle crime at the "
            "covered car parks. Band -60% to -25% as in evidence.md. Note from the review: the -51% "
            "comes mostly from car parks with CCTV plus other measures (lighting, fencing, notices); "
            "for cameras alone the centre should be nearer -30%.", ("priority", "cctv_car_parks")),
    Pattern("E3", "Active monitoring vs passive recording", "Piza et al. 2019, Criminology & Public Policy 18:135",
            "active monitoring gives larger effects than passive; the difference is of the order of 5-15 "
            "points, not a multiple",
            _E + "16 cameras on the riskiest places, monitored or recording only: active minus passive "
            "change at the covered places between -20 and -2 points; 4 monitored cameras in car parks: "
            "vehicle crime there no stronger than -60% (and at least E2's -25%). Judgement band: the "
            "review read the direction in Piza's abstract but not the size of the gap.",
            ("priority", "cctv_passive", "cctv_active", "cctv_car_parks_active")),
    Pattern("E4", "Displacement and diffusion around situational measures",
            "Guerette & Bowers 2009, Criminology 47:1331 (102 studies, 574 observations)",
            "displacement in about 26% of observations, diffusion of benefits in about 27%; where "
            "displacement occurs it is smaller than the direct effect",
            _E + "For cameras (16, riskiest places), lighting (the riskiest quarter of public spaces) "
            "and access control (the riskiest half of halls): change in all incidents in the uncovered "
            "places within 2 cells of a covered one, between -10% and +5%; and the buffer's change in "
            "incidents divided by the direct reduction at the covered places between -1 and 1 "
            "(displacement, or diffusion, never larger than the direct effect). The review also "
            "suggests that rises and falls of the buffer should both occur across levers and contexts; "
            "that is not checked here.", ("priority", "cctv_passive", "lighting", "access_control")),
    Pattern("E5", "Hot-spot policing at the targets",
            "Braga & Weisburd 2022, J. Quant. Criminol. 38:1; Braga, Turchan, Papachristos & Hureau 2019, "
            "J. Exp. Criminol. 15:289",
            "mean reduction about 8% (from d) to 16% (from the incidence-rate ratio); diffusion more "
            "common than displacement",
            _E + "The same crews patrol the places with the most recent incidents instead of at random; "
            "targets as in C6. Band -20% to -5% at targets as in evidence.md. Buffer: evidence.md gives "
            "only an upper bound (+2%); the lower bound -10% is a judgement (a diffusion of benefits "
            "about as large as the smallest direct effects, Braga et al. 2019 call it small).",
            ("priority", "police_hot_spot")),
    Pattern("E6", "Community-oriented policing", "Gill, Weisburd, Telep, Vitter & Bennett 2014, "
            "J. Exp. Criminol. 10:399",
            "positive effects on satisfaction, perceived disorder and police legitimacy; limited effects "
            "on crime and fear",
            _E + "The same crews (level 1) in the community style instead of the standard one. Incidents "
            "estate-wide -8% to 0%, insecurity -2 to 0 points, as in evidence.md. 'Trust up by clearly "
            "more (relative) than incidents fall' read as: trust in police up by 2% to 25% (relative; "
            "both bounds a judgement, Gill et al. give no pooled size in the abstract) and the trust "
            "rise minus the incident fall between 0.5 and 25 points.",
            ("priority", "police_community_same")),
    Pattern("E7", "Street lighting", "Welsh & Farrington 2008, Campbell Systematic Review 2008:13",
            "about -21% overall (UK -38%, US -7%); night-time crime did not fall more than daytime crime",
            _E + "The riskiest quarter of public spaces relit: change at the lit places -25% to -5%, as "
            "in evidence.md; the daytime (6-18h) relative effect divided by the evening-and-night one "
            "between 0.5 (evidence.md) and 2 (a judgement upper bound: the review found day and night "
            "effects alike, not a daytime effect much larger).", ("priority", "lighting")),
    Pattern("E8", "Wardens and caretakers",
            "Neighbourhood Wardens Scheme evaluation (Social Development Direct for ODPM / NRU, 2004)",
            "recorded crime -28% in warden areas against +4.7% in comparison areas; fear of crime about "
            "-10% relative",
            "Status quo with the caretakers removed alone (paired seeds, last 12 months, estate-wide). "
            "**Corrected band** (docs/evidence_review.md): evidence.md's band was incidents +5% to +35% "
            "and insecurity at most +25% relative, calling the evaluation uncontrolled; it had "
            "comparison areas, and the fear figure is a 10% relative decline, so removing caretakers "
            "may raise insecurity by at most +15% relative (0 to +15%) and incidents by +5% to +40% "
            "(28% fall against a 4.7% rise elsewhere, read back as a rise on removal). Still an upper "
            "bound: warden areas were chosen, not randomised.", ("priority", "no_caretakers")),
    Pattern("E9", "Access control of entrances",
            "Armitage & Monchuk 2011, Security Journal 24:320 (Secured by Design)",
            "Secured by Design estates: about half the burglary of matched estates",
            _E + "Badge entrances on the riskiest half of halls: cellar crime and degradation at the "
            "equipped halls. **Corrected band**: evidence.md's -60% to -20% holds for a full Secured "
            "by Design package on new builds (defensible space, surveillance, maintenance); the model's "
            "lever retrofits door-entry systems on existing halls, for which the review proposes "
            "-45% to -10% (a judgement). The hall-occupation effect at most a third of it (ratio 0 to "
            "1/3) has no source: an assumption, kept from evidence.md.", ("priority", "access_control")),
    Pattern("E10", "Crackdowns and reinforced zones (ZSP)",
            "Sherman 1990, Police Crackdowns: Initial and Residual Deterrence, Crime and Justice 12:1",
            "initial deterrence decays during long crackdowns; five studies with post-crackdown data "
            "showed continued ('residual') deterrence, in two cases longer than the crackdown",
            "Status quo with a ZSP reinforcement alone (3 extra crews, a square of radius 5 around the "
            "hottest place when it starts) from a sixth to half of the horizon (3 years: 12 months on, "
            "18 off); monthly incidents in the zone against the same zone in the status quo (paired "
            "seeds). **Corrected band**: evidence.md asked the zone to be back within 5% of its "
            "counterfactual within 6 months of the end ('residual deterrence is short'); Sherman "
            "found residual deterrence common and sometimes longer than the crackdown. Read now as: "
            "(a) the effect decays inside the window (last 3 months at most 0.8 of months 2-4: the 0.8 "
            "is a judgement); (b) a residual exists in months 1-2 after the end (-20% to -1%, "
            "judgement); (c) by months 10-12 after the end the zone is within 5% of its counterfactual.",
            ("priority", "zsp")),
    Pattern("E11", "Order-maintenance policing",
            "Braga, Welsh & Schnell 2015, J. Res. Crime Delinq. 52:567",
            "aggressive order-maintenance strategies do not generate significant crime reductions",
            _E + "The same crews (level 1) in the order-maintenance style: incidents estate-wide within "
            "-5% to +5% (as in evidence.md). **Corrected source**: 'aggressive tactics lower "
            "legitimacy' is not in Braga et al. 2015 (the review checked the abstract); the trust "
            "clause is kept as an assumption (procedural-justice literature, not verified here): trust "
            "in police down by 1% to 30% relative (both bounds a judgement).",
            ("priority", "police_order_same")),
    Pattern("E12", "Combining measures", "Piza et al. 2019, Criminology & Public Policy 18:135",
            "CCTV with other measures does better than CCTV alone; multi-measure programmes in "
            "comparable settings rarely exceed -30 to -40%",
            "Judgement bands (the review found no source for diminishing returns or the ceiling). "
            "(a) 16 passive cameras on the riskiest places added to the status quo, and added to a "
            "bundle (status quo + lighting of all public spaces + access control of all halls + "
            "hot-spot patrols): the cameras' relative change in incidents at their places when added "
            "to the bundle, divided by the same when added alone, between 0 and 0.95 (a smaller "
            "proportional gain, never a backfire). Proportional, not in counts: when every watcher "
            "multiplies the rate by a fixed factor, the gain in counts shrinks in a bundle merely "
            "because fewer incidents are left, so only the proportional gain tests overlap. (b) The richest shipped strategy "
            "(`global_approach`) against the status quo in the same estate: incidents -40% to -5% "
            "(the -5% floor a judgement: a multi-measure programme should do at least as well as a "
            "single modest measure). Read in the priority estate only, the setting of the programmes "
            "the band summarises; the calm and ZSP estates are not checked (CHANGELOG, known issues).",
            ("priority", "cctv_passive", "bundle", "bundle_cctv", "global")),
]

for _p in E_PATTERNS:
    _p.measure = E_CHECKS[_p.id]
