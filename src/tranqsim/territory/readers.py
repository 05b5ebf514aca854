"""The landlord's files: building register, incident log, category mapping, survey figures.

See docs/data.md for the columns, with examples. Each reader returns plain data (no free
text: categories are reduced to the model's incident types, ids are kept only to join the
files and to label the fit report by building).
"""

from __future__ import annotations

import datetime as dt
import math
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from tranqsim.incidents import LABELS_EN, LABELS_FR, TYPE_NAMES
from tranqsim.loading import ScenarioError, read_yaml
from tranqsim.territory.tables import Column, norm, parse_date, parse_time, read_table

ESTATE = Column("estate", ("estate", "residence", "groupe", "programme", "site", "quartier",
                           "nom_residence", "nom_groupe", "code_groupe", "code_residence"))
BUILDING = Column("building", ("building", "building_id", "batiment", "immeuble", "code_batiment",
                               "code_immeuble", "bat"))
REGISTER_COLUMNS = [
    ESTATE, BUILDING,
    Column("hall", ("hall", "hall_id", "cage", "entree", "code_cage", "code_entree"), required=False),
    Column("halls", ("halls", "cages", "nb_cages", "nombre_cages", "entrees", "nb_entrees"),
           required=False),
    Column("dwellings", ("dwellings", "logements", "nb_logements", "nombre_logements", "lgts")),
    Column("x", ("x", "x_m", "est_m"), required=False),
    Column("y", ("y", "y_m", "nord_m"), required=False),
    Column("latitude", ("latitude", "lat"), required=False),
    Column("longitude", ("longitude", "lon", "lng", "long"), required=False),
    Column("vacancy", ("vacancy", "vacance", "taux_vacance", "taux_de_vacance"), required=False),
    Column("caretakers", ("caretakers", "caretaker_posts", "gardiens", "postes_gardien",
                          "postes_gardiens", "nb_gardiens"), required=False),
]
INCIDENT_COLUMNS = [
    Column("date", ("date", "date_incident", "date_evenement", "jour")),
    Column("building", BUILDING.aliases + ("hall", "hall_id", "cage", "entree", "code_cage", "lieu_code")),
    Column("category", ("category", "categorie", "type", "nature", "type_incident", "motif")),
    Column("time", ("time", "heure", "time_of_day", "heure_incident"), required=False),
]
SURVEY_COLUMNS = [
    ESTATE,
    Column("insecure", ("insecure", "feel_insecure", "insecurity", "sentiment_insecurite",
                        "part_insecurite", "insecurite", "sentiment_d_insecurite",
                        "taux_insecurite"), required=False),
    Column("satisfaction", ("satisfaction", "satisfied", "satisfaits", "taux_satisfaction",
                            "part_satisfaits"), required=False),
    Column("respondents", ("respondents", "repondants", "n", "effectif"), required=False),
]
EARTH_RADIUS_M = 6_371_000.0


@dataclass
class Building:
    estate: str
    id: str
    halls: int
    dwellings: int
    line: int
    x: float | None = None
    y: float | None = None
    vacancy: float | None = None
    caretakers: float | None = None
    hall_ids: list[str] = field(default_factory=list)


@dataclass
class Register:
    shown: str
    encoding: str
    ignored: list[str]
    estates: dict[str, list[Building]]  # in the register's order
    place_of: dict[str, tuple[str, int]]  # building or hall id -> (estate, building index)


@dataclass
class IncidentLog:
    shown: str
    encoding: str
    ignored: list[str]
    start: dt.date
    end: dt.date
    # per estate: (building index, model type index, minutes or -1) per incident
    records: dict[str, list[tuple[int, int, int]]]
    left_out: Counter  # incidents of categories mapped to "not modelled", by model-free count
    rows: int

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1


@dataclass
class Survey:
    shown: str
    ignored: list[str]
    figures: dict[str, dict[str, float]]  # estate -> insecure / satisfaction / respondents


@dataclass
class Mapping:
    shown: str
    types: dict[str, int | None]  # normalised category -> model type (None: not modelled)
    recorded: str = "reported"  # which simulated incidents the log is compared with


