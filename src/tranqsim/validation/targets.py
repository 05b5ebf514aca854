"""The calibration targets C1-C10 (``../shared/brief/domain.md``; pattern-oriented modelling,
Grimm et al. 2005): for each, what it measures in the model, the published figure, and the
numeric reading we chose where the source gives a range with no error margin."""

from __future__ import annotations

import numpy as np

from tranqsim.validation.check import Check, Pattern, _at, _hot_spot_changes, _rel, _s


def _c1(p, runs):
    return [Check(p.id, "priority estate: residents feeling insecure", "%", 22.5, 29.5,
                  100 * _s(runs, "priority", "insecurity_share")),
            Check(p.id, "calm neighbourhood: residents feeling insecure", "%", 11.0, 17.0,
                  100 * _s(runs, "calm", "insecurity_share"))]


def _c2(p, runs):
    return [Check(p.id, "priority estate: households victimised in 12 months", "%", 11.0, 15.0,
                  100 * _s(runs, "priority", "victimisation_rate")),
            Check(p.id, "calm neighbourhood: households victimised in 12 months", "%", 6.0, 10.0,
                  100 * _s(runs, "calm", "victimisation_rate"))]


def _c3(p, runs):
    return [Check(p.id, "priority estate: households moving out per year", "%", 10.5, 14.7,
                  100 * _s(runs, "priority", "turnover_rate")),
            Check(p.id, "share of the move-out propensity due to insecurity", "%", 12.0, 32.0,
                  np.array([100 * r["insecurity_move_share"] for r in runs["priority"]]))]


def _c4(p, runs):
    return [Check(p.id, "share of places holding half the incidents", "%", 2.0, 6.0,
                  100 * _s(runs, "priority", "places_share_for_half_incidents"))]


def _c5(p, runs):
    base_p, pas = _at(runs, "priority", "cctv_passive"), _at(runs, "cctv_passive", "cctv_passive")
    base_a, act = _at(runs, "priority", "cctv_active"), _at(runs, "cctv_active", "cctv_active")
    passive, active = _rel(pas, base_p), _rel(act, base_a)
    cp = _rel(_at(runs, "cctv_car_parks", "cctv_car_parks"), _at(runs, "priority", "cctv_car_parks"))
    ha = _rel(_at(runs, "cctv_halls", "cctv_halls"), _at(runs, "priority", "cctv_halls"))
    return [Check(p.id, "passive CCTV: change in incidents at the covered places", "%", -25.0, -5.0, passive),
            Check(p.id, "active minus passive monitoring (percentage points)", "pp", -20.0, -2.0,
                  active - passive, significant=True),
            Check(p.id, "cameras in car parks minus cameras in halls (pp)", "pp", -60.0, 0.0, cp - ha,
                  significant=True)]


def _c6(p, runs):
    tgt, buf = _hot_spot_changes(runs)
    return [Check(p.id, "hot-spot vs random patrols: change at the targeted places", "%", -30.0, -2.0,
                  tgt, significant=True),
            Check(p.id, "same, in a 2-cell buffer around them (> 0 is displacement)", "%", -10.0, 0.0,
                  buf)]


def _c7(p, runs):
    return [Check(p.id, "incivility rate, full visible disorder / clean (same estate, same day)", "x",
                  1.5, 3.0, np.array([r["c7_ratio"] for r in runs["priority"]], float))]


def _c8(p, runs):
    inc = "incidents_per_1000_dwellings"
    com = _rel(_s(runs, "police_community", inc), _s(runs, "priority", inc))
    order = _rel(_s(runs, "police_order", inc), _s(runs, "priority", inc))
    return [Check(p.id, "community policing (+50% crews): change in incidents", "%", -25.0, -2.0, com,
                  significant=True),
            Check(p.id, "order maintenance (+50% crews): change in incidents", "%", -5.0, 5.0, order)]


