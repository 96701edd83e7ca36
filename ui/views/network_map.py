"""The network map: the supply network from raw suppliers (left) to customers (right).

Each site is a chip: filled with the colour of the chosen risk metric of the
latest run (:class:`~ui.logic.map_layout.ColourScale`, light = low risk, dark red =
high), outlined in the colour of its region, marked with the shape of its type
and as tall as its flow (value or units, log scale). Lanes are curves behind
the chips; those of the hovered and selected sites are drawn in the accent
colour. The legend under the map explains all four encodings.

Mouse: click selects a site (and opens its details), Ctrl+click adds to the
selection, Shift+drag (or Ctrl+drag) selects with a rubber band, drag pans,
the wheel zooms around the pointer. Keys: Ctrl+0 fits the map, Ctrl++ and
Ctrl+- zoom. :meth:`NetworkMapWidget.export_png` writes the whole map with its
legend. What is drawn comes from :mod:`ui.logic.map_layout` (Qt-free).
"""

from __future__ import annotations

import math
import os
from collections.abc import Iterable, Mapping
from pathlib import Path

from PySide6.QtCore import QPointF, QRectF, Signal
from PySide6.QtGui import (
    QColor,
    QFont,
    QImage,
    QPainter,
)
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QSizePolicy,
    QStackedWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from jitrisk.errors import JitriskError
from jitrisk.model.records import Network

from .. import theme
from ..logic.formatting import (
    format_days,
    format_money,
    format_money_ci,
    format_number_ci,
    format_percent_ci,
)
from ..logic.map_layout import (
    MAP_METRICS,
    NO_VALUE,
    OTHER_OUTLINE,
    SIZE_MODES,
    TYPE_NAMES,
    ColourScale,
    MapLayout,
    layout_network,
    metric_values,
    node_radii,
    region_outlines,
)
from ..logic.tasks import RunOutcome
from ..widgets.common import empty_state, styled_label
from ..widgets.inputs import select_data
from .map_items import (
    CHIP_MAX_H,
    CHIP_MIN_H,
    MapView,
    NetworkScene,
    SiteChip,
    _html,
)
from .map_legend import (
    CompactCombo,
    LegendSpec,
    MapLegend,
    legend_height,
    paint_legend,
)

#: Exported PNGs are drawn at this multiple of the scene's size.
EXPORT_SCALE = 2.0


