"""``parkstad report``: plan the matrix, run the notebooks, publish a new report folder.

A run writes ``reports/<run id>/`` with the executed notebooks, an HTML page per
notebook run (code hidden, figures embedded), the figures, the tables as CSV, an
``index.html`` and a ``manifest.json``. A report reads one generation of
``data/processed`` from start to end (a build meanwhile makes a new one beside it).

Each matrix has its own pointer: the full default matrix moves ``reports/latest``; a
partial one (``--areas gms``) moves ``reports/latest-<what it holds>`` (or the pointer
named by ``--name``), so a partial run never replaces the full report. Only a run in
which every notebook succeeded moves its pointer; a failed run keeps its notebooks for
debugging; an interrupted one is removed by the next run.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import threading
import traceback
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from tqdm import tqdm  # terminal bars: tqdm.auto would warn in a kernel without ipywidgets

from ..analysis.catalogue import looked_up_in_project
from ..atomic import write_text
from ..config import FIGURE_FORMATS_ENV, Settings
from ..errors import ConfigError, DataFormatError, FetchError, RunFailed
from ..fetch.raw import SOURCE_FILE
from ..kernels import (
    Interrupted,
    KernelSetup,
    NotebookTask,
    TaskResult,
    job_limit,
    job_limits,
    run_notebooks,
    start_fork_server,
)
from ..processed import ProcessedStore
from ..processed.generations import GENERATION_ENV, pinned
from .html import write_page
from .pdf import write_area_pdfs
from .plan import NOTEBOOKS, Job, input_hash, notebooks_dir, plan
from .publish import (
    INCOMPLETE,
    MANIFEST,
    made_with,
    navigation,
    package_versions,
    page_heading,
    point_latest,
    pointer_problem,
    prune_incomplete,
    prune_runs,
    run_date,
    workbook_pages,
    write_index,
    write_manifest,
)

#: A Dask scheduler address for every report run (as ``--scheduler``).
SCHEDULER_ENV = "PARKSTAD_SCHEDULER"
#: Runs kept per report when nothing else is said (a pointed-at run is always kept).
KEEP = 5
#: What every report notebook imports (the surface brings every analysis, figure and page module they use): a kernel
#: loads it before its first notebook (forked kernels have it from the fork server, which imports :mod:`.preload`).
KERNEL_MODULES = ("pandas", "geopandas", "matplotlib.pyplot", "mapclassify", "plotly.graph_objects", "pyogrio",
                  "parkstad_analysis.research")
#: The report's kernels: preloaded by the fork server, and each page written by the worker that ran its notebook.
REPORT_KERNELS = KernelSetup(preload="parkstad_analysis.reporting.preload", warm_modules=KERNEL_MODULES,
                             after=write_page)


@dataclass
class ReportResult:
    """What ``run_report`` did: ``success``, ``failed`` or ``skipped``, and what a user should know."""

    status: str
    run_dir: Path | None
    results: list[TaskResult] = field(default_factory=list)
    message: str = ""
    notes: list[str] = field(default_factory=list)
    pointer: str = "latest"


def _unchanged_since(pointer: Path, fingerprint: str) -> str | None:
    """The id of the last good run behind ``pointer`` when it had the same inputs, else ``None``."""
    manifest = pointer / MANIFEST
    if not manifest.is_file():
        return None
    previous = json.loads(manifest.read_text("utf-8"))
    if previous.get("outcome") == "success" and previous.get("input_hash") == fingerprint:
        return previous["run_id"]
    return None


def _task(settings: Settings, run_dir: Path, job: Job, matrix: list[Job]) -> NotebookTask:
    """A job as the kernels run it: its notebook, parameters (with where to save figures and tables), log and page."""
    parameters = {**job.parameters, "FIGURE_DIR": str(run_dir / "figures" / job.name),
                  "TABLE_DIR": str(run_dir / "tables" / job.name)}
    return NotebookTask(name=job.name, notebook=str(notebooks_dir(settings) / NOTEBOOKS[job.notebook].file),
                        output=str(run_dir / "notebooks" / f"{job.name}.ipynb"), parameters=parameters,
                        cwd=str(notebooks_dir(settings)), log=str(run_dir / "logs" / f"{job.name}.log"),
                        extra={"page": str(run_dir / f"{job.name}.html"), "title": page_heading(job),
                               "nav": navigation(job, matrix)})


def _run(settings: Settings, run_dir: Path, matrix: list[Job], workers: int, generation: str,
         progress: bool, pdf: bool, scheduler: str | None) -> list[TaskResult]:
    """Run the matrix, longest notebooks first so the cores stay busy; results in matrix order."""
    env = {"PARKSTAD_HOME": str(settings.root), "MPLBACKEND": "Agg", GENERATION_ENV: generation,
           FIGURE_FORMATS_ENV: "png,svg,pdf" if pdf else "png,svg",
           "PARKSTAD_CBS_MIRROR": str(settings.mirror) if settings.mirror else "none"}
    ordered = sorted(matrix, key=lambda j: -NOTEBOOKS[j.notebook].cost)
    with tqdm(total=len(matrix), desc="report", unit="notebook", disable=not progress) as bar:
        results = run_notebooks([_task(settings, run_dir, job, matrix) for job in ordered], workers, env, REPORT_KERNELS,
                                on_done=lambda _: bar.update(), scheduler=scheduler)
    order = [j.name for j in matrix]
    return sorted(results, key=lambda r: order.index(r.name))


class _FrontMatter(threading.Thread):
    """The index's overview and the data dictionary, made in a thread while the notebooks run (they need only
    the data), and the workbook after them (it needs their tables)."""

    def __init__(self, settings: Settings, generation: str, matrix: list[Job], run_dir: Path):
        super().__init__(name="front-matter", daemon=True)
        self.store, self.matrix, self.run_dir = ProcessedStore(settings, generation), matrix, run_dir
        self.overview, self.error, self.cutoff = "", "", ""

    def _failed(self, exc: Exception) -> None:  # the pages stand on their own: say what went wrong, keep the trace
        log = self.run_dir / "logs" / "index.log"
        log.parent.mkdir(exist_ok=True)
        log.write_text(traceback.format_exc(), "utf-8")
        self.error = f"the index's overview, dictionary or workbook failed: {type(exc).__name__}: {exc} (see {log})"

    def run(self) -> None:
        from ..pages.exports import write_dictionary
        from ..pages.overview import data_cutoff, overview_block

        profiled = [j for j in self.matrix if j.notebook == "area_profile"]
        try:
            self.cutoff = data_cutoff(self.store)
            if profiled:
                year = max(int(j.parameters["YEAR"]) for j in profiled)
                self.overview = overview_block(self.store, list(dict.fromkeys(j.area for j in profiled)), year,
                                               self.run_dir)
            write_dictionary(self.run_dir, self.store)
        except Exception as exc:
            self._failed(exc)

    def finish(self, results: list[TaskResult]) -> tuple[str, str]:
        """Wait for the thread, write the workbook; the overview (empty when no profile succeeded) and any error."""
        from ..pages.exports import write_workbook

        self.join()
        try:
            write_workbook(self.run_dir, workbook_pages(self.matrix), self.store)
        except Exception as exc:
            self._failed(exc)
        profiled_ok = any(j.notebook == "area_profile" and r.ok for j, r in zip(self.matrix, results, strict=True))
        return (self.overview if profiled_ok else ""), self.error


def _area_pdfs(run_dir: Path, matrix: list[Job], results: list[TaskResult], run_id: str, cutoff: str,
               workers: int) -> tuple[dict[str, Path], str]:
    """Each area's A4 PDF (its pages that succeeded, typeset), and what went wrong if typesetting failed."""
    succeeded = {r.name for r in results if r.ok}
    titles = {job.name: page_heading(job) for job in matrix}
    try:
        return write_area_pdfs(run_dir, matrix, succeeded, titles, run_id, run_date(run_id), made_with(), cutoff,
                               workers), ""
    except Exception as exc:  # the HTML pages stand on their own: say what went wrong, keep the trace
        log = run_dir / "logs" / "pdf.log"
        log.parent.mkdir(exist_ok=True)
        log.write_text(traceback.format_exc(), "utf-8")
        return {}, f"the areas' PDFs failed: {type(exc).__name__}: {exc} (see {log})"