def _c9(p, runs):
    ev = _rel(np.array([r["nuisance_by_phase"][1] for r in runs["mediators"]], float),
              np.array([r["nuisance_by_phase"][1] for r in runs["priority"]], float))
    ni = _rel(np.array([r["nuisance_by_phase"][2] for r in runs["mediators"]], float),
              np.array([r["nuisance_by_phase"][2] for r in runs["priority"]], float))
    return [Check(p.id, "night mediators: change in evening nuisance (18-24h)", "%", -30.0, 0.0, ev,
                  significant=True),
            Check(p.id, "night mediators: change in night nuisance (0-6h), the resumption", "%", 0.0, 30.0, ni,
                  significant=True)]


def _c10(p, runs):
    w = np.array([r["degradation_by_year"][-1] for r in runs["withdrawal"]], float)
    s = np.array([r["degradation_by_year"][-1] for r in runs["priority"]], float)
    w0 = np.array([r["degradation_by_year"][0] for r in runs["withdrawal"]], float)
    return [Check(p.id, "after withdrawal / close management: degradation and tags, last year", "x", 1.2, 3.0,
                  w / np.where(s > 0, s, np.nan)),
            Check(p.id, "withdrawal arm: degradation and tags, last year / first year (before it)", "x", 1.2,
                  3.0, w / np.where(w0 > 0, w0, np.nan))]


C_CHECKS = {"C1": _c1, "C2": _c2, "C3": _c3, "C4": _c4, "C5": _c5, "C6": _c6, "C7": _c7, "C8": _c8,
          "C9": _c9, "C10": _c10}

