"""Exports of what is on screen: the map as an image, the run as a report."""

from __future__ import annotations

import math
import os
import re
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import (
    QImageReader,
)
from PySide6.QtWidgets import (
    QDialog,
    QFileDialog,
    QProgressDialog,
    QWidget,
)

from jitrisk.engine import Progress
from jitrisk.errors import JitriskError

from ..dialogs.export import ExportReportDialog, file_filter
from ..dialogs.fit_history import HISTORY_FILTER, FitHistoryDialog
from ..logic.formatting import format_duration
from ..logic.messages import Errors, Infos
from ..workers.worker import TaskContext, Worker
from .common import (
    PNG_FILTER,
    _sentence,
)


def report_progress_dialog(parent: QWidget, name: str, worker: Worker) -> QProgressDialog:
    """A progress dialog for a report being written: percentage, time left and Cancel
    (which asks the worker to stop after its current step). Not modal: the planner
    may go on working; it closes when the worker finishes."""
    dialog = QProgressDialog(f"Writing {name}…", "Cancel", 0, 1000, parent)
    dialog.setWindowTitle("Export report")
    dialog.setWindowModality(Qt.WindowModality.NonModal)
    dialog.setMinimumDuration(0)
    dialog.setAutoClose(False)
    dialog.setAutoReset(False)
    dialog.setMinimumWidth(380)
    dialog.canceled.connect(worker.quit)
    dialog.canceled.connect(lambda: dialog.setLabelText(f"Cancelling {name}…"))

    def show(progress: Progress) -> None:
        if dialog.wasCanceled():
            return
        dialog.setValue(int(1000 * min(max(progress.fraction, 0.0), 1.0)))
        left = progress.eta
        when = f" · about {format_duration(left)} left" if math.isfinite(left) else ""
        dialog.setLabelText(f"Writing {name}… {progress.fraction:.0%}{when}")

    worker.signals.progress.connect(lambda p: show(p) if isinstance(p, Progress) else None)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.show()
    return dialog


