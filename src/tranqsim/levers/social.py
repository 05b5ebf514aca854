"""Social and preventive levers: night mediation, neighbour-dispute mediation, youth
programmes, resident participation. No coercive power: they work through presence,
de-escalation, trust and collective efficacy."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from tranqsim.levers.base import Lever, LeverConfig, register


@register
class NightMediators(Lever):
    """*Correspondants de nuit / médiateurs*: pairs doing evening rounds of halls and squares
    with recent nuisance; they de-escalate, reassure and refer. Nuisance they deter partly
    resumes after their shift ends (de Maillard & Bénec'h-Le Roux 2011)."""

    name, family = "night_mediators", "social"
    label_fr, label_en = "Correspondants de nuit", "Night mediators"

    class Config(LeverConfig):
        posts: int = Field(..., ge=0, le=500, description="mediator posts (they work in pairs)")
        shift: Literal["evening", "evening_and_night"] = Field(
            "evening", description="evening (18-24h) or evening and night (18-6h)")

    def apply(self, s, mods):
        mods.mediator_posts += self.config.posts
        mods.mediator_night_shift |= self.config.shift == "evening_and_night"

    def annual_cost(self, s):
        # a night shift as well means half as many hours again per post
        hours = 1.5 if self.config.shift == "evening_and_night" else 1.0
        return hours * self.config.posts * s.p.cost_mediator_post


@register
class DisputeMediation(Lever):
    """Neighbour-dispute mediation: disruptive households are approached and disputes settled,
    cutting noise and disputes at the source and raising satisfaction."""

    name, family = "dispute_mediation", "social"
    label_fr, label_en = "Médiation des conflits de voisinage", "Neighbour-dispute mediation"

    class Config(LeverConfig):
        pass

    def apply(self, s, mods):
        mods.dispute_mediation = True

    def annual_cost(self, s):
        return s.static.n_dwellings * s.p.cost_dispute_mediation


@register
class YouthProgrammes(Lever):
    """Social development and youth programmes: fewer young people idle in halls; tension
    falls. Effects build up over months."""

    name, family = "youth_programmes", "social"
    label_fr, label_en = "Programmes jeunesse et développement social", "Youth and social programmes"

    class Config(LeverConfig):
        intensity: float = Field(1.0, ge=0, le=3, description="1 = a standard programme")

    def apply(self, s, mods):
        mods.youth_programme += self.config.intensity

    def annual_cost(self, s):
        return self.config.intensity * s.static.n_dwellings * s.p.cost_youth_programme


@register
class ResidentParticipation(Lever):
    """Tenants' associations and consultation: raise collective efficacy and trust in the
    landlord, and reporting with them."""

    name, family = "resident_participation", "social"
    label_fr, label_en = "Participation des habitants", "Resident participation"

    class Config(LeverConfig):
        intensity: float = Field(1.0, ge=0, le=3, description="1 = active support of associations")

    def apply(self, s, mods):
        mods.participation += self.config.intensity

    def annual_cost(self, s):
        return self.config.intensity * s.static.n_dwellings * s.p.cost_participation
