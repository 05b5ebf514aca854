"""Reading a landlord's CSV exports the way French office files come.

- encoding: UTF-8 (with or without a byte-order mark) tried strictly first, else Windows-1252
  (the Latin-1 that spreadsheet software writes in France), else ISO 8859-1;
- separator: ``;`` (French spreadsheets, whose decimal mark is the comma), ``,`` or a tab,
  chosen from the header line (outside quotes);
- numbers: decimal comma or point, spaces (also non-breaking) as thousands separators, a
  trailing ``%`` divides by 100;
- dates: ``dd/mm/yyyy`` (also ``dd-mm-yyyy``, ``dd.mm.yyyy``) or ISO ``yyyy-mm-dd`` (a time after
  it is ignored); times ``HH:MM`` or ``HHhMM``.

Only the documented columns are read; the others are listed (by header, never by content) so
the user sees what was ignored. Before anything else every column is screened for personal
data: a header naming a person, a phone or an address, or a value that looks like an e-mail
address or a French phone number, refuses the file until the column is removed. Every refusal
is a :class:`~tranqsim.loading.ScenarioError` naming the file, line and column.
"""

from __future__ import annotations

import csv
import datetime as dt
import os
import re
import stat
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from tranqsim.loading import ScenarioError, _display

MAX_TABLE_BYTES = 200 * 2**20  # a decade of a large landlord's incident log is tens of MB

# headers that name personal data (compared after lower-casing and removing accents)
PERSONAL_HEADERS = ("nom", "name", "prenom", "firstname", "surname", "lastname", "telephone", "tel",
                    "phone", "mobile", "portable", "email", "mail", "courriel", "adresse",
                    "address", "locataire", "tenant", "plaignant", "declarant", "victime", "nir",
                    "secu")
EMAIL = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+")
# French phone numbers: 0X XX XX XX XX or +33 X XX XX XX XX (spaces, dots or dashes between pairs)
PHONE = re.compile(r"(?<![\d/])(?:(?:\+|00)33[\s.-]?(?:\(0\))?|0)[1-9](?:[\s.-]?\d{2}){4}(?![\d/])")


def norm(header: str) -> str:
    """A header as compared: lower case, no accents, words joined by ``_``."""
    text = unicodedata.normalize("NFKD", header).encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z0-9]+", "_", text).strip("_")


@dataclass
class Column:
    name: str  # the column's documented name
    aliases: tuple[str, ...]  # accepted headers (normalised)
    required: bool = True


@dataclass
class Table:
    """The rows of a CSV file, restricted to the documented columns."""

    shown: str
    encoding: str
    delimiter: str
    header: list[str]
    index: dict[str, int]  # documented name -> column position
    rows: list[tuple[int, list[str]]]  # (line number, cells)
    ignored: list[str] = field(default_factory=list)  # headers of the columns not read

    def has(self, name: str) -> bool:
        return name in self.index

    def cell(self, row: list[str], name: str) -> str:
        i = self.index.get(name)
        return row[i].strip() if i is not None and i < len(row) else ""

    def where(self, line: int, name: str) -> str:
        i = self.index[name]
        return f"{self.shown}:{line}: column {i + 1} {self.header[i]!r}"

    def number(self, line: int, row: list[str], name: str, *, low: float | None = None,
               high: float | None = None, integer: bool = False, share: bool = False) -> float | None:
        """The cell as a number (None when empty), or a refusal naming file, line, column."""
        raw = self.cell(row, name)
        if not raw:
            return None
        value = parse_number(raw, share=share)
        if value is None:
            raise ScenarioError(f"{self.where(line, name)}: not a number")
        if integer and value != int(value):
            raise ScenarioError(f"{self.where(line, name)}: must be a whole number (got {value:g})")
        if (low is not None and value < low) or (high is not None and value > high):
            rng = f"[{low:g}, {high:g}]" if high is not None else f">= {low:g}"
            raise ScenarioError(f"{self.where(line, name)}: must be in {rng} (got {value:g})")
        return int(value) if integer else value


def parse_number(raw: str, share: bool = False) -> float | None:
    """``1 234,5`` / ``1234.5`` / ``4,5 %`` -> float; None if it is not a number. With ``share``
    a value above 1 without ``%`` is refused (None) as ambiguous: write ``4.5 %`` or 0.045."""
    text = raw.replace("\u00a0", "").replace("\u202f", "").replace(" ", "")
    percent = text.endswith("%")
    text = text.rstrip("%")
    if "," in text and "." in text:  # 1.234,5 (French thousands) or 1,234.5
        text = text.replace(".", "").replace(",", ".") if text.rfind(",") > text.rfind(".") \
            else text.replace(",", "")
    else:
        text = text.replace(",", ".")
    if not re.fullmatch(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?", text):
        return None
    value = float(text)
    if percent:
        return value / 100
    if share and value > 1:
        return None
    return value


_DATE_DMY = re.compile(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})(?:\s.*)?")
_DATE_ISO = re.compile(r"(\d{4})-(\d{2})-(\d{2})(?:[T\s].*)?")
_TIME = re.compile(r"(\d{1,2})\s*[:hH]\s*(\d{2})?(?::\d{2})?")


