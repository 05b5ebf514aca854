"""Numbers as the UI's language writes them, and numbers typed the way people type them.

Formatting goes through Babel (CLDR data), so French gets its narrow no-break spaces between
thousands and before "%" and "€", and decimal commas: "1 680", "0,34", "12 %", "1 680 €".
Parsing accepts a decimal comma and spaces between thousands in either language ("2,5",
"1 500"), since a French trainer types them whatever the page's language.
"""

from __future__ import annotations

from babel.numbers import format_currency, format_decimal, format_percent

LOCALES = {"fr": "fr_FR", "en": "en_GB"}


def _loc(lang: str) -> str:
    return LOCALES.get(lang, "fr_FR")


def number(x: float, lang: str, decimals: int = 0) -> str:
    """``1680 -> "1 680"``, ``0.34, 2 -> "0,34"`` (fixed number of decimals)."""
    pattern = "#,##0" + ("." + "0" * decimals if decimals else "")
    return format_decimal(x, format=pattern, locale=_loc(lang))


def percent(x: float, lang: str, decimals: int = 0) -> str:
    """A share as a percentage: ``0.12 -> "12 %"`` (French) or ``"12%"`` (English)."""
    # CLDR's French pattern puts a narrow no-break space before "%"; a custom pattern must too
    pattern = "#,##0" + ("." + "0" * decimals if decimals else "") + ("%" if lang == "en" else "\u202f%")
    return format_percent(x, format=pattern, locale=_loc(lang))


def euros(x: float, lang: str) -> str:
    """Whole euros: ``1680 -> "1 680 €"`` (French) or ``"€1,680"`` (English)."""
    return format_currency(round(x), "EUR", format="#,##0\u00a0¤" if lang != "en" else "¤#,##0",
                           locale=_loc(lang), currency_digits=False)


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
