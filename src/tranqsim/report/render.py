"""One document, two renderings: a self-contained HTML file and Markdown with PNGs beside it.

The report is built as a list of blocks (headings, paragraphs, lists, tables, figures), so both
files say the same thing. The HTML embeds every figure as a base64 ``data:`` URI and carries
its style inline: no CDN, no web font, no remote image or script, so it opens offline and can
be forwarded as one file.

It prints on A4 portrait: a print stylesheet (``@page`` A4, margins, figures within the page,
no heading left alone at a page foot) and tables no wider than the page. A table with more
than ``MAX_COLUMNS`` columns is split into several tables of at most that many, each repeating
the leading key columns (rank, strategy, item), so no table is cut: on paper, on screen and in
Markdown alike.
"""

from __future__ import annotations

import base64
import html
import re
from dataclasses import dataclass, field
from pathlib import Path

#: columns per printed table: 6 columns of a mean and its interval fit 180 mm of A4 text width
MAX_COLUMNS = 6


@dataclass
class Doc:
    lang: str
    title: str
    blocks: list[tuple] = field(default_factory=list)

    def h(self, level: int, text: str) -> None:
        self.blocks.append(("h", level, text))

    def p(self, text: str) -> None:
        self.blocks.append(("p", text))

    def ul(self, items: list[str]) -> None:
        if items:
            self.blocks.append(("ul", list(items)))

    def table(self, header: list[str], rows: list[list], align: str | None = None, keys: int = 1) -> None:
        """``rows`` cells are text, or (text, css class) for a highlighted cell; ``align`` is one
        letter per column (l or r); ``keys`` leading columns name the row and are repeated in
        every part when the table is split (see ``MAX_COLUMNS``). A newline in a cell is a line
        break."""
        self.blocks.append(("table", header, rows, align or "l" + "r" * (len(header) - 1), keys))

    def figure(self, path: Path, caption: str) -> None:
        self.blocks.append(("figure", Path(path), caption))


_CODE = re.compile(r"`([^`]+)`")
_BOLD = re.compile(r"\*\*([^*]+)\*\*")


def _inline(text: str) -> str:
    t = html.escape(text, quote=False)
    t = _CODE.sub(r"<code>\1</code>", t)
    return _BOLD.sub(r"<strong>\1</strong>", t).replace("\n", "<br>")


