"""Words and numbers of the report, in English and French.

``T[lang][key]`` (:mod:`tranqsim.report.phrasebook`, re-exported here) holds every sentence
the report writes; ``fmt`` writes numbers the way each language does (``28.1%`` / ``28,1 %``,
``€1,680`` / ``1 680 €``) through Babel (``tranqsim.formatting``, shared with the UI), with a
real minus sign and never ``−0``. Strategy and context names come from the scenario files'
titles, lever names from the levers' own labels, so the report's modules hold only its prose.
"""

from __future__ import annotations

import math

from tranqsim.formatting import number, percent, plain_euros, plain_number, signed_euros, signed_number
from tranqsim.report.phrasebook import T  # re-exported: the report's sentences

LANGS = ("en", "fr")

# metric -> (better direction, kind of number, label en, label fr, short en, short fr)
METRICS = {
    "tranquillity_index": (+1, "index", "tranquillity index (0-100)", "indice de tranquillité (0-100)",
                           "TI", "IT"),
    "incidents_per_1000_dwellings": (-1, "count", "incidents per 1,000 dwellings per year",
                                     "incidents pour 1 000 logements par an", "incidents", "incidents"),
    "insecurity_share": (-1, "share", "residents feeling insecure", "habitants en insécurité",
                         "insecure", "insécurité"),
    "trust_landlord_mean": (+1, "trust", "trust in the landlord (0-1)", "confiance envers le bailleur (0-1)",
                            "trust landl.", "conf. bailleur"),
    "trust_police_mean": (+1, "trust", "trust in the police (0-1)", "confiance envers la police (0-1)",
                          "trust police", "conf. police"),
    "turnover_rate": (-1, "share", "turnover (move-outs per year)", "rotation (départs par an)",
                      "turnover", "rotation"),
    "staff_aggressions_per_100_staff": (-1, "rate", "aggressions per 100 staff per year",
                                        "agressions pour 100 agents par an", "staff aggr.", "agress. pers."),
    "cost_per_dwelling_eur": (-1, "eur", "landlord's cost, € per dwelling per year",
                              "coût pour le bailleur, € par logement et par an", "landlord €/dw.",
                              "bailleur €/lgt"),
    "public_cost_per_dwelling_eur": (-1, "eur", "public partners' cost (police, justice), € per dwelling "
                                     "per year", "coût pour les partenaires publics (police, justice), € par "
                                     "logement et par an", "public €/dw.", "public €/lgt"),
}
MAIN = tuple(METRICS)

# metric -> how a sentence names it and the unit after a value: en, fr (side effects)
PHRASES = {
    "tranquillity_index": (("the tranquillity index", " points"), ("l'indice de tranquillité", " points")),
    "incidents_per_1000_dwellings": (("incidents", " per 1,000 dwellings a year"),
                                     ("les incidents", " pour 1 000 logements par an")),
    "insecurity_share": (("the share of residents feeling insecure", ""),
                         ("la part d'habitants en insécurité", "")),
    "trust_landlord_mean": (("trust in the landlord", " on a 0-1 scale"),
                            ("la confiance envers le bailleur", " sur une échelle de 0 à 1")),
    "trust_police_mean": (("trust in the police", " on a 0-1 scale"),
                          ("la confiance envers la police", " sur une échelle de 0 à 1")),
    "turnover_rate": (("turnover", ""), ("la rotation", "")),
    "staff_aggressions_per_100_staff": (("aggressions against staff", " per 100 staff a year"),
                                        ("les agressions contre le personnel", " pour 100 agents par an")),
    "cost_per_dwelling_eur": (("the landlord's cost", " per dwelling a year"),
                              ("le coût pour le bailleur", " par logement et par an")),
    "public_cost_per_dwelling_eur": (("the public partners' cost", " per dwelling a year"),
                                     ("le coût pour les partenaires publics", " par logement et par an")),
}

