"""The Compare view: two or more scenarios side by side, with paired differences.

Every finished run is kept (the latest per scenario). The view compares the
ticked scenarios with a reference: the network KPIs with their 95% CIs, the
change against the reference with its CI (paired when the runs share seed,
horizon and trials: common random numbers, see :mod:`ui.logic.comparison`), a
grouped bar chart, and the sites whose stockout-day probability changes most.

The statistics (including a bootstrap) are computed on a worker thread, and
the chart is rendered on one too (:class:`~ui.widgets.chart_image.ChartImage`), so the
window never waits for either.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

from PySide6.QtCore import QEvent, QRect, Qt, QThreadPool, QTimer, Signal
from PySide6.QtGui import QColor, QFont, QFontMetrics, QGuiApplication, QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QStackedWidget,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from .. import theme
from ..logic.comparison import (
    KPIS,
    Comparison,
    compare,
    comparison_figure,
    comparison_table,
    format_ci,
    format_delta,
    format_value,
)
from ..logic.formatting import format_percent
from ..logic.tasks import RunOutcome
from ..widgets.chart_image import ChartImage
from ..widgets.common import column_layout, empty_state, split, style_read_only, styled_label
from ..widgets.flow import FlowLayout
from ..widgets.page import FillPage
from ..workers.worker import TaskContext, Worker

#: Colours of a verdict: blue better, vermillion worse (colour-blind safe, and spelled out).
VERDICT_COLOURS = {"better": theme.OKABE_ITO["blue"], "worse": theme.OKABE_ITO["vermillion"]}
VERDICT_MARKS = {"better": "▼ better", "worse": "▲ worse", "no clear change": "no clear change"}
SITE_ROWS = 10
#: Space (pixels) around a header's text in the key-figure table.
HEADER_PADDING = 6
#: Space (pixels) left and right of a value in the key-figure table.
CELL_MARGIN = 8


def _html(text: object) -> str:
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def verdict_mark(verdict: str, delta_mean: float) -> str:
    """Arrow and word for a change: the arrow follows the number, the word the meaning."""
    if verdict == "no clear change":
        return "no clear change"
    arrow = "▲" if delta_mean > 0 else "▼"
    return f"{arrow} {verdict}"


class CompareView(QWidget):
    """Reference, scenario choice, KPI table with deltas, grouped chart, site changes."""

    updated = Signal(object)  # Comparison
    run_all_requested = Signal()

    def __init__(self, pool: QThreadPool | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.pool = pool or QThreadPool.globalInstance()
        self.runs: dict[str, RunOutcome] = {}
        self.comparison: Comparison | None = None
        self._worker: Worker | None = None
        self._pending = False
        self._checks: dict[str, QCheckBox] = {}
        self._headlines: set[str] = set()  # the values' headline figures, as shown
        self._generation = 0

        self.stack = QStackedWidget()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.stack)

        empty = QWidget()
        empty_layout = QVBoxLayout(empty)
        empty_layout.addStretch(1)
        self.empty_label = empty_state(
            "Run two or more scenarios to compare them",
            "Every run is kept here, the latest per scenario. Choose a scenario in the Run "
            "panel or make a what-if, and press Run; or run every scenario of the workbook with "
            "the same settings, so the differences are paired.",
        )
        empty_layout.addWidget(self.empty_label)
        self.empty_run_all = QPushButton("Run all scenarios")
        self.empty_run_all.setObjectName("Primary")
        self.empty_run_all.clicked.connect(self.run_all_requested.emit)
        empty_layout.addWidget(self.empty_run_all, 0, Qt.AlignmentFlag.AlignHCenter)
        empty_layout.addStretch(2)
        self.stack.addWidget(empty)

        page = FillPage()
        page_layout = column_layout(page, "PageBody", (16, 12, 16, 12), 8)
        scroller = QScrollArea()
        scroller.setObjectName("Page")
        scroller.setWidgetResizable(True)
        scroller.setFrameShape(QScrollArea.Shape.NoFrame)
        scroller.setWidget(page)
        self.stack.addWidget(scroller)

        title = styled_label("Compare scenarios", "PageTitle")
        self.reference_combo = QComboBox()
        self.reference_combo.setToolTip("Differences are shown against this scenario")
        self.reference_combo.currentIndexChanged.connect(lambda _i: self.recompute())
        self.run_all_button = QPushButton("Run all scenarios")
        self.run_all_button.setToolTip(
            "Run every scenario with the Run panel's settings (same seed: paired differences)"
        )
        self.run_all_button.clicked.connect(self.run_all_requested.emit)
        self.copy_button = QPushButton("Copy table")
        self.copy_button.setToolTip(
            "Copy the key figures as a table, to paste into Excel or PowerPoint"
        )
        self.copy_button.clicked.connect(self.copy_table)
        reference = QWidget()
        reference_row = QHBoxLayout(reference)
        reference_row.setContentsMargins(0, 0, 0, 0)
        reference_row.addWidget(styled_label("Reference", "Muted"))
        reference_row.addWidget(self.reference_combo)
        # rows that wrap on a narrow window instead of widening the page (at 1024 x 640
        # with six scenarios the page scrolled sideways to reach its controls)
        head_box = QWidget()
        head = FlowLayout(head_box)
        head.addWidget(title)
        head.addWidget(QWidget(), 1)  # keeps the controls right while they share a row
        head.addWidget(reference)
        head.addWidget(self.copy_button)
        head.addWidget(self.run_all_button)
        page_layout.addWidget(head_box)

        checks_box = QWidget()
        self.checks_row = FlowLayout(checks_box, spacing=14)
        self.checks_row.addWidget(styled_label("Scenarios", "Muted"))
        page_layout.addWidget(checks_box)
        self.note_label = styled_label("", "Muted", wrap=True)
        page_layout.addWidget(self.note_label)

        self.kpi_table = QTableWidget(0, 0)
        style_read_only(self.kpi_table, wrap=True)
        self.kpi_table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.kpi_table.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.kpi_table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.kpi_table.horizontalHeader().setDefaultAlignment(
            Qt.AlignmentFlag(int(Qt.AlignmentFlag.AlignCenter) | int(Qt.TextFlag.TextWordWrap))
        )
        self.kpi_table.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        # row heights follow the column widths, which follow the view's width
        self._refit_soon = QTimer(self)
        self._refit_soon.setSingleShot(True)
        self._refit_soon.setInterval(0)
        self._refit_soon.timeout.connect(self.refit)
        self.kpi_table.horizontalHeader().sectionResized.connect(
            lambda *_: self._refit_soon.start()
        )
        page_layout.addWidget(self.kpi_table)

        self.canvas = ChartImage(self.pool)
        self.canvas.set_figure(None, "Comparing…")
        self.canvas.setMinimumHeight(230)

        sites_box = QWidget()
        sites_layout = QVBoxLayout(sites_box)
        sites_layout.setContentsMargins(0, 0, 0, 0)
        sites_head = QHBoxLayout()
        # wraps: its scenario names made the page wider than a small window
        self.sites_title = styled_label("Sites that change most", "CardTitle", wrap=True)
        self.sites_combo = QComboBox()
        self.sites_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.sites_combo.setToolTip("Scenario whose site changes are listed")
        self.sites_combo.currentIndexChanged.connect(lambda _i: self._fill_sites())
        sites_head.addWidget(self.sites_title, 1)
        sites_head.addWidget(self.sites_combo)
        sites_layout.addLayout(sites_head)
        self.sites_table = QTableWidget(0, 6)
        self.sites_table.setHorizontalHeaderLabels(
            ["Site", "Name", "Reference", "Scenario", "Change (pp, 95% CI)", "Verdict"]
        )
        style_read_only(self.sites_table, wrap=True)
        header = self.sites_table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        self.sites_table.setMinimumHeight(120)
        sites_layout.addWidget(self.sites_table)

        splitter = split(self.canvas, sites_box)
        # never less than both panes' minimums: below it the page scrolls instead of the
        # chart sliding under the sites table's title
        splitter.setMinimumHeight(
            self.canvas.minimumHeight() + sites_box.minimumSizeHint().height() + 8
        )
        page_layout.addWidget(splitter, 1)
        self.status_label = styled_label("", "Muted")
        page_layout.addWidget(self.status_label)
        self.stack.setCurrentIndex(0)

    # ------------------------------------------------------------------ content
    def set_runs(self, runs: Mapping[str, RunOutcome]) -> None:
        """The kept runs (scenario -> latest outcome); recomputes the comparison."""
        self.runs = dict(runs)
        names = list(self.runs)
        current_ref = self.reference_combo.currentText()
        self.reference_combo.blockSignals(True)
        self.reference_combo.clear()
        self.reference_combo.addItems(names)
        ref = current_ref if current_ref in names else ("baseline" if "baseline" in names else "")
        if ref:
            self.reference_combo.setCurrentText(ref)
        self.reference_combo.blockSignals(False)
        for name in list(self._checks):
            if name not in self.runs:
                box = self._checks.pop(name)
                self.checks_row.removeWidget(box)
                box.deleteLater()
        for name in names:
            if name not in self._checks:
                box = QCheckBox(name)
                box.setChecked(True)
                box.toggled.connect(lambda _on: self.recompute())
                self._checks[name] = box
                self.checks_row.addWidget(box)
        if len(self.runs) < 2:
            self.comparison = None
            self.stack.setCurrentIndex(0)
            return
        self.stack.setCurrentIndex(1)
        self.recompute()

    def reference(self) -> str:
        return self.reference_combo.currentText()

    def set_reference(self, name: str) -> None:
        self.reference_combo.setCurrentText(name)

    def checked(self) -> list[str]:
        return [n for n, box in self._checks.items() if box.isChecked() and n in self.runs]

    def set_checked(self, name: str, on: bool) -> None:
        if name in self._checks:
            self._checks[name].setChecked(on)

    def is_busy(self) -> bool:
        return self._worker is not None

    def recompute(self) -> None:
        """Compute the comparison of the checked scenarios off the GUI thread."""
        ref = self.reference()
        if len(self.runs) < 2 or ref not in self.runs:
            return
        if self._worker is not None:  # one at a time; the latest request wins
            self._pending = True
            return
        chosen = [n for n in self.checked() if n != ref]
        runs = dict(self.runs)
        self._generation += 1
        self.status_label.setText("Comparing…")

        def task(_context: TaskContext) -> Comparison:
            return compare(runs, ref, chosen)

        worker = Worker(task, "compare")
        worker.signals.result.connect(self._on_result)
        worker.signals.errored.connect(self._on_error)
        worker.signals.finished.connect(self._on_finished)
        self._worker = worker
        worker.start(self.pool)

    def _on_result(self, comparison: Comparison) -> None:
        if self._pending:
            return  # a newer request follows
        self.comparison = comparison
        self._fill_kpis(comparison)
        self.sites_combo.blockSignals(True)
        current = self.sites_combo.currentText()
        self.sites_combo.clear()
        self.sites_combo.addItems(comparison.scenarios[1:])
        if current in comparison.scenarios[1:]:
            self.sites_combo.setCurrentText(current)
        self.sites_combo.blockSignals(False)
        self._fill_sites()
        if comparison.all_paired:
            note = (
                f"Differences against <b>{_html(comparison.reference)}</b> are paired: the runs "
                "share seed, horizon and trials, so each trial saw the same demand and "
                "disruptions (common random numbers) and the CIs are narrow."
            )
        else:
            unpaired = [s for s, p in comparison.paired.items() if not p]
            note = (
                f"<b>{_html(', '.join(unpaired))}</b> ran with other settings than "
                f"{_html(comparison.reference)}, so those differences are of independent runs "
                "(wider CIs). Press <i>Run all scenarios</i> to pair them."
            )
        self.note_label.setText(note)
        self.status_label.setText("")
        self.canvas.set_figure(lambda figure: comparison_figure(comparison, figure=figure))
        self.updated.emit(comparison)

    def _on_error(self, exc: BaseException) -> None:
        self.status_label.setText(f"The comparison failed: {exc}")

    def _on_finished(self) -> None:
        self._worker = None
        if self._pending:
            self._pending = False
            self.recompute()

    # ------------------------------------------------------------------ tables
    def _fill_kpis(self, comparison: Comparison) -> None:
        names = comparison.scenarios
        table = self.kpi_table
        table.clear()
        self._headlines = set()
        table.setRowCount(len(KPIS))
        table.setColumnCount(1 + len(names))
        headers = ["Network KPI (95% CI)"] + [
            f"{n} (reference)" if n == comparison.reference else n for n in names
        ]
        table.setHorizontalHeaderLabels(headers)
        for col, name in enumerate(names, start=1):
            tip = comparison.runs.get(name, "")
            item = table.horizontalHeaderItem(col)
            if item is not None:
                item.setToolTip(tip)
        for row, spec in enumerate(KPIS):
            label = QTableWidgetItem(spec.label)
            label.setToolTip("Lower is better" if not spec.higher_is_better else "Higher is better")
            table.setItem(row, 0, label)
            for col, name in enumerate(names, start=1):
                kpi = comparison.rows[name][spec.key]
                shown = format_value(spec, kpi.value, comparison.currency)
                self._headlines.add(shown)
                value = f"{shown} {format_ci(spec, kpi.value)}"
                if kpi.delta is None:
                    html = (
                        f"<b>{_html(value)}</b><br>"
                        f"<span style='color:{theme.MUTED}'>reference</span>"
                    )
                    tip = value
                else:
                    verdict = kpi.verdict()
                    colour = VERDICT_COLOURS.get(verdict, theme.MUTED)
                    delta = format_delta(spec, kpi.delta)
                    mark = verdict_mark(verdict, kpi.delta.mean)
                    html = (
                        f"<b>{_html(value)}</b><br><span style='color:{colour}'>"
                        f"{_html(delta)} · {_html(mark)}</span>"
                    )
                    paired = "paired" if comparison.paired.get(name) else "independent runs"
                    tip = f"{value}\nchange vs {comparison.reference}: {delta} ({paired})"
                cell = QLabel(html)
                cell.setWordWrap(True)  # a narrow column wraps the value, never cuts it
                cell.setTextFormat(Qt.TextFormat.RichText)
                cell.setContentsMargins(CELL_MARGIN, 3, CELL_MARGIN, 3)
                cell.setToolTip(tip)
                cell.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents, False)
                table.setCellWidget(row, col, cell)
                item = QTableWidgetItem(tip)  # the text, for copying and tests
                item.setForeground(Qt.GlobalColor.transparent)
                table.setItem(row, col, item)
        table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        self.refit()

    def refit(self) -> None:
        """Column, row and table heights for the current width and type size.

        A column is never narrower than its widest word or value: when the view is
        narrower than the columns (six scenarios on a small window), the table
        scrolls sideways on its own while the page keeps the view's width.
        """
        table = self.kpi_table
        header = table.horizontalHeader()
        least = max(
            (
                w.minimumSizeHint().width()
                for r in range(table.rowCount())
                for c in range(1, table.columnCount())
                if (w := table.cellWidget(r, c)) is not None
            ),
            default=0,
        )
        # a value's headline figure ("EUR 4.0bn", bold) on one line, its CI below it
        bold = QFont(table.font())
        bold.setBold(True)
        figures = QFontMetrics(bold)
        margins = 2 * CELL_MARGIN + 4  # a cell's margins, and a little room
        least = max([least, *(figures.horizontalAdvance(f) + margins for f in self._headlines)])
        fm = self._header_metrics()
        for col in range(1, table.columnCount()):
            item = table.horizontalHeaderItem(col)
            words = (item.text() if item is not None else "").replace("-", "- ").split()
            least = max([least, *(fm.horizontalAdvance(w) + 2 * HEADER_PADDING for w in words)])
        if least and header.minimumSectionSize() != least:
            header.setMinimumSectionSize(least)
        table.resizeRowsToContents()
        for row in range(table.rowCount()):
            needed = max(
                (
                    w.heightForWidth(table.columnWidth(c))
                    for c in range(1, table.columnCount())
                    if (w := table.cellWidget(row, c)) is not None
                ),
                default=0,
            )
            table.setRowHeight(row, max(needed + 2, 46))
        header.setFixedHeight(self.header_height_needed())
        height = header.height() + sum(table.rowHeight(r) for r in range(table.rowCount()))
        if header.length() > table.viewport().width():  # the table's own sideways scroll
            height += table.horizontalScrollBar().sizeHint().height()
        table.setFixedHeight(height + 4)
        self.sites_table.resizeColumnsToContents()
        self.sites_table.resizeRowsToContents()

    def header_height_needed(self) -> int:
        """Height that shows every header of the key-figure table whole, wrapped to its
        column's width (a long scenario name breaks at its hyphens)."""
        table = self.kpi_table
        fm = self._header_metrics()
        flags = int(Qt.AlignmentFlag.AlignCenter) | int(Qt.TextFlag.TextWordWrap)
        tallest = fm.height()
        for col in range(table.columnCount()):
            item = table.horizontalHeaderItem(col)
            width = max(table.columnWidth(col) - 2 * HEADER_PADDING, 20)
            text = item.text() if item is not None else ""
            tallest = max(
                tallest, fm.boundingRect(QRect(0, 0, width, 10_000), flags, text).height()
            )
        return tallest + 2 * HEADER_PADDING

    def _header_metrics(self) -> QFontMetrics:
        """The metrics of the header sections' type: the style sheet draws them at weight
        600, which the header's own font does not know (measured with it, "baseline
        (reference)" fitted a column on one line that it needed two for)."""
        font = QFont(self.kpi_table.horizontalHeader().font())
        font.setWeight(QFont.Weight.DemiBold)
        return QFontMetrics(font)

    def copy_table(self) -> str:
        """Put the key-figure table on the clipboard as tab-separated text; return it."""
        if self.comparison is None:
            return ""
        text = comparison_table(self.comparison)
        QGuiApplication.clipboard().setText(text)
        return text

    def _fill_sites(self) -> None:
        comparison = self.comparison
        name = self.sites_combo.currentText()
        table = self.sites_table
        table.setRowCount(0)
        if comparison is None or name not in comparison.sites:
            return
        frame = comparison.sites[name]
        table.setHorizontalHeaderLabels(
            ["Site", "Name", comparison.reference, name, "Change (pp, 95% CI)", "Verdict"]
        )
        self.sites_title.setText(
            f"Sites whose stockout-day probability changes most: {name} vs {comparison.reference}"
        )
        table.setRowCount(len(frame))
        for row, (sid, r) in enumerate(frame.iterrows()):
            d, lo, hi = float(r["delta"]), float(r["lo"]), float(r["hi"])
            significant = (lo > 0 or hi < 0) and math.isfinite(lo) and math.isfinite(hi)
            verdict = ("worse" if d > 0 else "better") if significant else "no clear change"
            cells = [
                str(sid),
                str(r["name"]),
                format_percent(float(r["reference"]), 2),
                format_percent(float(r["value"]), 2),
                f"{d * 100:+.2f} [{lo * 100:+.2f}, {hi * 100:+.2f}]".replace("-", "−"),
                VERDICT_MARKS[verdict],
            ]
            for col, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if col in (2, 3, 4):
                    item.setTextAlignment(
                        Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
                    )
                if col in (4, 5) and verdict in VERDICT_COLOURS:
                    item.setForeground(QColor(VERDICT_COLOURS[verdict]))
                table.setItem(row, col, item)
        table.resizeColumnsToContents()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        # measure again once shown: a table filled while hidden was measured before its
        # page's style applied
        self._refit_soon.start()

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() in (QEvent.Type.FontChange, QEvent.Type.StyleChange):
            QTimer.singleShot(0, self, self.refit)

    # ------------------------------------------------------------------ chart
    def chart_drawn(self) -> bool:
        """True once the chart on show is that of the current comparison."""
        return self.comparison is not None and self.canvas.is_current()

    def kpi_text(self, scenario: str, key: str) -> str:
        """Value and change of KPI ``key`` for ``scenario``, as shown (for tests)."""
        assert self.comparison is not None
        col = self.comparison.scenarios.index(scenario) + 1
        row = [k.key for k in KPIS].index(key)
        item = self.kpi_table.item(row, col)
        return item.text() if item is not None else ""