# --------------------------------------------------------------------------- register
def read_register(path: str | Path) -> Register:
    t = read_table(path, "register", REGISTER_COLUMNS)
    by_hall = t.has("hall")
    has_xy, has_ll = t.has("x") and t.has("y"), t.has("latitude") and t.has("longitude")
    if t.has("x") != t.has("y") or t.has("latitude") != t.has("longitude"):
        one = next(c for c in ("x", "y", "latitude", "longitude") if t.has(c))
        raise ScenarioError(f"{t.shown}:1: column {one!r} without its pair: give x and y (metres) "
                            "or latitude and longitude")
    if not by_hall and not t.has("halls"):
        raise ScenarioError(f"{t.shown}:1: missing column 'halls' (number of halls per building), "
                            "or a 'hall' column with one row per hall")
    if not t.rows:
        raise ScenarioError(f"{t.shown}: no rows: the register lists one row per building or hall")
    rows: dict[tuple[str, str], list] = {}
    seen_hall: dict[str, int] = {}
    estate_of_building: dict[str, tuple[str, int]] = {}
    for line, row in t.rows:
        estate, bid = t.cell(row, "estate"), t.cell(row, "building")
        for name, value in (("estate", estate), ("building", bid)):
            if not value:
                raise ScenarioError(f"{t.where(line, name)}: empty")
            if len(value) > 64:
                raise ScenarioError(f"{t.where(line, name)}: longer than 64 characters: use a code")
        if bid in estate_of_building and estate_of_building[bid][0] != estate:
            raise ScenarioError(f"{t.where(line, 'building')}: building {bid!r} is already in estate "
                                f"{estate_of_building[bid][0]!r} (line {estate_of_building[bid][1]})")
        estate_of_building.setdefault(bid, (estate, line))
        halls = 1 if by_hall else t.number(line, row, "halls", low=1, high=50, integer=True)
        if halls is None:
            raise ScenarioError(f"{t.where(line, 'halls')}: empty")
        dwellings = t.number(line, row, "dwellings", low=1, high=2000, integer=True)
        if dwellings is None:
            raise ScenarioError(f"{t.where(line, 'dwellings')}: empty")
        if dwellings < halls:
            raise ScenarioError(f"{t.where(line, 'dwellings')}: fewer dwellings ({dwellings}) than "
                                f"halls ({halls})")
        hid = t.cell(row, "hall") if by_hall else ""
        if by_hall:
            if not hid:
                raise ScenarioError(f"{t.where(line, 'hall')}: empty")
            if hid in seen_hall:
                raise ScenarioError(f"{t.where(line, 'hall')}: hall {hid!r} already listed at line "
                                    f"{seen_hall[hid]}")
            seen_hall[hid] = line
        elif (estate, bid) in rows:
            raise ScenarioError(f"{t.where(line, 'building')}: building {bid!r} already listed at "
                                f"line {rows[(estate, bid)][0][0]} (one row per building, or add a "
                                "'hall' column for one row per hall)")
        pos = None
        if has_xy:
            x, y = t.number(line, row, "x"), t.number(line, row, "y")
            pos = (x, y) if x is not None and y is not None else None
        elif has_ll:
            lat = t.number(line, row, "latitude", low=-90, high=90)
            lon = t.number(line, row, "longitude", low=-180, high=180)
            pos = (lat, lon) if lat is not None and lon is not None else None
        vac = t.number(line, row, "vacancy", low=0, high=0.9, share=True) if t.has("vacancy") else None
        care = t.number(line, row, "caretakers", low=0, high=50) if t.has("caretakers") else None
        rows.setdefault((estate, bid), []).append((line, halls, dwellings, pos, vac, care, hid))

    estates: dict[str, list[Building]] = {}
    for (estate, bid), parts in rows.items():
        d = sum(p[2] for p in parts)
        positions = [p[3] for p in parts if p[3] is not None]
        vacs = [(p[4], p[2]) for p in parts if p[4] is not None]
        cares = [p[5] for p in parts if p[5] is not None]
        b = Building(estate, bid, sum(p[1] for p in parts), d, parts[0][0],
                     vacancy=sum(v * w for v, w in vacs) / sum(w for _, w in vacs) if vacs else None,
                     caretakers=sum(cares) if cares else None,
                     hall_ids=[p[6] for p in parts if p[6]])
        if positions:
            b.x = sum(p[0] for p in positions) / len(positions)
            b.y = sum(p[1] for p in positions) / len(positions)
        estates.setdefault(estate, []).append(b)
    if has_ll:  # degrees -> metres east and north of the estate's centre
        for blds in estates.values():
            located = [b for b in blds if b.x is not None]
            if not located:
                continue
            lat0 = sum(b.x for b in located) / len(located)
            lon0 = sum(b.y for b in located) / len(located)
            for b in located:
                lat, lon = b.x, b.y
                b.x = math.radians(lon - lon0) * EARTH_RADIUS_M * math.cos(math.radians(lat0))
                b.y = math.radians(lat - lat0) * EARTH_RADIUS_M
    place_of: dict[str, tuple[str, int]] = {}
    for estate, blds in estates.items():
        for i, b in enumerate(blds):
            place_of[b.id] = (estate, i)
            for h in b.hall_ids:
                if h in place_of and place_of[h] != (estate, i):
                    raise ScenarioError(f"{t.shown}:{seen_hall[h]}: hall {h!r} is also a building id "
                                        "elsewhere: ids must be unique across the register")
                place_of[h] = (estate, i)
    return Register(t.shown, t.encoding, t.ignored, estates, place_of)