class ExportsMixin:
    """Exports of what is on screen: the map as an image, the run as a report.

    A part of :class:`~ui.main_window.MainWindow`.
    """

    def export_map_dialog(self) -> None:
        """File > Export map as PNG."""
        if self.session_network is None or self.document is None:
            return
        path = self._ask_export_path("Export map as PNG", "map.png", PNG_FILTER)
        if path:
            self.export_map(path)

    def export_map(self, path: str | os.PathLike[str]) -> Path | None:
        """Write the map with its legend to ``path`` (PNG); None (and a message) on failure."""
        try:
            written = self.map_view.export_png(path)
        except (JitriskError, OSError) as exc:
            self.messages.show_message(Errors.export_failed.format(reason=_sentence(exc)))
            return None
        size = QImageReader(str(written)).size()
        self.messages.show_message(
            Infos.map_exported.format(name=written.name, width=size.width(), height=size.height())
        )
        self.store.set_text("export_dir", str(written.parent))
        return written

    def snapshot_view(self) -> tuple[Path, Path] | None:
        """F12: the view on show as a PNG and as a one-slide PowerPoint deck, named after
        the workbook, the view and the time, in the export folder (else the workbook's).
        The slide's caption names what the view shows (:meth:`PresentationMode.describe`)."""
        from jitrisk.report.snapshot import write_picture_slide

        if self.document is None:
            return None
        view = self.tabs.currentWidget()
        tab = self.tabs.tabText(self.tabs.currentIndex())
        folder = Path(self.store.text("export_dir") or self.document.path.parent)
        stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
        slug = re.sub(r"[^a-z0-9]+", "-", tab.lower()).strip("-") or "view"
        base = folder / f"{self.document.path.stem}-{slug}-{stamp}"
        png, deck = base.with_suffix(".png"), base.with_suffix(".pptx")
        try:
            if not view.grab().save(str(png)):
                raise OSError(f"could not write {png}")
            title = f"{tab}: {self.document.path.name}"
            write_picture_slide(png, title, self.presentation.describe(), deck, self.document.path)
        except (JitriskError, OSError) as exc:
            self.messages.show_message(Errors.snapshot_failed.format(reason=_sentence(exc)))
            return None
        self.messages.show_message(
            Infos.snapshot_saved.format(png=png.name, pptx=deck.name, folder=str(folder))
        )
        if self.presentation.active:
            self.presentation.flash(f"Saved {png.name} and its slide in {folder}")
        return png, deck

    def fit_history_dialog(self, history: str | None = None) -> FitHistoryDialog | None:
        """File > Fit from delivery history…: choose the history, then map, fit and save."""
        network = self.session_network
        if network is None or self.document is None:
            self.messages.show_message(Infos.fit_needs_workbook)
            return None
        if history is None:
            folder = self.store.text("history_dir") or str(self.document.path.parent)
            history, _ = QFileDialog.getOpenFileName(
                self, "Fit from delivery history", folder, HISTORY_FILTER
            )
            if not history:
                return None
        try:
            dialog = FitHistoryDialog(network, self.document.path, history, self)
        except (JitriskError, OSError) as exc:
            self.messages.show_message(Errors.fit_failed.format(reason=_sentence(exc)))
            return None
        self.store.set_text("history_dir", str(Path(history).parent))
        dialog.open_requested.connect(self.open_workbook)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.show()
        return dialog

    def export_report_dialog(self) -> None:
        """File > Export report…: format, scenarios and sections, then the file name."""
        outcome = self.runs.get(self.current_run or "")
        if outcome is None or self.document is None:
            self.messages.show_message(Infos.report_needs_run)
            return
        dialog = ExportReportDialog(self.runs, outcome.request.scenario, self)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return
        choice = dialog.choice()
        name = f"{'-'.join(choice.scenarios)}-report{choice.extension}"
        path = self._ask_export_path("Export report", name, file_filter(choice.extension))
        if path:
            self.export_report(path, choice.scenarios, choice.sections)

    def _ask_export_path(self, caption: str, suffix: str, filters: str) -> str:
        """A save dialog in the last export folder (else the workbook's), offering
        ``<workbook>-<suffix>``; the chosen path, or "" when cancelled."""
        assert self.document is not None
        folder = self.store.text("export_dir") or str(self.document.path.parent)
        start = Path(folder) / f"{self.document.path.stem}-{suffix}"
        path, _ = QFileDialog.getSaveFileName(self, caption, str(start), filters)
        return path

    def export_report(
        self,
        path: str | os.PathLike[str],
        scenarios: Sequence[str] = (),
        sections: frozenset[str] | None = None,
    ) -> Worker | None:
        """Write the report of kept runs (default: the one on show) to ``path`` off the GUI
        thread, with ``sections`` (default: all) added to each; nothing is simulated again."""
        from jitrisk.cli.report import check_report_target
        from jitrisk.report import write_report
        from jitrisk.report.build import SECTIONS, collect_from_results

        outcome = self.runs.get(self.current_run or "")
        network = self.session_network
        if outcome is None or self.document is None or network is None:
            self.messages.show_message(Infos.report_needs_run)
            return None
        if self._report_worker is not None:  # one at a time: each holds a core for a while
            self.messages.show_message(Infos.report_busy.format(name=self._report_name))
            return None
        self._report_name = Path(path).name
        source = self.document.path
        try:
            check_report_target(str(path), str(source))
        except (JitriskError, OSError) as exc:
            self.messages.show_message(Errors.report_failed.format(reason=_sentence(exc)))
            return None
        names = list(scenarios) or [outcome.request.scenario]
        results = [self.runs[n].result for n in names if n in self.runs]
        chosen = SECTIONS if sections is None else sections
        reuse = self._risk_on_screen()

        def task(context: TaskContext) -> Path:
            data = collect_from_results(
                network,
                results,
                context.report,
                context.is_cancel_requested,
                sections=chosen,
                reuse_risk=reuse,
            )
            return write_report(data, path, source)

        worker = Worker(task, "report")
        name = Path(path).name
        dialog = report_progress_dialog(self, name, worker)
        worker.signals.progress.connect(
            lambda p: self.statusBar().showMessage(f"Writing the report… {p.fraction:.0%}")
        )
        worker.signals.result.connect(
            lambda written: self._on_report_written(written, ", ".join(names))
        )
        worker.signals.errored.connect(
            lambda exc: self.messages.show_message(
                Errors.report_failed.format(reason=_sentence(exc))
            )
        )
        worker.signals.cancelled.connect(
            lambda _exc: self.messages.show_message(Infos.report_cancelled.format(name=name))
        )
        worker.signals.finished.connect(self._on_report_finished)
        worker.signals.finished.connect(dialog.close)
        self._report_worker = worker
        self.report_progress = dialog
        self.statusBar().showMessage("Writing the report…")
        worker.start(self.pool)
        return worker

    def _risk_on_screen(self) -> dict[str, dict[str, Any]]:
        """The Risk view's ranking, by scenario, for the report to reuse when it was
        made with the report's settings (:func:`jitrisk.report.build.reusable_risk`)."""
        shown = self.risk_view.outcome
        if shown is None:
            return {}
        return {shown.report.scenario: shown.doc}

    def _on_report_finished(self) -> None:
        self._report_worker = None
        self.statusBar().clearMessage()

    def _on_report_written(self, written: Path, scenario: str) -> None:
        self.messages.show_message(
            Infos.report_written.format(name=written.name, scenario=scenario)
        )
        self.statusBar().showMessage(f"Report written: {written}")
        self.store.set_text("export_dir", str(written.parent))
