"""Where the application's simulations run: the Compute setting, and its connection.

Three choices, as on the command line (``--cluster``):

* **this computer**: the engine's threads, one per core (the default);
* **local processes**: a Dask ``LocalCluster`` of N worker processes here;
* **scheduler**: a running Dask scheduler (``tcp://HOST:8786``) with its workers.

:class:`ComputeSession` keeps one connection for the whole session, made on
the first run that needs it (off the GUI thread: starting workers and warming
their kernel up takes seconds) and closed when the choice changes or the
window closes. Qt-free: tests reach it without a display.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from jitrisk.engine.cluster import Cluster
from jitrisk.engine.sizing import cpu_count
from jitrisk.engine.where import ClusterSpec, dask_available, parse_cluster
from jitrisk.errors import JitriskError

MODES = ("this", "local", "scheduler")
#: What each choice is called in the dialog.
MODE_LABELS = {
    "this": "This computer (threads)",
    "local": "Local worker processes (Dask)",
    "scheduler": "Dask scheduler",
}


@dataclass(frozen=True)
class ComputeChoice:
    """The Compute setting: ``mode`` in :data:`MODES`, workers for ``local``,
    the address for ``scheduler``."""

    mode: str = "this"
    workers: int = 0
    address: str = ""

    @classmethod
    def from_text(cls, text: str) -> ComputeChoice:
        """From the text the settings keep (the ``--cluster`` form); bad text: this computer."""
        try:
            spec = parse_cluster(text)
        except JitriskError:
            return cls()
        if spec is None:
            return cls()
        if spec.is_local:
            return cls("local", int(spec.workers or cpu_count()))
        return cls("scheduler", address=str(spec.address))

    def to_text(self) -> str:
        """The ``--cluster`` form (``this``, ``local:2``, ``tcp://h:8786``)."""
        if self.mode == "local":
            return f"local:{self.workers or cpu_count()}"
        if self.mode == "scheduler":
            return self.address.strip()
        return "this"

    def spec(self) -> ClusterSpec | None:
        """The cluster to connect to, or None for this computer's threads.

        Raises
        ------
        JitriskError
            An address that is not ``tcp://HOST:PORT`` (or tls://...).
        """
        if self.mode == "scheduler" and not self.address.strip():
            raise JitriskError("give the scheduler's address, e.g. tcp://10.0.0.5:8786")
        return parse_cluster(self.to_text())

    def describe(self) -> str:
        """Where runs go, in a phrase for the Run panel."""
        if self.mode == "local":
            n = self.workers or cpu_count()
            return f"{n} local worker process{'es' if n != 1 else ''} (Dask)"
        if self.mode == "scheduler":
            return f"the Dask cluster at {self.address.strip()}"
        n = cpu_count()
        return f"this computer ({n} core{'s' if n != 1 else ''})"


def check_available(choice: ComputeChoice) -> str | None:
    """Why ``choice`` cannot be used here (Dask missing, a bad address), or None."""
    if choice.mode == "this":
        return None
    if not dask_available():
        return "Dask is not installed: pip install 'jitrisk[cluster]'"
    try:
        choice.spec()
    except JitriskError as exc:
        return str(exc)
    return None


def try_connection(choice: ComputeChoice, progress: Callable[[Any], None] | None = None) -> str:
    """Connect, check versions, warm up, describe the workers and close again.

    Raises :class:`JitriskError` with the reason when the cluster cannot be used.
    """
    spec = choice.spec()
    if spec is None:
        return f"Runs use {choice.describe()}."
    with Cluster.connect(spec, progress=progress) as cluster:
        return f"Connected: {cluster.info().describe()}."


class ComputeSession:
    """The application's one connection, made when a run first needs it.

    Thread-safe: tasks on pool threads ask for :meth:`cluster`; the GUI thread
    changes the choice with :meth:`set_choice` and ends with :meth:`close`.
    """

    def __init__(self, choice: ComputeChoice | None = None) -> None:
        self._choice = choice or ComputeChoice()
        self._cluster: Cluster | None = None
        self._lock = threading.Lock()

    @property
    def choice(self) -> ComputeChoice:
        return self._choice

    def set_choice(self, choice: ComputeChoice) -> None:
        """Use ``choice`` from the next run on (an open connection is closed)."""
        with self._lock:
            if choice == self._choice:
                return
            self._choice = choice
            old, self._cluster = self._cluster, None
        if old is not None:
            old.close()

    def cluster(self, progress: Callable[[Any], None] | None = None) -> Cluster | None:
        """The connected cluster for a run (connecting on first use), or None."""
        with self._lock:
            spec = self._choice.spec()
            if spec is None:
                return None
            if self._cluster is not None and self._cluster.client.status == "running":
                return self._cluster
            if self._cluster is not None:
                self._cluster.close()
            self._cluster = Cluster.connect(spec, progress=progress)
            return self._cluster

    def close(self) -> None:
        with self._lock:
            old, self._cluster = self._cluster, None
        if old is not None:
            old.close()


#: The application's session (one window, one connection); see :func:`session`.
_SESSION = ComputeSession()


def session() -> ComputeSession:
    """The session every task of this application runs through."""
    return _SESSION
