"""Where simulations run: this computer, local worker processes, or a Dask cluster.

jitrisk runs on Dask's own scheduler (``dask.distributed``): a
:class:`~distributed.LocalCluster` of worker processes on this machine
(``local[:N]``), or a running scheduler (``tcp://HOST:8786``, ``tls://...``).
Nothing here schedules work itself; it only connects, checks that the workers
run the same code, warms their compiled kernel up, and hands out tasks.

Every task is a pure function of its inputs (a chunk of trials is a function of
network, settings, seed and trial range, see :mod:`jitrisk.engine.runner`), so
a cluster run gives the same numbers, bit for bit, as a local run with the same
seed, and a task lost with a worker is simply run again elsewhere.

``dask[distributed]`` is an optional extra (``pip install 'jitrisk[cluster]'``);
without it local runs work and asking for a cluster says how to install it.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from .._version import __version__
from ..errors import JitriskError
from .run_data import Progress
from .sizing import cpu_count
from .warmup import warm_up
from .where import INSTALL_HINT, ClusterSpec

#: Seconds to wait for a scheduler before saying it cannot be reached.
CONNECT_TIMEOUT = 5.0
#: Libraries whose versions change the numbers; workers must match the client.
MATCHED = ("jitrisk", "numpy", "numba")
#: Dask settings for the scheduler and worker processes jitrisk starts on this
#: computer, where they share the cores with the kernels: every CPU-second their
#: housekeeping takes is one the kernels lose. Off: the statistical profiler (it
#: samples every worker thread's stack every 10 ms, for a dashboard nobody here
#: looks at) and the active memory manager (nothing here spills or retires workers).
#: Less often: the event-loop tick (a check that the loop is responsive, 20 ms by
#: default), the system monitor (500 ms; it feeds the dashboard), the workers' memory
#: monitor (100 ms; it pauses a worker near its limit, and a task's memory is bounded
#: by the chunk sizing).
#: Measured, an idle 2-worker cluster for 10 s: 1.35 CPU-seconds with Dask's
#: defaults, 1.1 with only the profiler off, 0.18 with these; the 2,000-site
#: benchmark's 13 s run: the scheduler and client process 1.24 CPU-seconds down to
#: 0.6-0.75, each worker's event loop 0.4 to 0.18 (benchmarks/bench_cluster.py).
LOCAL_WORKER_CONFIG = {
    "distributed.worker.profile.enabled": False,
    "distributed.scheduler.active-memory-manager.start": False,
    "distributed.admin.tick.interval": "1s",
    "distributed.admin.system-monitor.interval": "5s",
    "distributed.worker.memory.monitor-interval": "1s",
}


@dataclass(frozen=True)
class ClusterInfo:
    """What a connection found: workers, their threads and memory, the dashboard."""

    address: str
    workers: int
    threads: int
    memory_bytes: int
    dashboard: str | None

    def describe(self) -> str:
        mem = self.memory_bytes / 2**30
        dash = f"; dashboard {self.dashboard}" if self.dashboard else ""
        return (
            f"{self.workers} worker{'s' if self.workers != 1 else ''}, "
            f"{self.threads} thread{'s' if self.threads != 1 else ''}, "
            f"{mem:,.1f} GiB memory at {self.address}{dash}"
        )


class Cluster:
    """A connection to a Dask cluster on which jitrisk fans out its simulations.

    Use :meth:`connect` (a context manager closes it; a ``local`` cluster is
    shut down with it). Tasks get the large, shared inputs (a compiled network)
    through :meth:`share`, sent to every worker once per run.
    """

    def __init__(self, client: Any, spec: ClusterSpec, owned: Any = None):
        self.client = client
        self.spec = spec
        self._owned = owned

    # -- connecting ---------------------------------------------------------

    @classmethod
    def connect(
        cls,
        spec: ClusterSpec,
        *,
        timeout: float = CONNECT_TIMEOUT,
        security: Any = None,
        progress: Callable[[Progress], None] | None = None,
        warm: bool = True,
        kernel_threads: int | None = None,
    ) -> Cluster:
        """Start (``local``) or reach (an address) the cluster, check it, warm it up.

        ``kernel_threads`` sets the kernel threads of each local worker (default: its
        share of this computer's cores).

        Raises
        ------
        JitriskError
            Dask is not installed; the scheduler cannot be reached within
            ``timeout`` seconds; the workers run other versions of jitrisk,
            NumPy or numba than this computer (named in the message).
        """
        try:
            import dask
            from distributed import Client, LocalCluster
        except ImportError:
            raise JitriskError(f"running on a cluster needs Dask; {INSTALL_HINT}") from None
        owned = None
        try:
            if spec.is_local:
                n = spec.workers or cpu_count()
                # each worker's kernel gets its share of the cores, not all of them
                threads = str(kernel_threads or max(1, cpu_count() // n))
                with dask.config.set(LOCAL_WORKER_CONFIG):
                    owned = LocalCluster(
                        n_workers=n,
                        threads_per_worker=1,
                        processes=True,
                        host="127.0.0.1",
                        # any free port: the scheduler's HTTP server would else claim 8787
                        dashboard_address=":0",
                        silence_logs=40,
                        env={"NUMBA_NUM_THREADS": threads, "OMP_NUM_THREADS": "1"},
                    )
                client = Client(owned, timeout=f"{timeout}s", set_as_default=False)
            else:
                client = Client(
                    spec.address,
                    timeout=f"{timeout}s",
                    security=security,
                    set_as_default=False,
                )
        except (OSError, TimeoutError, RuntimeError) as exc:
            if owned is not None:
                owned.close()
            if spec.is_local:
                raise JitriskError(f"could not start {spec.label} here: {exc}") from None
            raise JitriskError(
                f"cannot reach the Dask scheduler at {spec.address or 'this computer'} "
                f"within {timeout:g} s ({exc}); is `dask scheduler` running there, and "
                "the port open?"
            ) from None
        self = cls(client, spec, owned)
        try:
            if not spec.is_local:
                self._wait_for_workers(timeout)
            self.check_versions()
            if warm:
                self.warm_up(progress)
        except BaseException:
            self.close()
            raise
        return self

    def _wait_for_workers(self, timeout: float) -> None:
        t0 = time.monotonic()
        while not self.client.scheduler_info(n_workers=-1).get("workers"):
            if time.monotonic() - t0 > timeout:
                raise JitriskError(
                    f"the Dask scheduler at {self.spec.address} has no workers; "
                    "start some with: dask worker " + str(self.spec.address)
                )
            time.sleep(0.1)

    def check_versions(self) -> None:
        """Refuse workers whose jitrisk, NumPy or numba differ from this computer's."""
        here = library_versions()
        for worker, theirs in self.client.run(_worker_versions).items():
            for lib in MATCHED:
                if theirs.get(lib) != here[lib]:
                    raise JitriskError(
                        f"worker {worker} runs {lib} {theirs.get(lib) or '(not installed)'}, "
                        f"this computer {lib} {here[lib]}; install the same version on "
                        "every worker (results must match bit for bit)"
                    )

    def warm_up(self, progress: Callable[[Progress], None] | None = None) -> float:
        """Compile (or load from numba's disk cache) the kernel on every worker.

        Reported as a progress phase, so a first run does not look frozen.
        Returns the seconds taken.
        """
        n = self.info().workers
        t0 = time.perf_counter()
        if progress is not None:
            progress(Progress(0, n, 0.0, phase="warming up the workers"))
        self.client.run(_warm_worker)
        took = time.perf_counter() - t0
        if progress is not None:
            progress(Progress(n, n, took, phase="warming up the workers"))
        return took

    def info(self) -> ClusterInfo:
        """Workers, threads and memory the scheduler knows of now."""
        sched = self.client.scheduler_info(n_workers=-1)
        workers = sched.get("workers", {})
        dashboard = None
        if self._owned is None:
            try:
                dashboard = self.client.dashboard_link
            except Exception:  # a scheduler without its dashboard
                dashboard = None
        return ClusterInfo(
            address=str(sched.get("address", self.spec.address or "")),
            workers=len(workers),
            threads=sum(int(w.get("nthreads", 0)) for w in workers.values()),
            memory_bytes=sum(int(w.get("memory_limit", 0) or 0) for w in workers.values()),
            dashboard=dashboard,
        )

    def threads(self) -> int:
        """Worker threads the cluster has now (what a run's tasks are sized for)."""
        return self.info().threads

    # -- running ------------------------------------------------------------

    def share(self, obj: Any) -> Any:
        """Send ``obj`` to every worker once; pass the returned future to tasks.

        Broadcast (a copy on every worker), so losing a worker loses no input.
        """
        return self.client.scatter([obj], broadcast=True, hash=False)[0]

    def submit(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        """Run ``fn(*args, **kwargs)`` on a worker (checked to run this jitrisk)."""
        return self.client.submit(_checked, __version__, fn, *args, pure=False, **kwargs)

    def map_unordered(
        self,
        fn: Callable[..., Any],
        items: Iterable[tuple[Any, ...]],
        *,
        cancelled: Callable[[], bool] | None = None,
    ) -> Iterator[tuple[int, Any]]:
        """``(i, fn(*items[i]))`` as tasks finish (any order); outstanding tasks are
        cancelled when the caller stops early, fails, or ``cancelled()`` is true."""
        from distributed import as_completed

        futures = [self.submit(fn, *args) for args in items]
        index = {f.key: i for i, f in enumerate(futures)}
        try:
            for fut in as_completed(futures, loop=self.client.loop):
                yield index[fut.key], fut.result()
                if cancelled is not None and cancelled():
                    return
        finally:
            self.cancel(futures)

    def cancel(self, futures: Iterable[Any]) -> None:
        """Cancel what has not run yet; a task already running ends on its own (<1 s)."""
        pending = [f for f in futures if not f.done()]
        if pending:
            self.client.cancel(pending)

    def release(self, *futures: Any) -> None:
        """Drop shared inputs from the workers once a run is over."""
        for f in futures:
            f.release()

    def close(self) -> None:
        try:
            self.client.close(timeout=5)
        finally:
            if self._owned is not None:
                self._owned.close(timeout=10)

    def __enter__(self) -> Cluster:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def library_versions() -> dict[str, str]:
    """The versions of :data:`MATCHED` libraries in this process (run on each worker)."""
    import numba
    import numpy

    return {"jitrisk": __version__, "numpy": numpy.__version__, "numba": numba.__version__}


def _worker_versions() -> dict[str, str]:
    # by reference, so each worker answers with its own installed libraries
    return library_versions()


def _checked(expected: str, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """Run a task on a worker, refusing a worker that joined with another jitrisk."""
    if expected != __version__:
        raise JitriskError(
            f"a worker runs jitrisk {__version__}, the client jitrisk {expected}; "
            "install the same version on every worker"
        )
    _worker_threads()
    _reuse_freed_memory()
    return fn(*args, **kwargs)


def _worker_threads() -> None:
    """Give the kernel the worker's share of numba's threads (one Dask thread: all)."""
    import numba

    try:
        from distributed import get_worker

        dask_threads = int(get_worker().state.nthreads)
    except (ImportError, ValueError, AttributeError):
        dask_threads = 1
    pool = int(numba.config.NUMBA_NUM_THREADS)  # type: ignore[attr-defined]
    # the environment's NUMBA_NUM_THREADS (a local worker's share of the cores) may come
    # after numba was imported in the worker process, which then sized its pool for all
    # cores: the environment decides, the pool caps it
    wanted = os.environ.get("NUMBA_NUM_THREADS", "")
    limit = min(pool, int(wanted)) if wanted.isdigit() and int(wanted) > 0 else pool
    # numba's thread count is per calling thread: set in the task's own thread
    numba.set_num_threads(max(1, limit // max(dask_threads, 1)))


#: glibc's ``mallopt`` parameters (malloc.h)
_M_TRIM_THRESHOLD, _M_MMAP_THRESHOLD = -1, -3
#: what :func:`_reuse_freed_memory` sets: the largest mmap threshold glibc accepts on
#: 64-bit systems (its dynamic threshold's own ceiling), and a trim threshold above it
_MMAP_BYTES, _TRIM_BYTES = 32 * 2**20, 256 * 2**20
_malloc_tuned: bool | None = None  # None: not tried yet in this process


def _reuse_freed_memory() -> bool:
    """Let a worker reuse freed memory for the kernel's workspaces, as a plain process does.

    Dask's nanny starts workers with ``MALLOC_TRIM_THRESHOLD_=65536`` (so freed memory
    goes back to the system at once). Setting it turns off glibc's dynamic mmap
    threshold: every workspace the kernel allocates for a group of trials (tens of MB
    on a 2,000-site network) is then fresh pages from the system, zeroed and faulted in
    again. Measured on that network, 8 trials on one thread: 1.13 s with the setting,
    1.04 s without, 1.04 s with it and the thresholds set here. Only where the setting
    is present (a Dask worker), on glibc, and tried once per process; elsewhere, nothing.
    Returns whether the thresholds were set.
    """
    global _malloc_tuned
    if _malloc_tuned is not None:
        return _malloc_tuned
    _malloc_tuned = False
    if "MALLOC_TRIM_THRESHOLD_" not in os.environ:
        return False
    import ctypes
    import platform

    if platform.libc_ver()[0] != "glibc":
        return False
    try:
        libc = ctypes.CDLL("libc.so.6")
        mmap_set = libc.mallopt(_M_MMAP_THRESHOLD, _MMAP_BYTES) == 1
        _malloc_tuned = libc.mallopt(_M_TRIM_THRESHOLD, _TRIM_BYTES) == 1 and mmap_set
    except (OSError, AttributeError):
        pass
    return _malloc_tuned


def _warm_worker() -> float:
    _reuse_freed_memory()
    return warm_up()
