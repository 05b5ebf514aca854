"""The toolbox: every lever a landlord (or its partners) can pull, registered by its file name.

Each lever is one small class: its scenario-file name, French and English labels, a pydantic
``Config`` (with the ``start``/``end`` day window shared by all levers), the mechanism it acts
through (``apply``: it writes into the state's :class:`Modifiers`), and its cost
(``annual_cost``, euros per year while active, investment amortised over its lifetime).
The model recomputes the modifiers from scratch whenever a lever starts or ends, so levers
never undo each other's work by hand.

Modules by family, hard to soft: ``situational`` (CCTV, access control, lighting,
residentialisation, rapid repair), ``management`` (caretakers, cleaning), ``social`` (night
mediators, dispute mediation, youth programmes, resident participation), ``partnership``
(police, ZSP, information sharing, GLTD, eviction, private security), ``professionalisation``
(training and pairing of staff).
"""

from __future__ import annotations

from tranqsim.levers.base import REGISTRY, Lever, LeverConfig, Modifiers, register

__all__ = ["REGISTRY", "Lever", "LeverConfig", "Modifiers", "register"]

# Import the families so that their levers register themselves, in toolbox order (hard to soft).
from tranqsim.levers import situational, management, social, partnership, professionalisation  # noqa: E402,F401,I001