def parts(header: list[str], rows: list[list], align: str, keys: int) -> list[tuple[list, list, str]]:
    """The table as (header, rows, align) parts of at most ``MAX_COLUMNS`` columns, each with
    the ``keys`` leading columns; the table itself when it fits."""
    n = len(header)
    if n <= MAX_COLUMNS or keys >= MAX_COLUMNS:
        return [(header, rows, align)]
    step = MAX_COLUMNS - keys
    # spread the value columns evenly over the parts (9 values in 5+4, not 5+4... or 8+1)
    n_parts = -(-(n - keys) // step)
    size = -(-(n - keys) // n_parts)
    out = []
    for a in range(keys, n, size):
        cols = list(range(keys)) + list(range(a, min(a + size, n)))
        out.append(([header[i] for i in cols], [[r[i] for i in cols] for r in rows],
                    "".join(align[i] for i in cols)))
    return out


def _cell(c) -> tuple[str, str]:
    return (c, "") if isinstance(c, str) else (c[0], c[1])


CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;
max-width:180mm;margin:2em auto;padding:0 1.2em;color:#222;line-height:1.45}
table{max-width:100%}td,th{overflow-wrap:anywhere}code{overflow-wrap:anywhere}
table.part{margin-top:.2em}p.notation{background:#f6f6f6;padding:.4em .6em;font-size:.9em}
h1{font-size:1.7em;margin-bottom:.2em}h2{margin-top:2em;border-bottom:2px solid #0072B2;padding-bottom:.2em}
h3{margin-top:1.5em}table{border-collapse:collapse;margin:.8em 0;font-size:.86em}
th,td{padding:.3em .55em;border-bottom:1px solid #ddd;vertical-align:top}
th{background:#f2f2f2;text-align:left}td.r,th.r{text-align:right}
td.better{background:#d6eaf8}td.worse{background:#fbe0cf}figure{margin:1.2em 0}
figure img{max-width:100%;height:auto;border:1px solid #eee}figcaption{font-size:.88em;color:#555}
code{background:#f4f4f4;padding:0 .2em}.note{color:#555;font-size:.9em}
@page{size:A4 portrait;margin:15mm}
@media print{body{max-width:none;margin:0;padding:0;font-size:10pt}
table{font-size:8.5pt;page-break-inside:auto}tr,figure,img{page-break-inside:avoid}
h1,h2,h3{page-break-after:avoid}figure img{max-height:240mm;border:none}
td.better,td.worse{-webkit-print-color-adjust:exact;print-color-adjust:exact}}
"""


def _generator() -> str:
    """Who wrote the file: a later report replaces only files that carry this (tranqsim.outputs)."""
    from tranqsim import __version__

    return f"tranqsim {__version__} report"


def to_html(doc: Doc) -> str:
    out = ["<!DOCTYPE html>", f'<html lang="{doc.lang}">', "<head>", '<meta charset="utf-8">',
           f'<meta name="generator" content="{html.escape(_generator())}">',
           '<meta name="viewport" content="width=device-width, initial-scale=1">',
           f"<title>{html.escape(doc.title)}</title>", f"<style>{CSS}</style>", "</head>", "<body>",
           f"<h1>{_inline(doc.title)}</h1>"]
    n_fig = n_table = 0
    for b in doc.blocks:
        kind = b[0]
        if kind == "h":
            out.append(f"<h{b[1] + 1}>{_inline(b[2])}</h{b[1] + 1}>")
        elif kind == "p":
            cls = ' class="notation"' if b[1].startswith(("**Notation.**",)) else ""
            out.append(f"<p{cls}>{_inline(b[1])}</p>")
        elif kind == "ul":
            out.append("<ul>" + "".join(f"<li>{_inline(i)}</li>" for i in b[1]) + "</ul>")
        elif kind == "table":
            _, header, rows, align, keys = b
            n_table += 1
            for k, (head, body, al) in enumerate(parts(header, rows, align, keys)):
                cls = ' class="part"' if k else ""
                out.append(f'<table data-table="{n_table}" data-keys="{keys}"{cls}><thead><tr>' + "".join(
                    f'<th class="{a}">{_inline(h)}</th>' for h, a in zip(head, al)) + "</tr></thead><tbody>")
                for row in body:
                    cells = []
                    for c, a in zip(row, al):
                        text, ccls = _cell(c)
                        cells.append(f'<td class="{" ".join(x for x in (a, ccls) if x)}">{_inline(text)}</td>')
                    out.append("<tr>" + "".join(cells) + "</tr>")
                out.append("</tbody></table>")
        elif kind == "figure":
            n_fig += 1
            data = base64.b64encode(b[1].read_bytes()).decode("ascii")
            out.append(f'<figure><img src="data:image/png;base64,{data}" alt="{html.escape(b[2])}">'
                       f"<figcaption>{n_fig}. {_inline(b[2])}</figcaption></figure>")
    out += ["</body>", "</html>", ""]
    return "\n".join(out)


def _md_escape(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", "<br>")


def to_markdown(doc: Doc, figure_dir: str) -> str:
    """Markdown; figures are linked as ``figure_dir/NAME.png`` (a folder beside the file)."""
    out = [f"<!-- generated by {_generator()}; a later report replaces this file -->", "",
           f"# {doc.title}", ""]
    n_fig = 0
    for b in doc.blocks:
        kind = b[0]
        if kind == "h":
            out += ["#" * (b[1] + 1) + " " + b[2], ""]
        elif kind == "p":
            out += [b[1], ""]
        elif kind == "ul":
            out += [f"- {i}" for i in b[1]] + [""]
        elif kind == "table":
            _, header, rows, align, keys = b
            for head, body, al in parts(header, rows, align, keys):
                out.append("| " + " | ".join(_md_escape(h) for h in head) + " |")
                out.append("|" + "|".join("---:" if a == "r" else "---" for a in al) + "|")
                for row in body:
                    out.append("| " + " | ".join(_md_escape(_cell(c)[0]) for c in row) + " |")
                out.append("")
        elif kind == "figure":
            n_fig += 1
            out += [f"![{b[2]}]({figure_dir}/{b[1].name})", "", f"*{n_fig}. {b[2]}*", ""]
    return "\n".join(out)
