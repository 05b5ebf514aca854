"""A household as a Mesa agent: a read-only *view* on one dwelling slot of
:class:`tranqsim.households.Households`, whose arrays hold every household's state and are
updated in bulk. The views serve inspection and the UI (``model.agents_by_type[Household]``);
they are never stepped."""

from __future__ import annotations

import mesa


class Household(mesa.Agent):
    """A read-only Mesa agent view on one dwelling slot's current household."""

    def __init__(self, model: mesa.Model, slot: int):
        super().__init__(model)
        self.slot = slot

    def _arr(self, name):
        return getattr(self.model.households, name)[self.slot]

    @property
    def household_id(self) -> int:
        return int(self._arr("household_id"))

    @property
    def occupied(self) -> bool:
        return bool(self._arr("occupied"))

    @property
    def hall_place(self) -> int:
        return int(self.model.layout.hall_places[self._arr("hall")])

    @property
    def building_id(self) -> int:
        return int(self._arr("building"))

    @property
    def fear(self) -> float:
        return float(self._arr("fear"))

    @property
    def feels_insecure(self) -> bool:
        return self.occupied and self.fear > 0.5

    @property
    def satisfaction(self) -> float:
        return float(self._arr("satisfaction"))

    @property
    def trust_landlord(self) -> float:
        return float(self._arr("trust_landlord"))

    @property
    def trust_police(self) -> float:
        return float(self._arr("trust_police"))

    @property
    def victimised_12m(self) -> bool:
        return self.occupied and self.model.day - int(self._arr("last_victim")) < 365

    def step(self) -> None:  # pragma: no cover - views are never stepped
        raise RuntimeError("households are updated in bulk by the model, not one by one")

    def __repr__(self) -> str:
        return (f"Household(slot={self.slot}, id={self.household_id}, hall={self.hall_place}, "
                f"fear={self.fear:.2f}, trust_landlord={self.trust_landlord:.2f})")