def parse_date(raw: str) -> dt.date | None:
    m = _DATE_ISO.fullmatch(raw)
    try:
        if m:
            return dt.date(int(m[1]), int(m[2]), int(m[3]))
        m = _DATE_DMY.fullmatch(raw)
        if m:
            return dt.date(int(m[3]), int(m[2]), int(m[1]))
    except ValueError:  # 31/02/2025
        return None
    return None


def parse_time(raw: str) -> int | None:
    """Minutes after midnight, or None."""
    m = _TIME.fullmatch(raw)
    if not m:
        return None
    h, mi = int(m[1]), int(m[2] or 0)
    return h * 60 + mi if h < 24 and mi < 60 else None


def _read_bytes(path: Path, shown: str) -> bytes:
    try:
        st = os.stat(path)
    except FileNotFoundError:
        raise ScenarioError(f"{shown}: no such file") from None
    except (OSError, ValueError) as exc:
        raise ScenarioError(f"{shown}: cannot read: {exc}") from None
    if not stat.S_ISREG(st.st_mode):
        raise ScenarioError(f"{shown}: not a regular file: give a CSV file")
    if st.st_size > MAX_TABLE_BYTES:
        raise ScenarioError(f"{shown}: file is too large ({st.st_size:,} bytes; the limit is "
                            f"{MAX_TABLE_BYTES:,})")
    try:
        with open(path, "rb") as fh:
            return fh.read(MAX_TABLE_BYTES + 1)
    except OSError as exc:
        raise ScenarioError(f"{shown}: cannot read: {exc}") from None


def decode(raw: bytes) -> tuple[str, str]:
    """(text, encoding): UTF-8 strictly, else Windows-1252, else ISO 8859-1 (never fails)."""
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    try:
        return raw.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return raw.decode("cp1252"), "cp1252"
    except UnicodeDecodeError:
        return raw.decode("latin-1"), "latin-1"


def sniff_delimiter(header_line: str) -> str:
    """``;``, ``,`` or a tab: the one found in the header line outside quotes (``;`` first)."""
    outside = re.sub(r'"[^"]*"', "", header_line)
    for d in (";", "\t", ","):
        if d in outside:
            return d
    return ";"  # one column: any separator reads it


def read_table(path: str | Path, what: str, columns: list[Column]) -> Table:
    """Read ``path`` (a ``what``: register, incident log, survey) keeping ``columns``.

    Refuses (ScenarioError) a missing required column, a row with more cells than the header,
    and any sign of personal data (see the module docstring)."""
    path = Path(path)
    shown = _display(path)
    text, encoding = decode(_read_bytes(path, shown))
    lines = text.splitlines()
    first = next((i for i, ln in enumerate(lines) if ln.strip()), None)
    if first is None:
        raise ScenarioError(f"{shown}: file is empty: expected a header line and rows ({what})")
    delimiter = sniff_delimiter(lines[first])
    try:
        records = list(csv.reader(text.splitlines(keepends=True)[first:], delimiter=delimiter))
    except csv.Error as exc:
        raise ScenarioError(f"{shown}: not a CSV file ({exc})") from None
    header = [h.strip() for h in records[0]]
    normed = [norm(h) for h in header]
    rows: list[tuple[int, list[str]]] = []
    line = first + 1
    for rec in records[1:]:
        line += 1
        if not any(c.strip() for c in rec):
            continue
        if len(rec) > len(header):
            raise ScenarioError(f"{shown}:{line}: {len(rec)} cells for {len(header)} columns "
                                f"(separator {delimiter!r}; a decimal comma in a ','-separated file "
                                "must be quoted, or use ';')")
        rows.append((line, rec))
    documented = {a for col in columns for a in col.aliases}
    _refuse_personal_data(shown, header, normed, rows, documented)
    index: dict[str, int] = {}
    for col in columns:
        hits = [i for i, h in enumerate(normed) if h in col.aliases]
        if len(hits) > 1:
            raise ScenarioError(f"{shown}:{first + 1}: columns {hits[0] + 1} {header[hits[0]]!r} and "
                                f"{hits[1] + 1} {header[hits[1]]!r} are both read as {col.name!r}: "
                                "keep one")
        if hits:
            index[col.name] = hits[0]
        elif col.required:
            raise ScenarioError(f"{shown}:{first + 1}: missing column {col.name!r} in the {what} "
                                f"(accepted headers: {', '.join(col.aliases)}; found: "
                                f"{', '.join(header) or 'none'})")
    ignored = [h for i, h in enumerate(header) if i not in index.values()]
    return Table(shown, encoding, delimiter, header, index, rows, ignored)


def _refuse_personal_data(shown: str, header: list[str], normed: list[str],
                          rows: list[tuple[int, list[str]]], documented: set[str]) -> None:
    for i, h in enumerate(normed):
        words = set(h.split("_"))
        if h not in documented and words & set(PERSONAL_HEADERS):
            raise ScenarioError(f"{shown}:1: column {i + 1} {header[i]!r}: looks like personal data "
                                "(a name, phone number, e-mail or postal address): remove the "
                                "column and run again")
    for line, rec in rows:
        for i, cell in enumerate(rec):
            kind = "an e-mail address" if EMAIL.search(cell) else \
                "a phone number" if PHONE.search(cell) else None
            if kind:
                col = header[i] if i < len(header) else f"column {i + 1}"
                raise ScenarioError(f"{shown}:{line}: column {i + 1} {col!r}: a value looks like "
                                    f"{kind} (personal data): remove it, or the column, and run "
                                    "again")
