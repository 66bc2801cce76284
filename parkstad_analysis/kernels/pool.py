"""Running notebook tasks: papermill in a pool of worker processes (or on a Dask cluster), one warm kernel per
worker.

The caller says what the workers and kernels load (:class:`KernelSetup`: a module for the fork
server to import, the modules a kernel imports before its first notebook) and what a worker does
with an executed notebook (``after``: a report writes its page there, so pages are made in
parallel). Nothing here knows what the notebooks are about.

Where the system can fork, the workers come from a fork server that imported the caller's
preload module once, and each forks its kernel from itself (:mod:`.fork`): the imports are paid
once per run, not once per worker and kernel. Elsewhere (Windows) workers are spawned and
kernels launched. A worker runs one notebook at a time on its kernel, reset between notebooks
(:mod:`.warm`), and reports success or the failing cell; a kernel's own log lines go to the
task's log file, not to the terminal.

Interrupts: the workers ignore Ctrl-C and leave it to the command, which on SIGINT or SIGTERM
cancels the queued tasks, stops the running kernels and workers, and raises
:class:`Interrupted`. A worker whose command is killed outright notices within a second, stops
its kernel and exits, so nothing is left running.
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
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psutil

from ..errors import ConfigError, ParkstadError, RunFailed

#: Memory one worker with its kernel takes at its peak, with room to spare (``make benchmark`` measures it).
JOB_MEMORY = 450 * 2**20


class Interrupted(ParkstadError):
    """The command was interrupted (SIGINT or SIGTERM) while the notebooks ran."""

    def __init__(self, signum: int):
        self.signum = signum
        self.exit_code = 128 + signum
        super().__init__(f"interrupted by {signal.Signals(signum).name}")


@dataclass
class TaskResult:
    """Outcome of one task: ``ok``, or the error and the number of the failing cell."""

    name: str
    ok: bool
    seconds: float
    error: str = ""
    failed_cell: int | None = None


@dataclass(frozen=True)
class NotebookTask:
    """One notebook to run: where it is, where the executed copy goes, its parameters, folder and log.

    ``extra`` is for the caller's ``after`` step (a report passes the page to write).
    """

    name: str
    notebook: str
    output: str
    parameters: dict
    cwd: str
    log: str
    extra: dict = field(default_factory=dict)


@dataclass(frozen=True)
class KernelSetup:
    """What the caller's workers and kernels load, and what a worker does after each notebook.

    Parameters
    ----------
    preload : str, optional
        A module the fork server imports once before it forks workers (all that every kernel needs).
    warm_modules : tuple of str
        Modules a kernel imports before its first notebook (a no-op where the fork server did).
    after : callable, optional
        ``after(executed_notebook, task)``, run in the worker once a notebook ran without error; a
        module-level function, so that it reaches spawned and Dask workers.
    """

    preload: str | None = None
    warm_modules: tuple[str, ...] = ()
    after: Callable[[Any, NotebookTask], None] | None = None


def job_limits() -> tuple[int, int]:
    """How many jobs this machine's cores (two per core) and its available memory (a kernel each) allow."""
    return 2 * (os.cpu_count() or 1), int(psutil.virtual_memory().available // JOB_MEMORY)


def job_limit() -> int:
    """The most jobs this machine can run at once: the lower of :func:`job_limits`, at least one."""
    return max(1, min(job_limits()))


def _running(process: psutil.Process) -> bool:
    """Alive and not a zombie: a killed grandchild stays a zombie until its own parent reaps it, and waiting for
    it to vanish would wait for that parent (psutil can wait only for this process's own children)."""
    with contextlib.suppress(psutil.Error):
        return process.is_running() and process.status() != psutil.STATUS_ZOMBIE
    return False


def stop_processes(processes: list[psutil.Process], seconds: float = 2.0) -> None:
    """Kill ``processes`` and everything below them, all at once, and wait (``seconds`` at most) until none runs."""
    everyone = []
    for process in processes:
        with contextlib.suppress(psutil.Error):
            everyone += process.children(recursive=True)  # before the kill: orphans are hard to find afterwards
        everyone.append(process)
    for process in everyone:
        with contextlib.suppress(psutil.Error):
            process.kill()
    deadline = time.monotonic() + seconds
    while any(map(_running, everyone)) and time.monotonic() < deadline:
        time.sleep(0.01)


def stop_descendants(process: psutil.Process) -> None:
    """Kill every process below ``process`` (kernels, their helpers), at once."""
    with contextlib.suppress(psutil.Error):
        stop_processes(process.children())


#: Workers and kernels are forked where the system can (not on Windows).
FORK = hasattr(os, "fork")


def _context(preload: str | None) -> multiprocessing.context.BaseContext:
    """Workers forked from a fork server where there is fork; spawned elsewhere (Windows)."""
    if FORK:
        context = multiprocessing.get_context("forkserver")
        wanted = [preload] if preload else []
        server = multiprocessing.forkserver._forkserver  # one per process; its preload is fixed once it runs
        if getattr(server, "_forkserver_pid", None) is not None and getattr(server, "_preload_modules", wanted) != wanted:
            server._stop()  # another caller's preload: the next worker starts a server with this one
        context.set_forkserver_preload(wanted)
        return context
    return multiprocessing.get_context("spawn")  # kernels and ZMQ do not survive a plain fork of the command


def start_fork_server(preload: str | None) -> None:
    """Start the fork server and its imports of ``preload`` now, so they run while the command does other work.

    The server lives as long as the command and ends with it; starting it twice is harmless.
    It gets no terminal: a command that ends before the imports do must not leave its output
    pipe held open (the workers report through their results, the kernels into the run's logs).
    """
    if not FORK:
        return
    _context(preload)
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


def _worker_init(command: int, fork_kernels: bool) -> None:
    """Start of each worker: leave Ctrl-C to the command, follow it when it dies, fork kernels if the command says."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    from . import warm

    warm.fork_kernels = fork_kernels
    threading.Thread(target=_watch_command, args=(command,), daemon=True).start()


def execute(task: NotebookTask, setup: KernelSetup, env: dict) -> dict:
    """Run one notebook with papermill on the worker's kernel; report success or the failing cell.

    ``env`` reaches the kernel only: the worker's own environment is left as it was (a Dask worker
    runs the next task of another caller).
    """
    started = time.perf_counter()
    # the kernel writes its own log lines to the inherited stderr: keep them with the task, not on the terminal
    Path(task.log).parent.mkdir(parents=True, exist_ok=True)
    saved_stderr = os.dup(2)
    with open(task.log, "a") as log:
        os.dup2(log.fileno(), 2)
    try:
        return _run_papermill(task, setup, started, env)
    finally:
        os.dup2(saved_stderr, 2)
        os.close(saved_stderr)


def _run_papermill(task: NotebookTask, setup: KernelSetup, started: float, env: dict) -> dict:
    import papermill
    from papermill.iorw import load_notebook_node

    from . import warm  # here: the worker's initializer runs before these heavy imports

    try:
        kernel, used = warm.acquire(env, task.cwd, Path(task.log).with_name(f"kernel-{os.getpid()}.log"),
                                    setup.warm_modules)
        source = load_notebook_node(task.notebook)
        # written once at the end, also when a cell fails (papermill would rewrite it after every cell)
        executed = papermill.execute_notebook(
            warm.with_reset(source) if used else source, task.output, parameters=task.parameters, cwd=task.cwd,
            progress_bar=False, log_output=False, kernel_name="python3", km=kernel, engine_name=warm.ENGINE,
            request_save_on_cell_execute=False, autosave_cell_every=0)
        if setup.after is not None:
            setup.after(executed, task)
        return {"name": task.name, "ok": True, "seconds": time.perf_counter() - started}
    except papermill.PapermillExecutionError as exc:
        return {"name": task.name, "ok": False, "seconds": time.perf_counter() - started,
                "error": f"{exc.ename}: {exc.evalue}", "failed_cell": exc.exec_count}
    except Exception as exc:  # a kernel that died, a notebook that cannot be read: the next task gets a new kernel
        warm.discard()
        return {"name": task.name, "ok": False, "seconds": time.perf_counter() - started,
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
    """Cancel what is queued and stop every worker with its kernel now: all of them at once, not one after another."""
    workers = list((getattr(pool, "_processes", None) or {}).values())
    pool.shutdown(wait=False, cancel_futures=True)
    found = []
    for worker in workers:
        with contextlib.suppress(psutil.Error):
            found.append(psutil.Process(worker.pid))
    stop_processes(found)


def _collect(done, results: list[TaskResult], on_done: Callable[[TaskResult], None] | None) -> None:
    """Add the results of finished futures (local or Dask) and tell the caller of each."""
    for finished in done:
        result = TaskResult(**finished.result())
        results.append(result)
        if on_done:
            on_done(result)


def run_notebooks(tasks: list[NotebookTask], workers: int, env: dict, setup: KernelSetup = KernelSetup(),
                  on_done: Callable[[TaskResult], None] | None = None,
                  scheduler: str | None = None) -> list[TaskResult]:
    """Run every task in a pool of ``workers`` processes, or on a Dask cluster; results in completion order.

    Parameters
    ----------
    tasks : list of NotebookTask
        The notebooks, started in this order.
    workers : int
        Worker processes, each with one kernel.
    env : dict
        Environment variables for the kernels (added to the worker's).
    setup : KernelSetup
        What workers and kernels load, and what follows each notebook.
    on_done : callable, optional
        Called with each result as it comes in.
    scheduler : str, optional
        The address of a Dask distributed scheduler (``tcp://host:8786``): the tasks run on its
        workers instead of a local pool. Every worker needs this package installed and must
        reach the notebooks and the task's folders at the same paths.

    Returns
    -------
    list of TaskResult

    Raises
    ------
    Interrupted
        On SIGINT or SIGTERM: queued tasks are cancelled and running kernels stopped first.
    RunFailed
        When a worker process or the fork server died (killed from outside, out of memory).
    """
    if scheduler:
        return _run_on_dask(tasks, setup, env, on_done, scheduler)
    results: list[TaskResult] = []
    received: list[int] = []
    pool = futures.ProcessPoolExecutor(max_workers=workers, mp_context=_context(setup.preload),
                                       initializer=_worker_init, initargs=(os.getpid(), FORK))
    pending: set = set()  # bound before submitting: a failing submit must reach the caller, not a NameError
    with _on_signals(received.append):
        try:
            pending = {pool.submit(execute, task, setup, env) for task in tasks}
            while pending and not received:
                done, pending = futures.wait(pending, timeout=0.2, return_when=futures.FIRST_COMPLETED)
                _collect(done, results, on_done)
        except futures.process.BrokenProcessPool as exc:  # a worker or the fork server killed from outside
            raise RunFailed(f"the notebooks stopped: a worker process or the fork server died ({exc}); "
                            f"{len(results)} of {len(tasks)} notebooks had finished") from None
        finally:
            if received or pending:
                _stop_pool(pool)
            else:
                pool.shutdown(wait=True)
    if received:
        raise Interrupted(received[0])
    return results


def _run_on_dask(tasks: list[NotebookTask], setup: KernelSetup, env: dict,
                 on_done: Callable[[TaskResult], None] | None, scheduler: str) -> list[TaskResult]:
    """The same tasks on a Dask distributed cluster (``pip install 'parkstad-analysis[cluster]'``)."""
    try:
        from distributed import Client
        from distributed import wait as dask_wait
    except ImportError:
        raise ConfigError("--scheduler needs dask.distributed: pip install 'parkstad-analysis[cluster]'") from None
    results: list[TaskResult] = []
    received: list[int] = []
    try:
        client = Client(scheduler, timeout=30)
    except OSError as exc:
        raise ConfigError(f"--scheduler {scheduler}: no Dask scheduler answers there ({exc})") from None
    with client, _on_signals(received.append):
        pending = {client.submit(execute, task, setup, env, pure=False, key=f"notebook-{task.name}-{secrets.token_hex(6)}")
                   for task in tasks}
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
