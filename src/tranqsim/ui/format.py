"""Numbers as the UI's language writes them, and numbers typed the way people type them.

Formatting goes through Babel (CLDR data), so French gets its narrow no-break spaces between
thousands and before "%" and "€", and decimal commas: "1 680", "0,34", "12 %", "1 680 €".
Parsing accepts a decimal comma and spaces between thousands in either language ("2,5",
"1 500"), since a French trainer types them whatever the page's language.
"""

from __future__ import annotations

# the Babel formatting is shared with the report (tranqsim.formatting); parsing is the page's
from tranqsim.formatting import LOCALES, euros, number, percent  # noqa: F401


def parse_number(text) -> int | float | str:
    """A typed value as an int or float when it reads as one ("2,5", "1 500", " 3 "), else the
    text as typed (so that validation can say what it got)."""
    t = str(text).strip()
    compact = t.replace("\u202f", "").replace("\u00a0", "").replace(" ", "")
    if compact.count(",") == 1 and "." not in compact:
        compact = compact.replace(",", ".")
    for conv in (int, float):
        try:
            return conv(compact)
        except ValueError:
            pass
    return t


def text_for_input(v, lang: str) -> str:
    """A number as it is shown in an input field: ``2.5 -> "2,5"`` in French, no thousands
    separator (inputs are edited, not read from afar)."""
    if isinstance(v, bool) or not isinstance(v, (int, float)):
        return str(v)
    s = f"{v:g}" if isinstance(v, float) else str(v)
    return s.replace(".", ",") if lang != "en" else s
