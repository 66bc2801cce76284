"""Running the jobs of a report: papermill in a pool of spawned worker processes, one kernel per job.

A worker runs one notebook, turns it into its HTML page (so that pages are made
in parallel) and reports success or the failing cell; the kernel's own log lines
go to the run's ``logs/`` folder, not to the terminal.
"""

from __future__ import annotations

import concurrent.futures as futures
import multiprocessing
import os
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

from .pages import notebook_to_html
from .plan import Job


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
        return _run_papermill(job["name"], paths, parameters, started)
    finally:
        os.dup2(saved_stderr, 2)
        os.close(saved_stderr)


def _run_papermill(name: str, paths: JobPaths, parameters: dict, started: float) -> dict:
    import papermill

    try:
        papermill.execute_notebook(paths.notebook, paths.output, parameters=parameters, cwd=paths.cwd,
                                   progress_bar=False, log_output=False, kernel_name="python3")
        notebook_to_html(Path(paths.output), Path(paths.page))
        return {"name": name, "ok": True, "seconds": time.perf_counter() - started}
    except papermill.PapermillExecutionError as exc:
        return {"name": name, "ok": False, "seconds": time.perf_counter() - started,
                "error": f"{exc.ename}: {exc.evalue}", "failed_cell": exc.exec_count}
    except Exception as exc:  # a kernel that died, a notebook that cannot be read
        return {"name": name, "ok": False, "seconds": time.perf_counter() - started,
                "error": f"{type(exc).__name__}: {exc}"}


def run_jobs(jobs: list[tuple[Job, JobPaths]], workers: int, env: dict,
             on_done: Callable[[JobResult], None] | None = None) -> list[JobResult]:
    """Run every job in a pool of ``workers`` spawned processes; results in completion order."""
    results = []
    context = multiprocessing.get_context("spawn")  # kernels and ZMQ do not survive fork
    with futures.ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        pending = [pool.submit(execute, asdict(job), paths, env) for job, paths in jobs]
        for done in futures.as_completed(pending):
            result = JobResult(**done.result())
            results.append(result)
            if on_done:
                on_done(result)
    return results
