"""``parkstad report``: run the notebooks over a parameter matrix into a new report folder.

A run writes ``reports/<run id>/`` with the executed notebooks, an HTML page per
notebook run (code hidden, figures embedded), the figures as PNG/SVG/PDF, an
``index.html`` and a ``manifest.json`` (parameters, data checksums, package
versions, timings, outcome). Only a run in which every notebook succeeded moves
``reports/latest`` to itself; a failed or interrupted run leaves ``latest`` on
the last good run, and keeps its executed notebooks for debugging.

Parameters are validated before any kernel starts. With ``incremental=True`` a
run whose notebooks, parameters, data and package version are unchanged since
the last good run is skipped.
"""

from __future__ import annotations

import concurrent.futures as futures
import contextlib
import fcntl
import hashlib
import html
import json
import multiprocessing
import os
import secrets
import shutil
import time
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path

from tqdm.auto import tqdm

from .areas import focus_areas, get_area
from .catalog import CLASSIFICATIONS
from .config import Settings
from .errors import FetchError, ParkstadError, UnknownNameError
from .sources import sha256_of

NOTEBOOKS = {
    "data_overview": "01_data_overview.ipynb",
    "area_profile": "02_area_profile.ipynb",
    "funding": "03_regio_deal_funding.ipynb",
    "trends": "04_trends.ipynb",
}
PER_AREA = ("area_profile", "trends")
#: Relative run time of each notebook (seconds on the reference machine), to start the longest first.
COST = {"trends": 9, "funding": 7, "area_profile": 6, "data_overview": 4}
INCOMPLETE = ".incomplete"
VERSIONED = ("parkstad-analysis", "pandas", "geopandas", "matplotlib", "mapclassify", "papermill", "nbconvert")


@dataclass
class Job:
    """One notebook run: which notebook, the parameters papermill injects, the output name."""

    notebook: str
    name: str
    parameters: dict
    area: str | None = None


@dataclass
class JobResult:
    """Outcome of one job."""

    name: str
    ok: bool
    seconds: float
    error: str = ""
    failed_cell: int | None = None


@dataclass
class ReportResult:
    """What ``run_report`` did: ``success``, ``failed`` or ``skipped``."""

    status: str
    run_dir: Path | None
    results: list[JobResult] = field(default_factory=list)
    message: str = ""


class NotebookFailed(ParkstadError):
    """A notebook of a report run raised an error."""


def notebooks_dir(settings: Settings) -> Path:
    """Where the notebooks of the project live."""
    return settings.root / "notebooks"


# ----------------------------------------------------------------------------- planning


def available_years(settings: Settings) -> list[int]:
    """KWB years with any netto arbeidsparticipatie figure (the years an area profile can show)."""
    import pandas as pd

    kwb = pd.read_parquet(settings.processed_dir / "kwb.parquet", columns=["year", "nettoarbeidsparticipatie"])
    return sorted(int(y) for y in kwb.dropna()["year"].unique())


def map_indicators(settings: Settings) -> list[str]:
    """Indicators a map can draw: processed KWB and benefit columns plus the derived rates."""
    import pyarrow.parquet as pq

    from .catalog import DERIVED_RATES, ID_COLUMNS

    names = set(DERIVED_RATES)
    for table in ("kwb", "benefits"):
        names |= set(pq.read_schema(settings.processed_dir / f"{table}.parquet").names) - set(ID_COLUMNS)
    return sorted(names)


