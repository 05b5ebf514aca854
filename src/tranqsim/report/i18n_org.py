"""The report's words for the tranquillity function (issue 17): the organisation section and
the landlord's part in a ZSP, in English and French (kept apart from ``i18n`` so that module
stays readable)."""

from __future__ import annotations

# metric -> (kind for i18n.fmt, en, fr): the function's own figures, beside the main ones
FUNCTION_METRICS = {
    "tranquillity_index": ("index", "tranquillity index", "indice de tranquillité"),
    "cost_per_dwelling_eur": ("eur", "landlord €/dwelling/yr", "bailleur €/lgt/an"),
    "incidents_per_1000_dwellings": ("count", "incidents /1,000 dw.", "incidents /1 000 lgts"),
    "trust_landlord_mean": ("trust", "trust in landlord", "confiance bailleur"),
    "case_delay_days_mean": ("rate", "mean delay (days)", "délai moyen (jours)"),
    "halls_diagnosed_30d_share": ("share", "orange/red halls diagnosed ≤30 d",
                                  "halls orange/rouges diagnostiqués ≤30 j"),
    "staff_days_lost_per_year": ("rate", "staff days lost /yr", "jours d'agents perdus /an"),
    "tenancy_procedures_per_year": ("rate", "tenancy procedures /yr", "procédures locatives /an"),
}

ORG_T = {
    "en": {
        "org_title": "Organisation of the tranquillity function",
        "org_text": "The same levers under different organisations of the function (none, integrated "
                    "into the directorates, dedicated with tranquillity officers) and, where the sweep has "
                    "it, with trained staff in pairs instead (about the cost of an officer). Each block "
                    "compares one set of levers; Δ columns are paired differences from the block's "
                    "reference (its integrated organisation without training), mean [95% interval] over "
                    "replicates. The function's mechanisms and "
                    "their (assumed) magnitudes are in the ODD, section 7.19.",
        "org_strategy": "strategy", "org_organisation": "organisation", "org_trained": "trained, pairs",
        "org_delta": "Δ {m}", "org_ref": "Reference: {ref}.",
        "org_none_found": "No two strategies of this sweep share their levers: no organisation comparison.",
        "zsp_landlord": "**The landlord's part.** During the window the landlord fed the partnership cell "
                        "on {days} of {window} days (mean input {input}, 0-1: occupation reports from its "
                        "list, camera footage, building access, weighted by implementation quality); "
                        "prosecution closed {closed} dealing point(s) (mean over replicates {reps}).",
        "zsp_remained": "**What remained.** Dealing points in the estate: {before} at the window's start, "
                        "{end} at its end, {after} six months later; implementation quality of the "
                        "function after the window {quality} (what the landlord kept in place: its "
                        "function, its shared lists, its equipment).",
    },
    "fr": {
        "org_title": "Organisation de la fonction tranquillité",
        "org_text": "Les mêmes leviers sous différentes organisations de la fonction (aucune, intégrée aux "
                    "directions, dédiée avec des chargés de mission) et, si le balayage la contient, avec "
                    "des agents formés travaillant en binôme (environ le coût d'un chargé de mission). "
                    "Chaque bloc compare un même jeu de leviers ; les colonnes Δ sont des différences "
                    "appariées avec la référence du bloc (son organisation intégrée sans formation), "
                    "moyenne [intervalle à 95 %] sur les réplications. Les mécanismes de la fonction et leurs ordres de grandeur (supposés) "
                    "sont décrits dans l'ODD, section 7.19.",
        "org_strategy": "stratégie", "org_organisation": "organisation", "org_trained": "formés, binômes",
        "org_delta": "Δ {m}", "org_ref": "Référence : {ref}.",
        "org_none_found": "Aucune paire de stratégies de ce balayage ne partage ses leviers : pas de "
                          "comparaison d'organisation.",
        "zsp_landlord": "**La part du bailleur.** Pendant la fenêtre, le bailleur a alimenté la cellule "
                        "partenariale {days} jours sur {window} (apport moyen {input}, de 0 à 1 : "
                        "signalements d'occupation issus de sa liste, images de vidéoprotection, accès aux "
                        "bâtiments, pondérés par la qualité de mise en œuvre) ; les poursuites ont fermé "
                        "{closed} point(s) de deal (moyenne sur les réplications {reps}).",
        "zsp_remained": "**Ce qui est resté.** Points de deal dans la résidence : {before} au début de la "
                        "fenêtre, {end} à sa fin, {after} six mois plus tard ; qualité de mise en œuvre de "
                        "la fonction après la fenêtre {quality} (ce que le bailleur a maintenu : sa "
                        "fonction, ses listes partagées, ses équipements).",
    },
}