def _raw_checksums(settings: Settings) -> dict[str, dict[str, str]]:
    """Dataset id → file → sha256 of every fetched dataset, as recorded at fetch time (read before a run starts:
    a damaged record stops the report before its notebooks run, not after).

    Raises
    ------
    DataFormatError
        For a fetch record that is not a readable JSON file.
    """
    found = {}
    for record in sorted(settings.raw_dir.glob(f"*/{SOURCE_FILE}")):
        try:
            found[record.parent.name] = dict(json.loads(record.read_text("utf-8"))["files"])
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise DataFormatError(f"{record}: unreadable fetch record ({type(exc).__name__}: {exc}); remove "
                                  f"{record.parent} and run `parkstad fetch` again") from None
    return found


def workers_for(jobs: int | None, matrix: list[Job]) -> tuple[int, list[str]]:
    """How many notebooks to run at once, and a note when the number asked for was lowered.

    Raises
    ------
    ConfigError
        For fewer than one job.
    """
    limit = job_limit()
    if jobs is not None and jobs < 1:
        raise ConfigError(f"--jobs {jobs}: expected at least 1 (at most {limit} on this machine)")
    wanted = jobs or os.cpu_count() or 1
    workers = max(1, min(wanted, limit, len(matrix)))
    notes = []
    if jobs and jobs > limit:
        cores, memory = job_limits()
        why = (f"this machine has {os.cpu_count()} cores and runs at most two notebooks per core" if cores <= memory
               else f"each notebook with its kernel needs about 450 MiB, and this machine has memory for {memory}")
        notes.append(f"--jobs {jobs} lowered to {limit}: {why}")
    return workers, notes


