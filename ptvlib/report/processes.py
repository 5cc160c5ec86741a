"""Worker processes of a report run: bounded parallelism, clean interrupts, no orphans.

:func:`run_all` runs one job per worker process, at most *workers* at a time,
forked from the parent (which has papermill and nbconvert imported already).
The rules:

* **Ctrl-C / SIGTERM** in the parent stop the scheduling at once (no new
  notebook starts), send SIGTERM to every running worker — a worker then kills
  its kernel and everything else it started, and exits — wait up to
  :data:`GRACE` seconds, SIGKILL whatever is left (workers and the kernels they
  started), and re-raise the interrupt (:class:`Interrupted` carries the signal).
* **The parent dies** (even by SIGKILL): each worker asked the kernel for
  ``PR_SET_PDEATHSIG`` (Linux, through ctypes) and so receives SIGTERM, and kills
  its kernel as above; elsewhere a watchdog thread polls the parent pid. The
  kernels themselves also exit when their worker disappears (ipykernel's parent
  poller, ``JPY_PARENT_PID``).
* Workers ignore SIGINT (a terminal sends Ctrl-C to the whole process group):
  the parent decides what stops, so a worker never half-handles an interrupt.
* A worker that dies without reporting (killed, out of memory) gives a failed
  result naming its exit code instead of hanging the run.
* The numerical libraries' thread pools share the cores: with *k* workers on
  *c* cores each kernel gets ``max(1, c // k)`` BLAS/OpenMP threads
  (:func:`thread_env`), instead of every kernel starting one thread per core
  and the parallel kernels fighting over them.
"""

from __future__ import annotations

import contextlib
import ctypes
import multiprocessing
import multiprocessing.connection
import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from typing import Any

__all__ = [
    "GRACE",
    "THREAD_VARIABLES",
    "Interrupted",
    "cpu_count",
    "interrupts_raise",
    "run_all",
    "thread_env",
]

#: Seconds a worker gets to stop its kernel after SIGTERM before it is killed.
GRACE = 10.0
#: Environment variables that size the thread pools of OpenBLAS, OpenMP and MKL.
THREAD_VARIABLES: tuple[str, ...] = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")
_PR_SET_PDEATHSIG = 1
_STOP_SIGNALS = tuple(
    s for s in (getattr(signal, "SIGINT", None), getattr(signal, "SIGTERM", None)) if s is not None
)

Job = Any
Result = dict[str, Any]


class Interrupted(KeyboardInterrupt):
    """The run was stopped by a signal (SIGINT = Ctrl-C, SIGTERM, SIGHUP).

    Attributes
    ----------
    signum : int
        The signal; ``ptv`` exits with ``128 + signum`` (130 for Ctrl-C).
    """

    def __init__(self, signum: int = signal.SIGINT) -> None:
        super().__init__(signal.Signals(signum).name)
        self.signum = signum


def cpu_count() -> int:
    """CPU cores this process may use (its affinity mask where the system has one)."""
    if hasattr(os, "sched_getaffinity"):
        return max(1, len(os.sched_getaffinity(0)))
    return max(1, os.cpu_count() or 1)


