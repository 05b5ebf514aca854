"""The help panel: what a strategy holds (its doctrine, its levers and their doses, as shipped in
``scenarios/strategies/``), what each lever does (from the lever classes), and how to read the map
(hall colours, hall codes, symbols).

Strategy descriptions are written in English in the strategy files and lever descriptions in the
lever classes' docstrings; French descriptions of the levers are below (one sentence each, the
docstring's first one in substance) and the English text is shown under them when French is on.
"""

from __future__ import annotations

import html
import re

import solara
import solara.lab  # noqa: F401  (tabs)

from tranqsim.levers import REGISTRY
from tranqsim.loading import load_strategy
from tranqsim.ui import session as ses
from tranqsim.ui.i18n import STRINGS as _KEYS
from tranqsim.ui.i18n import lever_label, tr
from tranqsim.ui.map import legend_items

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
}


def lever_description(name: str, lang: str) -> str:
    """The lever's description: its class docstring (English) or the French sentence above."""
    doc = re.sub(r"\s+", " ", (REGISTRY[name].__doc__ or "").strip()).replace("*", "")
    return DESCRIPTION_FR.get(name, doc) if lang != "en" else doc


def strategy_content(strategy: str, lang: str) -> tuple[str, str, list[tuple[str, str]]]:
    """(title, doctrine, [(lever label, its doses and window as one line)]) of a shipped strategy."""
    strat, _ = load_strategy(strategy)
    title = strat.title.en if lang == "en" else strat.title.fr
    rows = []
    for name, cfg in strat.levers:
        if cfg is None:
            continue
        parts = []
        for f, value in cfg.model_dump(exclude_none=True).items():
            if f == "start" and value == 0:
                continue
            label = tr("f_" + f, lang) if ("f_" + f) in _KEYS else f
            shown = tr("v_" + value, lang) if isinstance(value, str) and ("v_" + value) in _KEYS else value
            if isinstance(shown, float):
                shown = ses._text(shown) if lang != "en" else f"{shown:g}"
            parts.append(f"{label} {shown}")
        rows.append((lever_label(name, lang), ", ".join(parts) or tr("h_always", lang)))
    org = tr("organisation", lang) + (": " if lang == "en" else " : ") + \
        tr(f"org_{strat.organisation}", lang) + "."
    return title, (strat.description.strip() + " " + org).strip(), rows


@solara.component
def HelpPanel(lang: str, strategy: str, layer: str):
    """Strategies, levers and the map, in three tabs."""
    which = solara.use_reactive(strategy)
    with solara.Card(tr("help", lang), margin=0, classes=["tranqsim-help"]):
        with solara.lab.Tabs():
            with solara.lab.Tab(tr("help_strategies", lang), classes=["tranqsim-help-tab-strategies"]):
                solara.v.Select(label=tr("strategy", lang), v_model=which.value,
                                items=[{"text": ses.strategy_title(n, lang), "value": n}
                                       for n in ses.strategies()],
                                on_v_model=which.set, dense=True, hide_details=True,
                                class_="tranqsim-help-strategy")
                title, doctrine, rows = strategy_content(which.value, lang)
                body = "".join(f"<li><b>{html.escape(a)}</b> — {html.escape(b)}</li>" for a, b in rows)
                solara.HTML("div", unsafe_innerHTML=f"<h3>{html.escape(title)}</h3>"
                            f"<p>{html.escape(doctrine)}</p>"
                            f"<p><b>{tr('help_levers_of', lang)}</b></p><ul>{body}</ul>",
                            classes=["tranqsim-help-strategy-text"], style="font-size:15px")
            with solara.lab.Tab(tr("help_levers", lang)):
                body = "".join(f"<li><b>{html.escape(lever_label(n, lang))}</b> — "
                               f"{html.escape(lever_description(n, lang))}</li>" for n in REGISTRY)
                solara.HTML("ul", unsafe_innerHTML=body, style="font-size:15px")
            with solara.lab.Tab(tr("help_map", lang)):
                items = "".join(f'<li><span style="color:{c};font-size:1.3em">{s}</span> '
                                f"{html.escape(t)}</li>" for s, c, t in legend_items(layer, lang))
                solara.HTML("div", unsafe_innerHTML=f"<p>{tr('help_codes', lang)}</p>"
                            f"<p>{tr('help_status', lang)}</p><ul>{items}</ul>",
                            style="font-size:15px")