def pointer_name(name: str | None, areas, years, notebooks, indicators, classification: str, breaks) -> str:
    """The pointer a run moves: ``latest`` for the full default matrix, else ``latest-<what the run holds>``.

    Raises
    ------
    ConfigError
        For a ``--name`` that is not a plain folder name.
    """
    if name:
        if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,60}", name) or name in (".", ".."):
            raise ConfigError(f"--name {name!r}: expected letters, digits, '-', '_' or '.' (a folder name)")
        return name
    parts = list(dict.fromkeys([*(notebooks or []), *(areas or []), *map(str, years or []), *(indicators or [])]))
    if classification != "quantiles":
        parts.append(classification)
    if breaks:
        parts.append("breaks")
    return "latest" if not parts else "latest-" + "-".join(re.sub(r"[^A-Za-z0-9_]", "", p) for p in parts)[:80]


@looked_up_in_project  # an area named by a region's code or name is one of this project's regions
def run_report(settings: Settings | None = None, *, areas: list[str] | None = None, years: list[int] | None = None,
               notebooks: list[str] | None = None, indicators: list[str] | None = None,
               classification: str = "quantiles", breaks: list[float] | None = None, jobs: int | None = None,
               incremental: bool = False, name: str | None = None, keep: int | None = KEEP, pdf: bool = False,
               scheduler: str | None = None, progress: bool = True) -> ReportResult:
    """Run the report notebooks and publish them as a new run folder.

    Parameters
    ----------
    settings : Settings, optional
    areas, years, notebooks, indicators : list, optional
        The matrix; defaults: every focus area, the latest year with participation figures,
        every notebook, the notebook's own indicators. Repeated values count once.
    classification, breaks
        Map classification (and its class bounds for ``user``) for the notebooks that declare them.
    jobs : int, optional
        Notebooks run in parallel; default the number of cores, at most what memory allows.
    incremental : bool
        Skip the run when nothing it depends on changed since the last good run of this report.
    name : str, optional
        The report's pointer (default ``latest`` for the full matrix, ``latest-<…>`` for a partial one).
    keep : int, optional
        Complete runs to keep (pointed-at runs are always kept); ``None`` keeps all.
    pdf : bool
        Save every figure as PDF too (PNG and SVG always).
    scheduler : str, optional
        A Dask distributed scheduler to run the notebooks on (default ``$PARKSTAD_SCHEDULER``, else a
        local process pool); the project folder must be at the same path on every worker.

    Returns
    -------
    ReportResult
        ``status`` is ``success``, ``skipped`` or ``failed`` (then ``results`` name the
        failed notebooks and cells; the pointer still points at the last good run).

    Raises
    ------
    Interrupted
        On SIGINT or SIGTERM, after stopping every kernel; the run is marked and removed by the next one.
    """
    # One function on purpose: it reads as the run's story (plan, pin, run, publish, point), each step one call.
    settings = settings or Settings.from_env()
    scheduler = scheduler or os.environ.get(SCHEDULER_ENV) or None
    if not (scheduler or incremental):
        start_fork_server(REPORT_KERNELS.preload)  # at once: its imports run while this command plans the run
    store = ProcessedStore(settings)
    if not store.exists():
        raise FetchError(f"{settings.processed_dir}: no processed data; run `parkstad fetch` and `parkstad build` first")
    matrix = plan(settings, areas, years, notebooks, indicators, classification, breaks)
    pointer = pointer_name(name, areas, years, notebooks, indicators, classification, breaks)
    if problem := pointer_problem(settings.reports_dir, pointer):  # found now, not after the whole matrix ran
        raise ConfigError(problem)
    raw = _raw_checksums(settings)
    workers, notes = workers_for(jobs, matrix)
    run_id = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ") + "-" + secrets.token_hex(2)
    with pinned(settings.processed_dir, f"report-{run_id}", store.generation) as generation:
        fingerprint = input_hash(settings, matrix, store) + ("+pdf" if pdf else "")
        if incremental and (previous := _unchanged_since(settings.reports_dir / pointer, fingerprint)):
            return ReportResult("skipped", (settings.reports_dir / pointer).resolve(), pointer=pointer, notes=notes,
                                message=f"unchanged since run {previous}: notebooks, parameters and data are the same")
        if not scheduler:
            start_fork_server(REPORT_KERNELS.preload)  # when a skip was possible: only now (starting twice is harmless)
        prune_incomplete(settings.reports_dir)
        run_dir = settings.reports_dir / run_id
        (run_dir / "notebooks").mkdir(parents=True)
        # whole or absent: another run pruning meanwhile must never read a half-written owner and take it for dead
        write_text(run_dir / INCOMPLETE, json.dumps({"pid": os.getpid()}) + "\n")
        started = datetime.now(UTC)
        base = {"run_id": run_id, "report": pointer, "started": started.isoformat(), "input_hash": fingerprint,
                "generation": generation, "jobs": workers, "scheduler": scheduler or "local"}
        front = _FrontMatter(settings, generation, matrix, run_dir)
        front.start()
        try:
            results = _run(settings, run_dir, matrix, workers, generation, progress, pdf, scheduler)
        except (Interrupted, RunFailed) as exc:  # the run says how it ended, also when it could not finish
            write_manifest(run_dir, {**base, "outcome": "interrupted" if isinstance(exc, Interrupted) else "failed",
                                     "reason": str(exc), "finished": datetime.now(UTC).isoformat()})
            raise
        outcome = "success" if all(r.ok for r in results) else "failed"
        overview, overview_error = front.finish(results)
        pdfs, pdf_error = _area_pdfs(run_dir, matrix, results, run_id, front.cutoff, workers)
        if overview_error or pdf_error:
            outcome = "failed"
        write_manifest(run_dir, {
            **base, "finished": datetime.now(UTC).isoformat(), "outcome": outcome,
            "notebooks": [{**asdict(job), **asdict(result)} for job, result in zip(matrix, results, strict=True)],
            "data": store.checksums(), "raw": raw, "versions": package_versions(),
        })
        write_index(run_id, matrix, results, run_dir, overview, front.cutoff, pdfs)
        (run_dir / INCOMPLETE).unlink()
    if outcome == "success":
        point_latest(settings.reports_dir, run_dir, pointer)
        if keep is not None:
            prune_runs(settings.reports_dir, keep)
        return ReportResult("success", run_dir, results, notes=notes, pointer=pointer)
    message = "; ".join([*(f"{r.name} failed in cell {r.failed_cell}: {r.error} "
                           f"(see {run_dir / 'notebooks' / (r.name + '.ipynb')})" for r in results if not r.ok),
                         *([overview_error] if overview_error else []), *([pdf_error] if pdf_error else [])])
    return ReportResult("failed", run_dir, results, message, notes=notes, pointer=pointer)