# --------------------------------------------------------------------------- mapping
def _default_types() -> dict[str, int]:
    """Without a mapping file: the model's own names and its French and English labels."""
    out = {}
    for i, names in enumerate(zip(TYPE_NAMES, LABELS_FR, LABELS_EN)):
        for n in names:
            out[norm(n)] = i
    return out


def read_mapping(path: str | Path | None) -> Mapping:
    if path is None:
        return Mapping("(the model's type names and labels)", dict(_default_types()))
    data, node, shown = read_yaml(Path(path))
    unknown = set(data) - {"categories", "recorded"}
    if unknown:
        raise ScenarioError(f"{shown}: unknown key(s) {', '.join(sorted(map(str, unknown)))} "
                            "(allowed: categories, recorded)")
    cats = data.get("categories")
    if not isinstance(cats, dict) or not cats:
        raise ScenarioError(f"{shown}: categories: expected a mapping of the landlord's categories "
                            "to the model's incident types")
    lines = {str(k.value): k.start_mark.line + 1 for k, _ in _sub(node, "categories")}
    allowed = _default_types()
    types: dict[str, int | None] = {}
    for cat, target in cats.items():
        at = f"{shown}:{lines.get(str(cat), '?')}: categories.{cat}"
        if target is None or (isinstance(target, str) and norm(target) in ("ignore", "none", "not_modelled")):
            types[norm(str(cat))] = None
            continue
        if not isinstance(target, str) or norm(target) not in allowed:
            raise ScenarioError(f"{at}: {target!r} is not an incident type of the model (known: "
                                f"{', '.join(TYPE_NAMES)}; or null for not modelled)")
        types[norm(str(cat))] = allowed[norm(target)]
    recorded = data.get("recorded", "reported")
    if recorded not in ("reported", "all"):
        raise ScenarioError(f"{shown}: recorded: must be 'reported' (the log holds what residents "
                            f"or staff reported) or 'all' (got {recorded!r})")
    return Mapping(shown, types, recorded)


def _sub(node, key):
    for k, v in getattr(node, "value", []):
        if k.value == key:
            return getattr(v, "value", [])
    return []


