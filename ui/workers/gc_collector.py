"""Run Python's cyclic garbage collector on the GUI thread only.

CPython starts a collection on whichever thread happens to allocate when the
generation counts pass their thresholds, and frees whatever unreachable
cycles it finds *there*. A cycle that holds a Qt wrapper (a widget and the
lambda connected to its signal, a worker and its signal holder) may then be
freed on a pool thread, which destroys the QObject off the thread that owns
it. The usual remedy for Qt applications in Python (pyqtgraph's
``util/garbage_collector.py``; F. Zadrozny, *Should Python garbage collector
be called manually?*, 2014) is to switch automatic collection off and run it
from a timer on the GUI thread with the same thresholds, which is what
:class:`GuiThreadCollector` does.
"""

from __future__ import annotations

import gc
import threading

from PySide6.QtCore import QObject, QTimer

#: How often the collector looks at the generation counts.
INTERVAL_MS = 100


class _Switch:
    """Process-wide: how many collectors run, and whether collection was on before."""

    lock = threading.Lock()
    running = 0
    was_enabled = True

    @classmethod
    def acquire(cls) -> None:
        with cls.lock:
            if cls.running == 0:
                cls.was_enabled = gc.isenabled()
            cls.running += 1
            gc.disable()

    @classmethod
    def release(cls, token: dict[str, bool]) -> None:
        with cls.lock:
            if not token["running"]:
                return
            token["running"] = False
            cls.running -= 1
            if cls.running == 0 and cls.was_enabled:
                gc.enable()


class GuiThreadCollector(QObject):
    """Disables automatic collection while started; collects on a GUI-thread timer.

    Several may be started (one per window); automatic collection comes back
    when the last one stops or is destroyed, if it was on before the first
    started.
    """

    def __init__(self, parent: QObject | None = None, interval_ms: int = INTERVAL_MS) -> None:
        super().__init__(parent)
        self._timer = QTimer(self)
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(self.check)
        # shared with the destroyed handler, which must not hold self
        token = self._token = {"running": False}
        self.destroyed.connect(lambda *_: _Switch.release(token))
        #: Collections this object ran, by generation (tests and diagnostics).
        self.collections = [0, 0, 0]

    def start(self) -> None:
        if self._token["running"]:
            return
        _Switch.acquire()
        self._token["running"] = True
        self._timer.start()

    def stop(self) -> None:
        if not self._token["running"]:
            return
        self._timer.stop()
        _Switch.release(self._token)
        gc.collect()

    @property
    def running(self) -> bool:
        return self._token["running"]

    def check(self) -> None:
        """Collect the oldest generation whose count passed its threshold, as CPython would."""
        counts = gc.get_count()
        thresholds = gc.get_threshold()
        generation = -1
        for g in range(3):
            if thresholds[g] and counts[g] > thresholds[g]:
                generation = g
        if generation >= 0:
            gc.collect(generation)
            self.collections[generation] += 1
