"""Partnership and security levers: police patrols, ZSP reinforcement, information sharing,
GLTD action on dealing, complaints and eviction for disturbance, private security patrols.
Police and justice costs fall on the State; they are reported as public cost, not in the
landlord's cost per dwelling."""

from __future__ import annotations

from typing import Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from tranqsim.levers.base import Lever, LeverConfig, register


@register
class Police(Lever):
    """Patrol level and mode. ``random`` spreads visits over the estate; ``hot_spot``
    concentrates them where incidents were recent (Braga et al. 2019: small but significant
    reduction, diffusion of benefits more common than displacement). Style: ``community``
    (problem-solving, reassuring, trust-building), ``standard``, or ``order_maintenance``
    (aggressive stops and dispersals: more short-term deterrence, but trust falls and
    tension rises; Braga, Welsh & Schnell 2015 found no significant net effect)."""

    name, family = "police", "partnership"
    label_fr, label_en = "Police : niveau et mode de patrouille", "Police patrols"

    class Config(LeverConfig):
        level: float = Field(1.0, ge=0, le=5, description="multiplier on the territory's crews")
        mode: Literal["random", "hot_spot"] = "random"
        style: Literal["community", "standard", "order_maintenance"] = "standard"

    def apply(self, s, mods):
        mods.police_level = self.config.level
        mods.police_mode = self.config.mode
        mods.police_style = self.config.style


class Zone(BaseModel):
    """A rectangle of cells, inclusive bounds."""

    model_config = ConfigDict(extra="forbid")
    x0: int = Field(..., ge=0)
    y0: int = Field(..., ge=0)
    x1: int = Field(..., ge=0)
    y1: int = Field(..., ge=0)


@register
class ZSP(Lever):
    """*Zone de Sécurité Prioritaire* reinforcement over a window: extra crews patrolling the
    zone's hot spots and regular operations against dealing points there. The zone is a
    rectangle, or (``hot_spot``) a square of ``radius`` cells around the estate's hottest place
    on the day the ZSP starts. When it ends, police presence returns to the territory's level."""

    name, family = "zsp", "partnership"
    label_fr, label_en = "Renfort ZSP", "Priority Security Zone (ZSP)"

    class Config(LeverConfig):
        extra_crews: float = Field(2.0, ge=0, le=50, description="extra crews per day in the zone")
        zone: Literal["hot_spot", "estate"] | Zone = "hot_spot"
        radius: int = Field(4, ge=1, le=100, description="half-side of the hot-spot zone, cells")

    zone_mask: np.ndarray | None = None

    def apply(self, s, mods):
        if self.zone_mask is None:  # fixed on the first day the ZSP is active
            self.zone_mask = self._zone(s)
        mods.zsp_zone = self.zone_mask
        mods.zsp_extra_crews += self.config.extra_crews

    def _zone(self, s) -> np.ndarray:
        lay, z = s.static.layout, self.config.zone
        if z == "estate":
            return np.ones(s.static.n_places, dtype=bool)
        if z == "hot_spot":
            c = int(np.argmax(s.places.recent))
            cx, cy, r = lay.x[c], lay.y[c], self.config.radius
            return (np.abs(lay.x - cx) <= r) & (np.abs(lay.y - cy) <= r)
        return (lay.x >= z.x0) & (lay.x <= z.x1) & (lay.y >= z.y0) & (lay.y <= z.y1)

    def public_cost(self, s):
        return self.config.extra_crews * 365 * s.p.cost_police_crew_day


@register
class InformationSharing(Lever):
    """Information-sharing agreement (landlord, police, prosecutor, municipality): the
    landlord's reports reach the police, who act on them more often."""

    name, family = "information_sharing", "partnership"
    label_fr, label_en = "Convention d'échange d'informations", "Information-sharing agreement"

    class Config(LeverConfig):
        pass

    def apply(self, s, mods):
        mods.information_sharing = True

    def annual_cost(self, s):
        return 0.1 * s.p.cost_officer_post  # a tenth of an officer's time


@register
class GLTD(Lever):
    """*Groupe local de traitement de la délinquance*: prosecutor-led, one area, about a year,
    mostly drug trafficking. Networks face a monthly chance of being dismantled; demand
    persists, so a new point may re-emerge later."""

    name, family = "gltd", "partnership"
    label_fr, label_en = "GLTD (action sur le trafic)", "GLTD action on dealing"

    class Config(LeverConfig):
        pass

    def apply(self, s, mods):
        mods.gltd = True

    def annual_cost(self, s):
        return 0.2 * s.p.cost_officer_post


@register
class Eviction(Lever):
    """Landlord complaints and eviction for disturbance (*troubles de jouissance*): the landlord
    files a complaint against a disruptive household after a while (about four months on
    average), and after a slow procedure evicts it; while the policy is known, disruptive
    households temper their behaviour (noise x 0.7)."""

    name, family = "eviction", "partnership"
    label_fr, label_en = "Plaintes et expulsions pour troubles", "Complaints and eviction"

    class Config(LeverConfig):
        pass

    def apply(self, s, mods):
        mods.eviction = True


@register
class PrivateSecurity(Lever):
    """Private night patrols of halls and car parks (GPIS-like): dispersal of groups;
    EUR 104-156 per dwelling per year at level 1 (about one agent per 330 dwellings)."""

    name, family = "private_security", "partnership"
    label_fr, label_en = "Sécurité privée (patrouilles de nuit)", "Private security patrols"

    class Config(LeverConfig):
        level: float = Field(1.0, ge=0, le=3, description="1 = GPIS-like coverage")

    def apply(self, s, mods):
        mods.guard_level += self.config.level

    def annual_cost(self, s):
        return self.config.level * s.static.n_dwellings * s.p.cost_private_security