def plan(settings: Settings, areas: list[str] | None = None, years: list[int] | None = None,
         notebooks: list[str] | None = None, indicators: list[str] | None = None,
         classification: str = "quantiles") -> list[Job]:
    """The parameter matrix, validated before any kernel starts.

    Raises
    ------
    UnknownNameError
        For an unknown area, notebook, indicator or classification, or a year without data,
        listing the valid values.
    """
    for name in notebooks or []:
        if name not in NOTEBOOKS:
            raise UnknownNameError("notebook", name, list(NOTEBOOKS))
    chosen = notebooks or list(NOTEBOOKS)
    area_names = [get_area(a).name for a in (areas or focus_areas())]
    valid_years = available_years(settings)
    for year in years or []:
        if year not in valid_years:
            raise UnknownNameError("year (no netto arbeidsparticipatie figures)", year, [str(y) for y in valid_years])
    year_list = years or valid_years[-1:]
    valid_indicators = map_indicators(settings)
    for indicator in indicators or []:
        if indicator not in valid_indicators:
            raise UnknownNameError("indicator", indicator, valid_indicators)
    if classification not in CLASSIFICATIONS:
        raise UnknownNameError("classification", classification, CLASSIFICATIONS)

    jobs = []
    for notebook in chosen:
        if notebook == "area_profile":
            for area in area_names:
                for year in year_list:
                    parameters = {"AREA": area, "YEAR": year, "CLASSIFICATION": classification}
                    if indicators:
                        parameters["INDICATORS"] = list(indicators)
                    jobs.append(Job(notebook, f"area_profile_{area}_{year}", parameters, area))
        elif notebook == "trends":
            jobs += [Job(notebook, f"trends_{area}", {"AREA": area}, area) for area in area_names]
        elif notebook == "funding":
            jobs.append(Job(notebook, "funding", {"YEAR": year_list[-1]}))
        else:
            jobs.append(Job(notebook, notebook, {}))
    return jobs


def input_hash(settings: Settings, jobs: list[Job]) -> str:
    """Content hash of everything a run depends on: notebooks, parameters, processed data, package version."""
    digest = hashlib.sha256()
    for name in sorted({j.notebook for j in jobs}):
        digest.update(name.encode())
        digest.update((notebooks_dir(settings) / NOTEBOOKS[name]).read_bytes())
    digest.update(json.dumps([asdict(j) for j in jobs], sort_keys=True).encode())
    for path in sorted(settings.processed_dir.glob("*")):
        if path.is_file():
            digest.update(path.name.encode())
            digest.update(sha256_of(path).encode())
    digest.update(version("parkstad-analysis").encode())
    return digest.hexdigest()


# ----------------------------------------------------------------------------- running


def _execute(job: dict, notebook_path: str, output_path: str, figure_dir: str, cwd: str, env: dict) -> dict:
    """Run one notebook with papermill (in a worker process); report success or the failing cell."""
    os.environ.update(env)
    started = time.perf_counter()
    parameters = dict(job["parameters"])
    parameters["FIGURE_DIR"] = figure_dir
    # the kernel writes its own log lines to the inherited stderr: keep them with the run, not on the terminal
    log_path = Path(output_path).parent.parent / "logs" / f"{job['name']}.log"
    log_path.parent.mkdir(exist_ok=True)
    saved_stderr = os.dup(2)
    with open(log_path, "a") as log:
        os.dup2(log.fileno(), 2)
    try:
        return _run_papermill(job, notebook_path, output_path, parameters, cwd, started)
    finally:
        os.dup2(saved_stderr, 2)
        os.close(saved_stderr)


