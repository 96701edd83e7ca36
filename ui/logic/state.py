"""What the window is doing, as plain data, and which actions that allows. Qt-free.

Like glue's viewer states, :class:`SessionState` is documented data that the
window reads to enable its actions; tests check the rules without a window.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from enum import Enum


class Activity(Enum):
    """The one long task the window may be busy with."""

    IDLE = "idle"
    LOADING = "loading"
    RUNNING = "running"
    CANCELLING = "cancelling"


@dataclass(frozen=True)
class SessionState:
    """The window's situation.

    Attributes
    ----------
    activity : Activity
    has_workbook : bool
        A workbook was opened (valid or not).
    workbook_ok : bool
        It validated without errors, so it can be simulated.
    has_results : bool
        A finished run is on show.
    """

    activity: Activity = Activity.IDLE
    has_workbook: bool = False
    workbook_ok: bool = False
    has_results: bool = False

    def with_(self, **changes: object) -> SessionState:
        return replace(self, **changes)  # type: ignore[arg-type]

    @property
    def busy(self) -> bool:
        return self.activity is not Activity.IDLE

    @property
    def can_open(self) -> bool:
        """Open, New and drag-and-drop: not while a run or a load is under way."""
        return not self.busy

    @property
    def can_reload(self) -> bool:
        return self.has_workbook and not self.busy

    @property
    def can_run(self) -> bool:
        return self.workbook_ok and not self.busy

    @property
    def can_cancel(self) -> bool:
        return self.activity is Activity.RUNNING
