"""Check that the installed Qt binding keeps Python's reference counts.

PySide6 6.12.0 on CPython 3.11 takes one reference to ``True`` on every signal
emission and one to ``None`` on every call of a Python override of a virtual
method (a ``paintEvent``, a ``QRunnable.run``) without having added it. CPython
3.12 made these objects immortal, so nothing shows there; on 3.11 the counts
run down to zero after a few thousand emissions or repaints and the
interpreter aborts (``Fatal Python error: none_dealloc`` or ``bool_dealloc``),
wherever it happens to be. ``pyproject.toml`` keeps such releases out; this
check tells a planner whose environment has one anyway, before any work is lost.
"""

from __future__ import annotations

import sys

from PySide6 import __version__ as PYSIDE_VERSION
from PySide6.QtCore import QCoreApplication, QEvent, QObject, Signal

#: Emissions and override calls the check makes: few enough to be harmless.
PROBES = 32


class _Probe(QObject):
    ping = Signal(object)

    def __init__(self) -> None:
        super().__init__()
        self.calls = 0
        self.ping.connect(self._slot)

    def _slot(self, _value: object) -> None:
        self.calls += 1

    def customEvent(self, event: QEvent) -> None:  # a void virtual, called from C++
        self.calls += 1


def refcount_drift() -> dict[str, int]:
    """How the counts of ``None``, ``True`` and ``False`` change over :data:`PROBES` calls.

    Needs a QCoreApplication. A sound binding gives zeros (or a reference or
    two more, kept by a cache); a negative count is the fault.
    """
    if QCoreApplication.instance() is None:
        raise RuntimeError("the check needs a QApplication")
    probe = _Probe()
    for i in range(4):  # first calls fill caches, which holds references of their own
        probe.ping.emit(i)
        QCoreApplication.sendEvent(probe, QEvent(QEvent.Type.User))
    singletons = {"None": None, "True": True, "False": False}
    before = {k: sys.getrefcount(v) for k, v in singletons.items()}
    for i in range(PROBES):
        probe.ping.emit(i)
        QCoreApplication.sendEvent(probe, QEvent(QEvent.Type.User))
    after = {k: sys.getrefcount(v) for k, v in singletons.items()}
    return {k: after[k] - before[k] for k in singletons}


def binding_fault() -> str | None:
    """A sentence naming the fault, or None when the installed PySide6 is sound."""
    drift = refcount_drift()
    lost = {k: -v for k, v in drift.items() if v < 0}
    if not lost:
        return None
    what = ", ".join(f"{k} ({n} in {PROBES} calls)" for k, n in lost.items())
    return (
        f"PySide6 {PYSIDE_VERSION} on Python {sys.version.split()[0]} loses references to "
        f"{what}; the app would crash after a few minutes. Install a release jitrisk "
        f"supports (make run does: pyproject.toml lists them)."
    )