C_PATTERNS = [
    Pattern("C1", "Feeling insecure", "ONZUS 2014 report (INSEE-ONDRP Cadre de vie et sécurité, 2008-14)",
            "25-27% of residents in priority estates vs ~14% in nearby ordinary neighbourhoods",
            "The published range is the spread of annual survey values; we widen it by the survey's "
            "sampling margin (about +/-2.5 points for the priority-area subsample): 22.5-29.5%, and "
            "14% +/- 3 points for ordinary neighbourhoods. Model: status quo (close management) in "
            "`priority_estate` and `calm_neighbourhood`, residents with fear > 0.5, last 12 months.",
            ("priority", "calm")),
    Pattern("C2", "Household victimisation", "ONDRP 2016",
            "~13% of households per year in priority estates vs 6-10% elsewhere",
            "'About 13%' read as 13 +/- 2 points; 6-10% used as published. Note (evidence review): "
            "the ONDRP figure counts individuals victimised *in their neighbourhood* over the survey's "
            "two calendar years, not households per year; the model statistic (households, 12 "
            "months) is not the same quantity, and the band is left as it was until the note's "
            "method section is read.", ("priority", "calm")),
    Pattern("C3", "Resident turnover", "ONPV 2017",
            "~12.6% of priority-estate residents move each year; 22% of those wanting to move cite insecurity",
            "'About 12.6%' read as +/-2.1 points (one sixth). The model does not ask residents why they "
            "want to move: we compare the share of the move-out propensity due to feeling insecure "
            "(over occupied dwellings at the end) with the 22%, within 12-32% because a survey "
            "'cites' counts any of several reasons. Note (evidence review): the 12.6% counts every "
            "move, including moves inside the same priority area; exits from it are about 7.5% a "
            "year. The band is unchanged here.", ("priority",)),
    Pattern("C4", "Concentration of incidents", "Weisburd 2015, Criminology 53:133 (8 cities)",
            "50% of incidents at 2-6% of places",
            "Used as published: the smallest share of places (halls and public-space cells) holding "
            "half of the last 12 months' incidents.", ("priority",)),
    Pattern("C5", "CCTV", "Piza, Welsh, Farrington & Thomas 2019; Welsh & Farrington 2009",
            "modest effect, about -13% overall (-16%); larger with active monitoring and with other "
            "measures; car parks respond most",
            "'Modest, about -13%' read as -25% to -5% at the covered places, with 16 passive cameras on "
            "the riskiest places added alone to close management (paired seeds). 'Larger with active "
            "monitoring' and 'car parks respond most' read as a difference in relative change below "
            "0 whose interval excludes 0 (4 cameras in car parks vs 4 in halls). Bounds on size "
            "(issue 16): active minus passive within E3's band (-20 to -2 points); car parks minus "
            "halls no lower than -60 points (E2/E3's floor of -60% in car parks minus E1's ceiling "
            "of 0% in halls).",
            ("priority", "cctv_passive", "cctv_active", "cctv_car_parks", "cctv_halls")),
    Pattern("C6", "Hot-spot policing", "Braga, Turchan, Papachristos & Hureau 2019; Weisburd et al. 2006",
            "small but significant reduction; diffusion of benefits more common than displacement",
            "The same crews patrol the places with the most recent incidents instead of at random. "
            "'Small but significant' read as -30% to -2% at the targeted places (the 10% of places "
            "with the highest expected rate at the start, fixed before any patrol) with an interval excluding 0; 'diffusion more common than displacement' "
            "as no rise on average in a 2-cell buffer around them, and no fall beyond -10% (E5's "
            "lower bound, a judgement: diffusion no larger than a small direct effect).", ("priority", "police_hot_spot")),
    Pattern("C7", "Disorder and incivility", "Keizer, Lindenberg & Steg 2008, Science 322:1681",
            "visible disorder about doubles the rate of incivility",
            "The field experiments in the model: 12 times in the last year the same estate on the "
            "same morning is copied twice, once with full visible disorder and once cleaned, and the "
            "day's expected incivilities (degradation, tags, bulky waste, incivilities to residents) "
            "at halls are compared. Keizer's ratios ran from 2.1 to 3.0; 'about doubles' read as 1.5-3.",
            ("priority",)),
    Pattern("C8", "Disorder-focused policing", "Braga, Welsh & Schnell 2015, JRCD 52:567",
            "community and problem-solving approaches: modest reduction; aggressive order "
            "maintenance: no significant effect",
            "50% more crews in each style, against the status quo. 'Modest' read as -25% to -2% with "
            "an interval excluding 0. With common random numbers and 20 replicates any non-zero "
            "effect becomes 'significant', so 'no significant effect' is read as an equivalence "
            "margin: within +/-5%.", ("priority", "police_community", "police_order")),
    Pattern("C9", "Night mediation", "de Maillard & Bénec'h-Le Roux 2011, CESDIP",
            "nuisances resume when the mediators' shift ends (displacement in time)",
            "Four mediator posts on the evening shift: evening nuisance (hall occupation, noise, "
            "incivilities) falls and night nuisance rises, both with intervals excluding 0. Bounds "
            "on size (judgement bands): the evening fall no larger than -30%, the upper end of the "
            "self-evaluations summarised by the CAS note (2009: incivilities -25 to -30% in a "
            "mediator's first year, uncontrolled, so an upper bound); the night rise no larger than "
            "+30% (displacement smaller than the direct effect, Guerette & Bowers 2009).",
            ("priority", "mediators")),
    Pattern("C10", "Landlord withdrawal", "press accounts (3F, Sevran les Beaudottes, 2008)",
            "withdrawing front-line staff is followed by rising degradation; re-entry is costly",
            "Close management for a year, then caretakers, cleaning and rapid repair withdrawn, "
            "against close management throughout (same seeds): degradation and tags in the last "
            "year at least 20% above close management's, and at least 20% above the first year's "
            "(before the withdrawal), and at most three times either (a judgement band: the press "
            "accounts give no size; a tripling is beyond what removing caretakers does to incidents "
            "in E8's corrected band). The cost of re-entry is not checked (no re-entry scenario). "
            "Source note (evidence review): the site was Sevran les Beaudottes, the documented "
            "sequence was aggressions of staff, then withdrawal (not withdrawal, then degradation), "
            "and the EUR 210k re-entry figure was not found.",
            ("priority", "withdrawal")),
]

for _p in C_PATTERNS:
    _p.measure = C_CHECKS[_p.id]
