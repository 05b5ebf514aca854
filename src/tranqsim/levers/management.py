"""Routine management (*gestion de proximité*): caretakers and cleaning."""

from __future__ import annotations

from pydantic import Field

from tranqsim.levers.base import Lever, LeverConfig, register


@register
class Caretakers(Lever):
    """*Gardiens d'immeuble*: posts per 100 dwellings (legal minimum 1 in priority areas since
    2001-02). Each post covers a sector of halls: daily presence (deterrence, reassurance),
    cleaning of litter and waste, same-day reporting of damage (faster repair). Cost per post
    includes lodging; 75% is recoverable from tenants' charges (décret 2001-1361), reported
    gross here."""

    name, family = "caretakers", "management"
    label_fr, label_en = "Gardiens d'immeuble", "Caretakers"

    class Config(LeverConfig):
        per_100_dwellings: float = Field(1.0, ge=0, le=5, description="posts per 100 dwellings")

    def posts(self, s) -> int:
        return round(self.config.per_100_dwellings * s.static.n_dwellings / 100)

    def apply(self, s, mods):
        mods.caretaker_posts += self.posts(s)

    def annual_cost(self, s):
        return self.posts(s) * s.p.cost_caretaker_post


@register
class Cleaning(Lever):
    """Contracted cleaning of halls and grounds, on top of what caretakers do."""

    name, family = "cleaning", "management"
    label_fr, label_en = "Nettoyage renforcé", "Cleaning contract"

    class Config(LeverConfig):
        level: float = Field(1.0, ge=0, le=3, description="cleaning intensity (1 = standard contract)")

    def apply(self, s, mods):
        mods.cleaning_level += self.config.level

    def annual_cost(self, s):
        return self.config.level * s.static.n_dwellings * s.p.cost_cleaning_contract
