"""The doses the search may set: each lever's intensity, on/off switch, options and window.

A *mix* is a flat dict ``dose name -> value`` (the names of :data:`DOSES`); :func:`to_strategy`
turns it into the strategy the model runs, :func:`describe` into plain words (French and
English). A lever whose dose is 0, or whose switch is off, is absent from the strategy.

Doses marked ``spend`` scale the landlord's spending continuously (posts, intensities, shares,
cameras): the budget repair (:mod:`tranqsim.optimise.cost`) scales them down together when a
proposal costs more than the budget. Police, ZSP and GLTD are the public partners' levers:
they cost the public purse, not the landlord (``public_cost_per_dwelling_eur``).
"""

from __future__ import annotations

from dataclasses import dataclass

from tranqsim.config import Strategy


@dataclass(frozen=True)
class Dose:
    name: str  # the key in a mix
    lever: str  # the lever it belongs to ("organisation" for the organisation)
    kind: str  # "float", "int", "switch" or "choice"
    low: float = 0.0
    high: float = 1.0
    choices: tuple = ()
    spend: bool = False  # scaled down by the budget repair
    field: str = ""  # the lever's config field ("" for a switch)


DOSES: tuple[Dose, ...] = (
    Dose("caretakers", "caretakers", "float", 0.0, 3.0, spend=True, field="per_100_dwellings"),
    Dose("cleaning", "cleaning", "float", 0.0, 2.0, spend=True, field="level"),
    Dose("rapid_repair", "rapid_repair", "switch"),
    Dose("repair_days", "rapid_repair", "float", 3, 15, field="repair_days"),
    Dose("tag_removal_days", "rapid_repair", "float", 2, 10, field="tag_removal_days"),
    Dose("mediators", "night_mediators", "int", 0, 10, spend=True, field="posts"),
    Dose("mediator_shift", "night_mediators", "choice", choices=("evening", "evening_and_night"), field="shift"),
    Dose("dispute_mediation", "dispute_mediation", "switch"),
    Dose("youth", "youth_programmes", "float", 0.0, 2.0, spend=True, field="intensity"),
    Dose("participation", "resident_participation", "float", 0.0, 2.0, spend=True, field="intensity"),
    Dose("cameras", "cctv", "int", 0, 30, spend=True, field="cameras"),
    Dose("cctv_monitoring", "cctv", "choice", choices=("passive", "active"), field="monitoring"),
    Dose("cctv_placement", "cctv", "choice", choices=("car_parks", "halls", "hot_spots"), field="placement"),
    Dose("access_control", "access_control", "float", 0.0, 1.0, spend=True, field="share_of_halls"),
    Dose("lighting", "lighting", "float", 0.0, 1.0, spend=True, field="level"),
    Dose("residentialisation", "residentialisation", "float", 0.0, 1.0, spend=True, field="share_of_buildings"),
    Dose("private_security", "private_security", "float", 0.0, 1.5, spend=True, field="level"),
    Dose("police_level", "police", "float", 0.5, 2.0, field="level"),
    Dose("police_mode", "police", "choice", choices=("random", "hot_spot"), field="mode"),
    Dose("police_style", "police", "choice", choices=("community", "standard", "order_maintenance"), field="style"),
    Dose("zsp", "zsp", "switch"),
    Dose("zsp_crews", "zsp", "float", 1.0, 5.0, field="extra_crews"),
    Dose("zsp_start", "zsp", "int", 0, 730, field="start"),
    Dose("zsp_months", "zsp", "int", 6, 36),  # the window's length; end = start + months
    Dose("information_sharing", "information_sharing", "switch"),
    Dose("gltd", "gltd", "switch"),
    Dose("gltd_start", "gltd", "int", 0, 730, field="start"),
    Dose("eviction", "eviction", "switch"),
    Dose("organisation", "organisation", "choice", choices=("none", "integrated", "dedicated")),
)
BY_NAME = {d.name: d for d in DOSES}
LEVERS = tuple(dict.fromkeys(d.lever for d in DOSES))
MONTH = 365 / 12  # days
#: the public partners' levers (their cost is public, the landlord does not decide them alone)
PUBLIC = ("police", "zsp", "gltd")


def doses_for(levers: list[str] | None) -> tuple[Dose, ...]:
    """The doses of the named levers (all when ``None``)."""
    if levers is None:
        return DOSES
    unknown = sorted(set(levers) - set(LEVERS))
    if unknown:
        raise ValueError(f"unknown lever(s) {', '.join(unknown)} (searchable: {', '.join(LEVERS)})")
    return tuple(d for d in DOSES if d.lever in levers)


