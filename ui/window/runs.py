"""Running simulations: start, progress, cancel, results, one scenario or all."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from PySide6.QtCore import (
    QTimer,
)

from jitrisk.engine import Progress
from jitrisk.errors import JitriskError, SimulationCancelled

from ..dialogs.error import show_error_dialog
from ..logic.messages import Errors, Infos
from ..logic.state import Activity
from ..logic.tasks import RunOutcome, RunRequest
from ..workers.worker import Worker, simulation_task
from .common import (
    POLL_MS,
    RESULTS_WAIT_MS,
)


class RunsMixin:
    """Running simulations: start, progress, cancel, results, one scenario or all.

    A part of :class:`~ui.main_window.MainWindow`.
    """

    def start_run(self, request: RunRequest | None = None) -> bool:
        """Run ``request`` (default: the Run panel's) off the GUI thread; False if refused."""
        if not isinstance(request, RunRequest):
            request = self.run_panel.request()
        network = self.session_network
        if not self.state.can_run or self.document is None or network is None:
            return False
        worker = Worker(simulation_task(network, request, self.document.name), "simulate")
        worker.signals.progress.connect(self._on_run_progress)
        worker.signals.result.connect(self._on_run_result)
        worker.signals.errored.connect(self._on_run_error)
        worker.signals.cancelled.connect(self._on_run_cancelled)
        worker.signals.finished.connect(self._on_run_finished)
        self._run_worker = worker
        self._last_run_ok = False
        self.store.save_run_settings(self.document.path, request)
        for key in ("run_failed", "run_cancelled"):
            self.messages.clear(key)
        self._set_activity(Activity.RUNNING)
        self.run_panel.set_running(True)
        self.statusBar().showMessage(f"Running {request.describe()}…")
        worker.start(self.pool)
        return True

    def cancel_run(self) -> bool:
        """Ask the running simulation to stop after its current chunk (Esc)."""
        if self._run_worker is None or not self.state.can_cancel:
            return False
        self._run_worker.quit()
        self._set_activity(Activity.CANCELLING)
        self.run_panel.show_cancelling()
        return True

    def _on_run_progress(self, progress: Progress) -> None:
        if self._run_worker is not None and self.state.activity is Activity.RUNNING:
            self.run_panel.show_progress(progress)

    def _on_run_result(self, outcome: RunOutcome) -> None:
        name = outcome.request.scenario
        self.runs[name] = outcome
        self.current_run = name
        self._last_run_ok = True
        self.results_view.set_outcome(outcome)
        self.safety_view.set_runs(self.runs)
        self.state = self.state.with_(has_results=True)
        if not self._batch:  # a batch (Run all scenarios) opens the Compare view at its end
            self._open_view_after_run()
        self.run_panel.show_elapsed(outcome.result.trials, outcome.elapsed)
        self.statusBar().showMessage(f"Finished {outcome.request.describe()}", 8000)
        # the map and Compare follow once the Results view has drawn its charts, each in
        # its own event-loop turn, so no turn holds the window for long
        self._after_results_drawn(lambda: self._show_outcome_in_map(outcome))
        self.run_finished.emit(outcome)

    def _after_results_drawn(self, then: Callable[[], object], waited_ms: int = 0) -> None:
        if not self.results_view.charts_drawn() and waited_ms < RESULTS_WAIT_MS:
            QTimer.singleShot(
                POLL_MS, self, lambda: self._after_results_drawn(then, waited_ms + POLL_MS)
            )
        else:
            QTimer.singleShot(0, self, then)

    def _open_view_after_run(self) -> None:
        """Results, unless the planner watches the map or the comparison (or a what-if ran)."""
        target = self._after_run_view
        self._after_run_view = None
        if target is None and self.tabs.currentWidget() not in (self.map_view, self.compare_view):
            target = self.results_view
        if target is self.compare_view and len(self.runs) < 2:
            target = self.results_view
        if target is not None and not self.presentation.active:
            self.tabs.setCurrentWidget(target)

    def _show_outcome_in_map(self, outcome: RunOutcome) -> None:
        """After a run: the map and the site panel, then (next turn) the Compare view."""
        current = self.current_run == outcome.request.scenario
        if current and self.runs.get(outcome.request.scenario) is outcome:
            self.map_view.set_outcome(outcome)
            self.map_view.set_runs(self.runs, self.current_run)
            self.site_panel.set_context(self.session_network, outcome)
            self.presentation.update_caption()
        QTimer.singleShot(0, self, lambda: self.compare_view.set_runs(self.runs))

    def show_run(self, name: str) -> bool:
        """Show the kept results of scenario ``name`` in every view; False if it has none."""
        outcome = self.runs.get(name)
        if outcome is None:
            return False
        self.current_run = name
        self.results_view.set_outcome(outcome)
        self.map_view.set_outcome(outcome)
        self.map_view.set_runs(self.runs, name)
        self.site_panel.set_context(self.session_network, outcome)
        self.presentation.update_caption()
        return True

    def run_all_scenarios(self) -> bool:
        """Run every scenario, one after the other, with the Run panel's settings.

        The same seed, horizon and trials make the differences in the Compare
        view paired (common random numbers). The Compare view opens at the end.
        """
        network = self.session_network
        if not self.state.can_run or network is None:
            return False
        base = self.run_panel.request()
        requests = [replace(base, scenario=name) for name in network.scenario_names]
        self._batch = requests[1:]
        self._batch_total = len(requests)
        self.run_panel.set_batch(1, self._batch_total, requests[0].scenario)
        if not self.start_run(requests[0]):
            self._batch, self._batch_total = [], 0
            self.run_panel.set_batch(0, 0, "")
            return False
        return True

    def _on_run_error(self, exc: BaseException) -> None:
        if isinstance(exc, JitriskError):
            reason = str(exc).rstrip(".") + "."
        else:
            reason = f"An unexpected error stopped it ({type(exc).__name__})."
            show_error_dialog(exc, self)
        self.messages.show_message(Errors.run_failed.format(reason=reason[0].upper() + reason[1:]))
        self.run_panel.show_finished("The last run failed; see the message above.", False)
        self.run_failed.emit(exc)

    def _on_run_cancelled(self, exc: SimulationCancelled) -> None:
        detail = str(exc) or "cancelled"
        detail = detail[0].upper() + detail[1:]
        self.messages.show_message(Infos.run_cancelled.format(detail=detail))
        self.run_panel.show_finished(f"{detail}.", False)
        self.statusBar().showMessage(detail, 8000)
        self.run_cancelled.emit(exc)

    def _on_run_finished(self) -> None:
        self._run_worker = None
        if self.run_panel.is_running():
            self.run_panel.show_finished("")
        self._set_activity(Activity.IDLE)
        if self._batch and self._last_run_ok:
            request = self._batch.pop(0)
            position = self._batch_total - len(self._batch)
            self.run_panel.set_batch(position, self._batch_total, request.scenario)
            if self.start_run(request):
                return
        if self._batch_total > 1:
            if self._last_run_ok and len(self.runs) > 1 and not self.presentation.active:
                self.tabs.setCurrentWidget(self.compare_view)
            self.run_panel.set_batch(0, 0, "")
        self._batch, self._batch_total = [], 0
        self.became_idle.emit()
