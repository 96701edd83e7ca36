"""Report figures: plain functions, no pyplot, drawable on Agg, readable labels.

Built from small hand-made documents (the shapes of the ``--json`` contracts),
so they need no simulation.
"""

from __future__ import annotations

import io
import math
from typing import Any

import networkx as nx
import numpy as np
import pytest
from matplotlib.figure import Figure
from matplotlib.text import Text

from jitrisk.model.generate import generate_network
from jitrisk.model.graph import build_graph
from jitrisk.report import figures as F
from jitrisk.report import style
from jitrisk.report.layout import columns, layered_positions


def est(mean: float, half: float = 0.0) -> dict[str, Any]:
    return {"mean": mean, "ci95": [max(mean - half, 0.0), mean + half]}


def sites_doc(n: int = 20) -> dict[str, dict[str, Any]]:
    types = ["supplier", "plant", "dc", "customer"]
    return {
        f"S{i:02d}": {
            "type": types[i % 4],
            "stockout_day_probability": est(0.01 * i, 0.004),
            "fill_rate": est(1 - 0.01 * i, 0.003),
            "lost_revenue": est(1000.0 * i, 50.0),
        }
        for i in range(n)
    }


def curve_doc() -> dict[str, Any]:
    levels = []
    for b in (0, 1, 2, 3, 4, 5, 6, 8, 10, 12, 15, 20):
        p = 0.6 * math.exp(-b / 3)
        levels.append(
            {
                "buffer_days": float(b),
                "stockout_day_probability": est(p, 0.01),
                "fill_rate": est(1 - p / 2, 0.01),
                "lost_revenue": est(1e6 * p, 1e4),
            }
        )
    return {"site": "PLANT", "levels": levels, "knee_buffer_days": 3.0, "current_buffer_days": 1.0}


def risk_doc() -> dict[str, Any]:
    sites = {}
    for i in range(30):
        tts = 2.0 + 3 * i
        sites[f"T{i}"] = {
            "ttr_days": 14.0,
            "tts_days": est(tts, 0.5),
            "risk_exposure_index": 1 - i / 30,
            "exposed": tts < 14.0,
        }
    sites["FAR"] = {"ttr_days": 20.0, "tts_days": est(400.0), "risk_exposure_index": 0.0}
    regions = {"EU": {"ttr_days": 10.0, "tts_days": est(4.0), "exposed": True}}
    return {"sites": sites, "regions": regions}


def texts(fig: Figure) -> list[str]:
    return [t.get_text() for t in fig.findobj(Text) if t.get_text()]


def has(fig: Figure, part: str) -> bool:
    return any(part in t for t in texts(fig))


def render(fig: Figure) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=40)
    return buf.getvalue()


def test_every_figure_is_a_plain_figure_that_renders() -> None:
    net = {"any_customer_stockout_probability": est(0.5, 0.05), "fill_rate": est(0.9, 0.01)}
    net |= {"any_customer_stockout_day_probability": est(0.1, 0.01)}
    net["lost_revenue"] = est(1e6, 1e5) | {"var95": 3e6, "cvar95": 4e6}
    g = nx.DiGraph()
    g.add_edge("A", "B")
    g.add_edge("B", "C")
    nx.set_node_attributes(g, {"A": "supplier", "B": "dc", "C": "customer"}, "type")
    made = [
        F.top_risk_figure(sites_doc()),
        F.lost_revenue_figure(np.random.default_rng(1).gamma(2, 1e5, 300), currency="EUR"),
        F.buffer_curve_figure(curve_doc()),
        F.tts_ttr_figure(risk_doc()),
        F.scenario_comparison_figure({"base": net, "what-if": net}, currency="EUR"),
        F.network_map_figure(g, {"A": 0.0, "B": 0.1}),
        F.buffer_plans_figure([{"site_id": "A", "current_days": 1.0, "gsm_days": 2.5}]),
    ]
    for fig in made:
        assert isinstance(fig, Figure)
        assert tuple(fig.get_size_inches()) in {style.FIGSIZE, (13.333, 7.5)}
        assert render(fig).startswith(b"\x89PNG")


