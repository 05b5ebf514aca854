"""Technical and situational prevention: CCTV, access control, lighting, residentialisation,
rapid repair and tag removal. They raise *technical surveillance* of places or shorten the
life of visible disorder (broken-windows maintenance)."""

from __future__ import annotations

from typing import Literal

import numpy as np
from pydantic import Field

from tranqsim.levers.base import Lever, LeverConfig, Modifiers, register
from tranqsim.vocabulary import PlaceKind


@register
class CCTV(Lever):
    """*Vidéoprotection*. Each camera watches one place. Recording only, it deters a little
    (Piza et al. 2019: about -13% overall); actively monitored it deters more and lets
    operators dispatch a response. Vehicle crime in car parks responds most (Welsh &
    Farrington 2009). Cost: investment per camera amortised over its lifetime, running cost,
    and operators when monitored (about 12 for 100 cameras round the clock)."""

    name, family = "cctv", "situational"
    label_fr, label_en = "Vidéoprotection", "CCTV"

    class Config(LeverConfig):
        cameras: int = Field(..., ge=0, le=2000, description="number of cameras")
        monitoring: Literal["passive", "active"] = Field("passive", description=
                                                         "recording only, or watched live")
        placement: Literal["car_parks", "halls", "hot_spots"] = Field(
            "hot_spots", description="where cameras go first")

    def setup(self, s):
        lay, cfg = s.static.layout, self.config
        risk = s.static.initial_risk  # places ranked by their expected incident rate at start
        if cfg.placement == "car_parks":
            order = np.lexsort((-risk, lay.kind != PlaceKind.CAR_PARK))
        elif cfg.placement == "halls":
            order = np.lexsort((-risk, lay.kind != PlaceKind.HALL))
        else:
            order = np.argsort(-risk, kind="stable")
        self.places = order[: min(cfg.cameras, order.size)]

    def apply(self, s, mods: Modifiers):
        name = "cctv_active" if self.config.monitoring == "active" else "cctv_passive"
        mods.place_array(name, s.static.n_places)[self.places] += 1.0

    def annual_cost(self, s):
        p, n = s.p, len(self.places)
        cost = n * (p.cost_cctv_capex / p.cctv_lifetime_years + p.cost_cctv_opex)
        if self.config.monitoring == "active":
            cost += n * p.cost_cctv_monitoring
        return cost


@register
class AccessControl(Lever):
    """*Contrôle d'accès*: badge entrances keep non-residents out of halls and cellars,
    deterring hall occupation, dealing in halls and cellar crime (residents' own noise hardly)."""

    name, family = "access_control", "situational"
    label_fr, label_en = "Contrôle d'accès", "Access control"

    class Config(LeverConfig):
        share_of_halls: float = Field(1.0, ge=0, le=1, description="share of halls equipped")

    def setup(self, s):
        halls = s.static.layout.hall_places
        k = round(self.config.share_of_halls * halls.size)
        self.halls = halls[np.argsort(-s.static.initial_risk[halls], kind="stable")[:k]]

    def apply(self, s, mods):
        mods.place_array("access_control", s.static.n_places, bool)[self.halls] = True

    def annual_cost(self, s):
        p = s.p
        return self.halls.size * (p.cost_access_control_capex / p.works_lifetime_years
                                  + p.cost_access_control_opex)


@register
class Lighting(Lever):
    """Better lighting of streets, car parks and squares: evening and night surveillance
    (Welsh & Farrington 2008: -21%)."""

    name, family = "lighting", "situational"
    label_fr, label_en = "Éclairage", "Lighting"

    class Config(LeverConfig):
        level: float = Field(1.0, ge=0, le=1, description="share of public spaces relit")

    def setup(self, s):
        public = np.flatnonzero(s.static.layout.kind != PlaceKind.HALL)
        k = round(self.config.level * public.size)
        self.places = public[np.argsort(-s.static.initial_risk[public], kind="stable")[:k]]

    def apply(self, s, mods):
        mods.place_array("lighting", s.static.n_places)[self.places] = 1.0

    def annual_cost(self, s):
        return self.places.size * s.p.cost_lighting_capex / s.p.works_lifetime_years


@register
class Residentialisation(Lever):
    """*Résidentialisation*: enclosing and defining the ground around buildings (defensible
    space). The public cells next to enclosed buildings become semi-private: outsiders are
    deterred and residents' control extends to them."""

    name, family = "residentialisation", "situational"
    label_fr, label_en = "Résidentialisation", "Residentialisation"

    class Config(LeverConfig):
        share_of_buildings: float = Field(1.0, ge=0, le=1, description="share of buildings enclosed")

    def setup(self, s):
        lay = s.static.layout
        nb = lay.n_buildings
        k = round(self.config.share_of_buildings * nb)
        risk_b = np.bincount(lay.building[lay.hall_places], s.static.initial_risk[lay.hall_places], nb)
        chosen = np.argsort(-risk_b, kind="stable")[:k]
        halls = np.isin(lay.building, chosen)
        around = (lay.buffer2 @ halls.astype(float)) > 0
        self.mask = (around & (lay.kind != PlaceKind.HALL)) | halls
        self.dwellings = int(lay.dwellings_per_hall[np.isin(lay.building[lay.hall_places], chosen)].sum())

    def apply(self, s, mods):
        arr = mods.place_array("residentialised", s.static.n_places, bool)
        arr |= self.mask

    def annual_cost(self, s):
        return self.dwellings * s.p.cost_residentialisation_capex / s.p.works_lifetime_years


@register
class RapidRepair(Lever):
    """Rapid repair and tag removal contract: damage and tags vanish in days, not weeks, so
    visible disorder does not invite more (Keizer et al. 2008)."""

    name, family = "rapid_repair", "situational"
    label_fr, label_en = "Réparation et effacement rapides", "Rapid repair and tag removal"

    class Config(LeverConfig):
        repair_days: float = Field(5, ge=1, le=365, description="mean days to repair damage")
        tag_removal_days: float = Field(3, ge=1, le=365, description="mean days to remove tags")

    def apply(self, s, mods):
        p = s.p
        mods.repair_days_factor = min(mods.repair_days_factor,
                                      self.config.repair_days / p.repair_delay_days)
        mods.tag_days_factor = min(mods.tag_days_factor,
                                   self.config.tag_removal_days / p.tag_removal_days)

    def annual_cost(self, s):
        return s.static.n_dwellings * s.p.cost_rapid_repair_premium