def suggest(trial, doses: tuple[Dose, ...]) -> dict:
    """A mix proposed by an Optuna trial."""
    mix = {}
    for d in doses:
        if d.kind == "float":
            mix[d.name] = trial.suggest_float(d.name, d.low, d.high)
        elif d.kind == "int":
            mix[d.name] = trial.suggest_int(d.name, int(d.low), int(d.high))
        elif d.kind == "switch":
            mix[d.name] = trial.suggest_categorical(d.name, (False, True))
        else:
            mix[d.name] = trial.suggest_categorical(d.name, d.choices)
    return mix


def lever_configs(mix: dict) -> tuple[dict[str, dict], str]:
    """(lever -> config fields, organisation) of a mix; levers at dose 0 or switched off are
    left out."""
    levers: dict[str, dict] = {}
    g = mix.get
    if g("caretakers", 0) > 0:
        levers["caretakers"] = {"per_100_dwellings": round(g("caretakers"), 3)}
    if g("cleaning", 0) > 0:
        levers["cleaning"] = {"level": round(g("cleaning"), 3)}
    if g("rapid_repair"):
        levers["rapid_repair"] = {"repair_days": round(g("repair_days", 5), 1),
                                  "tag_removal_days": round(g("tag_removal_days", 3), 1)}
    if g("mediators", 0) > 0:
        levers["night_mediators"] = {"posts": int(g("mediators")), "shift": g("mediator_shift", "evening")}
    if g("dispute_mediation"):
        levers["dispute_mediation"] = {}
    for name, lever, fld in (("youth", "youth_programmes", "intensity"),
                             ("participation", "resident_participation", "intensity"),
                             ("access_control", "access_control", "share_of_halls"),
                             ("lighting", "lighting", "level"),
                             ("residentialisation", "residentialisation", "share_of_buildings"),
                             ("private_security", "private_security", "level")):
        if g(name, 0) > 0:
            levers[lever] = {fld: round(g(name), 3)}
    if g("cameras", 0) > 0:
        levers["cctv"] = {"cameras": int(g("cameras")), "monitoring": g("cctv_monitoring", "passive"),
                          "placement": g("cctv_placement", "hot_spots")}
    if "police_level" in mix or "police_mode" in mix or "police_style" in mix:
        levers["police"] = {"level": round(g("police_level", 1.0), 3), "mode": g("police_mode", "random"),
                            "style": g("police_style", "standard")}
    if g("zsp"):
        start = int(g("zsp_start", 365))
        levers["zsp"] = {"extra_crews": round(g("zsp_crews", 2.0), 2), "start": start,
                         "end": start + round(int(g("zsp_months", 12)) * MONTH), "zone": "hot_spot", "radius": 5}
    if g("information_sharing"):
        levers["information_sharing"] = {}
    if g("gltd"):
        start = int(g("gltd_start", 365))
        levers["gltd"] = {"start": start, "end": start + 365}
    if g("eviction"):
        levers["eviction"] = {}
    return levers, g("organisation", "integrated")


def to_strategy(mix: dict) -> Strategy:
    """The strategy the model runs for a mix (validated like a strategy file)."""
    levers, org = lever_configs(mix)
    return Strategy.model_validate({"title": {"fr": "Bouquet optimisé", "en": "Optimised mix"},
                                    "description": "found by `tranqsim optimise`",
                                    "organisation": org, "levers": levers})


def _n(x: float, lang: str, digits: int = 1) -> str:
    s = f"{x:.{digits}f}"
    return s.replace(".", ",") if lang == "fr" else s


def _month(day: int) -> int:
    """The month (1-based) a day falls in."""
    return int(day / MONTH) + 1


