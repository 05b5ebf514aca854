"""The parameter table, second part: what levers cost and do -- costs, the mechanisms bounded by
the evidence (overlapping guardians, displacement and diffusion, downtime, police styles,
organisation) and the tranquillity function as a process (:mod:`tranqsim.params` assembles the
table)."""

from __future__ import annotations

from tranqsim.params_schema import _A, _F, Param

LEVERS: tuple[Param, ...] = (
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
    Param("cctv_group_share", 0.4, "share of cameras' deterrence youth groups heed when they "
          "choose tonight's hangout (there and next door)", "guardianship",
          "Gill & Spriggs 2005 (Home Office Research Study 292): cameras had little effect on "
          "impulsive offences and public disorder, more on premeditated ones; Squires 2003 "
          "(Whitehawk estate, Brighton): young people's gatherings persisted in view of the "
          "cameras; the size is an assumption, bounded by E4's buffer (groups leaving watched "
          "halls are displacement)", 0, 1, _A),
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
