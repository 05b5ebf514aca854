"""Every label the UI shows, in French (the default) and English, in one place.

``tr(key, lang, **fields)`` returns the label; names that already carry their two titles in the
model (lever labels, incident types, context and strategy titles) are read from there.
"""

from __future__ import annotations

import re

from tranqsim.incidents import LABELS_EN, LABELS_FR, PHASES
from tranqsim.levers import REGISTRY

LANGS = ("fr", "en")
DEFAULT = "fr"

STRINGS: dict[str, tuple[str, str]] = {
    # frame
    "app_title": ("tranqsim — tranquillité résidentielle", "tranqsim — residential tranquillity"),
    "switch_lang": ("English", "Français"),
    "view_run": ("Simulation", "Simulation"),
    "view_compare": ("Comparer deux stratégies", "Compare two strategies"),
    # scenario picker
    "scenario": ("Scénario", "Scenario"),
    "context": ("Territoire", "Context"),
    "strategy": ("Stratégie", "Strategy"),
    "strategy_a": ("Stratégie A", "Strategy A"),
    "strategy_b": ("Stratégie B", "Strategy B"),
    "seed": ("Graine aléatoire", "Random seed"),
    "years": ("Horizon (années)", "Horizon (years)"),
    "compare_note": ("Mêmes territoire, graine et horizon pour A et B (nombres aléatoires communs) ; "
                     "chacun ses réglages de leviers.",
                     "Same context, seed and horizon for A and B (common random numbers); "
                     "each has its own lever settings."),
    # levers
    "levers": ("Leviers", "Levers"),
    "organisation": ("Organisation de la tranquillité", "Tranquillity organisation"),
    "org_none": ("aucune", "none"),
    "org_integrated": ("intégrée", "integrated"),
    "org_dedicated": ("service dédié", "dedicated"),
    "f_start": ("début (jour)", "start (day)"),
    "f_end": ("fin (jour)", "end (day)"),
    "f_placement": ("emplacement", "placement"),
    "f_share_of_halls": ("part des halls", "share of halls"),
    "f_share_of_buildings": ("part des immeubles", "share of buildings"),
    "f_intensity": ("intensité", "intensity"),
    "f_extra_crews": ("équipages en plus", "extra crews"),
    "f_zone": ("zone", "zone"),
    "f_radius": ("rayon (cases)", "radius (cells)"),
    "v_car_parks": ("parkings d'abord", "car parks first"),
    "v_halls": ("halls d'abord", "halls first"),
    "v_hot_spots": ("points chauds d'abord", "hot spots first"),
    "v_estate": ("tout le quartier", "the whole estate"),
    "help": ("Aide", "Help"),
    "help_open": ("Aide", "Help"),
    "help_close": ("Fermer l'aide", "Close help"),
    "help_strategies": ("Stratégies", "Strategies"),
    "help_levers": ("Leviers", "Levers"),
    "help_map": ("Carte", "Map"),
    "help_levers_of": ("Leviers et doses :", "Levers and doses:"),
    "h_always": ("toute la durée", "the whole run"),
    "help_codes": ("Chaque hall porte un code : la lettre de l'immeuble (A, B, ... Z, AA...) et le "
                   "numéro du hall dans l'immeuble (B3 : troisième hall de l'immeuble B). Le journal "
                   "nomme les lieux par ces codes ; ils sont écrits sur la carte.",
                   "Each hall has a code: its building's letter (A, B, ... Z, AA...) and the hall's "
                   "number in the building (B3: building B's third hall). The log names places by "
                   "these codes; they are written on the map."),
    "help_status": ("Statut d'un hall : vert (calme), jaune (désordre visible), orange (incidents "
                    "répétés), rouge (occupation ou trafic installés). Les autres couches colorent "
                    "le désordre, la peur ou la surveillance technique.",
                    "A hall's status: green (quiet), yellow (visible disorder), orange (repeated "
                    "incidents), red (settled occupation or dealing). The other layers colour "
                    "disorder, fear or technical surveillance."),
    "apply_now": ("Appliquer maintenant", "Apply now"),
    "applied": ("Appliqué au jour {day} : {levers}", "Applied on day {day}: {levers}"),
    "nothing_changed": ("Aucun levier modifié.", "No lever changed."),
    "edit_run": ("Réglages de", "Settings of"),
    "org_on_reset": ("Les leviers s'appliquent tout de suite (« Appliquer maintenant ») ; "
                     "l'organisation, la graine et l'horizon à la réinitialisation. Jours comptés "
                     "depuis le début ; fin vide : jusqu'au bout.",
                     "Levers apply at once (\"Apply now\"); organisation, seed and horizon on "
                     "Reset. Days count from the start; an empty end: until the end."),
    "f_per_100_dwellings": ("postes pour 100 logements", "posts per 100 dwellings"),
    "f_posts": ("postes", "posts"),
    "f_shift": ("horaires", "shift"),
    "f_level": ("niveau", "level"),
    "f_pairing": ("travail en binôme", "staff in pairs"),
    "f_mode": ("mode", "mode"),
    "f_style": ("style", "style"),
    "f_cameras": ("caméras", "cameras"),
    "f_monitoring": ("surveillance", "monitoring"),
    "f_repair_days": ("jours pour réparer", "days to repair"),
    "f_tag_removal_days": ("jours pour effacer un tag", "days to remove a tag"),
    "v_evening": ("soirée", "evening"),
    "v_evening_and_night": ("soirée et nuit", "evening and night"),
    "v_random": ("aléatoire", "random"),
    "v_hot_spot": ("points chauds", "hot spots"),
    "v_community": ("police de proximité", "community"),
    "v_standard": ("standard", "standard"),
    "v_order_maintenance": ("maintien de l'ordre", "order maintenance"),
    "v_passive": ("enregistrement seul", "recording only"),
    "v_active": ("visionnage en direct", "watched live"),
    "refused": ("Valeurs refusées, le modèle n'a pas été réinitialisé :",
                "Values refused, the model was not reset:"),
    # controller
    "reset": ("Réinitialiser", "Reset"),
    "play": ("Lecture", "Play"),
    "pause": ("Pause", "Pause"),
    "step": ("Un jour", "Step"),
    "speed": ("Vitesse (jours par seconde)", "Speed (days per second)"),
    "day": ("Jour {day} / {total}", "Day {day} / {total}"),
    "render_every": ("affichage tous les {n} jours", "drawn every {n} days"),
    "finished": ("Fin de l'horizon atteinte.", "End of the horizon reached."),
    # map
    "map": ("Le quartier", "The estate"),
    "colour_by": ("Couleur des halls", "Colour halls by"),
    "layer_status": ("statut du hall", "hall status"),
    "layer_disorder": ("désordre visible", "visible disorder"),
    "layer_fear": ("sentiment d'insécurité", "fear"),
    "layer_surveillance": ("surveillance technique", "technical surveillance"),
    "status_green": ("vert", "green"),
    "status_yellow": ("jaune", "yellow"),
    "status_orange": ("orange", "orange"),
    "status_red": ("rouge", "red"),
    "street": ("rue", "street"),
    "car_park": ("parking", "car park"),
    "square": ("place", "square"),
    "caretaker": ("gardien", "caretaker"),
    "mediator": ("correspondant de nuit", "night mediator"),
    "police": ("police", "police"),
    "guard": ("agent de sécurité", "security guard"),
    "group": ("groupe de jeunes", "youth group"),
    "dealing": ("point de deal", "dealing point"),
    "zsp_zone": ("zone ZSP (active)", "ZSP zone (active)"),
    "camera": ("caméra (enregistrement)", "camera (recording)"),
    "camera_live": ("caméra visionnée en direct", "camera watched live"),
    "access": ("contrôle d'accès", "access control"),
    "incident_today": ("incident du jour", "today's incident"),
    # charts
    "charts": ("Indicateurs", "Indicators"),
    "c_incidents": ("Incidents par semaine", "Incidents per week"),
    "c_incidents_total": ("Incidents par semaine", "Incidents per week"),
    "c_insecurity": ("Se sentent en insécurité", "Feel insecure"),
    "c_trust": ("Confiance (0 à 1)", "Trust (0 to 1)"),
    "trust_landlord": ("dans le bailleur", "in the landlord"),
    "trust_police": ("dans la police", "in the police"),
    "c_vacancy": ("Logements vacants", "Vacant dwellings"),
    "c_cost": ("Coût bailleur cumulé, €/logt", "Landlord's cost, €/dwelling"),
    "c_status": ("Halls par statut", "Halls by status"),
    "c_backlog": ("Dossiers en attente", "Cases waiting"),  # the tranquillity function's
    "c_delay": ("Délai des dossiers (j)", "Case delay (days)"),
    "x_days": ("jours", "days"),
    "x_months": ("mois", "months"),
    "x_years": ("années", "years"),
    "fam_disorder": ("dégradations, tags, encombrants", "damage, tags, bulky waste"),
    "fam_nuisance": ("occupation de hall, bruit, incivilités", "hall occupation, noise, incivility"),
    "fam_property": ("vols (caves, véhicules)", "theft (cellars, vehicles)"),
    "fam_violence": ("trafic et violences", "dealing and violence"),
    "lg_incidents": ("Incidents par semaine (moyenne sur 4 semaines) :",
                     "Incidents per week (4-week average):"),
    "lg_runs": ("Traits :", "Lines:"),
    "lg_trust": ("Confiance :", "Trust:"),
    "lg_halls": ("Halls :", "Halls:"),
    "lg_marks": ("Tirets :", "Dashes:"),
    "lg_window": ("▶ début, ■ fin d'un levier prévu par la stratégie",
                  "▶ start, ■ end of a lever of the strategy"),
    "lg_change": ("✎ levier modifié en cours de partie", "✎ a lever changed during the run"),
    "lg_mark_list": ("Leviers :", "Levers:"),
    "in_month": ("mois {n}", "month {n}"),
    "mark_start": ("▶ {lever}", "▶ {lever}"),
    "mark_end": ("■ {lever}", "■ {lever}"),
    "mark_change": ("✎ {lever}", "✎ {lever}"),
    # log
    "log": ("Journal des incidents (le plus récent en haut)", "Incident log (newest first)"),
    "log_empty": ("Aucun incident pour l'instant : avancez d'un jour.", "No incident yet: step a day."),
    # the tranquillity function's actions in the log (issue 17)
    "fn_diagnosis": ("Jour {day} — {place} : la fonction tranquillité diagnostique le hall ; réparation et "
                     "nettoyage envoyés, hall inscrit sur sa liste",
                     "Day {day} — {place}: the tranquillity function diagnoses the hall; repair and cleaning "
                     "sent, hall put on its list"),
    "fn_warning": ("Jour {day} — {place} : {n} avertissement(s) à des ménages perturbateurs",
                   "Day {day} — {place}: {n} formal warning(s) to disruptive households"),
    "fn_procedure": ("Jour {day} — {n} procédure(s) locative(s) engagée(s) pour troubles de jouissance",
                     "Day {day} — {n} tenancy procedure(s) opened for disturbance"),
    "fn_withdrawal": ("Jour {day} — {place} : agression d'un agent, droit de retrait dans ce hall",
                      "Day {day} — {place}: a staff member assaulted, staff withdraw from this hall"),
    "fn_prosecution": ("Jour {day} — {place} : point de deal fermé sur poursuites (cellule ZSP)",
                       "Day {day} — {place}: dealing point closed by prosecution (ZSP cell)"),
    "log_line": ("Jour {day} — {place} : {what}{phase} ; {outcome}",
                 "Day {day} — {place}: {what}{phase}; {outcome}"),
    "hall": ("hall {code}", "hall {code}"),
    "near_street": ("rue près du hall {code}", "street near hall {code}"),
    "near_car_park": ("parking près du hall {code}", "car park near hall {code}"),
    "near_square": ("place près du hall {code}", "square near hall {code}"),
    "phase_evening": (" (soirée)", " (evening)"),
    "phase_night": (" (nuit)", " (night)"),
    "h_caretaker": ("le gardien est intervenu", "the caretaker dealt with it"),
    "h_mediator": ("un médiateur a désamorcé", "a mediator de-escalated"),
    "h_guard": ("les agents de sécurité sont intervenus", "security guards intervened"),
    "h_police": ("la police est intervenue", "police responded"),
    "h_officer": ("le chargé de tranquillité a traité le signalement",
                  "the tranquillity officer handled the report"),
    "h_landlord": ("les services du bailleur ont traité le signalement",
                   "the landlord's services handled the report"),
    "h_reported": ("signalé, resté sans suite", "reported, no one acted"),
    "h_witnessed": ("vu, non signalé", "seen, not reported"),
    "h_unseen": ("passé inaperçu", "went unnoticed"),
    # key figures
    "figures": ("Chiffres clés (aujourd'hui)", "Key figures (today)"),
    "k_incidents": ("incidents aujourd'hui", "incidents today"),
    "k_incidents_week": ("incidents sur les 7 derniers jours", "incidents in the last 7 days"),
    "k_insecure": ("habitants en insécurité", "residents feeling insecure"),
    "k_trust": ("confiance bailleur / police", "trust landlord / police"),
    "k_vacancy": ("logements vacants", "vacant dwellings"),
    "k_cost_rate": ("coût bailleur par logement et par an (rythme des 30 derniers jours)",
                    "landlord's cost per dwelling per year (pace of the last 30 days)"),
    "k_cost_so_far": ("coût bailleur par logement depuis le début", "landlord's cost per dwelling so far"),
    "k_halls": ("halls vert/jaune/orange/rouge", "halls green/yellow/orange/red"),
}