def _run_papermill(job: dict, notebook_path: str, output_path: str, parameters: dict, cwd: str, started: float) -> dict:
    import papermill

    try:
        papermill.execute_notebook(notebook_path, output_path, parameters=parameters, cwd=cwd, progress_bar=False,
                                   log_output=False, kernel_name="python3")
        output = Path(output_path)
        _to_html(output, output.parent.parent / f"{job['name']}.html")  # in the worker: pages are made in parallel
        return {"name": job["name"], "ok": True, "seconds": time.perf_counter() - started}
    except papermill.PapermillExecutionError as exc:
        return {"name": job["name"], "ok": False, "seconds": time.perf_counter() - started,
                "error": f"{exc.ename}: {exc.evalue}", "failed_cell": exc.exec_count}
    except Exception as exc:  # a kernel that died, a notebook that cannot be read
        return {"name": job["name"], "ok": False, "seconds": time.perf_counter() - started,
                "error": f"{type(exc).__name__}: {exc}"}


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
        Map classification passed to the area profiles.
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
    if not (settings.processed_dir / "kwb.parquet").is_file():
        raise FetchError(f"{settings.processed_dir}: no processed data; run `parkstad fetch` and `parkstad build` first")
    matrix = plan(settings, areas, years, notebooks, indicators, classification)
    fingerprint = input_hash(settings, matrix)
    latest = settings.reports_dir / "latest"
    if incremental and (latest / "manifest.json").is_file():
        previous = json.loads((latest / "manifest.json").read_text("utf-8"))
        if previous.get("outcome") == "success" and previous.get("input_hash") == fingerprint:
            return ReportResult("skipped", latest.resolve(),
                                message=f"unchanged since run {previous['run_id']}: notebooks, parameters and data are the same")

    run_id = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ") + "-" + secrets.token_hex(2)
    run_dir = settings.reports_dir / run_id
    (run_dir / "notebooks").mkdir(parents=True)
    (run_dir / INCOMPLETE).write_text("this run has not finished (or was interrupted)\n")
    started = datetime.now(UTC)
    workers = jobs or os.cpu_count() or 1
    env = {"PARKSTAD_HOME": str(settings.root), "MPLBACKEND": "Agg",
           "PARKSTAD_CBS_MIRROR": str(settings.mirror) if settings.mirror else "none"}
    results: list[JobResult] = []
    context = multiprocessing.get_context("spawn")  # kernels and ZMQ do not survive fork
    with futures.ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        pending = [
            pool.submit(_execute, asdict(job), str(notebooks_dir(settings) / NOTEBOOKS[job.notebook]),
                        str(run_dir / "notebooks" / f"{job.name}.ipynb"), str(run_dir / "figures" / job.name),
                        str(notebooks_dir(settings)), env)
            for job in sorted(matrix, key=lambda j: -COST[j.notebook])  # longest first: the cores stay busy
        ]
        for done in tqdm(futures.as_completed(pending), total=len(pending), desc="report", unit="notebook",
                         disable=not progress):
            results.append(JobResult(**done.result()))
    results.sort(key=lambda r: [j.name for j in matrix].index(r.name))
    outcome = "success" if all(r.ok for r in results) else "failed"
    manifest = {
        "run_id": run_id, "started": started.isoformat(), "finished": datetime.now(UTC).isoformat(),
        "outcome": outcome, "input_hash": fingerprint, "jobs": workers,
        "notebooks": [{**asdict(job), **asdict(result)} for job, result in zip(matrix, results, strict=True)],
        "data": {p.name: sha256_of(p) for p in sorted(settings.processed_dir.glob("*")) if p.is_file()},
        "raw": {p.parent.name: json.loads(p.read_text("utf-8"))["files"]
                for p in sorted(settings.raw_dir.glob("*/_source.json"))},
        "versions": {name: _version(name) for name in VERSIONED},
    }
    _write_atomic(run_dir / "manifest.json", json.dumps(manifest, indent=2))
    _write_atomic(run_dir / "index.html", _index_html(run_id, matrix, results, run_dir))
    (run_dir / INCOMPLETE).unlink()
    if outcome == "success":
        _point_latest(settings.reports_dir, run_dir)
        return ReportResult("success", run_dir, results)
    failed = [r for r in results if not r.ok]
    message = "; ".join(f"{r.name} failed in cell {r.failed_cell}: {r.error} (see {run_dir / 'notebooks' / (r.name + '.ipynb')})"
                        for r in failed)
    return ReportResult("failed", run_dir, results, message)


def _version(name: str) -> str:
    try:
        return version(name)
    except Exception:  # pragma: no cover - a package without metadata
        return "unknown"


def _write_atomic(path: Path, text: str) -> None:
    partial = path.with_name(f".{path.name}.partial")
    partial.write_text(text, "utf-8")
    os.replace(partial, path)


