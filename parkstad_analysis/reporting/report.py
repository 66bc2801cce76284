"""``parkstad report``: plan the matrix, run the notebooks, publish a new report folder.

A run writes ``reports/<run id>/`` with the executed notebooks, an HTML page per
notebook run (code hidden, figures embedded), the figures as PNG/SVG/PDF, an
``index.html`` and a ``manifest.json``. Only a run in which every notebook
succeeded moves ``reports/latest`` to itself; a failed or interrupted run leaves
``latest`` on the last good run and keeps its executed notebooks for debugging.

With ``incremental=True`` a run whose notebooks, parameters, data and package
version are unchanged since the last good run is skipped.
"""

from __future__ import annotations

import json
import os
import secrets
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from tqdm.auto import tqdm

from ..config import Settings
from ..errors import FetchError
from ..fetch.raw import SOURCE_FILE
from ..processed import ProcessedStore
from .plan import NOTEBOOKS, Job, input_hash, notebooks_dir, plan
from .publish import INCOMPLETE, MANIFEST, package_versions, point_latest, write_index, write_manifest
from .runner import JobPaths, JobResult, run_jobs


@dataclass
class ReportResult:
    """What ``run_report`` did: ``success``, ``failed`` or ``skipped``."""

    status: str
    run_dir: Path | None
    results: list[JobResult] = field(default_factory=list)
    message: str = ""


def _unchanged_since(latest: Path, fingerprint: str) -> str | None:
    """The id of the last good run when it had the same inputs, else ``None``."""
    manifest = latest / MANIFEST
    if not manifest.is_file():
        return None
    previous = json.loads(manifest.read_text("utf-8"))
    if previous.get("outcome") == "success" and previous.get("input_hash") == fingerprint:
        return previous["run_id"]
    return None


def _paths(settings: Settings, run_dir: Path, job: Job) -> JobPaths:
    return JobPaths(notebook=str(notebooks_dir(settings) / NOTEBOOKS[job.notebook].file),
                    output=str(run_dir / "notebooks" / f"{job.name}.ipynb"), page=str(run_dir / f"{job.name}.html"),
                    figures=str(run_dir / "figures" / job.name), tables=str(run_dir / "tables" / job.name),
                    log=str(run_dir / "logs" / f"{job.name}.log"),
                    cwd=str(notebooks_dir(settings)))


def _run(settings: Settings, run_dir: Path, matrix: list[Job], workers: int, progress: bool) -> list[JobResult]:
    """Run the matrix, longest notebooks first so the cores stay busy; results in matrix order."""
    env = {"PARKSTAD_HOME": str(settings.root), "MPLBACKEND": "Agg",
           "PARKSTAD_CBS_MIRROR": str(settings.mirror) if settings.mirror else "none"}
    ordered = sorted(matrix, key=lambda j: -NOTEBOOKS[j.notebook].cost)
    with tqdm(total=len(matrix), desc="report", unit="notebook", disable=not progress) as bar:
        results = run_jobs([(job, _paths(settings, run_dir, job)) for job in ordered], workers, env,
                           on_done=lambda _: bar.update())
    order = [j.name for j in matrix]
    return sorted(results, key=lambda r: order.index(r.name))


def _raw_checksums(settings: Settings) -> dict[str, dict[str, str]]:
    """Dataset id → file → sha256 of every fetched dataset, as recorded at fetch time."""
    return {p.parent.name: json.loads(p.read_text("utf-8"))["files"] for p in sorted(settings.raw_dir.glob(f"*/{SOURCE_FILE}"))}


def run_report(settings: Settings | None = None, *, areas: list[str] | None = None, years: list[int] | None = None,
               notebooks: list[str] | None = None, indicators: list[str] | None = None,
               classification: str = "quantiles", jobs: int | None = None, incremental: bool = False,
               progress: bool = True) -> ReportResult:
    """Run the report notebooks and publish them as a new run folder.

    Parameters
    ----------
    settings : Settings, optional
    areas, years, notebooks, indicators : list, optional
        The matrix; defaults: every focus area, the latest year with participation figures,
        every notebook, the notebook's own indicators.
    classification : str
        Map classification passed to the notebooks that declare ``CLASSIFICATION``.
    jobs : int, optional
        Notebooks run in parallel; default the number of cores.
    incremental : bool
        Skip the run when nothing it depends on changed since the last good run.

    Returns
    -------
    ReportResult
        ``status`` is ``success``, ``skipped`` or ``failed`` (then ``results`` name the
        failed notebooks and cells; ``reports/latest`` still points at the last good run).
    """
    settings = settings or Settings.from_env()
    if not ProcessedStore(settings).exists():
        raise FetchError(f"{settings.processed_dir}: no processed data; run `parkstad fetch` and `parkstad build` first")
    matrix = plan(settings, areas, years, notebooks, indicators, classification)
    fingerprint = input_hash(settings, matrix)
    latest = settings.reports_dir / "latest"
    if incremental and (previous := _unchanged_since(latest, fingerprint)):
        return ReportResult("skipped", latest.resolve(),
                            message=f"unchanged since run {previous}: notebooks, parameters and data are the same")

    run_id = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ") + "-" + secrets.token_hex(2)
    run_dir = settings.reports_dir / run_id
    (run_dir / "notebooks").mkdir(parents=True)
    (run_dir / INCOMPLETE).write_text("this run has not finished (or was interrupted)\n")
    started = datetime.now(UTC)
    workers = jobs or os.cpu_count() or 1
    results = _run(settings, run_dir, matrix, workers, progress)
    outcome = "success" if all(r.ok for r in results) else "failed"
    write_manifest(run_dir, {
        "run_id": run_id, "started": started.isoformat(), "finished": datetime.now(UTC).isoformat(),
        "outcome": outcome, "input_hash": fingerprint, "jobs": workers,
        "notebooks": [{**asdict(job), **asdict(result)} for job, result in zip(matrix, results, strict=True)],
        "data": ProcessedStore(settings).checksums(), "raw": _raw_checksums(settings), "versions": package_versions(),
    })
    write_index(run_id, matrix, results, run_dir)
    (run_dir / INCOMPLETE).unlink()
    if outcome == "success":
        point_latest(settings.reports_dir, run_dir)
        return ReportResult("success", run_dir, results)
    message = "; ".join(f"{r.name} failed in cell {r.failed_cell}: {r.error} (see {run_dir / 'notebooks' / (r.name + '.ipynb')})"
                        for r in results if not r.ok)
    return ReportResult("failed", run_dir, results, message)
