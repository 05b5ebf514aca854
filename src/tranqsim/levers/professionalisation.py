"""Professionalising the tranquillity function (issue 17): training of front-line staff and
officers, and pairing of staff in the halls the grading flags."""

from __future__ import annotations

from pydantic import Field

from tranqsim.levers.base import Lever, LeverConfig, register


@register
class Training(Lever):
    """*Formation et professionnalisation*: de-escalation, rules and procedures, partners'
    culture (police, justice) for caretakers, agency staff and officers. Trained staff meet
    fewer aggressions (a fifth of aggressions follow a simple reminder of the rules, USH 2013),
    handle more cases a day and implement levers better (``impl_training_gain``); pairing
    sends staff two by two in orange and red halls (3F, Sevran 2008), cutting aggressions
    further (costed for those halls; the cut applies to the estate's aggression rate, an upper
    bound). Magnitudes and the cost per dwelling are assumptions with ranges
    (``cost_training``, ``cost_pairing``: docs/evidence_review.md)."""

    name, family = "training", "organisation"
    label_fr, label_en = "Formation et travail en binôme", "Staff training and pairing"

    class Config(LeverConfig):
        level: float = Field(1.0, ge=0, le=1, description="share of front-line staff trained (0-1)")
        pairing: bool = Field(False, description="staff work in pairs in orange and red halls")

    def apply(self, s, mods):
        mods.training = max(mods.training, self.config.level)
        mods.pairing = mods.pairing or self.config.pairing

    def annual_cost(self, s):
        D, p = s.static.n_dwellings, s.p
        return D * (self.config.level * p.cost_training + self.config.pairing * p.cost_pairing)
