"""Where the window's runs go: the Compute setting, kept between sessions."""

from __future__ import annotations

from PySide6.QtWidgets import QDialog

from ..dialogs.compute import ComputeDialog
from ..logic.compute import ComputeChoice, check_available, session

#: Settings key of the Compute choice (the ``--cluster`` text form).
COMPUTE_KEY = "compute/where"


class ComputeMixin:
    """The Compute dialog and the session's connection. A part of
    :class:`~ui.main_window.MainWindow`."""

    def _restore_compute(self) -> None:
        choice = ComputeChoice.from_text(self.store.text(COMPUTE_KEY, "this"))
        if check_available(choice) is not None:  # e.g. Dask uninstalled since
            choice = ComputeChoice()
        self._apply_compute(choice)

    def _apply_compute(self, choice: ComputeChoice) -> None:
        session().set_choice(choice)
        self.run_panel.set_where(choice.describe())
        self.store.set_text(COMPUTE_KEY, choice.to_text())

    def open_compute_dialog(self) -> bool:
        """Ask where runs go; True when the choice was changed."""
        dialog = ComputeDialog(session().choice, self)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return False
        self._apply_compute(dialog.choice())
        return True

    def _close_compute(self) -> None:
        session().close()  # a local cluster's processes end with the window
