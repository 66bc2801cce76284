"""Kernels: running many parameterised notebooks fast, on warm kernels, with nothing left behind.

* :mod:`.pool` — the tasks (:class:`NotebookTask`) on a local process pool or a Dask cluster, interrupts,
  and what a caller passes in (:class:`KernelSetup`: what to preload, what to do after each notebook);
* :mod:`.warm` — one kernel per worker, reused from notebook to notebook (papermill engine on its one connection);
* :mod:`.fork` — kernels forked from their worker, so they start with the worker's imports done (POSIX);
* :mod:`.state` — run inside a kernel: the warm-up and the reset between two notebooks.

This package never imports anything about Parkstad (vocabulary, data, analysis, figures, pages), by name or by
string: what a kernel should load and what to do with an executed notebook come from the caller.
"""

from .pool import (
    FORK,
    Interrupted,
    KernelSetup,
    NotebookTask,
    TaskResult,
    job_limit,
    job_limits,
    run_notebooks,
    start_fork_server,
    stop_descendants,
    stop_processes,
)

__all__ = ["FORK", "Interrupted", "KernelSetup", "NotebookTask", "TaskResult", "job_limit", "job_limits",
           "run_notebooks", "start_fork_server", "stop_descendants", "stop_processes"]
