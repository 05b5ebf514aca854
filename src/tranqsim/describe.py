"""What strategies, contexts and levers hold, in words, in French and English.

Shared by the UI's help panel, the report (each strategy's levers and doses up front) and
``tranqsim show``. Strategy descriptions are written in English in the strategy files and
lever descriptions in the lever classes' docstrings; French descriptions of the levers are below
(one sentence each, the docstring's first one in substance). Field and value labels are the
UI's (``tranqsim.ui.i18n``: a table of words, no widget), numbers are Babel's
(``tranqsim.formatting``).
"""

from __future__ import annotations

import re

from tranqsim.formatting import number
from tranqsim.levers import REGISTRY
from tranqsim.ui.i18n import STRINGS as _KEYS
from tranqsim.ui.i18n import lever_label, tr


def field_label(field: str, lang: str) -> str:
    """A lever field in words (``cameras`` / ``caméras``); the field's name when unlabelled."""
    return tr("f_" + field, lang) if ("f_" + field) in _KEYS else field.replace("_", " ")


def field_value(value, lang: str) -> str:
    """A field's value in words and in the language's number format."""
    if isinstance(value, str):
        return tr("v_" + value, lang) if ("v_" + value) in _KEYS else value.replace("_", " ")
    if isinstance(value, bool):
        return {True: ("oui", "yes"), False: ("non", "no")}[value][lang == "en"]
    if isinstance(value, int):
        return str(value)  # days and counts: "1095", as typed in the files (no thousands separator)
    if isinstance(value, float):
        decimals = 0 if value == int(value) else min(3, len(f"{value:g}".split(".")[-1]))
        return number(value, lang, decimals)
    if isinstance(value, dict):
        return ", ".join(f"{field_label(k, lang)} {field_value(v, lang)}" for k, v in value.items())
    return str(value)


def organisation(value: str, lang: str) -> str:
    """none / integrated / dedicated in words."""
    return tr(f"org_{value}", lang)


DESCRIPTION_FR = {
    "cctv": "Vidéoprotection : chaque caméra surveille un lieu ; en enregistrement seul elle dissuade "
            "un peu, visionnée en direct elle dissuade plus et permet d'envoyer une intervention.",
    "access_control": "Contrôle d'accès par badge : les non-résidents restent hors des halls et des "
                      "caves (occupation de hall, trafic en hall, vols de caves).",
    "lighting": "Meilleur éclairage des rues, parkings et places : surveillance le soir et la nuit.",
    "residentialisation": "Résidentialisation : clôturer et qualifier les abords des immeubles ; "
                          "les abords deviennent semi-privés.",
    "rapid_repair": "Marché de réparation et d'effacement rapides : dégradations et tags disparaissent "
                    "en quelques jours, le désordre visible n'en appelle pas d'autre.",
    "caretakers": "Gardiens d'immeuble : présence, petites réparations, nettoyage et signalements "
                  "dans leur secteur.",
    "cleaning": "Nettoyage renforcé : encombrants et déchets enlevés plus vite.",
    "night_mediators": "Correspondants de nuit : médiation des groupes et des conflits en soirée "
                       "(et la nuit selon les horaires).",
    "dispute_mediation": "Médiation des conflits de voisinage : moins de conflits qui s'enveniment.",
    "youth_programmes": "Programmes jeunesse et développement social : moins de recrutement dans les "
                        "groupes et les réseaux, effet lent.",
    "resident_participation": "Participation des habitants : plus de signalements et de contrôle "
                              "social informel.",
    "police": "Police : niveau de patrouille, mode (aléatoire ou points chauds) et style (proximité, "
              "standard, maintien de l'ordre).",
    "zsp": "Renfort ZSP : équipages supplémentaires et opérations contre les points de deal dans une "
           "zone, pendant une période.",
    "information_sharing": "Convention d'échange d'informations : les signalements du bailleur "
                           "parviennent à la police, qui agit plus souvent.",
    "gltd": "GLTD : action du parquet sur le trafic ; chaque mois, un réseau peut être démantelé.",
    "eviction": "Plaintes et expulsions pour troubles de jouissance : procédure lente, effet "
                "dissuasif sur les ménages perturbateurs.",
    "private_security": "Sécurité privée : patrouilles de nuit dans les halls et parkings, dispersion "
                        "des groupes.",
    "training": "Formation et travail en binôme : les agents formés (désescalade, règles, procédures, "
                "culture des partenaires) subissent moins d'agressions, traitent plus de dossiers et "
                "mettent mieux en œuvre les leviers ; en binôme dans les halls orange et rouges, les "
                "agressions baissent encore. Ordres de grandeur et coût : hypothèses avec fourchettes."
}


