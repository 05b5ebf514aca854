"""Numbers as each language writes them, through Babel (CLDR data): one module for the UI,
the report and the command line.

French gets narrow no-break spaces between thousands and before "%" and "€", and decimal
commas: "1 680", "0,34", "12 %", "1 680 €"; English "1,680", "0.34", "12%", "€1,680".
Signed variants write a real minus sign (U+2212) and never "−0": a value that rounds to zero
is written without a sign.
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


def _signed(text: str, x: float, zero: bool) -> str:
    """``text`` (written from abs(x)) with the sign of ``x``; none when it rounds to zero."""
    if zero:
        return text
    return ("\u2212" if x < 0 else "+") + text


def _rounds_to_zero(x: float, decimals: int) -> bool:
    return round(abs(x), decimals) == 0


def signed_number(x: float, lang: str, decimals: int = 0) -> str:
    """``+1 680``, ``−0,34``, ``0`` (never ``−0`` or ``+0``)."""
    return _signed(number(abs(x), lang, decimals), x, _rounds_to_zero(x, decimals))


def plain_number(x: float, lang: str, decimals: int = 0) -> str:
    """``number`` with a real minus sign and no ``−0``."""
    if _rounds_to_zero(x, decimals):
        return number(0, lang, decimals)
    s = number(abs(x), lang, decimals)
    return "\u2212" + s if x < 0 else s


def signed_euros(x: float, lang: str) -> str:
    """``+1 680 €`` / ``+€1,680``, ``−250 €``; ``0 €``."""
    return _signed(euros(abs(x), lang), x, round(abs(x)) == 0)


def plain_euros(x: float, lang: str) -> str:
    """``euros`` with a real minus sign."""
    return ("\u2212" + euros(abs(x), lang)) if round(x) < 0 else euros(abs(x), lang)