def test_figures_draw_into_a_given_figure_or_panel() -> None:
    page = Figure(figsize=(11.69, 8.27), layout="constrained")
    left, right = F.split(page, 1, 2)
    assert F.buffer_curve_figure(curve_doc(), figure=left) is page
    assert F.top_risk_figure(sites_doc(), figure=right) is page
    assert len(page.axes) == 3  # the curve's two y axes and the bars
    again = F.top_risk_figure(sites_doc(), 5, figure=Figure())
    assert len(again.axes) == 1


def test_top_risk_shows_the_worst_first_with_whiskers() -> None:
    fig = F.top_risk_figure(sites_doc(20), 5, names={"S19": "Worst site"})
    ax = fig.axes[0]
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert labels[-1] == "S19 · Worst site"  # barh draws bottom-up: the worst on top
    assert labels[::-1] == ["S19 · Worst site", "S18", "S17", "S16", "S15"]
    assert "19.0%" in texts(fig)


def test_histogram_marks_var_and_cvar() -> None:
    x = np.arange(1, 101, dtype=float)
    fig = F.lost_revenue_figure(x, currency="EUR")
    legend = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    assert legend[0].startswith("Mean: EUR") and legend[1].startswith("VaR95: EUR 95")
    assert legend[2].startswith("CVaR95")
    assert has(F.lost_revenue_figure(np.zeros(5)), "No revenue was lost")


def test_buffer_curve_marks_knee_and_current() -> None:
    fig = F.buffer_curve_figure(curve_doc())
    labels = [t.get_text() for leg in fig.legends for t in leg.get_texts()]
    assert "Knee: 3 days" in labels and "Current: 1 day" in labels
    assert len(fig.axes) == 2  # stockout-day probability and fill rate
    assert "JIT buffer curve: PLANT" in texts(fig)


def test_tts_ttr_highlights_exposed_sites_and_labels_the_worst() -> None:
    fig = F.tts_ttr_figure(risk_doc(), labels=4)
    t = texts(fig)
    assert has(fig, "of 31 sites exposed")
    for label in ("T0", "T1", "T2", "T3"):  # the exposed sites with the largest index
        assert label in t
    assert has(fig, "off the chart")  # the 400-day survivor does not squash the rest


def test_input_text_is_never_mathtext() -> None:
    doc = sites_doc(3)
    doc["$A$ plant"] = doc.pop("S02")
    fig = F.top_risk_figure(doc)
    render(fig)
    assert r"\$A\$ plant" in [t.get_text() for t in fig.axes[0].get_yticklabels()]


def test_empty_inputs_give_a_note_not_an_error() -> None:
    assert has(F.top_risk_figure({}), "No sites to show")
    assert has(F.buffer_curve_figure({}), "No buffer curve")
    assert has(F.tts_ttr_figure({}), "No time-to-survive")
    assert has(F.network_map_figure(nx.DiGraph(), {}), "no sites")


def test_network_map_of_80_sites_is_laid_out_left_to_right() -> None:
    net = generate_network(80, seed=3)
    g = build_graph(net)
    pos = layered_positions(g)
    customers = [n for n in g if g.nodes[n]["type"] == "customer"]
    last = max(x for x, _y in pos.values())
    assert {pos[c][0] for c in customers} == {last}
    for u, v in g.edges:
        assert pos[u][0] < pos[v][0]
    assert all(0.0 < y < 1.0 for _x, y in pos.values())
    values = {n: 0.01 * i for i, n in enumerate(g)}
    fig = F.network_map_figure(g, values)
    labels = [t for t in fig.axes[0].texts]
    assert len(labels) == g.number_of_nodes()
    sizes = {t.get_fontsize() for t in labels}
    assert min(sizes) >= 5.5
    regions = {g.nodes[n]["region"] for n in g}
    legend = fig.axes[0].get_legend()
    assert legend is not None and len(legend.get_texts()) == len(regions)
    styles = [F._region_style(i) for i in range(len(regions))]
    assert len(set(styles)) == len(styles)  # every region its own marker and colour
    assert len(fig.axes) == 2  # the map and its colour bar
    render(fig)


