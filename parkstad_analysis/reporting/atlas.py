"""``parkstad report --atlas``: a page for every gemeente, wijk and buurt of the scope, and an index to find any.

The pages come from a template, not from the profile notebook. A papermill run of the
profile costs a kernel and its imports per page (about 8 s for a focus area on this
machine: ~35 minutes for 257 pages on 2 cores); a template page costs the figures
themselves (about 1 s). The figures are the profile's own functions
(:mod:`parkstad_analysis.analysis.atlas`) and what a page says is
:mod:`parkstad_analysis.pages.atlas`, so a researcher re-runs any page's numbers
in a notebook with ``pa.key_figures(data, "BU09280102", 2024, "2024Q3")``, and the
profile notebook still serves any single region (``parkstad report --areas BU09280102``).

Pages are rendered by a pool of processes (``jobs``), each loading the data once and
taking the regions of whole gemeenten, so that the figures of a wijk, gemeente and
Parkstad are computed once per process; with ``scheduler`` the same chunks go to a Dask
cluster. The atlas is written to ``reports/atlas-<run id>/`` and ``reports/atlas`` points
at it when it is whole.
"""

from __future__ import annotations

import json
import os
import resource
import shutil
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from multiprocessing import get_context
from pathlib import Path

from ..analysis.catalogue import looked_up_in_project
from ..atomic import remove_tree, write_text
from ..config import Settings
from ..errors import RunFailed
from ..pages.atlas import AtlasPages, index_groups, overview_table
from ..processed import ProcessedStore
from ..processed.generations import pinned
from .publish import made_with, point_latest, pointers, run_date

POINTER = "atlas"


@dataclass
class AtlasResult:
    """What an atlas run wrote and what it cost."""

    folder: Path
    pages: int
    seconds: float
    cpu_seconds: float
    peak_mb: float
    jobs: int
    counts: dict[str, int] = field(default_factory=dict)


#: The renderer of a worker process (made by :func:`_start_worker`).
_WORKER: AtlasPages | None = None


def _start_worker(settings: Settings, generation: str, year: int | None) -> None:
    global _WORKER
    _WORKER = AtlasPages(settings, generation, year, made_with())


def _render_chunk(codes: list[str], folder: str, settings: Settings | None = None, generation: str = "",
                  year: int | None = None) -> tuple[list[dict], float]:
    """Render the pages of ``codes``; return their overview rows and this process's CPU seconds for them."""
    global _WORKER
    if _WORKER is None:  # a Dask worker: the renderer is made on its first chunk
        _WORKER = AtlasPages(settings, generation, year, made_with())
    start = time.process_time()
    rows = [_WORKER.render(code, Path(folder)) for code in codes]
    return rows, time.process_time() - start


