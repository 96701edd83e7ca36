"""The Summary view: what the open workbook describes, at a glance.

For a valid workbook: counts by type and tier, regions, single-sourced
components, sites whose outage cuts a customer off, the longest lead-time
path to each customer and the run settings (from
:func:`jitrisk.model.graph.network_info`). For an invalid one: what was read,
sheet by sheet, next to its problems, so the planner sees how far the file got.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QFormLayout,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from jitrisk.model.records import Network

from .. import theme
from ..logic.messages import plural
from ..logic.tasks import LoadedWorkbook
from ..widgets.common import (
    Card,
    CountBars,
    Tile,
    column_layout,
    empty_state,
    read_only_table,
    styled_label,
)

PATH_ARROW = " → "


def tier_sort_key(label: str) -> tuple[int, int]:
    """Upstream first: supplier tiers from the deepest, then plants, DCs, customers."""
    if label.startswith("supplier tier"):
        return (0, -int(label.rsplit(" ", 1)[-1]))
    order = {"plant": 1, "dc": 2, "customer": 3}
    return (order.get(label, 4), 0)


def tier_rows(counts_by_tier: dict[str, int]) -> list[tuple[str, int, str]]:
    """(label, count, colour) per tier, upstream first, for :class:`CountBars`."""
    rows = []
    for label in sorted(counts_by_tier, key=tier_sort_key):
        site_type = "supplier" if label.startswith("supplier") else label
        pretty = (
            label.capitalize() if site_type == "supplier" else theme.TYPE_LABELS.get(label, label)
        )
        rows.append((pretty, counts_by_tier[label], theme.TYPE_COLOURS.get(site_type, theme.MUTED)))
    return rows


#: Regions shown one by one; the rest share an "other regions" bar.
MAX_REGION_ROWS = 8


def region_rows(
    regions: dict[str, int], limit: int = MAX_REGION_ROWS
) -> list[tuple[str, int, str]]:
    """(region, sites, colour), most sites first; beyond ``limit`` rows the rest are summed."""
    ordered = sorted(regions.items(), key=lambda kv: (-kv[1], kv[0]))
    if len(ordered) <= limit:
        return [(name, count, theme.INFO) for name, count in ordered]
    shown, rest = ordered[: limit - 1], ordered[limit - 1 :]
    rows = [(name, count, theme.INFO) for name, count in shown]
    rows.append((f"{len(rest)} other regions", sum(c for _n, c in rest), theme.MUTED))
    return rows


class SummaryView(QScrollArea):
    """Scrollable page of cards describing the open workbook."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("Page")
        self.setWidgetResizable(True)
        self.setFrameShape(QScrollArea.Shape.NoFrame)
        self.document: LoadedWorkbook | None = None
        self.tiles: dict[str, Tile] = {}
        self.cards: dict[str, Card] = {}
        self.show_empty()

    # ------------------------------------------------------------------ pages
    def _new_page(self) -> QVBoxLayout:
        self.tiles, self.cards = {}, {}
        body = QWidget()
        layout = column_layout(body, "PageBody", (20, 16, 20, 20), 14)
        self.setWidget(body)
        return layout

    def show_empty(self) -> None:
        """The welcome page: how to open a workbook."""
        self.document = None
        layout = self._new_page()
        layout.addStretch(1)
        text = empty_state(
            "Open a supply-network workbook to begin",
            "File &gt; Open (Ctrl+O), drop an .xlsx file onto this window, or create one "
            "with File &gt; New from template.",
            points=15,
        )
        layout.addWidget(text)
        layout.addStretch(2)

    def set_workbook(self, doc: LoadedWorkbook) -> None:
        """Show ``doc``: the full summary when valid, what was read otherwise."""
        self.document = doc
        layout = self._new_page()
        layout.addLayout(self._title_row(doc))
        if doc.ok and doc.network is not None and doc.info is not None:
            self._valid_page(layout, doc.network, doc.info)
        else:
            self._invalid_page(layout, doc)
        layout.addStretch(1)

    # ------------------------------------------------------------------ parts
    def _title_row(self, doc: LoadedWorkbook) -> QVBoxLayout:
        box = QVBoxLayout()
        box.setSpacing(2)
        row = QHBoxLayout()
        title = styled_label(doc.name, "PageTitle")
        title.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        row.addWidget(title)
        errors, warnings = len(doc.report.errors), len(doc.report.warnings)
        if errors:
            status, colour = f"Cannot be simulated: {plural(errors, 'error')}", theme.ERROR
        elif warnings:
            status, colour = f"Ready to run · {plural(warnings, 'warning')}", theme.WARNING
        else:
            status, colour = "Ready to run", theme.OK
        self.status_label = QLabel(status)
        self.status_label.setStyleSheet(
            f"QLabel {{ color: white; background: {colour}; border-radius: 10px;"
            f" padding: 3px 10px; font-weight: 600; }}"
        )
        row.addSpacing(8)
        row.addWidget(self.status_label, 0, Qt.AlignmentFlag.AlignVCenter)
        row.addStretch(1)
        box.addLayout(row)
        path = styled_label(str(doc.path), "Muted")
        path.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        box.addWidget(path)
        return box

    def _tile_row(self, layout: QVBoxLayout, tiles: list[tuple[str, str, str, str]]) -> None:
        row = QHBoxLayout()
        row.setSpacing(10)
        for key, label, value, colour in tiles:
            tile = Tile(label, colour)
            tile.set_value(value)
            self.tiles[key] = tile
            row.addWidget(tile)
        layout.addLayout(row)

    def _card(self, key: str, title: str, subtitle: str = "") -> Card:
        card = Card(title, subtitle)
        self.cards[key] = card
        return card

    # ------------------------------------------------------------------ valid
    def _valid_page(self, layout: QVBoxLayout, net: Network, info: dict[str, Any]) -> None:
        by_type = info["counts_by_type"]
        scenarios = [s for s in net.scenario_names if s != "baseline"]
        tiles = [
            (t, theme.TYPE_LABELS[t], f"{by_type.get(t, 0):,}", theme.TYPE_COLOURS[t])
            for t in theme.SITE_TYPES
        ]
        tiles += [
            ("lanes", "Lanes", f"{len(net.lanes):,}", theme.MUTED),
            ("disruptions", "Disruptions", f"{len(net.disruptions):,}", theme.ERROR),
            ("scenarios", "What-if scenarios", f"{len(scenarios):,}", theme.INFO),
        ]
        self._tile_row(layout, tiles)

        grid = QGridLayout()
        grid.setHorizontalSpacing(14)
        grid.setVerticalSpacing(14)
        grid.setColumnStretch(0, 1)
        grid.setColumnStretch(1, 1)
        grid.addWidget(self._tier_card(info), 0, 0)
        grid.addWidget(self._region_card(info), 0, 1)
        grid.addWidget(self._single_source_card(info), 1, 0)
        grid.addWidget(self._critical_card(net, info), 1, 1)
        grid.addWidget(self._lead_time_card(info), 2, 0, 1, 2)
        grid.addWidget(self._settings_card(net), 3, 0)
        grid.addWidget(self._scenario_card(net), 3, 1)
        layout.addLayout(grid)

    def _tier_card(self, info: dict[str, Any]) -> Card:
        card = self._card(
            "tiers", "Sites by tier", "Supplier tiers counted upstream from the plants."
        )
        bars = CountBars()
        bars.set_rows(tier_rows(info["counts_by_tier"]))
        card.body.addWidget(bars)
        card.body.addStretch(1)
        return card

    def _region_card(self, info: dict[str, Any]) -> Card:
        regions = info["regions"]
        card = self._card(
            "regions",
            "Regions",
            f"{plural(len(regions), 'region')}: the unit of correlated disruptions."
            if regions
            else "No site has a region.",
        )
        bars = CountBars()
        bars.set_rows(region_rows(regions))
        ordered = sorted(regions.items(), key=lambda kv: (-kv[1], kv[0]))
        bars.setToolTip(", ".join(f"{name}: {count}" for name, count in ordered))
        card.body.addWidget(bars)
        card.body.addStretch(1)
        return card

    def _single_source_card(self, info: dict[str, Any]) -> Card:
        rows = info["single_sourced_components"]
        components = [r for r in rows if r["component"] != r["site"]]
        card = self._card(
            "single_sourced",
            "Single-sourced supply",
            f"{plural(len(components), 'component')} with a single source, and "
            f"{plural(len(rows) - len(components), 'site')} fed by a single lane: an outage "
            "at that source stops the flow.",
        )
        table_rows = [
            [
                r["site"],
                "its stock item" if r["component"] == r["site"] else r["component"],
                r["source"],
            ]
            for r in sorted(rows, key=lambda r: (r["component"] == r["site"], r["site"]))
        ]
        card.body.addWidget(
            read_only_table(
                ("Receiving site", "Component", "Only source"), table_rows, max_visible_rows=8
            )
        )
        return card

    def _critical_card(self, net: Network, info: dict[str, Any]) -> Card:
        critical: dict[str, list[str]] = info["sites_cutting_off_customers"]
        customers = sum(1 for s in net.sites if s.type == "customer")
        card = self._card(
            "critical",
            "One outage cuts off a customer",
            f"{plural(len(critical), 'site')} whose outage alone leaves a customer with no "
            "supply at all.",
        )
        ordered = sorted(critical.items(), key=lambda kv: (-len(kv[1]), kv[0]))
        rows = [
            [
                site,
                net.site_by_id[site].type,
                f"all {customers}"
                if len(custs) == customers and customers > 1
                else ", ".join(custs),
            ]
            for site, custs in ordered
        ]
        card.body.addWidget(
            read_only_table(("Site", "Type", "Customers cut off"), rows, max_visible_rows=8)
        )
        return card

    def _lead_time_card(self, info: dict[str, Any]) -> Card:
        paths: dict[str, dict[str, Any]] = info["longest_lead_time_path"]
        longest = max((p["days"] for p in paths.values()), default=0.0)
        card = self._card(
            "lead_time",
            "Longest lead-time path to each customer",
            f"Mean transit plus processing days along the slowest chain; the longest is "
            f"{longest:.1f} days.",
        )
        rows = [
            [c, f"{p['days']:.1f}", PATH_ARROW.join(p["path"])]
            for c, p in sorted(paths.items(), key=lambda kv: (-kv[1]["days"], kv[0]))
        ]
        card.body.addWidget(
            read_only_table(
                ("Customer", "Days", "Path (raw source → customer)"), rows, max_visible_rows=8
            )
        )
        return card

    def _settings_card(self, net: Network) -> Card:
        s = net.settings
        card = self._card(
            "settings", "Run settings", "From the Settings sheet; the Run panel starts from these."
        )
        form = QFormLayout()
        form.setLabelAlignment(Qt.AlignmentFlag.AlignLeft)
        for label, value in (
            ("Horizon", f"{s.days:,} days (after {s.warmup_days:,} warm-up days)"),
            ("Trials", f"{s.trials:,}"),
            ("Seed", f"{s.seed}"),
            ("Unmet demand", s.unmet_demand),
            ("Service level", f"{s.service_level:.1%}"),
            ("Currency", s.currency),
        ):
            text = QLabel(value)
            text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            muted = styled_label(label, "Muted")
            form.addRow(muted, text)
        card.body.addLayout(form)
        card.body.addStretch(1)
        return card

    def _scenario_card(self, net: Network) -> Card:
        overrides = Counter(o.scenario for o in net.overrides)
        events = Counter(d.scenario for d in net.disruptions if d.scenario)
        names = [n for n in net.scenario_names if n != "baseline"]
        card = self._card(
            "scenario_list",
            "Scenarios",
            "The baseline is the workbook as it is; each scenario changes it.",
        )
        rows = [["baseline", "the workbook unchanged", ""]]
        rows += [
            [n, plural(overrides[n], "override"), plural(events[n], "extra disruption")]
            for n in names
        ]
        card.body.addWidget(
            read_only_table(("Scenario", "Changes", "Events"), rows, max_visible_rows=6)
        )
        return card

    # ------------------------------------------------------------------ invalid
    def _invalid_page(self, layout: QVBoxLayout, doc: LoadedWorkbook) -> None:
        outline = doc.outline
        errors = Counter(p.sheet for p in doc.report.errors)
        warnings = Counter(p.sheet for p in doc.report.warnings)
        tiles = []
        for name, colour in (
            ("Sites", theme.ACCENT),
            ("Lanes", theme.MUTED),
            ("Demand", theme.TYPE_COLOURS["customer"]),
            ("Disruptions", theme.ERROR),
        ):
            sheet = outline.sheet(name)
            tiles.append(
                (
                    name.lower(),
                    f"{name} rows read",
                    f"{sheet.records:,}" if sheet else "missing",
                    colour,
                )
            )
        tiles.append(("errors", "Errors", f"{len(doc.report.errors):,}", theme.ERROR))
        tiles.append(("warnings", "Warnings", f"{len(doc.report.warnings):,}", theme.WARNING))
        self._tile_row(layout, tiles)

        card = self._card(
            "what_was_read",
            "What was read",
            "The workbook has errors, so it cannot be simulated yet. Each sheet below with "
            "its problems; the Problems panel points at every cell. Fix them in Excel, save, "
            "and press F5 to reload.",
        )
        if outline.error:
            note = QLabel(f"The sheets could not be listed: {outline.error}")
            note.setWordWrap(True)
            card.body.addWidget(note)
        file_errors = errors.get("", 0)
        if file_errors:
            note = QLabel(
                f"{plural(file_errors, 'problem')} with the file itself: see the Problems panel."
            )
            note.setWordWrap(True)
            card.body.addWidget(note)
        rows = []
        for sheet in outline.sheets:
            e, w = errors.get(sheet.name, 0), warnings.get(sheet.name, 0)
            status = (
                "not used by jitrisk"
                if not sheet.expected
                else "errors to fix"
                if e
                else "read"
                if not w
                else "read, with warnings"
            )
            rows.append(
                [
                    sheet.name,
                    f"{sheet.records:,}",
                    f"{len(sheet.headers):,}",
                    f"{e:,}",
                    f"{w:,}",
                    status,
                ]
            )
        for name in outline.missing:
            rows.append([name, "–", "–", f"{errors.get(name, 0):,}", "0", "missing"])
        if rows:
            card.body.addWidget(
                read_only_table(
                    ("Sheet", "Records", "Columns", "Errors", "Warnings", "Status"),
                    rows,
                    max_visible_rows=10,
                )
            )
        layout.addWidget(card)