def test_barycentre_ordering_reduces_crossings() -> None:
    g = nx.DiGraph()
    # two chains drawn crossed in the initial (alphabetical) order
    g.add_edges_from([("a", "z"), ("b", "y"), ("z", "C1"), ("y", "C2")])
    nx.set_node_attributes(g, dict.fromkeys(["C1", "C2"], "customer"), "type")
    cols = columns(g)
    assert cols[0] == ["a", "b"]
    pos = layered_positions(g)

    def crossings() -> int:
        edges = list(g.edges)
        n = 0
        for i, (u1, v1) in enumerate(edges):
            for u2, v2 in edges[i + 1 :]:
                if (
                    pos[u1][0] == pos[u2][0]
                    and (pos[u1][1] - pos[u2][1]) * (pos[v1][1] - pos[v2][1]) < 0
                ):
                    n += 1
        return n

    assert crossings() == 0


@pytest.mark.parametrize(
    ("value", "text"),
    [(0.0231, "2.3%"), (523184.0, "523.2k"), (2.1e9, "2.1bn"), (None, "–"), (math.nan, "–")],
)
def test_number_spelling(value: float | None, text: str) -> None:
    out = style.pct(value) if text.endswith("%") else style.compact(value)
    assert out == text


def _risk_doc(n: int, source: str) -> dict:
    sites = {
        f"S{i:02d}": {
            "ttr_days": 14.0,
            "ttr_source": source,
            "tts_days": {"mean": 2.0 * i, "ci95": [2.0 * i - 1, 2.0 * i + 1]},
            "risk_exposure_index": i / n,
            "exposed": 2.0 * i < 14.0,
        }
        for i in range(n)
    }
    sites["LATE"] = {
        "ttr_days": 30.0,
        "ttr_source": "ttr_days",
        "tts_days": {"mean": 5.0, "ci95": [4.0, 6.0]},
        "risk_exposure_index": 1.0,
        "exposed": True,
    }
    return {"sites": sites, "regions": {}}


def test_a_pile_at_the_default_ttr_is_explained_and_labels_stand_right_of_every_point():
    from matplotlib.text import Annotation

    from jitrisk.report.figures import tts_ttr_figure

    fig = tts_ttr_figure(_risk_doc(12, "default"))
    assert any("12 sites with no TTR of their own" in t for t in texts(fig))
    labels = [
        a
        for a in fig.findobj(Annotation)
        if a.arrow_patch is not None and "no TTR" not in a.get_text()
    ]
    assert labels and all(a.xyann[0] > 30.0 for a in labels)  # right of LATE at TTR 30
    quiet = tts_ttr_figure(_risk_doc(12, "ttr_days"))
    assert not any("no TTR of their own" in t for t in texts(quiet))
    few = tts_ttr_figure(_risk_doc(5, "default"))
    assert not any("no TTR of their own" in t for t in texts(few))


def test_the_default_ttr_note_stays_inside_a_narrow_chart_clear_of_labels_and_sites() -> None:
    """At 1024 x 640 the note on the pile of sites at the default TTR ran past the
    chart's right edge and into the site labels; in a fixed corner it hid a site."""
    from matplotlib.collections import PathCollection

    doc = risk_doc()
    for sid in doc["sites"]:
        doc["sites"][sid]["ttr_source"] = "default" if sid != "FAR" else "lane"
    # a safe site with a short TTR of its own, where the top-left corner is
    doc["sites"]["QUICK"] = {"ttr_days": 2.0, "tts_days": est(50.0), "ttr_source": "lane"}
    for size in ((6.5, 2.4), (5.5, 2.4), (10.0, 5.625)):
        fig = F.tts_ttr_figure(doc, figsize=size)
        fig.draw_without_rendering()
        (note,) = [t for t in fig.findobj(Text) if "no TTR of their own" in t.get_text()]
        box = Text.get_window_extent(note)  # the text, not its leader
        (ax,) = fig.axes
        inside = ax.get_window_extent()
        assert inside.x0 <= box.x0 and box.x1 <= inside.x1, size
        assert inside.y0 <= box.y0 and box.y1 <= inside.y1, size
        labels = [t for t in ax.texts if t is not note and t.get_text()[:1] in "TQ"]
        assert labels, "the chart labels its sites"
        for t in labels:
            assert not box.overlaps(t.get_window_extent()), (size, t.get_text())
        for points in ax.findobj(PathCollection):
            for x, y in points.get_offset_transform().transform(points.get_offsets()):
                assert not (box.x0 <= x <= box.x1 and box.y0 <= y <= box.y1), (size, x, y)
