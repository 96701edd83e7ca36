"""Report charts as plain functions: data in, :class:`matplotlib.figure.Figure` out.

No pyplot and no global style state, so the functions are safe on any backend
(Agg for files, a Qt canvas in the desktop app) and from worker threads. Each
takes the documents the analyses produce (``SimulationResult.to_dict()``,
``SweepResult.to_dict()``, ``RiskReport.to_dict()``) and the keywords of
:class:`~jitrisk.report.figures.common.Frame`:

* ``title``: replaces the chart's own title;
* ``figsize``: inches; default 10 x 5.625 (16:9, a slide). Type sizes scale
  with it, so a chart stays readable when drawn smaller;
* ``figure``: an existing :class:`~matplotlib.figure.Figure` or
  :class:`~matplotlib.figure.SubFigure` to draw into (cleared first), e.g. a
  canvas's figure, or one panel of a report page.

Colours are Okabe–Ito (:mod:`jitrisk.report.style`); meaning never rests on
colour alone (line styles, markers and labels repeat it).
"""

from .analysis import buffer_curve_figure, buffer_plans_figure, tts_ttr_figure
from .common import (
    Frame,
    ci_whiskers,
    empty_figure,
    frame_canvas,
    hang_clear,
    rank_sites,
    site_label,
    split,
)
from .exposure import exposure_figure, exposure_ranking
from .network import REGION_MARKERS, network_map_figure
from .network import _region_style as _region_style
from .results import RISK_METRICS, lost_revenue_figure, scenario_comparison_figure, top_risk_figure

__all__ = [
    "REGION_MARKERS",
    "RISK_METRICS",
    "Frame",
    "buffer_curve_figure",
    "buffer_plans_figure",
    "ci_whiskers",
    "empty_figure",
    "exposure_figure",
    "exposure_ranking",
    "frame_canvas",
    "hang_clear",
    "lost_revenue_figure",
    "network_map_figure",
    "rank_sites",
    "scenario_comparison_figure",
    "site_label",
    "split",
    "top_risk_figure",
    "tts_ttr_figure",
]
