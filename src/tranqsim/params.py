"""The parameter table: every behavioural and cost default, with its unit and its source.

One place holds every number the model uses that is not a property of the territory (those live
in context files) or of the strategy (strategy files). Each entry says where the value comes
from: a published figure (``source``), or an assumption awaiting calibration (``note`` starting
with "assumption"), so that ``docs/parameters.md`` -- rendered from this table by
``tranqsim params --markdown`` -- is the model's honest bill of materials.

Scenario files may override any of them under ``parameters:`` (used by sweeps and calibration);
the value must stay within the entry's ``[low, high]`` range.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from pathlib import Path
from types import MappingProxyType


@dataclass(frozen=True, slots=True)
class Param:
    name: str
    value: float
    unit: str
    group: str
    source: str
    low: float
    high: float
    note: str = ""


_A = "assumption; order of magnitude, to be calibrated (issue 4)"
_F = "assumption (issue 17): no measured value found in French practice literature; range given"

_TABLE: tuple[Param, ...] = (
    # --- steady: the stationary initial state (ODD 5), residents' targets, the index's weights ---
    Param("spinup_days", 120, "days", "initialisation",
          "unreported spin-up under the day-0 levers: disorder settles in ~30 days, fear in ~90, "
          "the reassurance and community memories in 30-60 (measured on priority_estate)",
          0, 365, "assumption; long enough for the fast variables, cheap enough for sweeps (about "
                  "+0.1 s a run on priority_estate, +2-3 % of a 3-year run: the run that follows "
                  "is a little faster from the settled state); 0 runs from the context file's "
                  "raw initial state"),
    Param("group_range", 8.0, "cells", "youth",
          "a group's hangouts lie within this distance of its home (scale invariance: the choice "
          "does not grow with the estate); youth groups keep to their own part of an estate "
          "(Mohammed 2011)", 2, 40, "assumption; about a small estate's width (16-19 cells at "
                                   "1,500 dwellings), so that estate's behaviour hardly changes"),
    # residents' satisfaction and trust targets (log-odds; residents.py, _halls_day), each
    # coefficient was a constant in the code: now a parameter, an assumption with a range
    Param("sat_base", 1.2, "log-odds", "residents", "satisfaction with the landlord at no disorder, "
          "responsiveness 0.5, no coverage", -3, 4, _A),
    Param("sat_disorder", 3.0, "log-odds per unit disorder", "residents",
          "visible disorder is residents' first complaint (USH satisfaction surveys)", 0, 6, _A),
    Param("sat_responsiveness", 2.0, "log-odds per unit responsiveness", "residents",
          "reports followed up raise satisfaction (procedural justice)", 0, 4, _A),
    Param("sat_coverage", 0.8, "log-odds at full caretaker coverage", "residents",
          "a caretaker in the building: the most valued service (USH surveys)", 0, 2, _A),
    Param("sat_participation", 0.3, "log-odds per unit participation", "residents", "", 0, 1, _A),
    Param("sat_incidents", 0.1, "log-odds per incident/month at the hall", "residents", "", 0, 0.5, _A),
    Param("sat_dispute", 0.3, "log-odds with dispute mediation", "residents", "", 0, 1, _A),
    Param("sat_fear", 1.5, "log-odds per unit of a household's fear above 0.3", "residents",
          "those who feel insecure are less satisfied with their dwelling", 0, 3, _A),
    Param("trust_l_responsiveness", 2.0, "log-odds per unit responsiveness", "residents",
          "trust in the landlord follows its responses to reports", 0, 4, _A),
    Param("trust_l_coverage", 0.8, "log-odds per unit caretaker coverage (around 0.7)", "residents",
          "", 0, 2, _A),
    Param("trust_l_reassurance", 0.6, "log-odds per unit trusted presence (around 0.5)", "residents",
          "", 0, 2, _A),
    Param("trust_l_participation", 0.4, "log-odds per unit participation", "residents", "", 0, 1, _A),
    Param("trust_l_disorder", 1.5, "log-odds per unit disorder (around 0.1)", "residents", "", 0, 3, _A),
    Param("trust_p_responsiveness", 1.5, "log-odds per unit police responsiveness (around 0.4)",
          "residents", "response to calls drives confidence in the police", 0, 3, _A),
    Param("trust_p_dealing", 0.8, "log-odds with a dealing point in the hall", "residents",
          "open dealing left in place reads as police indifference", 0, 2, _A),
    Param("community_trust_gain", 0.5, "log-odds of trust in police at full exposure to a community "
          "crew", "residents", "Gill et al. 2014 (J. Exp. Criminol. 10:399): community policing "
          "raises satisfaction and legitimacy, with limited effects on crime and fear (E6: trust "
          "up by clearly more, relatively, than incidents fall)", 0, 1.5,
          "assumption; measured: +18 % relative trust in police with random patrols in "
          "community style (E6 band 2-25 %)"),
    Param("community_contact_ref", 0.05, "community-crew visits a day at a hall (60-day mean)",
          "residents", "full exposure: a hall visited by the community crew about every three weeks; "
          "a random patrol of the status quo gives ~0.03", 0.005, 0.5, _A),
    Param("ce_participation", 0.3, "relative collective efficacy per unit participation",
          "residents", "participation strengthens informal control (Sampson et al. 1997)", 0, 1, _A),
    Param("reassurance_guard", 0.3, "trusted presence per guard visit (night)", "residents",
          "guards reassure less than resident-facing staff (wardens evaluation, ODPM 2004)", 0, 1, _A),
    Param("reassurance_police_community", 0.5, "trusted presence per police visit, community style",
          "residents", "reassurance policing (Innes 2004)", 0, 1, _A),
    Param("reassurance_police_standard", 0.25, "trusted presence per police visit, standard style",
          "residents", "", 0, 1, _A),
    Param("reassurance_police_order", 0.1, "trusted presence per police visit, order-maintenance style",
          "residents", "", 0, 1, _A),
    Param("trust_offset_sd", 0.4, "log-odds s.d. between households", "residents",
          "spread of trust between households of one hall", 0, 1.5, _A),
    Param("stability_years", 3.0, "years", "residents", "tenure after which a household counts as "
          "settled in residential stability (collective efficacy rises with tenure, Sampson et al. "
          "1997)", 1, 10, _A),
    Param("reassurance_memory_days", 30, "days", "residents", "memory of trusted presence (EMA "
          "window of the reassurance residents feel)", 5, 180, _A),
    Param("police_memory_days", 60, "days", "residents", "memory of community-style and "
          "heavy-handed police contact (EMA windows of exposure)", 10, 365, _A),
    Param("ce_max", 1.3, "collective efficacy", "residents", "ceiling of collective efficacy with "
          "participation and community policing", 1, 2, _A),
    Param("near_disorder_weight", 0.4, "share", "residents", "weight of the neighbouring places' "
          "disorder in the disorder residents of a hall see (the rest: the hall itself)", 0, 1, _A),
    # the tranquillity index's weights (metrics.tranquillity_index): a convention, not a finding
    Param("ti_weight_insecurity", 0.30, "weight", "index", "residents' security first (the landlord's "
          "duty of jouissance paisible)", 0, 1, "convention; comparisons should also read the components"),
    Param("ti_weight_victimisation", 0.20, "weight", "index", "", 0, 1, "convention"),
    Param("ti_weight_incidents", 0.20, "weight", "index", "", 0, 1, "convention"),
    Param("ti_weight_disorder", 0.15, "weight", "index", "", 0, 1, "convention"),
    Param("ti_weight_trust", 0.15, "weight", "index", "", 0, 1, "convention"),
    Param("ti_victimisation_ref", 0.30, "share victimised in 12 months scoring 0", "index",
          "about twice the priority estates' rate (C2)", 0.05, 1, "convention"),
    Param("ti_incidents_ref", 1000, "incidents per 1000 dwellings halving the incident score",
          "index", "", 100, 10000, "convention"),
    Param("steady_candidates", 8, "newcomers per slot", "initialisation",
          "importance resampling of the stationary composition (g(x)/h(x), renewal theory)",
          1, 64, "numerical: more candidates, a closer draw of the length-biased composition"),
    # --- incident generation (routine activity: offender x target x absent guardian) ---
    Param("rate_degradation", 250, "incidents/1000 dwellings/yr", "incidents",
          "landlord incident logs, order of magnitude for a priority estate", 0, 5000, _A),
    Param("rate_tags", 170, "incidents/1000 dwellings/yr", "incidents",
          "landlord incident logs, order of magnitude", 0, 5000, _A),
    Param("rate_bulky_waste", 215, "incidents/1000 dwellings/yr", "incidents",
          "landlord incident logs, order of magnitude", 0, 5000, _A),
    Param("rate_hall_occupation", 40, "incidents/1000 dwellings/yr", "incidents",
          "background occupation not due to modelled groups", 0, 5000, _A),
    Param("rate_noise_dispute", 26, "incidents/1000 dwellings/yr", "incidents",
          "background noise not due to disruptive households or groups", 0, 5000, _A),
    Param("rate_cellar_crime", 60, "incidents/1000 dwellings/yr", "incidents",
          "ONDRP household victimisation (C2) split over crime types", 0, 2000, _A),
    Param("rate_vehicle_crime", 72, "incidents/1000 dwellings/yr", "incidents",
          "ONDRP household victimisation (C2) split over crime types", 0, 2000, _A),
    Param("rate_incivility", 80, "incidents/1000 dwellings/yr", "incidents",
          "verbal/physical incivility against residents; C7 uses it", 0, 2000, _A),
    Param("disorder_contagion", 1.0, "rate multiplier per unit disorder", "incidents",
          "Keizer, Lindenberg & Steg 2008 (Science 322:1681): 69% vs 33% littering, "
          "a doubling at full visible disorder", 0, 4),
    Param("attractiveness_gain", 1.0, "rate multiplier per unit attractiveness", "incidents",
          "Short et al. 2008 (M3AS 18:1249): rate proportional to attractiveness", 0, 4),
    # --- near-repeat attractiveness (Short et al. 2008) ---
    Param("attract_boost", 0.25, "attractiveness per incident", "near_repeat",
          "Short et al. 2008, theta; scaled so a weekly incident doubles a place's rate", 0, 2, _A),
    Param("attract_max", 4.0, "attractiveness at which the rate multiplier saturates (x5)",
          "near_repeat", "assumption: offenders' capacity is finite, so hot spots saturate instead "
          "of exploding when the near-repeat feedback is supercritical", 0.1, 100, _A),
    Param("attract_decay", 0.05, "1/day", "near_repeat",
          "near-repeat risk fades within weeks (Johnson & Bowers 2004)", 0.001, 0.5),
    Param("attract_spread", 0.15, "share/day to Moore neighbours", "near_repeat",
          "Short et al. 2008, eta (spatial coupling)", 0, 0.5, _A),
    # --- disorder and its removal ---
    Param("disorder_per_degradation", 0.15, "disorder units", "disorder",
          "visible damage per act; disorder scale 0..1", 0, 1, _A),
    Param("disorder_per_tag", 0.12, "disorder units", "disorder", "", 0, 1, _A),
    Param("disorder_per_waste", 0.1, "disorder units", "disorder", "", 0, 1, _A),
    Param("disorder_per_other", 0.03, "disorder units", "disorder",
          "occupation, dealing, crime leave traces (litter, damage)", 0, 1, _A),
    Param("disorder_per_urban_violence", 0.3, "disorder units", "disorder",
          "burnt cars and debris", 0, 1, _A),
    Param("litter_per_day", 0.008, "disorder units/day at a hall (public places less)", "disorder",
          "daily wear and litter that no one records as an incident; cleaned by caretakers and "
          "cleaning contracts", 0, 0.2, _A),
    Param("repair_delay_days", 30, "days", "disorder",
          "mean delay to repair damage without a rapid-repair contract (landlord practice)", 1, 365, _A),
    Param("tag_removal_days", 45, "days", "disorder",
          "mean delay to remove tags without a contract", 1, 365, _A),
    Param("waste_clearance_days", 30, "days", "disorder",
          "municipal/landlord clearance of bulky waste without caretaker or cleaning contract",
          1, 365, _A),
    Param("caretaker_clean_rate", 0.06, "share of waste removed per caretaker-covered day",
          "disorder", "gardien daily rounds (USH guides on gestion de proximite)", 0, 1, _A),
    Param("caretaker_repair_speedup", 0.5, "fraction of repair delay saved", "disorder",
          "caretakers report damage the same day", 0, 0.95, _A),
    Param("halls_per_caretaker_capacity", 5, "halls covered fully per caretaker post", "disorder",
          "1 post per 100 dwellings at ~20 dwellings/hall (legal minimum, 2001-02 decrees)", 1, 50),
    # --- guardianship (deterrence coefficients, exp(-g) on offending rate) ---
    Param("g_residents", 1.2, "deterrence at full collective efficacy", "guardianship",
          "Sampson, Raudenbush & Earls 1997 (collective efficacy)", 0, 5, _A),
    Param("g_caretaker", 0.5, "deterrence per caretaker presence", "guardianship",
          "routine activity: capable guardian (Cohen & Felson 1979)", 0, 5, _A),
    Param("g_mediator", 0.9, "deterrence per mediator presence", "guardianship",
          "de Maillard & Benec'h-Le Roux 2011 (CESDIP): nuisances fall during rounds", 0, 5, _A),
    Param("g_guard", 0.8, "deterrence per guard presence", "guardianship",
          "GPIS reports of dispersal", 0, 5, _A),
    Param("g_police", 0.5, "deterrence per patrol visit", "guardianship",
          "Braga et al. 2019 (Campbell review): small effects of patrol presence", 0, 5, _A),
    Param("g_cctv_passive", 0.12, "deterrence per camera (recording only)", "guardianship",
          "Piza et al. 2019: about -13% overall, ln(1/0.87)=0.14", 0, 2),
    Param("g_cctv_active", 0.3, "deterrence per camera (actively monitored)", "guardianship",
          "Piza et al. 2019: larger effects with active monitoring", 0, 2),
    Param("cctv_car_park_factor", 2.0, "multiplier on CCTV deterrence in car parks",
          "guardianship", "Welsh & Farrington 2009: car parks respond most (-51%)", 0, 10),
    Param("g_lighting", 0.2, "deterrence in evening/night public spaces", "guardianship",
          "Welsh & Farrington 2008 (street lighting, -21%)", 0, 2),
    Param("g_access_control", 0.6, "deterrence on outsider crime in halls", "guardianship",
          "assumption: controlled entrances keep non-residents out of halls and cellars", 0, 3, _A),
    Param("g_residentialisation", 0.4, "deterrence in enclosed grounds", "guardianship",
          "defensible space (Newman 1972); Malleson's Leeds regeneration model", 0, 3, _A),
    Param("diffusion_weight", 0.35, "share of guardian deterrence felt in Moore neighbours",
          "guardianship", "Weisburd et al. 2006; Braga et al. 2019: diffusion of benefits "
          "more common than displacement", 0, 1),
    Param("displacement_share", 0.15, "share of deterred offending moved to neighbours",
          "guardianship", "Weisburd et al. 2006: displacement exists but is limited", 0, 1),
    Param("time_displacement_share", 0.6, "share of nuisance deterred by mediators that "
          "resumes after their shift", "guardianship",
          "de Maillard & Benec'h-Le Roux 2011: nuisances resume once mediators leave", 0, 1),
    # --- youth groups ---
    Param("group_evening_rate", 0.2, "occupation events per group-evening", "youth",
          "groups gather most evenings (hall occupation)", 0, 5, _A),
    Param("group_nuisance_rate", 0.08, "noise/tags/degradation per group-evening, each", "youth",
          "", 0, 5, _A),
    Param("group_stickiness", 0.35, "probability of staying at yesterday's place", "youth",
          "groups keep their territory", 0, 1, _A),
    Param("group_choice_beta", 2.0, "softmax sharpness of hangout choice", "youth",
          "", 0, 20, _A),
    Param("group_home_bonus", 1.5, "hangout score added at a group's own place (its territory)", "youth",
          "youth groups keep to their own building's hall or square (Mohammed 2011, La formation des "
          "bandes); without it all groups gather at one hall and a small push scatters them "
          "estate-wide; calibrated on C6", 0, 10),
    Param("youth_programme_effect", 0.15, "max share of group activity removed", "youth",
          "youth programmes reduce delinquency a little: after-school programmes d = 0.06, 95% CI "
          "[-0.10, 0.22] (Taheri & Welsh 2016, Youth Violence Juv. Justice 14:272, 17 studies); "
          "mentoring d = 0.21 on delinquency (Tolan et al. 2013, Campbell Syst. Rev. 2013:10); "
          "d 0.06-0.2 on an outcome of prevalence 30-50% is a 5-25% relative fall; was 0.45, an "
          "assumption four times the mentoring evidence; assumption within that range", 0, 0.3, _A),
    Param("tension_from_order_maintenance", 0.02, "tension per heavy-handed contact", "youth",
          "Epstein 2002 (PNAS 99:7243): illegitimate force raises grievance", 0, 1, _A),
    Param("tension_decay", 0.02, "1/day", "youth", "", 0, 1, _A),
    Param("urban_violence_rate", 1.2, "events/1000 dwellings/yr at reference tension", "youth",
          "car fires and clashes, order of magnitude", 0, 100, _A),
    Param("urban_violence_tension_gain", 4.0, "log-rate per unit tension", "youth", "", 0, 20, _A),
    # --- dealing networks ---
    Param("dealing_daily_rate", 1.0, "dealing events per day at full strength", "dealing",
          "a point de deal operates daily", 0, 10, _A),
    Param("dealing_regrowth", 0.01, "1/day", "dealing",
          "resilience of networks (Short et al. 2010: supercritical hot spots)", 0, 1, _A),
    Param("dealing_pressure_effect", 0.01, "strength lost per day of saturated patrol pressure "
          "(v/(1+v) for v visits; a raid counts 3)", "dealing",
          "Weisburd & Green 1995 (Jersey City drug-market hot spots): patrols reduce drug markets' "
          "activity, do not eradicate them; calibrated on C6", 0, 1),
    Param("dealing_relocate_threshold", 0.8, "pressure (EMA of the day's pressure) that makes a point "
          "move", "dealing", "displacement of dealing points under pressure: repeated raids, or "
          "more than about 4 patrol visits a day for weeks; assumption", 0, 10, _A),
    Param("gltd_dismantle_per_month", 0.15, "probability per month per network", "dealing",
          "GLTD: prosecutor-led, one area, about one year, mostly trafficking", 0, 1, _A),
    Param("dealing_reemergence_days", 90, "mean days before a new point appears", "dealing",
          "demand persists after a dismantling: the Interior ministry's count of street dealing "
          "points fell only 10% in 10 months and 18% in 21 months (3,952 in January 2021, 3,233 in "
          "October 2022) under about 1,000 operations a month, net of points re-created, and the "
          "head of Ofast noted networks re-establishing in new places; Sherman 1990 (Crime and "
          "Justice 12): crackdown effects decay within weeks to months; was 240 days; assumption "
          "with range", 14, 365, _A),
    Param("status_yellow", 0.8, "severity-weighted incidents per month at a hall", "status",
          "Nantes hall grading: recurring incivility or occupation", 0, 100, _A),
    Param("status_orange", 2.5, "severity-weighted incidents per month", "status",
          "Nantes grading: established delinquency; a dealing point makes a hall at least orange",
          0, 100, _A),
    Param("status_red", 6.0, "severity-weighted incidents per month", "status",
          "Nantes grading: highest level; a strong dealing point makes a hall red", 0, 100, _A),
    Param("deprivation_offending", 0.8, "relative change in offending per unit change in the "
          "deprived share", "incidents", "concentration of difficulty (ONPV 2017)", 0, 5, _A),
    # --- staff aggressions ---
    Param("staff_aggression_rate", 0.006, "aggressions per staff-contact with a hostile group",
          "staff", "USH 2013 observatory (75% verbal, 18% physical, 7% at home)", 0, 1, _A),
    Param("staff_reminder_rate", 5e-05, "aggressions per staff-day of presence, after a rule "
          "reminder, whatever the groups", "staff",
          "USH 2013: 20% of aggressions follow a simple reminder of the rules; sized so that they "
          "are about a fifth of all aggressions in the priority estate", 0, 0.1, _A),
    Param("dwellings_per_guard", 330, "dwellings per private guard at level 1", "staff",
          "GPIS: about 230 agents for some 77,000 dwellings, night patrols in pairs", 50, 5000, _A),
    # --- residents: fear, satisfaction, trust, reporting ---
    Param("fear_base", -0.8, "log-odds", "residents", "calibrated on C1 (ONZUS 2014)", -10, 10, _A),
    Param("fear_disorder", 0.5, "log-odds per unit disorder", "residents",
          "fear driven by visible disorder (Skogan 1990)", 0, 10,
          "assumption; bounded by E8 (was 3.0: the disorder left by removing the caretakers, "
          "+0.04, then moved fear as much as the whole gap between calm and priority estates, "
          "against the wardens' evidence, fear -10 % relative for crime -28 %)"),
    Param("fear_incidents", 0.9, "log-odds per log(1+incidents/month nearby)", "residents",
          "", 0, 10, _A),
    Param("fear_victimisation", 3.0, "log-odds when victimised in last 12 months", "residents",
          "victimisation is the strongest driver of fear (CVS surveys)", 0, 10,
          "assumption; with fear_disorder bounded by E8, the C1 gap between calm (7 % victimised) "
          "and priority estates (15 %) rests on victimisation and incidents (was 1.6)"),
    Param("fear_dealing", 1.2, "log-odds with a dealing point in one's hall", "residents",
          "", 0, 10, _A),
    Param("fear_reassurance", 0.05, "log-odds per unit visible trusted presence", "residents",
          "visible trusted presence reassures (reassurance policing, Innes 2004); bounded by the "
          "wardens' evaluation (ODPM/NRU 2004: fear of crime -10 % relative; E8: removing the "
          "caretakers raises insecurity by at most ~15 % relative, of which ~8 % comes through "
          "incidents and disorder)", 0, 0.5,
          "assumption within E8's bound (was 1.0: removing caretakers raised insecurity by 81 %)"),
    Param("fear_sensitivity_sd", 1.0, "log-odds s.d. between households", "residents",
          "spread of fear between households of one hall: sets how much the share feeling insecure "
          "responds to an estate's conditions; calibrated on the priority / calm gap of C1 (ONZUS 2014)",
          0, 5, _A),
    Param("fear_adjust_rate", 0.03, "1/day", "residents", "", 0, 1, _A),
    Param("trust_adjust_rate", 0.01, "1/day", "residents", "", 0, 1, _A),
    Param("report_base", 0.45, "probability a witnessed incident is reported at full trust",
          "residents", "CVS: about half of incidents are reported", 0, 1, _A),
    Param("witness_hall", 0.7, "probability an incident in a hall is witnessed", "residents",
          "", 0, 1, _A),
    Param("witness_public", 0.4, "probability a public-space incident is witnessed", "residents",
          "", 0, 1, _A),
    Param("order_maintenance_trust_loss", 2.0, "log-odds of trust in police lost at full exposure",
          "residents", "Braga, Welsh & Schnell 2015; procedural justice (Tyler)", 0, 2, _A),
    # --- residential mobility ---
    Param("move_base", 0.085, "1/yr", "mobility",
          "calibrated on C3 (ONPV 2017: 12.6%/yr in priority estates)", 0, 1, _A),
    Param("move_insecurity", 0.2, "1/yr extra when feeling insecure", "mobility",
          "ONPV 2017: 22% of those wanting to move cite insecurity", 0, 1, _A),
    Param("move_dissatisfaction", 0.04, "1/yr per unit dissatisfaction", "mobility", "", 0, 1, _A),
    Param("relet_days", 90, "days", "mobility", "mean vacancy before reletting (green hall)",
          1, 1000, _A),
    Param("squat_after_days", 120, "days", "mobility", "long vacancy invites squats", 1, 2000, _A),
    Param("squat_rate", 0.004, "1/day in orange/red halls after squat_after_days", "mobility",
          "", 0, 1, _A),
    Param("squat_eviction_days", 180, "days", "mobility", "procedure to recover a squatted dwelling",
          1, 2000, _A),
    Param("eviction_procedure_days", 540, "days", "mobility",
          "troubles de jouissance: a slow procedure, 12-24 months", 30, 3000, _A),
    # --- police ---
    Param("police_visits_per_crew", 6, "places visited per crew per phase", "police", "", 1, 100, _A),
    Param("community_ce_gain", 2.0, "collective-efficacy gain per community-style police visit a day "
          "at the hall (60-day average)", "police",
          "Braga, Welsh & Schnell 2015: community and problem-solving policing reduces disorder "
          "through residents' involvement (Sampson et al. 1997: collective efficacy); calibrated "
          "on C8", 0, 50),
    Param("police_saturation_visits", 1.0, "visits per place and phase at which police deterrence is "
          "half its linear value (0: linear)", "police",
          "Koper 1995, Justice Quarterly 12:649: deterrence grows with time present up to about 15 "
          "minutes, then levels off; visits to one place in one phase overlap; assumption on the "
          "scale", 0, 100, _A),
    Param("hot_spot_exponent", 2.0, "exponent on recent incidents in hot-spot patrol weights", "police",
          "how concentrated hot-spot patrols are (1: in proportion to recent incidents); "
          "calibrated on C6 (Braga et al. 2019: small reductions, dosage a few times the control)",
          0.5, 3, _A),
    Param("police_response_base", 0.35, "probability police handle a reported crime", "police",
          "", 0, 1, _A),
    Param("arrest_effect", 0.05, "group activity / network strength lost per arrest", "police",
          "", 0, 1, _A),
    Param("zsp_raid_per_week", 1.0, "operations per week in the zone", "police",
          "ZSP doctrine: regular operations on trafficking points", 0, 14, _A),
    # --- costs (euros) ---
    Param("cost_caretaker_post", 38000, "EUR/post/yr", "costs",
          "EUR 28k-50k incl. lodging (brief); midpoint; 75% recoverable (decret 2001-1361)",
          28000, 50000),
    Param("cost_mediator_post", 25000, "EUR/post/yr", "costs",
          "adulte-relais: 4,000 posts for EUR 100M (State budget)", 15000, 45000),
    Param("cost_officer_post", 55000, "EUR/post/yr", "costs",
          "charge de mission tranquillite, cadre salary with charges", 35000, 90000, _A),
    Param("cost_cctv_capex", 25000, "EUR/camera", "costs",
          "Cour des comptes 2011: EUR 13.8k-36.6k", 13800, 36600),
    Param("cost_cctv_opex", 7400, "EUR/camera/yr", "costs", "Interior ministry 2013", 3000, 15000),
    Param("cost_cctv_monitoring", 4800, "EUR/camera/yr", "costs",
          "about 12 operators per 100 cameras (brief) at EUR 40k", 0, 20000),
    Param("cctv_lifetime_years", 7, "yr", "costs", "straight-line amortisation of investment",
          1, 30, _A),
    Param("cost_access_control_capex", 9000, "EUR/hall", "costs",
          "intercom and badge entrance, order of magnitude", 1000, 50000, _A),
    Param("cost_access_control_opex", 600, "EUR/hall/yr", "costs", "maintenance and vandal repair",
          0, 10000, _A),
    Param("cost_lighting_capex", 3000, "EUR/public place", "costs", "", 0, 20000, _A),
    Param("cost_residentialisation_capex", 3500, "EUR/dwelling", "costs",
          "ANRU residentialisation budgets, order of magnitude", 0, 20000, _A),
    Param("works_lifetime_years", 20, "yr", "costs", "amortisation of works", 1, 50, _A),
    Param("cost_private_security", 130, "EUR/dwelling/yr at level 1", "costs",
          "GPIS 2012-2023: EUR 104-156 per dwelling per year", 104, 156),
    Param("cost_cleaning_contract", 40, "EUR/dwelling/yr at level 1", "costs", "", 0, 500, _A),
    Param("cost_rapid_repair_premium", 15, "EUR/dwelling/yr", "costs", "", 0, 200, _A),
    Param("cost_repair_degradation", 45, "EUR/incident", "costs",
          "USH: vandalism repair EUR 7-12/dwelling/yr nationally; priority estates higher", 0, 5000, _A),
    Param("cost_repair_tag", 30, "EUR/incident", "costs", "", 0, 2000, _A),
    Param("cost_repair_waste", 25, "EUR/incident", "costs", "", 0, 2000, _A),
    Param("cost_repair_urban_violence", 1500, "EUR/incident", "costs",
          "landlord's share after a car fire or clash", 0, 50000, _A),
    Param("cost_squat_day", 5, "EUR/squatted dwelling/day", "costs",
          "securing, utilities and damage while the procedure runs", 0, 200, _A),
    Param("cost_youth_programme", 60, "EUR/dwelling/yr at intensity 1", "costs", "", 0, 1000, _A),
    Param("cost_participation", 12, "EUR/dwelling/yr at intensity 1", "costs", "", 0, 200, _A),
    Param("cost_dispute_mediation", 8, "EUR/dwelling/yr", "costs", "", 0, 200, _A),
    Param("cost_eviction_case", 6000, "EUR/case", "costs", "legal fees and officer time", 0, 50000, _A),
    Param("cost_police_crew_day", 900, "EUR/crew-day (public cost)", "costs",
          "two officers for a shift, salary and vehicle", 0, 5000, _A),
    Param("rent_eur_month", 380, "EUR/dwelling/month", "costs",
          "average HLM rent, order of magnitude (lost rent when vacant)", 100, 1500),
    # --- mechs: mechanisms bounded by the evidence (issue 16): overlapping guardians, diffusion
    # and displacement around situational measures, equipment downtime, unfilled monitoring
    # posts, lighting by day, offenders' adaptation to crackdowns, police styles, organisation
    Param("deterrable_share", 0.7, "largest share of offending that formal and technical guardians "
          "together can deter at a place (saturation of their summed deterrence)", "guardianship",
          "assumption: watchers overlap -- a place already watched gains less from one more (the "
          "deterred share is deterrable_share * (1 - exp(-G / deterrable_share)) for the summed "
          "staff, police and technical deterrence G); bounded by Piza et al. 2019 (multi-measure "
          "schemes do better than CCTV alone, yet rarely beyond -30 to -40% estate-wide) and Welsh "
          "& Farrington 2009 (the best single setting, car parks, about -51%)", 0.3, 1.0, _A),
    Param("dispute_settle_days", 365, "days", "households",
          "mean days before a disruptive household's disputes are settled for good where a "
          "dispute-mediation service works (the daily chance is 1/days). Assumption: UK community "
          "mediation services bring about half of referred neighbour disputes to mediation and most "
          "of those to an agreement (Dignan, Sorsby & Hibbert 1996), but how many hold is not "
          "measured; 365 (every dispute taken up and settled within about a year) is the upper end "
          "of the effect, four years the lower; bounded by E12", 180, 2000, _A),
    Param("eviction_complaint_days", 120, "days", "households",
          "mean days before the landlord files a complaint (the first step of a procedure for "
          "disturbance) against a disruptive household where the eviction lever is on. "
          "Assumption: procedures for disturbance are a minority of cases, most end at a warning "
          "(landlords' practice guides); 120 days files against nearly every disruptive household "
          "within a year, two years against about a third a year; bounded by E12", 30, 1500, _A),
    Param("dispute_noise_cut", 0.5, "relative cut in disruptive households' noise and disputes "
          "where a dispute-mediation service works (quarrels taken up before they escalate), on "
          "top of the disputes it settles for good", "households",
          "assumption: community mediation services settle most of the neighbour disputes referred "
          "to them, but no evaluation gives a fall in an estate's noise incidents; bounded by the "
          "whole strategy's ceiling (E12)", 0.0, 0.8, _A),
    Param("eviction_noise_cut", 0.3, "relative cut in disruptive households' noise where the "
          "landlord files complaints and evictions for disturbance (the threat of a procedure)",
          "households",
          "assumption: a credible tenancy procedure deters some disturbance before any eviction; "
          "no evaluation gives its size; bounded by the whole strategy's ceiling (E12)", 0.0, 0.6, _A),
    Param("situational_diffusion_weight", 0.6, "share of cameras' and access control's deterrence "
          "felt in Moore neighbours (lighting's stays where the light falls)", "guardianship",
          "Guerette & Bowers 2009 (Criminology 47:1331): diffusion of benefits in 27% of "
          "observations, displacement in 26%; Clarke & Weisburd 1994: offenders overestimate the "
          "reach of a measure; the size is an assumption", 0, 1, _A),
    Param("lighting_day_share", 1.0, "daytime deterrence of relit places as a share of the "
          "evening and night deterrence", "guardianship",
          "Welsh & Farrington 2008 (Campbell review): night-time crime did not fall more than "
          "daytime crime -- relighting signals investment, raising pride and informal control by "
          "day; the share is an assumption", 0, 1.5, _A),
    Param("access_control_group_share", 0.1, "share of access control's deterrence felt by "
          "residents' own youths (hall occupation, groups' choice of hall)", "guardianship",
          "assumption: badges keep outsiders out, not the residents' own young people who hold "
          "them (evidence.md E9: effect on hall occupation at most a third of that on property "
          "crime)", 0, 1, _A),
    Param("equipment_break_rate", 0.006, "breakdowns per day of a door-entry system or camera "
          "at a place without visible disorder", "guardianship",
          "assumption: door-entry systems and cameras in priority estates are often vandalised or "
          "broken (Armitage & Monchuk 2011 on retrofits; landlord maintenance practice); "
          "about two breakdowns a year", 0, 0.1, _A),
    Param("equipment_vandalism_disorder", 3.0, "relative rise of the breakdown rate per unit "
          "visible disorder at the place", "guardianship",
          "assumption: equipment is vandalised where disorder already is (Keizer et al. 2008)",
          0, 20, _A),
    Param("equipment_repair_days", 25, "mean days a broken door-entry system or camera stays "
          "out of service (a rapid-repair contract shortens it as it shortens repairs)",
          "guardianship", "assumption: landlord maintenance contracts, order of magnitude", 1, 365, _A),
    Param("monitoring_staffed_share", 0.35, "share of shifts in which monitored cameras are "
          "actually watched (otherwise they only record)", "guardianship",
          "Gill & Spriggs 2005 (Home Office Research Study 292): control rooms understaffed, "
          "operators watching few of many screens; the share is an assumption", 0, 1, _A),
    Param("police_habituation", 2.0, "loss of police deterrence per visit per unit of the "
          "place's recent patrol exposure (visits per day)", "police",
          "Sherman 1990 (Crime & Justice 12:1): initial deterrence of crackdowns decays as "
          "offenders learn the real risk; Koper 1995; the size is an assumption, chosen with "
          "police_residual_weight and police_exposure_days against E5 and E10 (so those checks "
          "do not test it independently)", 0, 20, _A),
    Param("police_exposure_days", 90, "averaging time of a place's patrol exposure", "police",
          "Sherman 1990: decay within weeks to months of a crackdown's start; assumption", 1, 365, _A),
    Param("police_residual_weight", 3.0, "visits offenders still expect, per visit a day of "
          "the place's recent patrol exposure (they deter where today's visits are fewer)", "police",
          "Sherman 1990: residual deterrence after crackdowns end (5 of 5 studies with post-"
          "crackdown data), fading within months; the size is an assumption, chosen against "
          "E10", 0, 5, _A),
    Param("dealing_return_days", 45, "mean days before a point displaced by police pressure "
          "returns to its market once the pressure there has lifted", "dealing",
          "assumption: demand stays where the market was (Weisburd et al. 2006: displaced "
          "activity is tied to place; Sherman 1990: crackdown effects do not last)", 1, 3650, _A),
    Param("police_deterrence_community", 0.8, "deterrence per visit in the community style, "
          "relative to the standard style", "police",
          "assumption: problem-solving crews spend visits talking, not patrolling (Gill et al. "
          "2014: limited effects on crime)", 0, 2, _A),
    Param("police_deterrence_order", 1.3, "deterrence per visit in the order-maintenance style, "
          "relative to the standard style", "police",
          "assumption: stops and dispersals deter in the short term (Braga, Welsh & Schnell 2015: "
          "no significant net effect once tension is counted)", 0, 3, _A),
    Param("tension_from_operations", 0.3, "estate tension per heavy-handed operation a day per "
          "hall (60-day average)", "youth",
          "assumption: heavy-handed operations raise tension beyond the groups met (Epstein 2002)",
          0, 5, _A),
    Param("tension_group_activity", 0.5, "relative rise of a group's nuisance per unit tension "
          "above its resting level (0.1)", "youth",
          "assumption: grievance after heavy-handed contacts shows in defiance and nuisance "
          "(Braga, Welsh & Schnell 2015: aggressive order maintenance gives no crime reduction)",
          0, 5, _A),
    Param("org_none_landlord_response", 0.40, "probability a reported nuisance gets a landlord "
          "response, no organisation", "organisation", "assumption (seminar programme 2014)", 0, 1, _A),
    Param("org_none_partnership", 0.6, "multiplier on police response to landlord reports, GLTD, "
          "information sharing, no organisation", "organisation", "assumption", 0, 3, _A),
    Param("org_none_aggression", 1.0, "multiplier on aggressions against staff, no organisation",
          "organisation", "assumption (reference)", 0, 3, _A),
    Param("org_none_repair", 1.3, "multiplier on repair delays, no organisation", "organisation",
          "assumption", 0.3, 3, _A),
    Param("org_integrated_landlord_response", 0.65, "as org_none_landlord_response, integrated "
          "organisation", "organisation", "assumption", 0, 1, _A),
    Param("org_integrated_partnership", 0.9, "as org_none_partnership, integrated", "organisation",
          "assumption", 0, 3, _A),
    Param("org_integrated_aggression", 0.75, "as org_none_aggression, integrated (staff trained)",
          "organisation", "assumption (USH 2013: a fifth of aggressions follow a rule reminder)",
          0, 3, _A),
    Param("org_integrated_repair", 1.0, "as org_none_repair, integrated", "organisation",
          "assumption (reference)", 0.3, 3, _A),
    Param("org_dedicated_landlord_response", 0.85, "as org_none_landlord_response, dedicated "
          "tranquillity function", "organisation", "assumption", 0, 1, _A),
    Param("org_dedicated_partnership", 1.3, "as org_none_partnership, dedicated", "organisation",
          "assumption", 0, 3, _A),
    Param("org_dedicated_aggression", 0.85, "as org_none_aggression, dedicated", "organisation",
          "assumption", 0, 3, _A),
    Param("org_dedicated_repair", 0.9, "as org_none_repair, dedicated", "organisation",
          "assumption", 0.3, 3, _A),
    # --- function (issue 17): the tranquillity function as a process -- signals open cases,
    # a capacity set by the organisation and training handles them, a backlog delays them;
    # implementation quality, staff under pressure, partnership and ZSP inputs. No French
    # practice source measures these magnitudes (docs/evidence_review.md, issue 17): all are
    # assumptions with ranges, the orders of magnitude read from USH / practice descriptions.
    Param("case_capacity_none", 0.8, "cases a day per 1,000 dwellings the landlord's general "
          "services handle when no one owns tranquillity", "function",
          "assumption: agency staff answer complaints between other tasks (seminar programme 2014)",
          0, 5, _F),
    Param("case_capacity_integrated", 2.0, "cases a day per 1,000 dwellings handled by trained "
          "staff of the management directorates", "function",
          "assumption: the concern spread through agencies and front-line staff", 0, 10, _F),
    Param("case_capacity_officer", 6.0, "cases a day one tranquillity officer handles "
          "(diagnosis, partners, procedures)", "function",
          "assumption: a chargé(e) de mission follows some tens of active situations at once "
          "(USH, Cahier 159, 2014, describes the role, not its throughput)", 1, 20, _F),
    Param("case_training_capacity", 0.3, "relative capacity gained at full training", "function",
          "assumption: trained staff qualify and route cases faster", 0, 1, _F),
    Param("case_complaint_share", 0.5, "share of residents' reports to the landlord that open a "
          "case (the rest are routine requests)", "function", "assumption", 0.1, 1, _F),
    Param("case_staff_report_share", 0.15, "cases opened per incident at a place with full "
          "caretaker presence (staff reports)", "function",
          "assumption: caretakers report what they see (gestion de proximité)", 0, 1, _F),
    Param("case_police_info_month", 1.0, "cases a month per dealing point the police share "
          "information on (information-sharing agreement)", "function", "assumption", 0, 10, _F),
    Param("case_target_days", 15, "days within which a case counts as handled in time",
          "function", "assumption: landlords' complaint-handling charters commit to answers in a "
          "few weeks (USH, qualité de service)", 3, 90, _F),
    Param("case_abandon_days", 60, "days of the function's capacity beyond which waiting cases "
          "are abandoned (residents give up; the backlog cannot grow without bound)", "function",
          "assumption", 10, 365, _F),
    Param("case_triage_gain", 3.0, "relative priority of cases at orange and red halls in a "
          "dedicated function's queue", "function",
          "assumption: a dedicated function triages by the halls' grading (Nantes grading)", 0, 20, _F),
    Param("case_delay_trust", 0.3, "loss of residents' view of the landlord's responsiveness a "
          "month, per unit of the hall's late share of cases", "function",
          "assumption: unanswered complaints erode trust (procedural justice)", 0, 2, _F),
    Param("case_close_trust", 0.02, "gain of the responsiveness view per case closed at the hall",
          "function", "assumption", 0, 0.2, _F),
    Param("case_repair_share", 0.4, "share of a diagnosed hall's visible disorder removed by the "
          "rapid repair and cleaning the diagnosis sends", "function", "assumption", 0, 1, _F),
    Param("case_action_days", 90, "days a diagnosed hall stays on the function's list (levers "
          "targeted, police attention requested)", "function", "assumption", 7, 365, _F),
    Param("case_warning_desist", 0.3, "share of disruptive households at a diagnosed hall who "
          "stop after a formal warning (rappel au règlement)", "function",
          "assumption: most disturbance cases end at the amicable stage (landlords' practice "
          "guides); the share is an assumption", 0, 1, _F),
    Param("case_procedure_days", 90, "days from a warning to a tenancy procedure if the "
          "disturbance goes on", "function", "assumption", 15, 365, _F),
    Param("case_complaint_support", 0.01, "daily gain of residents' view of police "
          "responsiveness at a diagnosed hall (support for filing complaints)", "function",
          "assumption", 0, 0.1, _F),
    Param("impl_quality_none", 0.5, "implementation quality of levers with no function (0-1)",
          "function", "assumption: no one owns contracts, posts and targets", 0.05, 1, _F),
    Param("impl_quality_integrated", 0.75, "implementation quality, integrated function (the "
          "reference: its factors are the organisation's table values)", "function",
          "assumption", 0.05, 1, _F),
    Param("impl_quality_dedicated", 0.9, "implementation quality, dedicated function", "function",
          "assumption", 0.05, 1, _F),
    Param("impl_overload_loss", 0.5, "relative quality lost per unit overload (backlog over "
          "capacity times the target delay, above 1)", "function",
          "assumption: an overloaded service lets contracts and posts slip", 0, 5, _F),
    Param("impl_training_gain", 0.2, "relative quality gained at full training", "function",
          "assumption", 0, 1, _F),
    Param("impl_repair_slack", 1.0, "relative lengthening of repair and equipment downtime per "
          "unit quality below the reference", "function", "assumption", 0, 5, _F),
    Param("impl_monitoring_slack", 1.0, "relative share of monitoring shifts filled per unit "
          "quality above or below the reference", "function", "assumption", 0, 5, _F),
    Param("impl_mediator_slack", 1.0, "relative deterrence of mediators' rounds per unit quality "
          "above or below the reference (targets given or not)", "function", "assumption", 0, 5, _F),
    Param("coord_mediator_gain", 2.0, "extra weight of the halls a dedicated function has "
          "listed in the choice of mediators' rounds, per unit of their recent incidents",
          "function", "assumption: a dedicated function coordinates levers on the halls its "
          "diagnosis flags (seminar programme 2014); the size is an assumption", 0, 20, _F),
    Param("share_targeting_gain", 2.0, "extra weight of listed halls in police hot-spot "
          "targeting per unit of their recent incidents, lists shared", "function",
          "assumption: shared hall lists point crews to established problems (information-sharing "
          "agreements, CLSPD)", 0, 20, _F),
    Param("staff_days_per_aggression", 3.1, "working days lost per aggression against staff",
          "staff", "assumption from USH 2013 (75% verbal, 18% physical): about 0.5 day after a "
          "verbal one, 15 after a physical one (docs/evidence_review.md: no HLM figure found; "
          "INSEE Première 1719 for work accidents in general)", 0, 30, _F),
    Param("staff_withdrawal_days", 10, "days staff withdraw from a red hall after an aggression "
          "there (droit de retrait)", "staff", "assumption (Code du travail L.4131-1)", 0, 60, _F),
    Param("staff_replacement_share", 0.3, "share of a caretaker's absence covered by a "
          "replacement", "staff", "assumption", 0, 1, _F),
    Param("staff_red_unfilled", 0.3, "share of caretaker presence in red halls lost to unfilled "
          "posts at quality 0 (none at quality 1)", "staff", "assumption", 0, 1, _F),
    Param("training_aggression_cut", 0.1, "relative cut in aggressions against staff at full "
          "training", "staff", "assumption: no evaluation of training on assault rates found (USH "
          "2021 names training the main tool; healthcare reviews find effects on knowledge and "
          "confidence, none firm on assaults); bounded by USH 2013: a fifth of aggressions follow a "
          "simple reminder of the rules", 0, 0.3, _F),
    Param("pairing_aggression_cut", 0.3, "relative cut in aggressions against staff working in "
          "pairs in orange and red halls", "staff",
          "assumption (3F Sevran 2008: return in pairs; docs/evidence_review.md: x0.5-0.9)", 0, 0.5, _F),
    Param("zsp_input_quality", 0.4, "weight of occupation reports in the landlord's input to a "
          "ZSP partnership cell (footage and building access: the rest, 0.3 each)", "partnership",
          "assumption: landlords give reports, camera footage and access (seminar programme 2014)",
          0, 1, _F),
    Param("zsp_prosecution_month", 0.25, "monthly chance that prosecution closes a dealing point "
          "in the zone at full landlord input and partnership", "partnership",
          "assumption: judicial follow-up of ZSP operations (GLTD practice)", 0, 1, _F),
    Param("zsp_closure_days", 60, "mean days a dealing point closed by prosecution stays closed",
          "partnership", "assumption: demand persists, a point re-opens at its market (Sherman 1990: "
          "residual deterrence lasts weeks to months; the ministry's net count of dealing points fell "
          "18 % in 21 months); was 180, which kept a ZSP's zone calm a year after its end, against E10",
          10, 1000, _F),
    Param("case_action_cost", 400, "EUR per hall diagnosis and action plan (repair, cleaning, "
          "visits)", "costs", "assumption: a few hours of staff and a repair order", 0, 5000, _F),
    Param("cost_tenancy_procedure", 1500, "EUR per tenancy procedure opened (bailiff, lawyer, "
          "officer time) before any eviction", "costs", "assumption", 0, 20000, _F),
    Param("cost_training", 12, "EUR per dwelling per year at full training of front-line staff",
          "costs", "assumption: a few days a year per agent, about 1 agent per 60 dwellings; "
          "range 4-30", 4, 30, _F),
    Param("cost_pairing", 20, "EUR per dwelling per year for pairing in orange and red halls",
          "costs", "assumption: extra posts for a share of halls", 0, 100, _F),
)

# the values written above, before calibration: the calibration starts from these, never from
# its own previous output, so that `tranqsim calibrate` reproduces the shipped defaults from scratch
PRIOR: MappingProxyType = MappingProxyType({p.name: p.value for p in _TABLE})
CALIBRATION_FILE = Path(__file__).with_name("calibrated.json")


def _confirmed(entry: dict) -> str:
    # calibrations before the confirmation stage (2026-11-26) have no "confirmed" count
    return f", finalists confirmed: {entry['confirmed']}" if "confirmed" in entry else ""


def _calibrated(table: tuple[Param, ...]) -> dict[str, Param]:
    """The table with the values chosen by `tranqsim calibrate` (``calibrated.json``), each with
    its provenance prefixed to its source."""
    out = {p.name: p for p in table}
    if not CALIBRATION_FILE.exists():
        return out
    data = json.loads(CALIBRATION_FILE.read_text())
    for name, entry in data["values"].items():
        p = out[name]
        if entry["block"] == "ensemble":  # the central set of `tranqsim ensemble`
            bc = entry.get("block_calibration")
            prov = (f"central set of the calibrated ensemble (`tranqsim ensemble`, history matching: "
                    f"{entry['accepted']} of {entry['candidates']} sets not ruled out by C1-C10, E1-E12; "
                    f"box [{entry['prior'][0]:g}, {entry['prior'][1]:g}]"
                    + (f"; block calibration {bc['value']:g}" if bc else "") + f"; first guess {PRIOR[name]:g})")
            out[name] = replace(p, value=entry["value"], source=f"{prov}; {p.source}" if p.source else prov,
                                note="calibrated")
            continue
        prov = (f"calibrated by `tranqsim calibrate` (rejection ABC, block {entry['block']}: "
                f"{entry['accepted']} of {entry['candidates']} candidates accepted on "
                f"{', '.join(entry['patterns'])}{_confirmed(entry)}; prior [{entry['prior'][0]:g}, {entry['prior'][1]:g}], "
                f"first guess {PRIOR[name]:g})")
        if "adjusted" in entry:  # a value re-set by hand after the ABC run, with its reason
            prov = f"{prov}; ABC value {entry['abc_value']:g}, {entry['adjusted']}"
        out[name] = replace(p, value=entry["value"], source=f"{prov}; {p.source}" if p.source else prov,
                            note="calibrated")
    return out


PARAMS: MappingProxyType = MappingProxyType(_calibrated(_TABLE))


class Parameters:
    """Resolved parameter values, attribute access (``p.g_police``), overrides checked."""

    def __init__(self, overrides: dict[str, float] | None = None):
        values = {name: p.value for name, p in PARAMS.items()}
        for name, value in (overrides or {}).items():
            if name not in PARAMS:
                raise KeyError(name)
            values[name] = float(value)
        object.__setattr__(self, "_values", values)
        # the values also live in the instance dict: the model reads parameters some 50 times
        # a day, and a plain attribute lookup skips __getattr__ (kept for unknown names)
        self.__dict__.update(values)

    def __getattr__(self, name: str) -> float:
        if name.startswith("_"):  # not a parameter (e.g. copy's probes before _values exists)
            raise AttributeError(name)
        try:
            return self._values[name]
        except KeyError:
            raise AttributeError(name) from None

    def __setattr__(self, name, value):
        raise AttributeError("Parameters are read-only")

    def __copy__(self):
        return self  # read-only: a copy may share it

    def __deepcopy__(self, memo):
        return self

    def as_dict(self) -> dict[str, float]:
        return dict(self._values)


def markdown_table() -> str:
    """Render the table as Markdown for ``docs/parameters.md``."""
    lines = [
        "# Parameter table",
        "",
        "Generated by `tranqsim params --markdown` from `src/tranqsim/params.py`; do not edit by hand.",
        "Territory values (estate size, deprivation, offender pressure, police availability,",
        "initial disorder) are in `scenarios/contexts/*.yaml`; strategy values in",
        "`scenarios/strategies/*.yaml`. Any value below can be overridden in a scenario file under",
        "`parameters:` within its range.",
        "",
        "Three kinds of provenance: a published source; **calibrated** (the value chosen by",
        "`tranqsim calibrate`, rejection ABC on the validation patterns, with its prior range and",
        "first guess: see [calibration.md](calibration.md) and [validation.md](validation.md));",
        "or *assumption*: an order of magnitude with no direct source, which the validation",
        "patterns test only indirectly. `make calibrate` recomputes the calibrated values from",
        "scratch and checks them against the shipped ones.",
        "",
        f"{sum(p.note == 'calibrated' for p in PARAMS.values())} calibrated, "
        f"{sum(p.note.startswith('assumption') for p in PARAMS.values())} assumptions, "
        f"{len(PARAMS)} parameters in all.",
        "",
    ]
    group = None
    for p in PARAMS.values():
        if p.group != group:
            group = p.group
            lines += ["", f"## {group}", "", "| name | default | unit | range | source | note |",
                      "|---|---|---|---|---|---|"]
        note = p.note.replace("|", "/")
        lines.append(f"| `{p.name}` | {p.value:g} | {p.unit} | [{p.low:g}, {p.high:g}] | "
                     f"{p.source or '-'} | {note or '-'} |")
    return "\n".join(lines) + "\n"
