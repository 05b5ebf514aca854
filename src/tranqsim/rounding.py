"""Numbers rounded for people and for JSON: no float noise such as ``2435.2000000000003``.

Binary floating point cannot hold most decimal fractions, so a sum of costs prints with a
tail of digits no measurement supports. JSON outputs (``summary.json``, ``--json``) round
every float to ``SIGNIFICANT`` significant digits, far below the run-to-run spread of any
output and far above the precision anyone reads; integers, texts and booleans pass through.
"""

from __future__ import annotations

import math
from typing import Any

SIGNIFICANT = 6


def round_sig(x: float, digits: int = SIGNIFICANT) -> float:
    """``2435.2000000000003 -> 2435.2``, ``0.123456789 -> 0.123457``; NaN and inf unchanged."""
    if x == 0 or not math.isfinite(x):
        return x
    return round(x, digits - 1 - math.floor(math.log10(abs(x))))


def rounded(obj: Any, digits: int = SIGNIFICANT) -> Any:
    """A copy of ``obj`` (dicts, lists, tuples, numbers) with every float rounded; numpy
    scalars become Python numbers."""
    if isinstance(obj, bool) or obj is None or isinstance(obj, str):
        return obj
    if isinstance(obj, dict):
        return {k: rounded(v, digits) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [rounded(v, digits) for v in obj]
    if isinstance(obj, int):
        return obj
    if isinstance(obj, float):
        return round_sig(obj, digits)
    item = getattr(obj, "item", None)  # numpy scalar
    if callable(item):
        return rounded(item(), digits)
    return obj