# --------------------------------------------------------------------------- incident log
def read_incidents(path: str | Path, register: Register, mapping: Mapping) -> IncidentLog:
    t = read_table(path, "incident log", INCIDENT_COLUMNS)
    if not t.rows:
        raise ScenarioError(f"{t.shown}: no rows: the incident log lists one incident per row")
    records: dict[str, list[tuple[int, int, int]]] = defaultdict(list)
    unmapped: dict[str, list[int]] = {}
    unknown_ids: dict[str, list[int]] = {}
    left_out: Counter = Counter()
    start = end = None
    for line, row in t.rows:
        raw_date = t.cell(row, "date")
        day = parse_date(raw_date)
        if day is None:
            raise ScenarioError(f"{t.where(line, 'date')}: not a date (expected dd/mm/yyyy or "
                                "yyyy-mm-dd)")
        minutes = -1
        if t.has("time") and t.cell(row, "time"):
            m = parse_time(t.cell(row, "time"))
            if m is None:
                raise ScenarioError(f"{t.where(line, 'time')}: not a time of day (expected HH:MM)")
            minutes = m
        ref = t.cell(row, "building")
        if not ref:
            raise ScenarioError(f"{t.where(line, 'building')}: empty")
        cat = norm(t.cell(row, "category"))
        if not cat:
            raise ScenarioError(f"{t.where(line, 'category')}: empty")
        if ref not in register.place_of:
            unknown_ids.setdefault(ref, []).append(line)
            continue
        if cat not in mapping.types:
            unmapped.setdefault(t.cell(row, "category"), []).append(line)
            continue
        start = day if start is None or day < start else start
        end = day if end is None or day > end else end
        typ = mapping.types[cat]
        if typ is None:
            left_out[cat] += 1
            continue
        estate, b = register.place_of[ref]
        records[estate].append((b, typ, minutes, day))
    if unknown_ids:
        ref, lines = next(iter(unknown_ids.items()))
        more = f" ({len(unknown_ids) - 1} other unknown ids)" if len(unknown_ids) > 1 else ""
        raise ScenarioError(f"{t.where(lines[0], 'building')}: {ref!r} is neither a building nor a "
                            f"hall of the register {register.shown} ({len(lines)} rows){more}")
    if unmapped:
        # categories are the landlord's own labels, shown back to them in the error only
        listed = "; ".join(f"{c!r} (line {ls[0]}, {len(ls)} rows)" for c, ls in unmapped.items())
        first = min(ls[0] for ls in unmapped.values())
        raise ScenarioError(f"{t.where(first, 'category')}: {len(unmapped)} categories not in the "
                            f"mapping {mapping.shown}: {listed}; map each to an incident type of "
                            f"the model ({', '.join(TYPE_NAMES)}) or to null (not modelled)")
    if start is None:
        raise ScenarioError(f"{t.shown}: no incident of a modelled category")
    span = (end - start).days + 1
    if span < 28:
        raise ScenarioError(f"{t.shown}: the log covers {span} days ({start} to {end}): at least "
                            "four weeks are needed to estimate rates (a year is best)")
    recs = {e: [(b, typ, m) for b, typ, m, _ in v] for e, v in records.items()}
    return IncidentLog(t.shown, t.encoding, t.ignored, start, end, recs, left_out, len(t.rows))


# --------------------------------------------------------------------------- survey
def read_survey(path: str | Path, register: Register) -> Survey:
    t = read_table(path, "survey", SURVEY_COLUMNS)
    figures: dict[str, dict[str, float]] = {}
    for line, row in t.rows:
        estate = t.cell(row, "estate")
        if estate not in register.estates:
            raise ScenarioError(f"{t.where(line, 'estate')}: estate {estate!r} is not in the register "
                                f"{register.shown}")
        if estate in figures:
            raise ScenarioError(f"{t.where(line, 'estate')}: estate {estate!r} given twice")
        f = {}
        for name in ("insecure", "satisfaction"):
            if t.has(name):
                v = t.number(line, row, name, low=0, high=1, share=True)
                if v is not None:
                    f[name] = v
        if t.has("respondents"):
            n = t.number(line, row, "respondents", low=1, integer=True)
            if n is not None:
                f["respondents"] = n
        figures[estate] = f
    if not t.has("insecure") and not t.has("satisfaction"):
        raise ScenarioError(f"{t.shown}:1: neither an 'insecure' nor a 'satisfaction' column: "
                            "nothing to compare")
    return Survey(t.shown, t.ignored, figures)