COST_GROUPS = {  # cost key or lever family -> (en, fr)
    "management": ("Routine management", "Gestion de proximité"),
    "situational": ("Situational (hard) measures", "Prévention situationnelle"),
    "social": ("Social prevention", "Prévention sociale"),
    "partnership": ("Partnership and security", "Partenariat et sécurité"),
    "organisation": ("Tranquillity function", "Fonction tranquillité"),
    "repairs": ("Repairs of damage", "Réparations des dégradations"),
    "vacancy": ("Lost rent (vacancy)", "Loyers perdus (vacance)"),
    "squats": ("Squats", "Squats"),
    "evictions": ("Evictions", "Expulsions"),
    "casework": ("Casework (diagnoses, tenancy procedures)", "Dossiers (diagnostics, procédures locatives)"),
}

# The answer the report leads with (report/answer.py): per territory, what to do at the budget,
# how sure, what it costs whom, and what would change it
ANSWER = {
    "en": {
        "title": "The answer", "at_budget": " at a budget of {budget} per dwelling per year",
        "intro": "Per territory, the strategy to recommend{budget}: the one with the least expected shortfall "
                 "against the best strategy of each draw (expected regret), with its probability of being best "
                 "over {what}. The detailed tables follow.",
        "what_sets": "{n} parameter sets ({how}) x {k} seed(s) (common random numbers)",
        "calibrated": "the calibrated ensemble", "prior": "prior draws, NOT calibrated",
        "what_seeds": "{k} seeds on the central parameter set only (no parameter uncertainty: seed noise alone)",
        "recommend": "{ctx}: **{best}** (tranquillity index {ti}), best in {p} of draws, expected regret {regret} "
                     "points; it costs the landlord {cost} and the public partners {public} per dwelling per year.",
        "runner_up": "Runner-up: {s} (best in {p} of draws).",
        "none_fits": "{ctx}: no strategy of the sweep fits the budget of {budget}; the cheapest, {s}, costs {cost}.",
        "flip": "What would change it: if {param} were {side} {value}, {other} would be best instead "
                "(this split explains {share} of the parameter sets).",
        "no_flip": "What would change it: no parameter of the ensemble flips this recommendation.",
        "no_flip_single": "What would change it: not tested against parameter uncertainty (one parameter set).",
        "cheaper": "With a smaller budget (under {cost}), the best would be {s} (tranquillity index {ti}).",
        "above": "above", "below": "at or below",
        "map": "Where to set the cursor across territories", "map_rules": "Rules found by scenario discovery (PRIM):",
        "map_text": "The best strategy on a grid of territories (`{folder}`), colour by strategy and shade by its "
                    "probability of being best: {counts}.",
        "map_caption": "The cursor map: best strategy per territory and its probability of being best.",
        "map_rule": "{s} is best when {rule} (coverage {cov}, density {dens})",
        "one_winner": "No rule: {s} is best in every case, so there is no boundary to describe.",
        "few_cases": "No rule: too few cases for PRIM ({n}); read the map itself.",
        "no_box": "No rule: no box is dense enough; the winners are mixed across the map.",
        "no_cases": "No rule: no cell has a finished run for every strategy.",
    },
    "fr": {
        "title": "La réponse", "at_budget": " pour un budget de {budget} par logement et par an",
        "intro": "Pour chaque territoire, la stratégie à recommander{budget} : celle dont le manque à gagner "
                 "attendu face à la meilleure stratégie de chaque tirage (regret espéré) est le plus faible, avec "
                 "sa probabilité d'être la meilleure sur {what}. Les tableaux détaillés suivent.",
        "what_sets": "{n} jeux de paramètres ({how}) x {k} graine(s) (nombres aléatoires communs)",
        "calibrated": "l'ensemble calibré", "prior": "tirages a priori, NON calibrés",
        "what_seeds": "{k} graines sur le seul jeu de paramètres central (sans incertitude sur les paramètres : "
                      "le seul bruit des graines)",
        "recommend": "{ctx} : **{best}** (indice de tranquillité {ti}), meilleure dans {p} des tirages, regret "
                     "espéré {regret} points ; elle coûte {cost} au bailleur et {public} aux partenaires publics "
                     "par logement et par an.",
        "runner_up": "Deuxième : {s} (meilleure dans {p} des tirages).",
        "none_fits": "{ctx} : aucune stratégie ne tient dans le budget de {budget} ; la moins chère, {s}, "
                     "coûte {cost}.",
        "flip": "Ce qui changerait la recommandation : si {param} était {side} {value}, {other} serait la "
                "meilleure (ce seuil explique {share} des jeux de paramètres).",
        "no_flip": "Ce qui changerait la recommandation : aucun paramètre de l'ensemble ne la renverse.",
        "no_flip_single": "Ce qui changerait la recommandation : non testé face à l'incertitude sur les "
                          "paramètres (un seul jeu).",
        "cheaper": "Avec un budget plus faible (moins de {cost}), la meilleure serait {s} (indice de "
                   "tranquillité {ti}).",
        "above": "au-dessus de", "below": "au plus",
        "map": "Où placer le curseur selon le territoire",
        "map_rules": "Règles trouvées par découverte de scénarios (PRIM) :",
        "map_text": "La meilleure stratégie sur une grille de territoires (`{folder}`), couleur par stratégie et "
                    "teinte selon sa probabilité d'être la meilleure : {counts}.",
        "map_caption": "La carte du curseur : meilleure stratégie par territoire et sa probabilité d'être la "
                       "meilleure.",
        "map_rule": "{s} est la meilleure quand {rule} (couverture {cov}, densité {dens})",
        "one_winner": "Aucune règle : {s} est la meilleure partout, il n'y a pas de frontière à décrire.",
        "few_cases": "Aucune règle : trop peu de cas pour PRIM ({n}) ; lire la carte elle-même.",
        "no_box": "Aucune règle : aucune boîte assez dense ; les gagnantes sont mêlées sur la carte.",
        "no_cases": "Aucune règle : aucune cellule n'a de run terminé pour chaque stratégie.",
    },
}

