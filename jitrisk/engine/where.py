"""Where the user says simulations run: ``--cluster`` text, ``JITRISK_CLUSTER``.

``local`` or ``local:N`` (worker processes on this computer) or a scheduler
address (``tcp://HOST:PORT``, ``tls://...``); empty or ``this`` for this
computer's threads. Connecting is :mod:`jitrisk.engine.cluster`'s job; this
module only reads and checks what was asked for, so the command line can do that
before any work starts.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from ..errors import JitriskError
from .sizing import cpu_count

#: Environment variable holding the default of ``--cluster``.
CLUSTER_ENV = "JITRISK_CLUSTER"
INSTALL_HINT = "install it with: pip install 'jitrisk[cluster]'"


@dataclass(frozen=True)
class ClusterSpec:
    """Where to run: ``local`` worker processes (``workers`` of them) or a scheduler."""

    address: str | None = None
    workers: int | None = None

    @property
    def is_local(self) -> bool:
        return self.address is None

    @property
    def label(self) -> str:
        if self.address:
            return f"Dask scheduler {self.address}"
        return f"{self.workers} local worker process{'es' if self.workers != 1 else ''}"


def parse_cluster(text: str | None) -> ClusterSpec | None:
    """``--cluster`` text as a :class:`ClusterSpec`; None for this computer's threads.

    Accepted: empty, ``none`` or ``this`` (threads here), ``local`` (one worker
    process per core), ``local:N``, and scheduler addresses ``tcp://HOST:PORT``,
    ``tls://HOST:PORT``, ``ws://``/``wss://`` (Dask's comm protocols).
    """
    t = (text or "").strip()
    if t.lower() in ("", "none", "this"):
        return None
    if t.lower() == "local":
        return ClusterSpec(workers=cpu_count())
    if t.lower().startswith("local:"):
        n = t[6:]
        if not n.isdigit() or int(n) < 1:
            raise JitriskError(f"cluster '{t}': local:N needs a number of workers >= 1")
        return ClusterSpec(workers=int(n))
    scheme, sep, rest = t.partition("://")
    if sep and scheme.lower() in ("tcp", "tls", "ws", "wss") and rest:
        host, colon, port = rest.rpartition(":")
        if not colon or not host or not port.isdigit():
            raise JitriskError(f"cluster '{t}': give the scheduler as {scheme}://HOST:PORT")
        return ClusterSpec(address=t)
    raise JitriskError(
        f"cluster '{t}' is not understood; give local, local:N or a scheduler address "
        "tcp://HOST:PORT (tls:// with certificates)"
    )


def default_cluster() -> ClusterSpec | None:
    """The cluster named by :data:`CLUSTER_ENV`, or None (this computer)."""
    return parse_cluster(os.environ.get(CLUSTER_ENV))


def dask_available() -> bool:
    try:
        import distributed  # noqa: F401
    except ImportError:
        return False
    return True