def _point_latest(reports_dir: Path, run_dir: Path) -> None:
    """Move ``reports/latest`` to ``run_dir`` atomically, one run at a time (a file lock)."""
    with open(reports_dir / ".latest.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        link = reports_dir / f".latest-{run_dir.name}"
        with contextlib.suppress(FileNotFoundError):
            link.unlink()
        link.symlink_to(run_dir.name)
        os.replace(link, reports_dir / "latest")


def _to_html(notebook: Path, target: Path) -> None:
    """Reader's HTML: code hidden, figures embedded."""
    import nbformat
    from nbconvert import HTMLExporter

    exporter = HTMLExporter(exclude_input=True, exclude_input_prompt=True, exclude_output_prompt=True)
    body, _ = exporter.from_notebook_node(nbformat.read(notebook, as_version=4))
    _write_atomic(target, body)


def _index_html(run_id: str, matrix: list[Job], results: list[JobResult], run_dir: Path) -> str:
    """The run's front page: one section per focus area with its pages and maps, then the regional pages."""
    by_name = {r.name: r for r in results}

    def link(job: Job) -> str:
        result = by_name[job.name]
        title = {"area_profile": f"Profiel {job.parameters.get('YEAR', '')}", "trends": "Trends",
                 "funding": "Regio Deal-financiering", "data_overview": "Data-overzicht"}[job.notebook]
        if result.ok:
            return f'<li><a href="{html.escape(job.name)}.html">{html.escape(title)}</a></li>'
        return (f'<li class="failed">{html.escape(title)}: mislukt in cel {result.failed_cell} — '
                f'<a href="notebooks/{html.escape(job.name)}.ipynb">notebook</a></li>')

    sections = []
    for area in dict.fromkeys(j.area for j in matrix if j.area):
        items = "".join(link(j) for j in matrix if j.area == area)
        pictures = [html.escape(p.relative_to(run_dir).as_posix())
                    for p in sorted(run_dir.glob(f"figures/area_profile_{area}_*/*.png"))]
        thumbs = "".join(f'<a href="{src}"><img src="{src}" alt="{Path(src).stem}"></a>' for src in pictures)
        sections.append(f"<section><h2>{html.escape(get_area(area).title)}</h2><ul>{items}</ul>"
                        f'<div class="maps">{thumbs}</div></section>')
    regional = "".join(link(j) for j in matrix if not j.area)
    return f"""<!DOCTYPE html>
<html lang="nl"><head><meta charset="utf-8"><title>Parkstad-analyse — rapport {html.escape(run_id)}</title>
<style>
body {{ font-family: "DejaVu Sans", Arial, sans-serif; margin: 2rem auto; max-width: 70rem; color: #222; }}
h1 {{ font-size: 1.6rem; }} h2 {{ font-size: 1.2rem; border-bottom: 1px solid #ccc; padding-bottom: .2rem; }}
.maps img {{ width: 32%; margin: .3rem .5% 0 0; border: 1px solid #ddd; }}
.failed {{ color: #b10026; }} footer {{ color: #666; font-size: .8rem; margin-top: 2rem; }}
</style></head><body>
<h1>Parkstad Limburg — focusgebieden Regio Deal</h1>
<p>Rapport {html.escape(run_id)}. Per focusgebied een profiel met kaarten en de trends; daaronder de regionale pagina's.</p>
{''.join(sections)}
<section><h2>Regionaal</h2><ul>{regional}</ul></section>
<footer>Bron: CBS (CC BY 4.0); persbericht Regio Deal Parkstad Limburg, 17 december 2020.
<a href="manifest.json">Manifest van deze run</a>.</footer>
</body></html>
"""


def prune_incomplete(reports_dir: Path) -> list[Path]:
    """Remove run folders left by interrupted runs (they never became ``latest``)."""
    removed = []
    for marker in reports_dir.glob(f"*/{INCOMPLETE}"):
        shutil.rmtree(marker.parent, ignore_errors=True)
        removed.append(marker.parent)
    return removed