class NetworkMapWidget(QWidget):
    """Toolbar, map and legend; owns the selection of sites on the map.

    Signals
    -------
    selection_changed(list)
        Site ids selected on the map, in map order (top-left first).
    site_clicked(str)
        A site was clicked: the window opens its details.
    """

    selection_changed = Signal(list)
    site_clicked = Signal(str)
    export_requested = Signal()
    run_chosen = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.network: Network | None = None
        self.outcome: RunOutcome | None = None
        self.all_outcomes: list[RunOutcome] = []  # every run kept: the shared colour scale
        self.workbook = ""
        self.layout_: MapLayout | None = None
        self._outlines: dict[str, str] = {}
        self._syncing = False

        self.metric_combo = CompactCombo()
        self.metric_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        for key, metric in MAP_METRICS.items():
            self.metric_combo.addItem(metric.label, key)
        self.metric_combo.setToolTip("Risk metric the sites are coloured by (latest run)")
        self.metric_combo.currentIndexChanged.connect(lambda _i: self.refresh_colours())
        self.size_combo = CompactCombo()
        self.size_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        for key, (label, _attr) in SIZE_MODES.items():
            self.size_combo.addItem(label, key)
        self.size_combo.setToolTip("What the height of a site's chip shows (log scale)")
        self.size_combo.currentIndexChanged.connect(lambda _i: self.refresh_sizes())
        self.region_combo = CompactCombo()
        self.region_combo.setToolTip("Highlight the sites of one region")
        self.region_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.region_combo.currentIndexChanged.connect(lambda _i: self.refresh_highlight())
        self.runs_combo = CompactCombo()
        self.runs_combo.setToolTip("Whose results colour the map (every run is kept)")
        self.runs_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.runs_combo.activated.connect(
            lambda _i: self.run_chosen.emit(self.runs_combo.currentText())
        )
        self.run_label = styled_label("", "Muted")
        # may be cut short in a narrow window rather than widen it
        self.run_label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)

        def tool(text: str, tip: str) -> QToolButton:
            button = QToolButton()
            button.setText(text)
            button.setToolTip(tip)
            button.setAutoRaise(True)
            return button

        self.fit_button = tool("Fit", "Show the whole network (Ctrl+0); zoom with the wheel")
        self.fit_button.clicked.connect(self.fit)
        self.export_button = tool("Export PNG…", "Save the map with its legend as a PNG image")
        self.export_button.clicked.connect(self.export_requested.emit)
        self.fit_scale_button = tool(
            "Fit colours",
            "Off: one colour scale for every run kept, so a colour means the same risk in "
            "every scenario. On: the scale fits the run on show.",
        )
        self.fit_scale_button.setCheckable(True)
        self.fit_scale_button.toggled.connect(lambda _on: self.refresh_colours())

        self.toolbar = QWidget()
        bar = QHBoxLayout(self.toolbar)
        bar.setContentsMargins(12, 6, 8, 6)
        bar.setSpacing(6)
        for text, widget in (
            ("Colour", self.metric_combo),
            ("Height", self.size_combo),
            ("Region", self.region_combo),
            ("Run", self.runs_combo),
        ):
            bar.addWidget(styled_label(text, "Muted"))
            bar.addWidget(widget)
            bar.addSpacing(6)
        bar.addWidget(self.run_label, 1)

        self.scene = NetworkScene(self)
        self.scene.selectionChanged.connect(self._on_selection_changed)
        self.view = MapView(self.scene)
        self.view.site_clicked.connect(self.site_clicked.emit)
        self.legend = MapLegend()
        self.hint = QLabel(
            "Click a site for its details · Ctrl+click or Shift+drag to select several for a "
            "what-if · drag to pan · wheel to zoom · double-click the background to fit"
        )
        self.hint.setObjectName("Muted")
        self.hint.setWordWrap(True)
        self.hint.setContentsMargins(12, 2, 12, 4)

        self.empty_label = empty_state(
            "No network to draw", "Open a valid workbook (Ctrl+O) to see its sites and lanes."
        )
        page = QWidget()
        page_layout = QVBoxLayout(page)
        page_layout.setContentsMargins(0, 0, 0, 0)
        page_layout.setSpacing(0)
        page_layout.addWidget(self.toolbar)
        page_layout.addWidget(self.view, 1)
        page_layout.addWidget(self.legend)
        # the tool buttons share the hint's line, so the toolbar fits a 1024-pixel window
        foot = QHBoxLayout()
        foot.setContentsMargins(0, 0, 8, 2)
        foot.setSpacing(6)
        foot.addWidget(self.hint, 1)
        for button in (self.fit_scale_button, self.fit_button, self.export_button):
            foot.addWidget(button)
        self.footer = QWidget()
        self.footer.setLayout(foot)
        page_layout.addWidget(self.footer)
        self.stack = QStackedWidget()
        self.stack.addWidget(self.empty_label)
        self.stack.addWidget(page)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.stack)

    # ------------------------------------------------------------------ content
    def set_network(self, network: Network | None, workbook: str = "") -> None:
        """Draw ``network`` (None: the empty page); keeps nothing of the previous one."""
        self.network, self.workbook, self.outcome = network, workbook, None
        self._syncing = True
        try:
            if network is None or not network.sites:
                self.scene.clear()
                self.scene.chips, self.scene.lanes = {}, []
                self.layout_ = None
                self.stack.setCurrentIndex(0)
                return
            self.layout_ = layout_network(network)
            self.scene.build(self.layout_, network)
            nodes = list(self.layout_.nodes.values())
            self._outlines = region_outlines(nodes)
            current = self.region_combo.currentData()
            self.region_combo.blockSignals(True)
            self.region_combo.clear()
            self.region_combo.addItem("All regions", "")
            counts: dict[str, int] = {}
            for n in nodes:
                counts[n.region] = counts.get(n.region, 0) + 1
            for region in sorted(counts, key=lambda r: (-counts[r], r)):
                self.region_combo.addItem(f"{region or '(none)'} ({counts[region]})", region)
            index = self.region_combo.findData(current)
            self.region_combo.setCurrentIndex(max(index, 0))
            self.region_combo.blockSignals(False)
            self.stack.setCurrentIndex(1)
        finally:
            self._syncing = False
        self.refresh_sizes()
        self.refresh_colours()
        self.refresh_highlight()
        self.view.fit()

    def set_outcome(self, outcome: RunOutcome | None) -> None:
        """Colour the sites by ``outcome`` (None: grey, no results)."""
        self.outcome = outcome
        self.refresh_colours()

    def set_runs(self, runs: Mapping[str, RunOutcome], current: str | None) -> None:
        """Every run kept, for the "Run" chooser and the shared colour scale; ``current``
        is on show."""
        names = list(runs)
        kept = list(runs.values())
        rescale = [id(o) for o in kept] != [id(o) for o in self.all_outcomes]
        self.all_outcomes = kept
        self.runs_combo.blockSignals(True)
        self.runs_combo.clear()
        self.runs_combo.addItems(names)
        if current in names:
            self.runs_combo.setCurrentText(current)
        self.runs_combo.setEnabled(bool(names))
        self.runs_combo.blockSignals(False)
        if rescale:  # the shared colour scale spans other runs now
            self.refresh_colours()

    def set_presentation(self, on: bool) -> None:
        """Less chrome on the projector: no toolbar, no hint line (the caption names the run)."""
        self.footer.setVisible(not on)
        self.toolbar.setVisible(not on)

    def colour_metric(self) -> str:
        return str(self.metric_combo.currentData())

    def set_metric(self, key: str) -> None:
        select_data(self.metric_combo, key)

    def size_mode(self) -> str:
        return str(self.size_combo.currentData())

    def set_size_mode(self, key: str) -> None:
        select_data(self.size_combo, key)

    def node_count(self) -> int:
        return len(self.scene.chips)

    def lane_count(self) -> int:
        return len(self.scene.lanes)

    def node_colour(self, site_id: str) -> str:
        """Fill colour of a site's chip, as ``#rrggbb``."""
        return self.scene.chips[site_id].fill.name()

    def chip(self, site_id: str) -> SiteChip:
        return self.scene.chips[site_id]

    def fit(self) -> None:
        self.view.fit()

    # ------------------------------------------------------------------ encodings
    def _scale_runs(self) -> list[RunOutcome]:
        """The runs the colour scale spans: every run kept, or the one on show."""
        if self.outcome is None:
            return []
        shared = [o for o in self.all_outcomes if o is not self.outcome]
        return [self.outcome] if self.fit_scale_button.isChecked() else [self.outcome, *shared]

    def _scale(self) -> ColourScale | None:
        runs = self._scale_runs()
        if not runs:
            return None
        metric = MAP_METRICS[self.colour_metric()]
        values = [list(metric_values(o.sites, metric.key).values()) for o in runs]
        return ColourScale.shared(metric, values)

    def refresh_colours(self) -> None:
        if self._syncing or self.layout_ is None:
            return
        metric = MAP_METRICS[self.colour_metric()]
        values = metric_values(self.outcome.sites if self.outcome else None, metric.key)
        scale = self._scale()
        for sid, chip in self.scene.chips.items():
            fill = scale.colour(values.get(sid)) if scale is not None else NO_VALUE
            chip.set_colours(fill, self._outlines.get(chip.node.region, OTHER_OUTLINE))
            chip.setToolTip(self.tooltip(sid))
        if self.outcome is not None:
            req = self.outcome.request
            self.run_label.setText(f"{self.outcome.result.trials:,} trials, seed {req.seed}")
            self.run_label.setToolTip(req.describe())
        else:
            self.run_label.setText("No results yet")
            self.run_label.setToolTip("The sites are grey until a run finishes")
        self._update_legend(scale)

    def refresh_sizes(self) -> None:
        if self._syncing or self.layout_ is None:
            return
        radii = node_radii(
            list(self.layout_.nodes.values()), self.size_mode(), CHIP_MIN_H, CHIP_MAX_H
        )
        self.scene.set_heights(radii)
        self._update_legend(self._scale())

    def refresh_highlight(self) -> None:
        if self._syncing:
            return
        region = self.region_combo.currentData() or ""
        for chip in self.scene.chips.values():
            chip.setOpacity(1.0 if not region or chip.node.region == region else 0.18)
        for lane in self.scene.lanes:
            keep = not region or region in (lane.source.node.region, lane.target.node.region)
            lane.setOpacity(1.0 if keep else 0.12)

    def _update_legend(self, scale: ColourScale | None) -> None:
        spec = LegendSpec()
        metric = MAP_METRICS[self.colour_metric()]
        spec.metric_label = metric.label
        spec.scale = scale
        spec.tick_format = metric.format_tick
        shown: dict[str, str] = {}
        others = 0
        for region, colour in self._outlines.items():
            if colour == OTHER_OUTLINE:
                others += 1
            else:
                shown[region or "(none)"] = colour
        spec.regions = list(shown.items())
        if others:
            spec.regions.append(
                (f"{others} other region{'s' if others > 1 else ''}", OTHER_OUTLINE)
            )
        n = len(self._scale_runs())
        spec.scale_note = ""
        if scale is not None and self.fit_scale_button.isChecked():
            spec.scale_note = "fitted to this run"
        elif scale is not None and n > 1:
            spec.scale_note = f"one scale for all {n} runs"
        label, attr = SIZE_MODES[self.size_mode()]
        spec.size_label = f"{label.lower()} (log scale)" if attr else "all equal"
        self.legend.set_spec(spec)

    def tooltip(self, site_id: str) -> str:
        """Rich-text tooltip: the site's inputs and, after a run, its metrics with CIs."""
        assert self.layout_ is not None and self.network is not None
        node = self.layout_.nodes[site_id]
        site = self.network.site_by_id[site_id]
        kind = TYPE_NAMES.get(node.type, node.type)
        if node.type == "supplier" and node.tier:
            kind += f", tier {node.tier}"
        lines = [f"<b>{_html(site_id)}</b>" + (f" · {_html(site.name)}" if site.name else "")]
        lines.append(f"{kind} · region {_html(site.region or '(none)')}")
        facts = []
        if site.is_stocking:
            if site.base_stock_units is not None:
                facts.append(f"base stock {site.base_stock_units:,.0f} units")
            else:
                facts.append(f"safety stock {format_days(site.safety_stock_days)}")
        if site.is_producing:
            facts.append(f"processing {site.processing_days} d")
        if site.capacity_per_day is not None:
            facts.append(f"capacity {site.capacity_per_day:,.0f}/day")
        if facts:
            lines.append(" · ".join(facts))
        currency = self.network.settings.currency
        lines.append(
            f"flow {node.flow:,.0f} units/day · value {format_money(node.value_flow, currency)}/day"
        )
        if self.outcome is not None and site_id in self.outcome.sites.index:
            row = self.outcome.sites.loc[site_id]
            lines.append(f"<hr>Scenario {_html(self.outcome.request.scenario)} (95% CI):")
            lines.append(
                "Stockout days "
                + format_percent_ci(
                    row["stockout_day_probability"],
                    row["stockout_day_probability_lo"],
                    row["stockout_day_probability_hi"],
                )
            )
            lines.append(
                "Fill rate "
                + format_percent_ci(row["fill_rate"], row["fill_rate_lo"], row["fill_rate_hi"])
            )
            lines.append(
                "Lost revenue "
                + format_money_ci(
                    row["lost_revenue"], row["lost_revenue_lo"], row["lost_revenue_hi"]
                )
            )
            lines.append(
                "Backorders/day "
                + format_number_ci(
                    row["expected_backorders"],
                    row["expected_backorders_lo"],
                    row["expected_backorders_hi"],
                )
            )
        lines.append("<span style='color:#5b6470'>Click for details · Ctrl+click to add</span>")
        return "<br>".join(lines)

    # ------------------------------------------------------------------ selection
    def selected_sites(self) -> list[str]:
        """Selected site ids, column by column, top first."""
        chips = [item for item in self.scene.selectedItems() if isinstance(item, SiteChip)]
        chips.sort(key=lambda c: (c.node.column, c.node.rank))
        return [c.node.site_id for c in chips]

    def select_sites(self, site_ids: Iterable[str], centre: bool = False) -> None:
        """Select exactly ``site_ids`` (unknown ids are ignored) without echoing the signal."""
        wanted = set(site_ids)
        self._syncing = True
        try:
            for sid, chip in self.scene.chips.items():
                chip.setSelected(sid in wanted)
        finally:
            self._syncing = False
        if centre and wanted:
            chips = [self.scene.chips[s] for s in wanted if s in self.scene.chips]
            if chips and not self.view.auto_fit:
                self.view.centerOn(chips[0])

    def _on_selection_changed(self) -> None:
        if not self._syncing:
            self.selection_changed.emit(self.selected_sites())

    # ------------------------------------------------------------------ export
    def render_image(self, scale: float = EXPORT_SCALE) -> QImage:
        """The whole map with a title and the legend, as an image ``scale`` times the scene."""
        source = self.scene.sceneRect()
        legend_font = QFont(self.font())
        legend_font.setPixelSize(12)
        title_h, legend_h = 40.0, float(legend_height(legend_font)) + 8
        width = max(source.width(), 900.0)
        height = title_h + source.height() + legend_h
        image = QImage(
            math.ceil(width * scale),
            math.ceil(height * scale),
            QImage.Format.Format_ARGB32,
        )
        image.fill(QColor("white"))
        painter = QPainter(image)
        painter.setRenderHints(
            QPainter.RenderHint.Antialiasing | QPainter.RenderHint.TextAntialiasing
        )
        painter.scale(scale, scale)
        font = QFont(self.font())
        font.setPixelSize(15)
        font.setWeight(QFont.Weight.DemiBold)
        painter.setFont(font)
        painter.setPen(QColor(theme.TEXT))
        painter.drawText(QPointF(12, 26), self.export_title())
        target = QRectF((width - source.width()) / 2, title_h, source.width(), source.height())
        selected = self.scene.selectedItems()
        for item in selected:  # the export shows the map, not the current selection
            item.setSelected(False)
        self._syncing = True
        try:
            self.scene.render(painter, target, source)
        finally:
            for item in selected:
                item.setSelected(True)
            self._syncing = False
        paint_legend(
            painter,
            QRectF(0, title_h + source.height() + 4, width, legend_h - 8),
            self.legend.spec,
            legend_font,
        )
        painter.end()
        return image

    def export_title(self) -> str:
        parts = ["Network map"]
        if self.workbook:
            parts.append(self.workbook)
        if self.outcome is not None:
            req = self.outcome.request
            parts.append(
                f"scenario {req.scenario}, {self.outcome.result.trials:,} trials, seed {req.seed}"
            )
            parts.append(f"coloured by {MAP_METRICS[self.colour_metric()].label.lower()}")
        return " · ".join(parts)

    def export_png(self, path: str | os.PathLike[str]) -> Path:
        """Write :meth:`render_image` to ``path`` (atomically); raises JitriskError on failure."""
        from jitrisk.workbook.fileio import atomic_write

        target = Path(path)
        if target.suffix.lower() != ".png":
            target = target.with_name(target.name + ".png")
        image = self.render_image()

        def write(tmp: Path) -> None:
            if not image.save(str(tmp), "PNG"):
                raise JitriskError(f"cannot write the image {target.name}")

        return atomic_write(target, write)
