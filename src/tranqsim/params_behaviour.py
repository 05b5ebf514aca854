"""The parameter table, first part: the behaviour of the estate's people and places -- the
stationary initial state, residents' targets and the index's weights, incident generation,
near-repeat, disorder, guardianship, youth groups, dealing networks, staff aggressions, residents,
residential mobility and police (:mod:`tranqsim.params` assembles the table)."""

from __future__ import annotations

from tranqsim.params_schema import _A, Param

BEHAVIOUR: tuple[Param, ...] = (
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
)
