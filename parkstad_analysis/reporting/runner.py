"""Running the jobs of a report: papermill in a pool of worker processes, one warm kernel per worker.

The workers come from a fork server that imported the report's stack once
(:mod:`.preload`, started early by :func:`start_fork_server`), and each forks its kernel
from itself (:mod:`.kernel_fork`): the imports are paid once per report, not once per
worker and kernel. Where fork is not available, workers are spawned and kernels launched.
A worker runs one notebook at a time on its kernel (reset between notebooks:
:mod:`.warm_kernel`), turns it into its HTML page (so that pages are made in parallel) and
reports success or the failing cell; the kernel's own log lines go to the run's ``logs/``
folder, not to the terminal.

Interrupts: the workers ignore Ctrl-C and leave it to the command, which on SIGINT or
SIGTERM cancels the queued jobs, stops the running kernels and workers, and raises
:class:`Interrupted`. A worker whose command is killed outright notices within a second,
stops its kernel and exits, so nothing is left running.
"""

from __future__ import annotations

import concurrent.futures as futures
import contextlib
import multiprocessing
import multiprocessing.forkserver
import os
import secrets
import signal
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import psutil

from ..errors import ConfigError, ParkstadError
from .pages import notebook_to_html

if TYPE_CHECKING:
    from .plan import Job

#: Memory one worker with its kernel takes at its peak (measured: about 380 MiB), with room to spare.
JOB_MEMORY = 450 * 2**20


class Interrupted(ParkstadError):
    """The command was interrupted (SIGINT or SIGTERM) while the report ran."""

    def __init__(self, signum: int):
        self.signum = signum
        self.exit_code = 128 + signum
        super().__init__(f"interrupted by {signal.Signals(signum).name}")


@dataclass
class JobResult:
    """Outcome of one job."""

    name: str
    ok: bool
    seconds: float
    error: str = ""
    failed_cell: int | None = None


@dataclass(frozen=True)
class JobPaths:
    """Where one job reads its notebook and writes its outputs."""

    notebook: str
    output: str
    page: str
    figures: str
    tables: str
    log: str
    cwd: str