def _chunks(regions, jobs: int) -> list[list[str]]:
    """Regions in chunks of whole gemeenten (their parents' figures are then computed once per chunk's process),
    about three chunks per job so that the processes finish together."""
    by_gemeente: dict[str, list[str]] = {}
    for region in regions:
        by_gemeente.setdefault(region.gemeente, []).append(region.code)
    target = max(1, len(regions) // max(1, 3 * jobs))
    chunks, current = [], []
    for codes in sorted(by_gemeente.values(), key=len, reverse=True):
        for code in codes:
            current.append(code)
            if len(current) >= target:
                chunks.append(current)
                current = []
    return chunks + ([current] if current else [])


@looked_up_in_project
def run_atlas(settings: Settings | None = None, *, jobs: int = 2, scheduler: str | None = None,
              limit: int | None = None, year: int | None = None, name: str = POINTER,
              levels: tuple[str, ...] = ("gemeente", "wijk", "buurt")) -> AtlasResult:
    """Build the atlas of the current processed data.

    Parameters
    ----------
    settings : Settings, optional
        Default :meth:`Settings.from_env`.
    jobs : int
        Processes that render pages (1: in this process, the floor the benchmark compares with).
    scheduler : str, optional
        A Dask scheduler address, or ``"local"`` for a ``LocalCluster`` of ``jobs`` workers.
    limit : int, optional
        Only the first ``limit`` regions (the benchmark's growth series).
    levels : tuple of str
        The levels to make pages for (the national benchmark: ``("gemeente",)``).
    year : int, optional
        The profile year (default the latest KWB year).
    name : str
        The pointer in ``reports/`` that the finished atlas gets (default ``atlas``).

    Returns
    -------
    AtlasResult

    Raises
    ------
    RunFailed
        When the data are not built or a page fails; the pointer then keeps the last good atlas.
    """
    from ..analysis.catalogue import Catalogue, used_codes
    from ..pages.templates import TEMPLATES, render

    settings = settings or Settings.from_env()
    store = ProcessedStore(settings)
    if not store.exists():
        raise RunFailed(f"{settings.processed_dir}: not built; run `parkstad fetch` and `parkstad build` first")
    started, cpu_before = time.perf_counter(), _cpu()
    run_id = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    with pinned(settings.processed_dir, f"atlas-{run_id}", store.generation) as generation:
        catalogue = Catalogue(store.load_table("region_names"), settings.scope.gemeenten(), used_codes(store))
        regions = [r for r in catalogue.current() if r.level in levels]
        regions = regions[:limit] if limit else regions
        if not regions:
            raise RunFailed(f"{settings.processed_dir}: the region names hold no {'/'.join(levels)} of scope "
                            f"{settings.scope.name!r}; run `parkstad build`")
        folder = settings.reports_dir / f"atlas-{run_id}"
        staging = settings.reports_dir / f".atlas-{run_id}.partial"
        for sub in ("pages", "figures", "assets"):
            (staging / sub).mkdir(parents=True, exist_ok=True)
        try:
            rows, worker_cpu = _render_all(regions, staging, settings, generation, year, jobs, scheduler)
            by_code = {row["code"]: row for row in rows}
            rows = [by_code[r.code] for r in regions]
            css = "\n".join((TEMPLATES / n).read_text("utf-8") for n in ("page.css", "blocks.css", "atlas/atlas.css"))
            write_text(staging / "assets" / "atlas.css", css)
            counts = {level: sum(r.level == level for r in regions) for level in ("gemeente", "wijk", "buurt")}
            info = _run_year(store, year)
            report = settings.reports_dir / "latest" / "index.html"
            html = render("atlas/index.html.j2", date=run_date(run_id), version=made_with(), pages=len(regions),
                          counts=", ".join(f"{n} {level}{'en' if n != 1 else ''}" for level, n in counts.items()),
                          year=info[0], quarter=info[1], groups=index_groups(regions),
                          overview=overview_table(rows), report="../latest/index.html" if report.is_file() else "",
                          citation=f"Atlas Parkstad Limburg, {run_date(run_id)}. Bron: CBS, bewerking "
                                   f"parkstad-analysis {made_with()}.")
            write_text(staging / "index.html", html)
            write_text(staging / "atlas.json", json.dumps(
                {"run_id": run_id, "generation": generation, "pages": len(regions), "counts": counts,
                 "jobs": jobs, "scheduler": scheduler or ""}, indent=2) + "\n")
            staging.rename(folder)
        except BaseException:
            remove_tree(staging)
            raise
    point_latest(settings.reports_dir, folder, name)
    _prune(settings.reports_dir, keep=folder)
    seconds = time.perf_counter() - started
    cpu = _cpu() - cpu_before + (worker_cpu if scheduler else 0.0)
    return AtlasResult(folder, len(regions), seconds, cpu, _peak_mb(), jobs, counts)


def _render_all(regions, staging: Path, settings: Settings, generation: str, year: int | None, jobs: int,
                scheduler: str | None) -> tuple[list[dict], float]:
    chunks = _chunks(regions, jobs)
    if scheduler:
        return _on_dask(chunks, staging, settings, generation, year, jobs, scheduler)
    if jobs <= 1:
        _start_worker(settings, generation, year)
        results = [_render_chunk(chunk, str(staging)) for chunk in chunks]
    else:
        with ProcessPoolExecutor(jobs, mp_context=get_context("fork"), initializer=_start_worker,
                                 initargs=(settings, generation, year)) as pool:
            results = list(pool.map(_render_chunk, chunks, [str(staging)] * len(chunks)))
    return [row for rows, _ in results for row in rows], sum(cpu for _, cpu in results)


def _on_dask(chunks, staging: Path, settings: Settings, generation: str, year: int | None, jobs: int,
             scheduler: str) -> tuple[list[dict], float]:
    from dask.distributed import Client, LocalCluster

    cluster = LocalCluster(n_workers=jobs, threads_per_worker=1, processes=True, dashboard_address=None) \
        if scheduler == "local" else None
    with Client(cluster or scheduler) as client:
        futures = client.map(_render_chunk, chunks, folder=str(staging), settings=settings, generation=generation,
                             year=year, pure=False)
        results = client.gather(futures)
    if cluster is not None:
        cluster.close()
    return [row for rows, _ in results for row in rows], sum(cpu for _, cpu in results)


def _run_year(store: ProcessedStore, year: int | None) -> tuple[int, str]:
    from ..analysis.profile import profile_quarter

    year = year or int(store.load_table("kwb", columns=["year"])["year"].max())
    benefits = store.load_table("benefits", columns=["period"]) if store.has_table("benefits") else None
    return year, profile_quarter(benefits, year) if benefits is not None else ""


def _cpu() -> float:
    """CPU seconds of this process and its finished children."""
    times = os.times()
    return times.user + times.system + times.children_user + times.children_system


def _peak_mb() -> float:
    """The peak resident memory of this process or of its largest child, in MB."""
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return max(own, children) / 1024


def _prune(reports_dir: Path, keep: Path, runs: int = 2) -> None:
    """Keep the newest ``runs`` atlases and every atlas a pointer names (``atlas``, or another ``--name``); staging
    left by a killed run goes."""
    for stale in reports_dir.glob(".atlas-*.partial"):
        if stale.is_dir() and time.time() - stale.stat().st_mtime > 3600:
            remove_tree(stale)
    pointed = {keep, *pointers(reports_dir).values()}
    atlases = sorted((p for p in reports_dir.glob("atlas-*") if p.is_dir() and not p.is_symlink()), reverse=True)
    for old in atlases[runs:]:
        if old.resolve() not in pointed:
            shutil.rmtree(old, ignore_errors=True)
