"""The strategy comparison report for strategists (issue 6).

``tranqsim report DIR --out report.html`` turns a strategy sweep (``tranqsim sweep
experiments/strategy_spectrum.yaml``) into one self-contained HTML file and the same content as
Markdown with PNG figures beside it: per territory, what each strategy buys, at what cost, how
sure we are, and with what side effects.

Modules: ``data`` (reading and checking the sweep), ``tables`` (ranking, paired differences,
frontier, costs), ``resim`` (rerunning a few replicates for series and maps), ``zsp``
(displacement or diffusion around a ZSP), ``figures``, ``sections`` (text and tables),
``render`` (HTML and Markdown), ``i18n`` (English and French), ``build`` (the whole).
"""

from tranqsim.report.build import build_report, output_paths
from tranqsim.report.data import ReportError

__all__ = ["ReportError", "build_report", "output_paths"]