def lever_description(name: str, lang: str) -> str:
    """The lever's description: its class docstring (English) or the French sentence above."""
    doc = re.sub(r"\s+", " ", (REGISTRY[name].__doc__ or "").strip()).replace("*", "")
    return DESCRIPTION_FR.get(name, doc) if lang != "en" else doc


def strategy_content(strategy, lang: str) -> tuple[str, str, list[tuple[str, str]]]:
    """(title, doctrine, [(lever label, its doses and window as one line)]) of a strategy: a
    shipped name, a file, or a ``config.Strategy``."""
    from tranqsim.config import Strategy
    from tranqsim.loading import load_strategy

    strat = strategy if isinstance(strategy, Strategy) else load_strategy(strategy)[0]
    title = strat.title.en if lang == "en" else strat.title.fr
    rows = []
    for name, cfg in strat.levers:
        if cfg is None:
            continue
        parts = []
        for f, value in cfg.model_dump(exclude_none=True).items():
            if f == "start" and value == 0:
                continue
            parts.append(f"{field_label(f, lang)} {field_value(value, lang)}")
        rows.append((lever_label(name, lang), ", ".join(parts) or tr("h_always", lang)))
    org = tr("organisation", lang) + (": " if lang == "en" else " : ") + \
        tr(f"org_{strat.organisation}", lang) + "."
    return title, (strat.description.strip() + " " + org).strip(), rows


CONTEXT_SECTIONS = {"estate": ("Le quartier", "Estate"), "population": ("Les habitants", "Population"),
                    "offenders": ("Délinquance", "Offending"), "police": ("Police", "Police"),
                    "initial": ("État initial", "Initial state")}
CONTEXT_FIELDS_FR = {
    "dwellings": "logements", "dwellings_per_hall": "logements par hall",
    "halls_per_building": "halls (cages) par immeuble", "car_parks": "parkings", "squares": "places",
    "rent_eur_month": "loyer moyen (€/mois)", "deprivation": "part des ménages modestes",
    "newcomer_deprivation": "part des ménages modestes parmi les arrivants",
    "disruptive_share": "part des ménages perturbateurs",
    "trust_landlord": "confiance initiale envers le bailleur",
    "trust_police": "confiance initiale envers la police", "pressure": "multiplicateur de délinquance",
    "youth_groups_per_1000": "groupes de jeunes pour 1 000 logements",
    "dealing_points": "points de deal au départ",
    "dealing_capacity": "points de deal que la demande fait vivre",
    "hot_spot_spread": "dispersion de l'exposition des immeubles (écart-type log ; 0 : toutes égales)",
    "fear_offset": "sentiment d'insécurité propre au quartier (log-odds)",
    "crews_per_1000": "équipages par jour pour 1 000 logements",
    "disorder": "désordre visible initial", "vacancy": "vacance initiale"}


def context_content(context, lang: str) -> tuple[str, str, list[tuple[str, list[tuple[str, str]]]]]:
    """(title, description, [(section, [(field in words, value)])]) of a context."""
    from tranqsim.config import Context
    from tranqsim.loading import load_context

    ctx = context if isinstance(context, Context) else load_context(context)[0]
    sections = []
    for name, (fr, en) in CONTEXT_SECTIONS.items():
        sub = getattr(ctx, name)
        rows = []
        for f, info in type(sub).model_fields.items():
            v = getattr(sub, f)
            if v is None:
                continue
            label = (info.description or f) if lang == "en" else CONTEXT_FIELDS_FR.get(f, f)
            rows.append((label, field_value(v, lang)))
        sections.append((en if lang == "en" else fr, rows))
    title = ctx.title.en if lang == "en" else ctx.title.fr
    return title, ctx.description.strip(), sections


def lever_content(name: str, lang: str) -> tuple[str, str, list[tuple[str, str, str]]]:
    """(label, description, [(field, default, what it is)]) of a lever."""
    cls = REGISTRY[name]
    rows = []
    for f, info in cls.Config.model_fields.items():
        if info.is_required():
            default = ("obligatoire", "required")[lang == "en"]
        elif info.default is None:
            default = "–"
        else:
            default = field_value(info.default, lang)
        bounds = [f"{op} {field_value(getattr(m, k), lang)}" for m in info.metadata
                  for k, op in (("ge", ">="), ("le", "<="), ("gt", ">"), ("lt", "<")) if hasattr(m, k)]
        what = (info.description or "") + (f" ({', '.join(bounds)})" if bounds else "")
        rows.append((f"{f} ({field_label(f, lang)})" if lang != "en" else f, default, what))
    return lever_label(name, lang), lever_description(name, lang), rows
