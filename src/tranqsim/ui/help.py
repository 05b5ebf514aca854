"""The help panel: what a strategy holds (its doctrine, its levers and their doses, as shipped in
``scenarios/strategies/``), what each lever does (from the lever classes), and how to read the map
(hall colours, hall codes, symbols).

Strategy descriptions are written in English in the strategy files and lever descriptions in the
lever classes' docstrings; French descriptions of the levers are below (one sentence each, the
docstring's first one in substance) and the English text is shown under them when French is on.
"""

from __future__ import annotations

import html

import solara
import solara.lab  # noqa: F401  (tabs)

from tranqsim.levers import REGISTRY
from tranqsim.ui import session as ses
from tranqsim.ui.i18n import lever_label, tr
from tranqsim.ui.map import legend_items

# what strategies and levers hold, in both languages: shared with the report and `tranqsim show`
from tranqsim.describe import DESCRIPTION_FR, lever_description, strategy_content  # noqa: E402,F401


@solara.component
def HelpPanel(lang: str, strategy: str, layer: str):
    """Strategies, levers and the map, in three tabs."""
    which = solara.use_reactive(strategy)
    with solara.Card(tr("help", lang), margin=0, classes=["tranqsim-help"]):
        with solara.lab.Tabs():
            with solara.lab.Tab(tr("help_strategies", lang), classes=["tranqsim-help-tab-strategies"]):
                solara.v.Select(label=tr("strategy", lang), v_model=which.value,
                                items=[{"text": ses.strategy_title(n, lang), "value": n}
                                       for n in ses.strategies()],
                                on_v_model=which.set, dense=True, hide_details=True,
                                class_="tranqsim-help-strategy")
                title, doctrine, rows = strategy_content(which.value, lang)
                body = "".join(f"<li><b>{html.escape(a)}</b> — {html.escape(b)}</li>" for a, b in rows)
                solara.HTML("div", unsafe_innerHTML=f"<h3>{html.escape(title)}</h3>"
                            f"<p>{html.escape(doctrine)}</p>"
                            f"<p><b>{tr('help_levers_of', lang)}</b></p><ul>{body}</ul>",
                            classes=["tranqsim-help-strategy-text"], style="font-size:15px")
            with solara.lab.Tab(tr("help_levers", lang)):
                body = "".join(f"<li><b>{html.escape(lever_label(n, lang))}</b> — "
                               f"{html.escape(lever_description(n, lang))}</li>" for n in REGISTRY)
                solara.HTML("ul", unsafe_innerHTML=body, style="font-size:15px")
            with solara.lab.Tab(tr("help_map", lang)):
                items = "".join(f'<li><span style="color:{c};font-size:1.3em">{s}</span> '
                                f"{html.escape(t)}</li>" for s, c, t in legend_items(layer, lang))
                solara.HTML("div", unsafe_innerHTML=f"<p>{tr('help_codes', lang)}</p>"
                            f"<p>{tr('help_status', lang)}</p><ul>{items}</ul>",
                            style="font-size:15px")
