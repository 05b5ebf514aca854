"""The validation patterns: C1-C10, the calibration targets (``../shared/brief/domain.md``;
pattern-oriented modelling, Grimm et al. 2005), and E1-E12, the published effect sizes each
mechanism must respect (``../shared/brief/evidence.md``, sources checked in
``docs/evidence_review.md``). For each: what it measures in the model, the published figure, and
the numeric reading we chose where the source gives a range with no error margin, a direction or
a size class (the reading says which bounds are judgement and which bands were corrected against
the source). Each check reduces the paired runs of its arms to one value per replicate, then to
a mean with a 95% BCa bootstrap interval over replicates. A check passes when its *mean* lies in
its target range; every range is two-sided (issue 16: an effect that is too strong is as wrong
as one that is too weak); "significant" targets also need the interval to exclude zero.
"""

from __future__ import annotations

from tranqsim.validation.check import Check, Pattern
from tranqsim.validation.evidence_checks import E_CHECKS, E_PATTERNS
from tranqsim.validation.targets import C_CHECKS, C_PATTERNS

#: every check's function, by pattern id
CHECKS = C_CHECKS | E_CHECKS
#: C1-C10 then E1-E12, in the order the reports list them
PATTERNS: list[Pattern] = C_PATTERNS + E_PATTERNS

__all__ = ["CHECKS", "PATTERNS", "Check", "Pattern"]
