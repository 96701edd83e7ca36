"""The site detail panel: one site's inputs, lanes, disruptions and metrics with CIs.

Opened by clicking a site on the map (or double-clicking it in the Results
table). Inputs are those of the network that produced the metrics shown (the
scenario of the run), so numbers and settings always belong together.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from jitrisk.model.records import Disruption, Lane, Network, Site

from .. import theme
from ..logic.formatting import (
    MISSING,
    format_days,
    format_money,
    format_money_ci,
    format_number_ci,
    format_percent_ci,
)
from ..logic.map_layout import TYPE_NAMES, mean_flows
from ..logic.tasks import RunOutcome
from ..widgets.common import Card, PanelDock, column_layout, read_only_table, styled_label
from ..widgets.icons import type_icon


def _html(text: object) -> str:
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def site_inputs(site: Site, network: Network) -> list[tuple[str, str]]:
    """(label, value) rows describing what the workbook says about ``site``."""
    currency = network.settings.currency
    rows: list[tuple[str, str]] = []
    if site.is_stocking:
        if site.base_stock_units is not None:
            rows.append(("Base stock", f"{site.base_stock_units:,.0f} units (order-up-to)"))
        else:
            rows.append(("Safety stock", f"{format_days(site.safety_stock_days)} of cover"))
    if site.is_producing:
        rows.append(("Processing", format_days(site.processing_days)))
    if site.type != "customer":
        cap = (
            "unlimited"
            if site.capacity_per_day is None
            else f"{site.capacity_per_day:,.0f} per day"
        )
        rows.append(("Capacity", cap))
        rows.append(("Unit value", format_money(site.unit_value, currency)))
        rows.append(("Holding cost", f"{site.holding_cost_rate:.0%} of value per year"))
    if site.ttr_days is not None:
        rows.append(("Time to recover", format_days(site.ttr_days)))
    demand = network.demand_by_id.get(site.site_id)
    if demand is not None:
        rows.append(("Daily demand", str(demand.daily_demand)))
        rows.append(("Unit price", format_money(demand.unit_price, currency)))
        rows.append(("Service time", format_days(demand.service_time_days)))
    flow = mean_flows(network).get(site.site_id, 0.0)
    rows.append(("Mean flow", f"{flow:,.0f} units per day"))
    return rows


def lane_rows(lanes: tuple[Lane, ...], inbound: bool) -> list[list[str]]:
    rows = []
    for lane in lanes:
        other = lane.source if inbound else lane.target
        buffer = ""
        if lane.line_buffer_units is not None:
            buffer = f"{lane.line_buffer_units:,.0f} u"
        elif lane.line_buffer_days is not None:
            buffer = f"{lane.line_buffer_days:g} d"
        row = [other, str(lane.lead_time), f"{lane.share:.0%}"]
        if inbound:
            row += [lane.component or lane.source, f"{lane.quantity_per_unit:g}", buffer or "–"]
        rows.append(row)
    return rows


def disruptions_hitting(site: Site, network: Network) -> list[Disruption]:
    """Disruptions whose scope is the site, its region or a lane into or out of it."""
    out = []
    for d in network.disruptions:
        if d.scope == site.site_id or (site.region and d.scope == f"region:{site.region}"):
            out.append(d)
        elif d.scope.startswith("lane:"):
            a, _, b = (x.strip() for x in d.scope[len("lane:") :].partition("->"))
            if site.site_id in (a, b):
                out.append(d)
    return out


def disruption_text(d: Disruption) -> str:
    when = (
        f"from day {d.start_day}" if d.scripted else f"{d.probability_per_day * 365:.2g} per year"
    )
    severity = {
        "capacity": f", {d.severity:.0%} capacity lost",
        "delay": f", +{d.severity:g} days",
        "demand": f", demand x{d.severity:g}",
    }.get(d.kind, "")
    only = f" (scenario {d.scenario})" if d.scenario else ""
    return f"{d.kind} of {d.scope}: {when}, lasting {d.duration} days{severity}{only}"


def metric_rows(outcome: RunOutcome, site_id: str) -> list[tuple[str, str]]:
    """(label, value with CI) of one site in ``outcome``."""
    if site_id not in outcome.sites.index:
        return []
    row = outcome.sites.loc[site_id]

    def ci(key: str, fmt: Any) -> str:
        # the interval never breaks across lines: "2.31% [2.10, 2.52]" wraps before "[" only
        text = str(fmt(float(row[key]), float(row[f"{key}_lo"]), float(row[f"{key}_hi"])))
        return text.replace(", ", ",\u00a0")

    rows = [
        ("Stockout days", ci("stockout_day_probability", format_percent_ci)),
        ("Stockout in horizon", ci("stockout_probability", format_percent_ci)),
        ("Fill rate", ci("fill_rate", format_percent_ci)),
        ("Backorders per day", ci("expected_backorders", format_number_ci)),
        ("Lost revenue", ci("lost_revenue", format_money_ci)),
        (
            "Days out of stock",
            f"{float(row['days_out_of_stock']):.1f}"
            f" (p90 {float(row['days_out_of_stock_p90']):.0f})",
        ),
    ]
    if row.get("type") != "customer":
        rows.append(("Average on hand", f"{float(row['average_on_hand']):,.0f} units"))
        rows.append(("Base-stock level", f"{float(row['base_stock']):,.0f} units"))
    return rows


class SitePanel(QWidget):
    """Details of one site; :meth:`show_site` fills it."""

    closed = Signal()
    whatif_requested = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.site_id: str | None = None
        self.network: Network | None = None
        self.outcome: RunOutcome | None = None
        self.scroller = QScrollArea()
        self.scroller.setObjectName("Page")
        self.scroller.setWidgetResizable(True)
        self.scroller.setFrameShape(QScrollArea.Shape.NoFrame)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.scroller)
        self.cards: dict[str, Card] = {}
        self.title_label = QLabel()
        self.clear()

    def _new_page(self) -> QVBoxLayout:
        self.cards = {}
        body = QWidget()
        page = column_layout(body, "PageBody", (10, 10, 10, 10), 10)
        self.scroller.setWidget(body)
        return page

    def clear(self) -> None:
        """The empty page: how to pick a site."""
        self.site_id = None
        page = self._new_page()
        note = QLabel(
            "<p><b>No site selected</b></p><p>Click a site on the map, or double-click one in "
            "the Results table, to see its inputs, lanes and risk.</p>"
        )
        note.setObjectName("EmptyState")
        note.setWordWrap(True)
        note.setAlignment(Qt.AlignmentFlag.AlignCenter)
        page.addStretch(1)
        page.addWidget(note)
        page.addStretch(2)

    def set_context(self, network: Network | None, outcome: RunOutcome | None) -> None:
        """The network and run the panel describes; re-shows the current site."""
        self.network, self.outcome = network, outcome
        if self.site_id is not None:
            self.show_site(self.site_id)

    def show_site(self, site_id: str) -> bool:
        """Show ``site_id``; False (and the empty page) when the network has no such site."""
        net = self.network
        if self.outcome is not None and site_id in self.outcome.result.network.site_by_id:
            net = self.outcome.result.network
        if net is None or site_id not in net.site_by_id:
            self.clear()
            return False
        self.site_id = site_id
        site = net.site_by_id[site_id]
        page = self._new_page()

        head = QHBoxLayout()
        icon = QLabel()
        icon.setPixmap(type_icon(site.type).pixmap(22, 22))
        head.addWidget(icon, 0, Qt.AlignmentFlag.AlignTop)
        self.title_label = QLabel(
            f"<span style='font-size:13pt; font-weight:600'>{_html(site_id)}</span>"
            + (
                f"<br><span style='color:{theme.MUTED}'>{_html(site.name)}</span>"
                if site.name
                else ""
            )
        )
        self.title_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.title_label.setWordWrap(True)
        head.addWidget(self.title_label, 1)
        close = QToolButton()
        close.setText("✕")
        close.setAutoRaise(True)
        close.setToolTip("Close the site details")
        close.clicked.connect(self.closed.emit)
        head.addWidget(close, 0, Qt.AlignmentFlag.AlignTop)
        page.addLayout(head)
        kind = TYPE_NAMES.get(site.type, site.type)
        sub = styled_label(f"{kind} · region {site.region or '(none)'}", "Muted")
        page.addWidget(sub)
        if site.is_stocking:
            whatif = QPushButton("What-if for this site…")
            whatif.setToolTip("Change its buffer or script an outage, then run (What-if panel)")
            whatif.clicked.connect(lambda: self.whatif_requested.emit(site_id))
            page.addWidget(whatif, 0, Qt.AlignmentFlag.AlignLeft)

        # metrics
        if self.outcome is not None and site_id in self.outcome.sites.index:
            req = self.outcome.request
            card = self._card(
                "metrics",
                "Risk (95% CI)",
                f"Scenario {req.scenario}, {self.outcome.result.trials:,} trials "
                f"of {req.days:,} days.",
            )
            self._form(card, metric_rows(self.outcome, site_id))
        else:
            card = self._card("metrics", "Risk", "Run a simulation to see this site's risk.")
        page.addWidget(card)

        scenario = net.scenario if net is not self.network else "the workbook"
        card = self._card("inputs", "Inputs", f"As simulated ({scenario}).")
        self._form(card, site_inputs(site, net))
        page.addWidget(card)

        inbound, outbound = net.lanes_into(site_id), net.lanes_from(site_id)
        card = self._card(
            "inbound", f"Inbound lanes ({len(inbound)})", "" if inbound else "A raw source."
        )
        if inbound:
            card.body.addWidget(
                read_only_table(
                    ("From", "Lead time", "Share", "Component", "Per unit", "Line buffer"),
                    lane_rows(inbound, True),
                    max_visible_rows=6,
                )
            )
        page.addWidget(card)
        card = self._card(
            "outbound", f"Outbound lanes ({len(outbound)})", "" if outbound else "A final customer."
        )
        if outbound:
            card.body.addWidget(
                read_only_table(
                    ("To", "Lead time", "Share"), lane_rows(outbound, False), max_visible_rows=6
                )
            )
        page.addWidget(card)

        hits = disruptions_hitting(site, net)
        card = self._card(
            "disruptions",
            f"Disruptions ({len(hits)})",
            "" if hits else "No disruption in the profile hits this site directly.",
        )
        for d in hits:
            text = QLabel(f"• <b>{_html(d.disruption_id)}</b>: {_html(disruption_text(d))}")
            text.setWordWrap(True)
            card.body.addWidget(text)
        page.addWidget(card)
        page.addStretch(1)
        return True

    def _card(self, key: str, title: str, subtitle: str = "") -> Card:
        card = Card(title, subtitle)
        self.cards[key] = card
        return card

    @staticmethod
    def _form(card: Card, rows: list[tuple[str, str]]) -> None:
        form = QFormLayout()
        form.setLabelAlignment(Qt.AlignmentFlag.AlignLeft)
        form.setHorizontalSpacing(12)
        for label, value in rows:
            muted = styled_label(label, "Muted")
            text = QLabel(value or MISSING)
            text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            text.setWordWrap(True)
            form.addRow(muted, text)
        card.body.addLayout(form)

    def field_text(self, card: str, label: str) -> str:
        """The value shown next to ``label`` in ``card`` (for tests)."""
        box = self.cards[card]
        labels = box.findChildren(QLabel)
        for i, w in enumerate(labels):
            if w.text() == label and i + 1 < len(labels):
                return labels[i + 1].text()
        raise KeyError(label)


class SiteDock(PanelDock):
    """Side dock holding a :class:`SitePanel`."""

    panel: SitePanel

    def __init__(self, parent: QWidget | None = None) -> None:
        self.panel = SitePanel()
        super().__init__("Site", "SiteDock", self.panel, parent)
