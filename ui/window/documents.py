"""Opening, reloading and creating workbooks; recent files; changes on disk; drag and drop."""

from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path

from PySide6.QtCore import (
    Qt,
    QTimer,
    QUrl,
)
from PySide6.QtGui import (
    QDesktopServices,
    QDragEnterEvent,
    QDropEvent,
)
from PySide6.QtWidgets import (
    QFileDialog,
)

from jitrisk.errors import JitriskError
from jitrisk.workbook.template import write_template

from ..dialogs.error import show_error_dialog
from ..logic.messages import Errors, Infos, Warnings, plural
from ..logic.scenario_edits import (
    with_what_ifs,
)
from ..logic.state import Activity
from ..logic.tasks import LoadedWorkbook, is_workbook_path
from ..session.autosave import (
    file_digest,
)
from ..workers.worker import Worker, load_task
from .common import (
    APP_TITLE,
    FILE_FILTER,
)


class DocumentsMixin:
    """Opening, reloading and creating workbooks; recent files; changes on disk; drag and drop.

    A part of :class:`~ui.main_window.MainWindow`.
    """

    def open_dialog(self) -> None:
        start = str(self.settings.value("last_dir", str(Path.home())))
        path, _ = QFileDialog.getOpenFileName(self, "Open workbook", start, FILE_FILTER)
        if path:
            self.open_workbook(path)

    def open_workbook(self, path: str | os.PathLike[str]) -> bool:
        """Start reading ``path`` off the GUI thread; False when refused at once.

        :attr:`workbook_loaded` is emitted with the :class:`LoadedWorkbook`
        when reading finishes, valid or not.
        """
        p = Path(path)
        if not self.state.can_open:
            doing = (
                "A workbook is being read"
                if self.state.activity is Activity.LOADING
                else "A simulation is running"
            )
            self.messages.show_message(Warnings.busy.format(doing=doing, action=f"open {p.name}"))
            return False
        if not is_workbook_path(p):
            self.messages.show_message(Errors.not_a_workbook.format(name=p.name))
            return False
        if not p.exists():
            self.messages.show_message(Errors.file_missing.format(name=p.name))
            self.recent.remove(p)
            return False
        another = self.document is None or self.document.path != p
        if another and not self._confirm_discard(f"open {p.name}"):
            return False
        self._reloading = self.document is not None and self.document.path == p
        self._loading_path = p
        self.settings.setValue("last_dir", str(p.parent))
        worker = Worker(load_task(p), "load")
        worker.signals.result.connect(self._on_loaded)
        worker.signals.errored.connect(self._on_load_error)
        worker.signals.finished.connect(self._on_load_finished)
        self._load_worker = worker
        self._set_activity(Activity.LOADING)
        self.statusBar().showMessage(f"Reading {p.name}…")
        worker.start(self.pool)
        return True

    def reload(self) -> bool:
        """Read the open workbook again (F5)."""
        if self.document is None:
            return False
        self.watcher.acknowledge()
        return self.open_workbook(self.document.path)

    def _on_loaded(self, doc: LoadedWorkbook) -> None:
        stale = self._reloading and self.results_view.has_results()
        if not self._reloading:  # another workbook: nothing of the previous one applies
            self.runs, self.current_run, self.whatifs = {}, None, {}
            self._set_unsaved(False)
            self.site_panel.clear()
        self.document = doc
        self._digest = file_digest(doc.path)
        self.state = self.state.with_(has_workbook=True, workbook_ok=doc.ok)
        self.setWindowTitle(f"{doc.name}[*] — {APP_TITLE}")
        self.setWindowFilePath(str(doc.path))
        self.recent.add(doc.path)
        self.watcher.watch(doc.path)
        for key in (
            "workbook_invalid",
            "workbook_warnings",
            "file_changed",
            "file_missing",
            "open_failed",
            "not_a_workbook",
            "run_failed",
            "run_cancelled",
            "template_failed",
            "whatif_failed",
            "whatifs_dropped",
            "save_refused",
            "save_failed",
            "export_failed",
            "autosave_elsewhere",
            "autosave_found",
            "autosave_partly",
            "autosave_unreadable",
        ):
            self.messages.clear(key)
        if not self._reloading:
            self._pending_restore = None
            # another workbook: nothing said of the last one applies (the note that this
            # one was just written from the template is about it)
            self.messages.clear_all(keep=("template_written",))
        network = doc.network
        if network is not None and self.whatifs:  # a reload keeps the what-ifs that still apply
            network, dropped = with_what_ifs(network, self.whatifs.values())
            if dropped:
                for line in dropped:
                    self.whatifs.pop(line.split(":", 1)[0], None)
                self.messages.show_message(
                    Warnings.whatifs_dropped.format(details="; ".join(dropped))
                )
            self._autosave_now()  # the workbook's new digest, without the dropped ones
        self.session_network = network
        self.summary_view.set_workbook(doc)
        self.problems_dock.set_problems(doc.report.problems, doc.outline)
        self.run_panel.set_network(network)
        self._restore_run_settings(doc)
        self.map_view.set_network(network, doc.name)
        self.whatif_panel.set_network(network)
        self.whatif_panel.set_what_ifs(list(self.whatifs.values()))
        self.selected_sites = []
        self.whatif_panel.set_selection([])
        errors, warnings = len(doc.report.errors), len(doc.report.warnings)
        self.problems_dock.setVisible(bool(doc.report.problems))
        # after the dock is laid out again: a larger share when there is something to fix
        share = 0.42 if errors else 0.24
        QTimer.singleShot(0, lambda: self._resize_problems_dock(share))
        if errors:
            self.messages.show_message(
                Errors.workbook_invalid.format(name=doc.name, errors=plural(errors, "error"))
            )
            self.problems_dock.show()
            self.problems_dock.raise_()
            self.workbook_status.setText(f"{doc.name}: {plural(errors, 'error')}")
        else:
            if warnings:
                self.messages.show_message(
                    Warnings.workbook_warnings.format(
                        name=doc.name, warnings=plural(warnings, "warning")
                    )
                )
            sites = len(doc.network.sites) if doc.network is not None else 0
            self.workbook_status.setText(f"{doc.name}: {plural(sites, 'site')}, valid")
        if stale:
            self.results_view.set_stale(True)
        elif not self._reloading:
            self.results_view.show_empty()
            self.state = self.state.with_(has_results=False)
            self.tabs.setCurrentWidget(self.summary_view)
        shown = self.runs.get(self.current_run or "")
        self.map_view.set_outcome(shown)
        self.map_view.set_runs(self.runs, self.current_run)
        self.safety_view.set_runs(self.runs)
        self.site_panel.set_context(network, shown)
        self.compare_view.set_runs(self.runs)
        self.statusBar().showMessage(f"Opened {doc.name}", 5000)
        if not self._reloading and network is not None:
            self._offer_restore(doc)
        self.workbook_loaded.emit(doc)

    def _resize_problems_dock(self, share: float) -> None:
        if self.problems_dock.isVisible():
            height = int(self.height() * share)
            self.resizeDocks([self.problems_dock], [height], Qt.Orientation.Vertical)

    def _on_load_error(self, exc: BaseException) -> None:
        name = self._loading_path.name if self._loading_path else "The workbook"
        self.messages.show_message(Errors.open_failed.format(name=name, reason=str(exc)))
        if not isinstance(exc, OSError | JitriskError):
            show_error_dialog(exc, self)

    def _on_load_finished(self) -> None:
        self._load_worker = None
        self._set_activity(Activity.IDLE)
        self.became_idle.emit()

    def new_from_template_dialog(self) -> None:
        start = Path(str(self.settings.value("last_dir", str(Path.home())))) / "network.xlsx"
        path, _ = QFileDialog.getSaveFileName(
            self, "New workbook from template", str(start), "Excel workbook (*.xlsx)"
        )
        if path:
            self.create_from_template(path)

    def create_from_template(self, path: str | os.PathLike[str]) -> bool:
        """Write the empty template to ``path`` and open it."""
        p = Path(path)
        if p.suffix.lower() != ".xlsx":
            p = p.with_name(p.name + ".xlsx")
        try:
            write_template(p)
        except (JitriskError, OSError) as exc:
            self.messages.show_message(Errors.template_failed.format(reason=str(exc)))
            return False
        opened = self.open_workbook(p)
        self.messages.show_message(Infos.template_written.format(name=p.name))
        return opened

    def open_external(self) -> None:
        if self.document is not None:
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(self.document.path)))

    def _fill_recent_menu(self) -> None:
        self.recent_menu.clear()
        paths = self.recent.paths()
        for path in paths:
            action = self.recent_menu.addAction(Path(path).name)
            action.setToolTip(path)
            action.setStatusTip(path)
            action.triggered.connect(lambda _checked=False, p=path: self.open_workbook(p))
        if not paths:
            empty = self.recent_menu.addAction("No recent workbooks")
            empty.setEnabled(False)
        self.recent_menu.addSeparator()
        self.recent_menu.addAction(self._actions["clear_recent"])
        self._actions["clear_recent"].setEnabled(bool(paths))

    def _clear_recent(self) -> None:
        self.recent.clear()
        self._fill_recent_menu()

    def _on_file_changed(self, path: str) -> None:
        if self.document is None or Path(path) != self.document.path:
            return
        self.messages.show_message(
            Infos.file_changed.format(name=self.document.name),
            actions=[("Reload", self._reload_now), ("Ignore", self._ignore_file_change)],
        )

    def _reload_now(self) -> None:
        self.reload()

    def _ignore_file_change(self) -> None:
        self.watcher.acknowledge()
        self.messages.clear("file_changed")

    def _on_file_removed(self, path: str) -> None:
        self.messages.show_message(Errors.file_missing.format(name=Path(path).name))

    @staticmethod
    def _dropped_paths(event: QDragEnterEvent | QDropEvent) -> list[Path]:
        mime = event.mimeData()
        if not mime.hasUrls():
            return []
        return [Path(u.toLocalFile()) for u in mime.urls() if u.isLocalFile()]

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if any(is_workbook_path(p) for p in self._dropped_paths(event)):
            event.acceptProposedAction()
        else:
            event.ignore()

    def dropEvent(self, event: QDropEvent) -> None:
        paths = self._dropped_paths(event)
        books = [p for p in paths if is_workbook_path(p)]
        if books:
            event.acceptProposedAction()
            self.open_workbook(books[0])
        elif paths:
            self.messages.show_message(Warnings.dropped_files.format(name=paths[0].name))

    def _restore_run_settings(self, doc: LoadedWorkbook) -> None:
        """The run settings this workbook was last run (or closed) with, if any."""
        network = self.session_network
        remembered = self.store.run_settings(doc.path)
        if network is None or remembered is None:
            return
        if remembered.scenario not in network.scenario_names:
            remembered = replace(remembered, scenario=self.run_panel.request().scenario)
        self.run_panel.set_request(remembered)
