"""What-if scenarios: run, remove, save into a copy of the workbook, autosave and restore."""

from __future__ import annotations

import logging
import os
from dataclasses import replace
from pathlib import Path

from PySide6.QtWidgets import (
    QFileDialog,
    QMessageBox,
)

from jitrisk.errors import JitriskError
from jitrisk.model.records import Network
from jitrisk.workbook.fileio import refuse_overwrite_input

from ..dialogs.error import show_error_dialog
from ..logic.messages import Errors, Infos, Warnings, plural
from ..logic.scenario_edits import (
    WhatIf,
    add_what_if,
    default_copy_path,
    remove_scenario,
    save_scenarios_copy,
    with_what_ifs,
)
from ..logic.state import Activity
from ..logic.tasks import LoadedWorkbook
from ..session.autosave import (
    AutosaveError,
    saved_at_text,
)
from ..workers.worker import Worker
from .common import (
    _sentence,
)

log = logging.getLogger("ui.main_window")


class WhatIfsMixin:
    """What-if scenarios: run, remove, save into a copy of the workbook, autosave and restore.

    A part of :class:`~ui.main_window.MainWindow`.
    """

    def run_what_if(self, whatif: WhatIf | None = None) -> bool:
        """Add ``whatif`` (default: the What-if panel's) as a scenario and run it."""
        if not isinstance(whatif, WhatIf):
            whatif = self.whatif_panel.what_if()
        if not self.state.can_run or self.session_network is None or self.document is None:
            return False
        try:
            network = add_what_if(self.session_network, whatif)
        except JitriskError as exc:
            self.messages.show_message(Errors.whatif_failed.format(reason=_sentence(exc)))
            return False
        self.messages.clear("whatif_failed")
        name = whatif.name.strip()
        self.whatifs[name] = replace(whatif, name=name)
        self._set_session_network(network)
        self._set_unsaved(True)
        self._autosave_now()
        self.whatif_created.emit(name)
        request = replace(self.run_panel.request(), scenario=name)
        self.run_panel.set_request(request)
        self._after_run_view = self.compare_view if self.runs else None
        return self.start_run(request)

    def remove_what_if(self, name: str) -> bool:
        """Remove the what-if scenario ``name`` and its results."""
        if name not in self.whatifs or self.session_network is None or self.state.busy:
            return False
        self.whatifs.pop(name)
        self._set_session_network(remove_scenario(self.session_network, name))
        self.runs.pop(name, None)
        if self.current_run == name:
            self.current_run = None
            remaining = list(self.runs)
            if remaining:
                self.show_run(remaining[-1])
            else:
                self.results_view.show_empty()
                self.map_view.set_outcome(None)
                self.site_panel.set_context(self.session_network, None)
                self.state = self.state.with_(has_results=False)
        self.map_view.set_runs(self.runs, self.current_run)
        self.safety_view.set_runs(self.runs)
        self.compare_view.set_runs(self.runs)
        self._set_unsaved(bool(self.whatifs))
        self._autosave_now()
        return True

    def _set_session_network(self, network: Network) -> None:
        self.session_network = network
        self.run_panel.set_scenarios(list(network.scenario_names), network)
        for view in self.analysis_views:
            view.set_scenarios(network)  # what-ifs can be analysed like workbook scenarios
        self.whatif_panel.set_network(network)
        self.whatif_panel.set_what_ifs(list(self.whatifs.values()))
        self._apply_state()

    def _set_unsaved(self, unsaved: bool) -> None:
        self._unsaved = unsaved
        self.setWindowModified(unsaved)
        self._apply_state()

    def _confirm_discard(self, doing: str) -> bool:
        """True when unsaved what-ifs may be dropped (the planner is asked if there are some)."""
        if not (self.whatifs and self._unsaved and self.ask_before_discarding):
            return True
        box = QMessageBox(self)
        box.setIcon(QMessageBox.Icon.Question)
        box.setWindowTitle("Unsaved what-if scenarios")
        box.setText(
            f"{plural(len(self.whatifs), 'what-if scenario')} made here "
            "are not saved in a workbook."
        )
        box.setInformativeText(
            f"Save them to a copy of the workbook before you {doing}? The workbook you opened "
            "is never changed."
        )
        save = box.addButton("Save to a copy…", QMessageBox.ButtonRole.AcceptRole)
        box.addButton("Discard", QMessageBox.ButtonRole.DestructiveRole)
        cancel = box.addButton(QMessageBox.StandardButton.Cancel)
        box.setDefaultButton(save)
        box.exec()
        clicked = box.clickedButton()
        if clicked is cancel:
            return False
        if clicked is save:
            return self._save_now()
        self.discard_autosave()
        return True

    def _save_now(self) -> bool:
        """Save the scenarios on the spot (before closing): a file dialog, then write."""
        if self.document is None or self.session_network is None:
            return True
        path = self._ask_copy_path()
        if not path:
            return False
        try:
            save_scenarios_copy(self.session_network, path, self.document.path)
        except JitriskError as exc:
            self.messages.show_message(Errors.save_failed.format(reason=_sentence(exc)))
            return False
        self._set_unsaved(False)
        self.autosave.clear(self.document.path)
        return True

    def _ask_copy_path(self) -> str:
        assert self.document is not None
        default = default_copy_path(self.document.path)
        path, _ = QFileDialog.getSaveFileName(
            self, "Save scenarios to a copy", str(default), "Excel workbook (*.xlsx)"
        )
        return path

    def save_scenarios_dialog(self) -> None:
        """File > Save scenarios to a copy: asks where (default ``<name>-scenarios.xlsx``)."""
        if self.document is not None and self.session_network is not None:
            path = self._ask_copy_path()
            if path:
                self.save_scenarios(path)

    def save_scenarios(self, path: str | os.PathLike[str]) -> bool:
        """Write the workbook with the session's scenarios to ``path``, off the GUI thread.

        Refused (with a message) when ``path`` is the workbook that was opened;
        otherwise :attr:`scenarios_saved` or :attr:`save_failed` follows.
        """
        doc, network = self.document, self.session_network
        if doc is None or network is None or self._save_worker is not None:
            return False
        target = Path(path)
        if target.suffix.lower() != ".xlsx":
            target = target.with_name(target.name + ".xlsx")
        try:
            refuse_overwrite_input(target, doc.path)
        except JitriskError:
            self.messages.show_message(
                Errors.save_refused.format(
                    name=doc.name, suggestion=default_copy_path(doc.path).name
                )
            )
            return False
        for key in ("save_refused", "save_failed"):
            self.messages.clear(key)
        count = len(self.whatifs)
        worker = Worker(lambda _ctx: save_scenarios_copy(network, target, doc.path), "save")
        worker.signals.result.connect(lambda written: self._on_saved(written, doc, count))
        worker.signals.errored.connect(self._on_save_error)
        worker.signals.finished.connect(self._on_save_finished)
        self._save_worker = worker
        self._apply_state()
        self.statusBar().showMessage(f"Saving {target.name}…")
        worker.start(self.pool)
        return True

    def _on_saved(self, path: Path, doc: LoadedWorkbook, count: int) -> None:
        self._set_unsaved(False)
        self.autosave.clear(doc.path)
        self.messages.show_message(
            Infos.scenarios_saved.format(
                name=path.name,
                scenarios=plural(count, "what-if scenario"),
                source=doc.name,
            ),
            actions=[("Open the copy", lambda: self.open_workbook(path))],
        )
        self.statusBar().showMessage(f"Saved {path}", 8000)
        self.scenarios_saved.emit(path)

    def _on_save_error(self, exc: BaseException) -> None:
        self.messages.show_message(Errors.save_failed.format(reason=_sentence(exc)))
        if not isinstance(exc, OSError | JitriskError):
            show_error_dialog(exc, self)
        self.save_failed.emit(exc)

    def _on_save_finished(self) -> None:
        self._save_worker = None
        self._apply_state()

    def _autosave_now(self) -> None:
        """Write the session's what-ifs (and any still offered for restoring) to the
        workbook's autosave, atomically; a failure is a warning, never a stop."""
        if self.document is None:
            return
        items = dict(self.whatifs)
        if self._pending_restore is not None:
            offered = {w.name: w for w in self._pending_restore.whatifs if w.name not in items}
            items = {**offered, **items}
        try:
            self.autosave.write(self.document.path, self._digest, items.values())
        except (JitriskError, OSError) as exc:
            log.warning("autosave of the what-if scenarios failed: %s", exc)
            self.messages.show_message(Warnings.autosave_failed.format(reason=_sentence(exc)))
        else:
            self.messages.clear("autosave_failed")

    def _offer_restore(self, doc: LoadedWorkbook) -> None:
        """When ``doc`` has an autosave, offer to restore it (a message bar, not a dialog)."""
        try:
            saved = self.autosave.read(doc.path)
        except AutosaveError as exc:
            log.warning("ignoring the autosave of %s: %s", doc.path, exc)
            self.autosave.set_aside(doc.path)
            self.messages.show_message(
                Warnings.autosave_unreadable.format(name=doc.name, reason=str(exc))
            )
            return
        if saved is None or not saved.whatifs:
            return
        self._pending_restore = saved
        changed = (
            "; the workbook changed since, so those that no longer apply will be left out"
            if saved.sha256 and self._digest and saved.sha256 != self._digest
            else ""
        )
        when = saved_at_text(saved.saved_at)
        self.messages.show_message(
            Infos.autosave_found.format(
                scenarios=plural(len(saved.whatifs), "what-if scenario"),
                name=doc.name,
                saved_at=when or "autosaved",
                changed=changed,
            ),
            actions=[("Restore", self.restore_autosave), ("Discard", self.discard_autosave)],
        )

    def _offer_latest_autosave(self) -> None:
        """At start: point at the most recent autosave whose workbook still exists."""
        try:
            saved = self.autosave.latest()
        except OSError:
            return
        if saved is None:
            return
        path = Path(saved.workbook)
        self.messages.show_message(
            Infos.autosave_elsewhere.format(
                scenarios=plural(len(saved.whatifs), "what-if scenario"), name=path.name
            ),
            actions=[
                (f"Open {path.name}", lambda: self.open_workbook(path)),
                ("Discard", lambda: self._discard_autosave_of(path)),
            ],
        )

    def _discard_autosave_of(self, path: Path) -> None:
        self.autosave.clear(path)
        self.messages.clear("autosave_elsewhere")

    def restore_autosave(self) -> list[str]:
        """Add the autosaved what-ifs offered for the open workbook; the names restored."""
        saved, self._pending_restore = self._pending_restore, None
        self.messages.clear("autosave_found")
        network = self.session_network
        if saved is None or network is None or self.state.activity is Activity.LOADING:
            return []
        todo = [w for w in saved.whatifs if w.name not in self.whatifs]
        network, dropped = with_what_ifs(network, todo)
        failed = {line.split(":", 1)[0] for line in dropped}
        restored = [w.name for w in todo if w.name not in failed]
        for whatif in todo:
            if whatif.name not in failed:
                self.whatifs[whatif.name] = whatif
        self._set_session_network(network)
        self._set_unsaved(bool(self.whatifs))
        self._autosave_now()
        if dropped:
            self.messages.show_message(Warnings.autosave_partly.format(details="; ".join(dropped)))
        if restored:
            self.statusBar().showMessage(
                f"Restored {plural(len(restored), 'what-if scenario')}", 8000
            )
        self.whatifs_restored.emit(restored)
        return restored

    def discard_autosave(self) -> None:
        """Drop the open workbook's autosave (and the offer to restore it)."""
        self._pending_restore = None
        self.messages.clear("autosave_found")
        if self.document is not None:
            self.autosave.clear(self.document.path)