def metric_label(metric: str, lang: str, short: bool = False) -> str:
    m = METRICS[metric]
    return m[4 + LANGS.index(lang)] if short else m[2 + LANGS.index(lang)]


def num(x: float, digits: int, lang: str, sign: bool = False) -> str:
    """``x`` with ``digits`` decimals in the language's format; with ``sign``, ``+``/``−`` (never
    on a value that rounds to zero)."""
    return signed_number(x, lang, digits) if sign else plain_number(x, lang, digits)


def years(x: float, lang: str) -> str:
    """A horizon in years, as short as it goes (``4``, ``0.6`` / ``0,6``)."""
    decimals = 0 if x == int(x) else len(f"{x:g}".split(".")[-1])
    return number(x, lang, decimals)


def fmt(x: float, kind: str, lang: str, sign: bool = False) -> str:
    """A value of a metric ``kind`` (see METRICS); with ``sign``, a difference (shares in points)."""
    if x is None or not math.isfinite(x):
        return T[lang]["na"]
    if kind == "share":
        if sign:
            return num(100 * x, 1, lang, True) + "\u00a0" + T[lang]["pp"]
        return percent(abs(x) if round(x, 3) == 0 else x, lang, 1)
    if kind == "eur":
        return signed_euros(x, lang) if sign else plain_euros(x, lang)
    digits = {"index": 1, "count": 0, "trust": 3 if sign else 2, "rate": 1}.get(kind, 2)
    return num(x, digits, lang, sign)


def metric_fmt(metric: str, x: float, lang: str, sign: bool = False) -> str:
    return fmt(x, METRICS[metric][1], lang, sign)


def eur(x: float, lang: str, sign: bool = False) -> str:
    """Euros: ``€1,680`` / ``1 680 €`` (signed: ``+€250``, ``−250 €``)."""
    return fmt(x, "eur", lang, sign)
