"""The Results view: network KPI cards, the most at-risk sites, lost revenue, per-site table."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QScrollArea,
    QStackedWidget,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from .. import theme
from ..figures import results as charts
from ..logic.formatting import format_duration
from ..logic.tasks import RunOutcome
from ..widgets.chart_image import ChartImage
from ..widgets.common import (
    KpiCard,
    column_layout,
    empty_state,
    split,
    style_read_only,
    styled_label,
)
from ..widgets.page import FillPage
from ..widgets.sites_model import SITE_COLUMNS, SitesFilter, SitesTableModel

KPI_KEYS = ("any_customer_stockout", "fill_rate", "lost_revenue", "var95")
KPI_TITLES = (
    "Any customer stockout",
    "Fill rate",
    "Expected revenue at risk",
    "Revenue at risk VaR95",
)
TOP_SITES = 15


class ResultsView(QWidget):
    """KPI cards over a splitter of charts (top) and the per-site table (bottom)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.outcome: RunOutcome | None = None
        self.stack = QStackedWidget()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.stack)

        self.empty_label = empty_state(
            "No results yet",
            "Choose a scenario and settings in the Run panel, then press Run (Ctrl+R).",
        )
        self.stack.addWidget(self.empty_label)

        page = FillPage()
        page_layout = column_layout(page, "PageBody", (16, 12, 16, 12), 10)
        scroller = QScrollArea()  # small windows scroll instead of squeezing the docks
        scroller.setObjectName("Page")
        scroller.setWidgetResizable(True)
        scroller.setFrameShape(QScrollArea.Shape.NoFrame)
        scroller.setWidget(page)
        self.stack.addWidget(scroller)

        self.title_label = styled_label("Results", "PageTitle")
        self.run_label = styled_label("", "Muted", wrap=True)
        self.run_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.stale_label = QLabel("")
        self.stale_label.setStyleSheet(
            f"color: {theme.TEXT}; background: {theme.LEVEL_TINTS['warning']};"
            f" border: 1px solid {theme.WARNING}; border-radius: 4px; padding: 3px 8px;"
        )
        self.stale_label.setVisible(False)
        head = QHBoxLayout()
        head.addWidget(self.title_label)
        head.addSpacing(12)
        head.addWidget(self.run_label, 1)
        head.addWidget(self.stale_label)
        page_layout.addLayout(head)

        cards = QHBoxLayout()
        cards.setSpacing(10)
        self.kpi_cards: dict[str, KpiCard] = {}
        for key, title in zip(KPI_KEYS, KPI_TITLES, strict=True):
            card = KpiCard(title)
            self.kpi_cards[key] = card
            cards.addWidget(card)
        page_layout.addLayout(cards)

        # rendered off the GUI thread: drawing them here stalled the window ~0.1-0.3 s at
        # the end of every run (benchmarks/bench_ui_stall.py)
        self.risk_canvas = ChartImage(parent=self)
        self.loss_canvas = ChartImage(parent=self)
        for image in (self.risk_canvas, self.loss_canvas):
            image.setMinimumSize(300, 220)
            image.set_figure(None, "Run a simulation")
        chart_split = split(self.risk_canvas, self.loss_canvas, vertical=False)

        self.model = SitesTableModel(self)
        self.proxy = SitesFilter(self)
        self.proxy.setSourceModel(self.model)
        self.table = QTableView()
        self.table.setModel(self.proxy)
        self.table.horizontalHeader().setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
        self.table.setSortingEnabled(True)
        style_read_only(self.table)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.filter_edit = QLineEdit()
        self.filter_edit.setPlaceholderText("Filter by site, name or region")
        self.filter_edit.setClearButtonEnabled(True)
        self.filter_edit.textChanged.connect(self.proxy.set_text)
        self.type_combo = QComboBox()
        self.type_combo.addItem("All types", "")
        for t in theme.SITE_TYPES:
            self.type_combo.addItem(theme.TYPE_LABELS[t], t)
        self.type_combo.currentIndexChanged.connect(
            lambda _i: self.proxy.set_type(self.type_combo.currentData() or "")
        )
        self.count_label = styled_label("", "Muted")
        self.proxy.rowsInserted.connect(self._update_count)
        self.proxy.rowsRemoved.connect(self._update_count)
        self.proxy.modelReset.connect(self._update_count)
        self.proxy.layoutChanged.connect(self._update_count)

        table_box = QWidget()
        table_layout = QVBoxLayout(table_box)
        table_layout.setContentsMargins(0, 0, 0, 0)
        filters = QHBoxLayout()
        table_title = styled_label("Sites, most at risk first", "CardTitle")
        filters.addWidget(table_title)
        filters.addStretch(1)
        filters.addWidget(self.count_label)
        filters.addWidget(self.filter_edit)
        filters.addWidget(self.type_combo)
        table_layout.addLayout(filters)
        table_layout.addWidget(self.table)
        self.table.setMinimumHeight(140)

        self.splitter = split(chart_split, table_box, stretch=(2, 3))
        page_layout.addWidget(self.splitter, 1)
        self.show_empty()

    # ------------------------------------------------------------------ content
    def show_empty(self) -> None:
        self.outcome = None
        self.model.set_frame(None)
        self.stack.setCurrentIndex(0)

    def has_results(self) -> bool:
        return self.outcome is not None

    def set_outcome(self, outcome: RunOutcome) -> None:
        """Show a finished run."""
        self.outcome = outcome
        req = outcome.request
        parts = [
            f"Scenario <b>{req.scenario}</b>",
            f"{outcome.result.trials:,} trials",
            f"{req.days:,} days",
            f"seed {req.seed}",
            f"run in {format_duration(outcome.elapsed)}",
        ]
        if outcome.workbook:
            parts.insert(0, outcome.workbook)
        self.run_label.setText(" · ".join(parts))
        self.set_stale(False)
        for kpi in outcome.kpis:
            card = self.kpi_cards.get(kpi.key)
            if card is not None:
                card.set_values(kpi.title, kpi.value, kpi.ci, kpi.caption)
        self.model.set_frame(outcome.sites)
        # the frame's own order (most at risk first) until the planner clicks a header
        self.table.horizontalHeader().setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
        self.table.resizeColumnsToContents()
        for col, column in enumerate(SITE_COLUMNS):
            if column.key == "name":
                self.table.setColumnWidth(col, min(self.table.columnWidth(col), 200))
        self.stack.setCurrentIndex(1)
        self._update_count()
        sites = outcome.sites
        lr = outcome.stats["lost_revenue"]
        losses, var95, cvar95, currency = (
            outcome.losses,
            lr["var95"],
            lr["cvar95"],
            (outcome.currency),
        )
        self.risk_canvas.set_figure(
            lambda fig: charts.top_risk_sites_figure(sites, n=TOP_SITES, figure=fig)
        )
        lost = outcome.result.network.settings.unmet_demand == "lost"
        what = "Lost revenue" if lost else "Revenue at risk"
        self.loss_canvas.set_figure(
            lambda fig: charts.lost_revenue_figure(
                losses, var95, cvar95, currency, what=what, figure=fig
            )
        )

    def charts_drawn(self) -> bool:
        """True once both charts show the current outcome (they render just after it)."""
        return self.outcome is not None and all(
            image.is_current() for image in (self.risk_canvas, self.loss_canvas)
        )

    def set_stale(self, stale: bool) -> None:
        """Mark the results as older than the open workbook."""
        self.stale_label.setText(
            "Workbook reloaded since this run: run again to update" if stale else ""
        )
        self.stale_label.setVisible(stale)

    def _update_count(self, *_args: object) -> None:
        shown, total = self.proxy.rowCount(), self.model.rowCount()
        self.count_label.setText(
            f"{shown} of {total} sites" if shown != total else f"{total} sites"
        )