def thread_env(workers: int, environ: Mapping[str, str] | None = None) -> dict[str, str]:
    """Thread-pool sizes for processes that run *workers* at a time on this machine's cores.

    Each gets ``max(1, cpu_count() // workers)`` threads. On the project's
    2-core machine two kernels with two OpenBLAS threads each are four busy
    threads on two cores; one thread each gives the same numbers (the
    report's ``results.json`` is identical) without the contention. A
    variable already set in *environ* (default ``os.environ``) is the
    user's choice and is left out.

    Parameters
    ----------
    workers : int
        Processes running at the same time (at least 1).
    environ : mapping, optional
        The environment the workers inherit.

    Returns
    -------
    dict
        Variable → value, for the variables of :data:`THREAD_VARIABLES` not yet set.

    Examples
    --------
    >>> thread_env(2, {"OMP_NUM_THREADS": "4"}).keys() == {"OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"}
    True
    """
    env = os.environ if environ is None else environ
    threads = str(max(1, cpu_count() // max(1, workers)))
    return {name: threads for name in THREAD_VARIABLES if name not in env}


@contextlib.contextmanager
def interrupts_raise() -> Iterator[None]:
    """Within the block, SIGINT, SIGTERM and SIGHUP raise :class:`Interrupted` (main thread only)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def handler(signum: int, frame: object) -> None:
        raise Interrupted(signum)

    names = ("SIGINT", "SIGTERM", "SIGHUP")
    sigs = [getattr(signal, n) for n in names if hasattr(signal, n)]
    old = {s: signal.signal(s, handler) for s in sigs}
    try:
        yield
    finally:
        for s, h in old.items():
            signal.signal(s, h)


@contextlib.contextmanager
def _stop_signals_blocked() -> Iterator[None]:
    """Hold SIGINT/SIGTERM while a worker is forked and registered (delivered right after)."""
    if not hasattr(signal, "pthread_sigmask"):  # pragma: no cover - Windows
        yield
        return
    old = signal.pthread_sigmask(signal.SIG_BLOCK, _STOP_SIGNALS)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, old)


def run_all(
    fn: Callable[[Job], Result],
    jobs: Sequence[Job],
    *,
    workers: int,
    env: Mapping[str, str],
    on_done: Callable[[Result], None],
    on_crash: Callable[[Job, int | None, float], Result],
) -> list[Result]:
    """Run ``fn(job)`` for every job in worker processes, at most *workers* at a time.

    Parameters
    ----------
    fn : callable
        Runs in the worker; returns a picklable result.
    jobs : sequence of mapping
        In the order they start.
    workers : int
        Parallel workers (at least 1).
    env : mapping
        Environment variables set in each worker before *fn* runs (kernels inherit them).
    on_done : callable
        Called in the parent with each result, as it arrives.
    on_crash : callable
        ``on_crash(job, exitcode, seconds)`` builds the result of a worker that
        died without reporting.

    Returns
    -------
    list of dict
        Results in the order they finished.

    Raises
    ------
    KeyboardInterrupt
        (or :class:`Interrupted`) after every worker and kernel has been stopped.
    """
    ctx: Any = multiprocessing.get_context("fork" if sys.platform != "win32" else "spawn")
    pending = list(jobs)
    running: dict[Connection, tuple[BaseProcess, Job, float]] = {}
    results: list[Result] = []
    parent = os.getpid()
    try:
        while pending or running:
            while pending and len(running) < max(1, workers):
                job = pending.pop(0)
                recv, send = ctx.Pipe(duplex=False)
                proc = ctx.Process(
                    target=_worker_main, args=(fn, job, send, parent, dict(env)), daemon=False
                )
                with _stop_signals_blocked():
                    proc.start()
                    running[recv] = (proc, job, time.monotonic())
                send.close()
            ready = multiprocessing.connection.wait(list(running), timeout=1.0)
            for conn in ready:
                assert isinstance(conn, Connection)
                proc, job, started = running.pop(conn)
                try:
                    result: Result | None = conn.recv()
                except (EOFError, OSError):
                    result = None
                conn.close()
                proc.join()
                if result is None:
                    result = on_crash(job, proc.exitcode, time.monotonic() - started)
                results.append(result)
                on_done(result)
    except BaseException:
        _stop([proc for proc, _, _ in running.values()])
        for conn in running:
            conn.close()
        raise
    return results


# ------------------------------------------------------------------ workers
def _worker_main(
    fn: Callable[[Job], Result],
    job: Job,
    conn: Connection,
    parent: int,
    env: dict[str, str],
) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, _stop_self)
    if hasattr(signal, "SIGHUP"):
        signal.signal(signal.SIGHUP, _stop_self)
    import psutil  # noqa: F401  (imported now, not inside the signal handler)

    if hasattr(signal, "pthread_sigmask"):
        signal.pthread_sigmask(signal.SIG_UNBLOCK, _STOP_SIGNALS)
    _die_with_parent(parent)
    os.environ.update(env)
    result = fn(job)
    conn.send(result)
    conn.close()


def _stop_self(signum: int, frame: object) -> None:
    """SIGTERM in a worker: kill what it started (the kernel), then exit at once."""
    _kill_tree(os.getpid(), include_root=False)
    os._exit(128 + signum)


def _die_with_parent(parent: int) -> None:
    """Get SIGTERM when the parent dies: prctl on Linux, a watchdog thread elsewhere."""
    armed = False
    if sys.platform.startswith("linux"):
        try:
            libc = ctypes.CDLL(None, use_errno=True)
            armed = libc.prctl(_PR_SET_PDEATHSIG, int(signal.SIGTERM), 0, 0, 0) == 0
        except (OSError, AttributeError):
            armed = False
    if os.getppid() != parent:  # the parent died before we got here
        os.kill(os.getpid(), signal.SIGTERM)
    if not armed:

        def watch() -> None:
            while os.getppid() == parent:
                time.sleep(0.5)
            os.kill(os.getpid(), signal.SIGTERM)

        threading.Thread(target=watch, name="ptv-parent-watchdog", daemon=True).start()


# ------------------------------------------------------------------ stopping
def _kill_tree(pid: int, *, include_root: bool, grace: float = 3.0) -> None:
    """SIGTERM the descendants of *pid* (and *pid*), SIGKILL those alive after *grace* s."""
    import psutil

    try:
        root = psutil.Process(pid)
        procs = root.children(recursive=True)
    except psutil.Error:
        return
    if include_root:
        procs.append(root)
    for p in procs:
        with contextlib.suppress(psutil.Error):
            p.terminate()
    _, alive = psutil.wait_procs(procs, timeout=grace)
    for p in alive:
        with contextlib.suppress(psutil.Error):
            p.kill()


def _stop(procs: list[BaseProcess]) -> None:
    """Stop running workers and everything they started (see the module docs)."""
    import psutil

    tree: list[psutil.Process] = []
    for proc in procs:
        with contextlib.suppress(psutil.Error, ValueError):
            if proc.pid is not None:
                tree.extend(psutil.Process(proc.pid).children(recursive=True))
        with contextlib.suppress(OSError, ValueError):
            proc.terminate()
    deadline = time.monotonic() + GRACE
    for proc in procs:
        proc.join(max(0.0, deadline - time.monotonic()))
        if proc.is_alive():
            proc.kill()
            proc.join(5)
    _, alive = psutil.wait_procs(tree, timeout=1.0)
    for p in alive:  # a kernel whose worker could not stop it
        with contextlib.suppress(psutil.Error):
            p.kill()
    psutil.wait_procs(alive, timeout=5.0)
