"""Which sites are selected, kept in step across the map, the table and the site panel."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import (
    QItemSelection,
    QItemSelectionModel,
    QModelIndex,
)
from PySide6.QtWidgets import (
    QWidget,
)

from ..widgets.roles import SiteIdRole


class SelectionMixin:
    """Which sites are selected, kept in step across the map, the table and the site panel.

    A part of :class:`~ui.main_window.MainWindow`.
    """

    def show_view(self, view: QWidget) -> None:
        self.tabs.setCurrentWidget(view)

    def show_story(self, target: str) -> bool:
        """Follow ``target``'s outage day by day (a Risk ranking row double-clicked): the
        Day by day view on the Risk view's scenario, run at once. False when refused."""
        view = self.story_view
        if view.is_running() or not view.choose(target):
            return False
        view.set_scenario(self.risk_view.scenario_combo.currentText())
        self.show_view(view)
        return view.run()

    def show_frontier(self, scenario: str = "") -> None:
        """The Frontier tab on ``scenario`` (asked from the Safety stock tab)."""
        if scenario:
            self.frontier_view.set_scenario(scenario)
        self.show_view(self.frontier_view)

    def _fit_map(self) -> None:
        self.tabs.setCurrentWidget(self.map_view)
        self.map_view.fit()

    def _zoom_map(self, factor: float) -> None:
        self.tabs.setCurrentWidget(self.map_view)
        self.map_view.view.zoom_by(factor)

    def select_sites(self, site_ids: Sequence[str]) -> None:
        """Select ``site_ids`` on the map and in the Results table (the What-if panel follows)."""
        self._set_selection(list(site_ids), "api")

    def _set_selection(self, site_ids: list[str], source: str) -> None:
        if self._selection_sync:
            return
        self.selected_sites = list(site_ids)
        self.whatif_panel.set_selection(self.selected_sites)
        self._selection_sync = True
        try:
            if source != "map":
                self.map_view.select_sites(self.selected_sites)
            if source != "table":
                self._select_table_rows(self.selected_sites)
        finally:
            self._selection_sync = False

    def _select_table_rows(self, site_ids: list[str]) -> None:
        table = self.results_view.table
        proxy = table.model()
        wanted = set(site_ids)
        selection = QItemSelection()
        last = proxy.columnCount() - 1
        for row in range(proxy.rowCount()):
            index = proxy.index(row, 0)
            if proxy.data(index, SiteIdRole) in wanted:
                selection.select(index, proxy.index(row, last))
        table.selectionModel().select(selection, QItemSelectionModel.SelectionFlag.ClearAndSelect)

    def _on_table_selection(self, *_args: object) -> None:
        if self._selection_sync:
            return
        table = self.results_view.table
        proxy = table.model()
        rows = sorted({i.row() for i in table.selectionModel().selectedRows()})
        ids = [str(proxy.data(proxy.index(r, 0), SiteIdRole)) for r in rows]
        self._set_selection(ids, "table")

    def _on_table_activated(self, index: QModelIndex) -> None:
        site_id = index.data(SiteIdRole)
        if site_id:
            self.show_site_details(str(site_id))

    def show_site_details(self, site_id: str) -> bool:
        """Open the Site panel on ``site_id``."""
        if not self.site_panel.show_site(site_id):
            return False
        self.site_dock.show()
        self.site_dock.raise_()
        return True

    def _close_site_details(self) -> None:
        self.site_panel.clear()
        self.whatif_dock.raise_()

    def _what_if_for_site(self, site_id: str) -> None:
        self.select_sites([site_id])
        self.whatif_dock.show()
        self.whatif_dock.raise_()
        self.whatif_panel.name_edit.setFocus()