def job_limit() -> int:
    """The most jobs this machine can run at once: its cores, and the memory available for a kernel each."""
    by_memory = int(psutil.virtual_memory().available // JOB_MEMORY)
    return max(1, min(2 * (os.cpu_count() or 1), by_memory))


def stop_descendants(process: psutil.Process) -> None:
    """Kill every process below ``process`` (kernels, their helpers)."""
    with contextlib.suppress(psutil.Error):
        children = process.children(recursive=True)
        for child in children:
            with contextlib.suppress(psutil.Error):
                child.kill()
        psutil.wait_procs(children, timeout=5)


#: The module the fork server imports before it forks workers.
PRELOAD = "parkstad_analysis.reporting.preload"
#: Workers and kernels are forked where the system can (not on Windows).
FORK = hasattr(os, "fork")


def _context() -> multiprocessing.context.BaseContext:
    """Workers forked from the report's fork server where there is fork; spawned elsewhere (Windows)."""
    if FORK:
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload([PRELOAD])
        return context
    return multiprocessing.get_context("spawn")  # kernels and ZMQ do not survive a plain fork of the command


def start_fork_server() -> None:
    """Start the fork server's imports now, so they run while the command plans the report.

    The server lives as long as the command and ends with it; starting it twice is harmless.
    It gets no terminal: a command that ends before the imports do must not leave its output
    pipe held open (the workers report through their results, the kernels into the run's logs).
    """
    if not FORK:
        return
    _context()
    sys.stdout.flush()
    sys.stderr.flush()
    saved = [os.dup(1), os.dup(2)]
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        for fd in (1, 2):
            os.dup2(devnull, fd)
        multiprocessing.forkserver.ensure_running()
    finally:
        for fd, copy in zip((1, 2), saved, strict=True):
            os.dup2(copy, fd)
            os.close(copy)
        os.close(devnull)


def _gone(command: int, parent: int) -> bool:
    """Whether the command is gone: its pid is free or a zombie, or the process above this one changed."""
    if os.getppid() != parent:
        return True
    try:
        return psutil.Process(command).status() == psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return True


def _watch_command(command: int) -> None:
    """In a worker: when the command that started it is gone, stop the kernel and exit."""
    parent = os.getppid()  # the command itself, or the fork server (which ends with the command)
    while not _gone(command, parent):
        time.sleep(0.5)
    stop_descendants(psutil.Process())
    os._exit(1)


def _worker_init(command: int) -> None:
    """Start of each worker: leave Ctrl-C to the command, follow it when it dies, fork kernels where possible."""
    sys.modules.setdefault("rfc3987_syntax", None)  # see :mod:`.preload` (a spawned worker does not import it)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    from . import warm_kernel

    warm_kernel.fork_kernels = FORK
    threading.Thread(target=_watch_command, args=(command,), daemon=True).start()


def execute(job: dict, paths: JobPaths, env: dict) -> dict:
    """Run one notebook with papermill (in a worker process); report success or the failing cell."""
    os.environ.update(env)
    started = time.perf_counter()
    parameters = {**job["parameters"], "FIGURE_DIR": paths.figures, "TABLE_DIR": paths.tables}
    # the kernel writes its own log lines to the inherited stderr: keep them with the run, not on the terminal
    Path(paths.log).parent.mkdir(exist_ok=True)
    saved_stderr = os.dup(2)
    with open(paths.log, "a") as log:
        os.dup2(log.fileno(), 2)
    try:
        return _run_papermill(job["name"], paths, parameters, started, env)
    finally:
        os.dup2(saved_stderr, 2)
        os.close(saved_stderr)


def _run_papermill(name: str, paths: JobPaths, parameters: dict, started: float, env: dict) -> dict:
    import papermill
    from papermill.iorw import load_notebook_node

    from . import warm_kernel  # here: the worker's initializer runs before these heavy imports

    try:
        kernel, used = warm_kernel.acquire(env, paths.cwd, Path(paths.log).with_name(f"kernel-{os.getpid()}.log"))
        source = load_notebook_node(paths.notebook)
        # written once at the end, also when a cell fails (papermill would rewrite it after every cell)
        executed = papermill.execute_notebook(
            warm_kernel.with_reset(source) if used else source, paths.output, parameters=parameters, cwd=paths.cwd,
            progress_bar=False, log_output=False, kernel_name="python3", km=kernel, engine_name=warm_kernel.ENGINE,
            request_save_on_cell_execute=False, autosave_cell_every=0)
        notebook_to_html(executed, Path(paths.page))
        return {"name": name, "ok": True, "seconds": time.perf_counter() - started}
    except papermill.PapermillExecutionError as exc:
        return {"name": name, "ok": False, "seconds": time.perf_counter() - started,
                "error": f"{exc.ename}: {exc.evalue}", "failed_cell": exc.exec_count}
    except Exception as exc:  # a kernel that died, a notebook that cannot be read: the next job gets a new kernel
        from . import warm_kernel

        warm_kernel.discard()
        return {"name": name, "ok": False, "seconds": time.perf_counter() - started,
                "error": f"{type(exc).__name__}: {exc}"}


@contextlib.contextmanager
def _on_signals(handler: Callable[[int], None]):
    """Call ``handler`` on SIGINT and SIGTERM while the block runs (main thread only: elsewhere Python has none)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = {s: signal.signal(s, lambda signum, _frame: handler(signum)) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for signum, old in previous.items():
            signal.signal(signum, old)


def _stop_pool(pool: futures.ProcessPoolExecutor) -> None:
    """Cancel what is queued and stop every worker with its kernel now."""
    workers = list((getattr(pool, "_processes", None) or {}).values())
    pool.shutdown(wait=False, cancel_futures=True)
    for worker in workers:
        with contextlib.suppress(psutil.Error):
            stop_descendants(psutil.Process(worker.pid))
            worker.kill()


def _collect(done, results: list[JobResult], on_done: Callable[[JobResult], None] | None) -> None:
    """Add the results of finished futures (local or Dask) and tell the caller of each."""
    for finished in done:
        result = JobResult(**finished.result())
        results.append(result)
        if on_done:
            on_done(result)


def run_jobs(jobs: list[tuple[Job, JobPaths]], workers: int, env: dict,
             on_done: Callable[[JobResult], None] | None = None, scheduler: str | None = None) -> list[JobResult]:
    """Run every job in a pool of ``workers`` spawned processes, or on a Dask cluster; results in completion order.

    Parameters
    ----------
    scheduler : str, optional
        The address of a Dask distributed scheduler (``tcp://host:8786``): the jobs run on its
        workers instead of a local pool. Every worker needs this package installed and must
        reach the project folder (data, notebooks, reports) at the same path.

    Raises
    ------
    Interrupted
        On SIGINT or SIGTERM: queued jobs are cancelled and running kernels stopped first.
    """
    if scheduler:
        return _run_on_dask(jobs, env, on_done, scheduler)
    results: list[JobResult] = []
    received: list[int] = []
    pool = futures.ProcessPoolExecutor(max_workers=workers, mp_context=_context(), initializer=_worker_init,
                                       initargs=(os.getpid(),))
    pending: set = set()  # bound before submitting: a failing submit must reach the caller, not a NameError
    with _on_signals(received.append):
        try:
            pending = {pool.submit(execute, asdict(job), paths, env) for job, paths in jobs}
            while pending and not received:
                done, pending = futures.wait(pending, timeout=0.2, return_when=futures.FIRST_COMPLETED)
                _collect(done, results, on_done)
        finally:
            if received or pending:
                _stop_pool(pool)
            else:
                pool.shutdown(wait=True)
    if received:
        raise Interrupted(received[0])
    return results


def _run_on_dask(jobs: list[tuple[Job, JobPaths]], env: dict, on_done: Callable[[JobResult], None] | None,
                 scheduler: str) -> list[JobResult]:
    """The same jobs on a Dask distributed cluster (``pip install 'parkstad-analysis[cluster]'``)."""
    try:
        from distributed import Client
        from distributed import wait as dask_wait
    except ImportError:
        raise ConfigError("--scheduler needs dask.distributed: pip install 'parkstad-analysis[cluster]'") from None
    results: list[JobResult] = []
    received: list[int] = []
    try:
        client = Client(scheduler, timeout=30)
    except OSError as exc:
        raise ConfigError(f"--scheduler {scheduler}: no Dask scheduler answers there ({exc})") from None
    with client, _on_signals(received.append):
        pending = {client.submit(execute, asdict(job), paths, env, pure=False, key=f"parkstad-{job.name}-{secrets.token_hex(6)}")
                   for job, paths in jobs}
        try:
            while pending and not received:
                try:
                    done, pending = dask_wait(pending, timeout=0.5, return_when="FIRST_COMPLETED")
                except TimeoutError:  # nothing finished yet: look at the signals again
                    continue
                _collect(done, results, on_done)
        finally:
            if pending:
                client.cancel(list(pending), force=True)
    if received:
        raise Interrupted(received[0])
    return results