def describe(mix: dict, lang: str = "en") -> list[str]:
    """The mix in plain words, one line per lever in force."""
    levers, org = lever_configs(mix)
    fr = lang == "fr"
    out = []
    pct = (lambda x: f"{round(100 * x)} %") if fr else (lambda x: f"{round(100 * x)}%")
    for name, c in levers.items():
        if name == "caretakers":
            out.append(f"{_n(c['per_100_dwellings'], lang, 2)} gardien(s) pour 100 logements" if fr else
                       f"{_n(c['per_100_dwellings'], lang, 2)} caretakers per 100 dwellings")
        elif name == "cleaning":
            out.append(f"contrat de nettoyage au niveau {_n(c['level'], lang)} (1 = contrat standard)" if fr else
                       f"cleaning contract at level {_n(c['level'], lang)} (1 = a standard contract)")
        elif name == "rapid_repair":
            out.append(f"réparation rapide : dégradations sous {_n(c['repair_days'], lang, 0)} jours, tags sous "
                       f"{_n(c['tag_removal_days'], lang, 0)} jours" if fr else
                       f"rapid repair: damage within {_n(c['repair_days'], lang, 0)} days, tags within "
                       f"{_n(c['tag_removal_days'], lang, 0)} days")
        elif name == "night_mediators":
            night = c["shift"] == "evening_and_night"
            out.append(f"{c['posts']} correspondants de nuit ({'soirée et nuit' if night else 'soirée'})" if fr else
                       f"{c['posts']} night mediators ({'evening and night' if night else 'evening'} rounds)")
        elif name == "dispute_mediation":
            out.append("médiation des conflits de voisinage" if fr else "neighbour-dispute mediation")
        elif name == "youth_programmes":
            out.append(f"programmes jeunesse, intensité {_n(c['intensity'], lang)}" if fr else
                       f"youth programmes at intensity {_n(c['intensity'], lang)}")
        elif name == "resident_participation":
            out.append(f"soutien aux associations de locataires, intensité {_n(c['intensity'], lang)}" if fr else
                       f"support for tenants' associations at intensity {_n(c['intensity'], lang)}")
        elif name == "cctv":
            where = {"car_parks": ("les parkings", "the car parks"), "halls": ("les halls", "the halls"),
                     "hot_spots": ("les points chauds", "the hot spots")}[c["placement"]]
            act = c["monitoring"] == "active"
            out.append(f"{c['cameras']} caméras ({'visionnage actif' if act else 'enregistrement seul'}) sur "
                       f"{where[0]}" if fr else
                       f"{c['cameras']} cameras ({'actively monitored' if act else 'recording only'}) on {where[1]}")
        elif name == "access_control":
            out.append(f"contrôle d'accès sur {pct(c['share_of_halls'])} des halls" if fr else
                       f"access control on {pct(c['share_of_halls'])} of the halls")
        elif name == "lighting":
            out.append(f"éclairage refait sur {pct(c['level'])} des espaces publics" if fr else
                       f"{pct(c['level'])} of public spaces relit")
        elif name == "residentialisation":
            out.append(f"résidentialisation de {pct(c['share_of_buildings'])} des immeubles" if fr else
                       f"{pct(c['share_of_buildings'])} of the buildings residentialised")
        elif name == "private_security":
            out.append(f"patrouilles de sécurité privée de nuit, niveau {_n(c['level'], lang)}" if fr else
                       f"private night patrols at level {_n(c['level'], lang)} (1 = GPIS-like)")
        elif name == "police":
            style = {"community": ("de proximité", "community"), "standard": ("standard", "standard"),
                     "order_maintenance": ("de maintien de l'ordre", "order-maintenance")}[c["style"]]
            mode = {"random": ("réparties", "spread over the estate"),
                    "hot_spot": ("sur les points chauds", "on the hot spots")}[c["mode"]]
            out.append(f"patrouilles de police x{_n(c['level'], lang)}, {mode[0]}, style {style[0]} "
                       "(coût public)" if fr else
                       f"police patrols x{_n(c['level'], lang)}, {mode[1]}, {style[1]} style (public cost)")
        elif name == "zsp":
            out.append(f"renfort ZSP de {_n(c['extra_crews'], lang)} équipages du mois {_month(c['start'])} au mois "
                       f"{_month(c['end'] - 1)} (coût public)" if fr else
                       f"ZSP reinforcement of {_n(c['extra_crews'], lang)} crews from month {_month(c['start'])} "
                       f"to month {_month(c['end'] - 1)} (public cost)")
        elif name == "information_sharing":
            out.append("convention d'échange d'informations" if fr else "information-sharing agreement")
        elif name == "gltd":
            out.append(f"GLTD sur le trafic du mois {_month(c['start'])} au mois {_month(c['end'] - 1)}" if fr else
                       f"GLTD action on dealing from month {_month(c['start'])} to month {_month(c['end'] - 1)}")
        elif name == "eviction":
            out.append("plaintes et expulsions pour troubles de jouissance" if fr else
                       "complaints and eviction for disturbance")
    orgs = {"none": ("aucune fonction tranquillité", "no tranquillity function"),
            "integrated": ("tranquillité intégrée à tous les services",
                           "tranquillity integrated in every department"),
            "dedicated": ("un chargé de mission tranquillité dédié", "a dedicated tranquillity officer")}
    out.append(("organisation : " if fr else "organisation: ") + orgs[org][0 if fr else 1])
    return out