# How pydantic's messages (made English by tranqsim.loading) read in French.
_MESSAGE_FR = ((r"^must be an integer", "doit être un entier"),
               (r"^must be a number", "doit être un nombre"),
               (r"^must be one of", "doit être parmi"),
               (r"^must be", "doit être"),
               (r"^required field missing", "valeur manquante"),
               (r"\(got ", "(reçu "))


def tr(key: str, lang: str = DEFAULT, **fields) -> str:
    text = STRINGS[key][1 if lang == "en" else 0]
    return text.format(**fields) if fields else text


def lever_label(name: str, lang: str) -> str:
    cls = REGISTRY[name]
    return cls.label_en if lang == "en" else cls.label_fr


# Lever names short enough to label a line on a chart.
SHORT = {"cctv": ("vidéo", "CCTV"), "access_control": ("contrôle d'accès", "access control"),
         "lighting": ("éclairage", "lighting"), "residentialisation": ("résidentialisation", "enclosure"),
         "rapid_repair": ("réparation rapide", "rapid repair"), "caretakers": ("gardiens", "caretakers"),
         "cleaning": ("nettoyage", "cleaning"), "night_mediators": ("médiateurs", "mediators"),
         "dispute_mediation": ("médiation conflits", "dispute mediation"),
         "youth_programmes": ("prog. jeunesse", "youth programmes"),
         "resident_participation": ("participation", "participation"), "police": ("police", "police"),
         "zsp": ("ZSP", "ZSP"), "information_sharing": ("échange d'infos", "info sharing"),
         "gltd": ("GLTD", "GLTD"), "eviction": ("expulsions", "evictions"),
         "private_security": ("sécurité privée", "private security"),
         "training": ("formation", "training")}


def lever_short(name: str, lang: str) -> str:
    fr, en = SHORT.get(name, (name, name))
    return en if lang == "en" else fr


def incident_label(type_index: int, lang: str) -> str:
    return (LABELS_EN if lang == "en" else LABELS_FR)[type_index]


def phase_suffix(phase_index: int, lang: str) -> str:
    name = PHASES[phase_index]
    return tr(f"phase_{name}", lang) if name != "day" else ""


def title(obj, lang: str) -> str:
    """A context's or strategy's title (they carry ``title.fr`` and ``title.en``)."""
    return obj.title.en if lang == "en" else obj.title.fr


def message(text: str, lang: str) -> str:
    """A validation message (English, from tranqsim.loading) in the UI's language."""
    if lang == "en":
        return text
    for pattern, repl in _MESSAGE_FR:
        text = re.sub(pattern, repl, text)
    return text
