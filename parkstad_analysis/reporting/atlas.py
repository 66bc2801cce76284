"""``parkstad report --atlas``: a page for every gemeente, wijk and buurt of the scope, and an index to find any.

The pages come from a template, not from the profile notebook. A papermill run of the
profile costs a kernel and its imports per page (about 8 s for a focus area on this
machine: ~35 minutes for 257 pages on 2 cores); a template page costs the figures
themselves (about 1 s). The figures are the profile's own functions
(:mod:`parkstad_analysis.analysis.atlas`), so a researcher re-runs any page's numbers
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

import numpy as np

from ..analysis.catalogue import looked_up_in_project
from ..atomic import remove_tree, write_text
from ..config import Settings
from ..dutch import SIGNS, dutch_list, nl_number
from ..errors import DataFormatError, RunFailed
from ..processed import ProcessedStore
from ..processed.generations import pinned
from .publish import made_with, point_latest, pointers, run_date

POINTER = "atlas"
_LEVEL_WORD = {"gemeente": "gemeente", "wijk": "wijk", "buurt": "buurt"}
_CHILDREN = {"gemeente": "Wijken van {name}", "wijk": "Buurten van {name}"}


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


class _Pages:
    """One process's renderer: the data, the figures of the areas above and the outlines, loaded once."""

    def __init__(self, settings: Settings, generation: str, year: int | None):
        from ..analysis.atlas import AtlasFigures
        from ..analysis.catalogue import Catalogue, used_codes
        from ..figures.atlas import Outlines
        from ..research import Data

        store = ProcessedStore(settings, generation)
        self.data = Data(store)
        self.catalogue = Catalogue(self.data["region_names"], settings.scope.gemeenten(), used_codes(store))
        year = year or int(self.data["kwb"]["year"].max())
        self.figures = AtlasFigures(self.data, self.catalogue, year)
        try:
            self.outlines = Outlines(self.data.layers)
        except DataFormatError:  # a scope whose layers do not hold Parkstad's gemeenten (the national one): no maps
            self.outlines = None
        self.focus = _focus_membership()
        from ..analysis.benchmarks import national_series

        self.national = national_series(self.data, benchmarks=self.figures.benchmarks)  # the same line on every page

    def render(self, code: str, folder: Path) -> dict:
        """Write one region's page and figures; return its overview row."""
        from ..analysis.indicators import benefit_rates
        from ..figures.atlas import benefit_lines, locator
        from ..figures.style import png_bytes
        from ..pages.blocks import figures_html, table_html
        from ..pages.templates import render

        region = self.catalogue.regions[code]
        area = self.catalogue.area(region)
        figures = self.figures.key_figures(area)
        parents = self.figures.parents(region)
        comparison = self.figures.comparison(area, figures, parents)
        columns = {"label": ("Cijfer", None), "period": ("Periode", None), area.name: (region.name, 1),
                   **{p.name: (p.title, 1) for p in parents}, "nederland": ("Nederland", 1)}
        sources = "; ".join(dict.fromkeys(s for part in comparison["sources"] for s in part.split("; ") if s))
        table = table_html(comparison, columns, caption=f"{region.name} naast {_compared_with(parents)}",
                           source=(sources or "CBS") + "; bewerking parkstad-analysis",
                           footnotes=["Elk cijfer in de periode van het gebied zelf; een cijfer van een groter gebied "
                                      "dat maar een deel van zijn buurten heeft, staat er niet."])
        fig, map_note = locator(self.outlines, region) if self.outlines is not None else (
            None, "geen kaart: de grenzen van deze indeling zijn niet verwerkt")
        if fig is not None:
            (folder / "figures" / f"{code}.png").write_bytes(png_bytes(fig, dpi=90))
            _close(fig)
        trend = None
        benefits = self.data.get("benefits")
        own = benefit_rates(benefits, area, kinds=["bijstand"]) if benefits is not None else None
        if own is not None and own["value"].notna().any():
            gemeente = next((p for p in parents if p.level == "gemeente"), None)
            lines = {region.name: own.dropna(subset=["value"])}
            if gemeente is not None:
                lines[gemeente.title] = benefit_rates(benefits, gemeente, kinds=["bijstand"]).dropna(subset=["value"])
            lines["Nederland"] = self.national
            fig = benefit_lines(lines)
            (folder / "figures" / f"{code}_bijstand.png").write_bytes(png_bytes(fig, dpi=100))
            _close(fig)
            first, last = lines[region.name]["period"].iloc[[0, -1]]
            trend = {"alt": f"Lijngrafiek: personen met bijstand per 1.000 inwoners van 15 jaar en ouder per kwartaal, "
                            f"{first} tot en met {last}, van {dutch_list(list(lines))}.",
                     "caption": f"Personen met bijstand per 1.000 inwoners 15+, {first}–{last}. Nederland: de inwoners "
                                "van Nederland (NL01), berekend zoals de buurten. Bron: CBS, uitkeringsontvangers per "
                                "wijk en buurt; bewerking parkstad-analysis."}
        gemeente_region = self.catalogue.regions.get(region.gemeente)
        html = render("atlas/page.html.j2", region=region, level_word=_LEVEL_WORD[region.level],
                      gemeente=gemeente_region if region.level != "gemeente" else None,
                      parents=[{"word": p.level, "name": p.title, "href": f"{p.codes[0]}.html"} for p in parents
                               if p.codes[0] in self.catalogue.regions and len(p.codes) == 1],
                      year=self.figures.year, quarter=self.figures.quarter, map_note=map_note,
                      has_map=fig is not None,
                      key_figures=figures_html(figures, "Kerncijfers") if figures else "",
                      compared_with=_compared_with(parents), comparison=table, trend=trend,
                      children=self._children(region), children_title=_CHILDREN.get(region.level, "").format(
                          name=region.name),
                      focus=self.focus.get(code, []) if (folder.parent / "latest").is_dir() else [],
                      citation=f"Atlas Parkstad Limburg, {region.name} ({region.code}). Bron: CBS, bewerking "
                               f"{made_with()}.")
        write_text(folder / "pages" / f"{code}.html", html)
        return self.figures.overview_row(region, figures)

    def _children(self, region) -> list:
        if region.level == "buurt":
            return []
        prefix = ("WK" + region.code[2:6]) if region.level == "gemeente" else ("BU" + region.code[2:8])
        current = {r.code for r in self.catalogue.current()}
        return [r for code, r in sorted(self.catalogue.regions.items()) if code.startswith(prefix) and code in current]


def _focus_membership() -> dict[str, list[str]]:
    """Region code → the focus areas it is part of (named as the pages name them)."""
    from ..vocabulary.areas import focus_areas, get_area

    found: dict[str, list[str]] = {}
    for name in focus_areas():
        area = get_area(name)
        for code in area.codes:
            found.setdefault(code, []).append(area.title)
    return found


def _compared_with(parents) -> str:
    return dutch_list([p.title for p in parents] + ["Nederland"])


def _close(fig) -> None:
    import matplotlib.pyplot as plt

    plt.close(fig)


#: The renderer of a worker process (made by :func:`_start_worker`).
_WORKER: _Pages | None = None


def _start_worker(settings: Settings, generation: str, year: int | None) -> None:
    global _WORKER
    _WORKER = _Pages(settings, generation, year)


def _render_chunk(codes: list[str], folder: str, settings: Settings | None = None, generation: str = "",
                  year: int | None = None) -> tuple[list[dict], float]:
    """Render the pages of ``codes``; return their overview rows and this process's CPU seconds for them."""
    global _WORKER
    if _WORKER is None:  # a Dask worker: the renderer is made on its first chunk
        _WORKER = _Pages(settings, generation, year)
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
            html = render("atlas/index.html.j2", date=run_date(run_id), version=_version(), pages=len(regions),
                          counts=", ".join(f"{n} {level}{'en' if n != 1 else ''}" for level, n in counts.items()),
                          year=info[0], quarter=info[1], groups=_groups(regions, catalogue),
                          overview=_overview(rows, catalogue), report="../latest/index.html" if report.is_file() else "",
                          citation=f"Atlas Parkstad Limburg, {run_date(run_id)}. Bron: CBS, bewerking {made_with()}.")
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


def _groups(regions, catalogue) -> list[dict]:
    """The index's list: per gemeente its wijken and buurten, each with the text the search matches."""
    from ..analysis.catalogue import _plain, gemeente_name

    groups: dict[str, dict] = {}
    for region in regions:
        group = groups.setdefault(region.gemeente, {"code": region.gemeente, "name": gemeente_name(region.gemeente),
                                                    "entries": []})
        group["entries"].append({"code": region.code, "name": region.name, "level": region.level,
                                 "search": _plain(f"{region.name} {region.code} {group['name']} {region.level}")})
    return sorted(groups.values(), key=lambda g: g["name"])


def _overview(rows: list[dict], catalogue) -> str:
    """The sortable table of every region's overview figures (numbers as pages write them, sorted by value)."""
    from ..analysis.atlas import OVERVIEW
    from ..analysis.catalogue import _plain, gemeente_name
    from ..pages.templates import render

    headers = [{"text": "Gebied", "numeric": False}, {"text": "Code", "numeric": False},
               {"text": "Niveau", "numeric": False}, {"text": "Gemeente", "numeric": False}]
    headers += [{"text": title, "numeric": True} for _, title, _ in OVERVIEW]
    periods = {key: _common_period(rows, key) for key, _, _ in OVERVIEW}
    for header, (key, _, _) in zip(headers[4:], OVERVIEW, strict=True):
        header["text"] += f", {periods[key]}" if periods[key] else ""
    body = []
    for row in rows:
        cells = [{"text": row["name"], "value": row["name"], "href": f"pages/{row['code']}.html"},
                 {"text": row["code"], "value": row["code"]}, {"text": row["level"], "value": row["level"]},
                 {"text": gemeente_name(row["gemeente"]), "value": gemeente_name(row["gemeente"])}]
        for key, _, _ in OVERVIEW:
            value = row[key]
            text = nl_number(value, row[f"{key}_decimals"])
            if row[f"{key}_period"] and row[f"{key}_period"] != periods[key] and not np.isnan(value):
                text += f" ({row[f'{key}_period']})"
            cells.append({"text": text, "value": "" if np.isnan(value) else f"{value:.6g}", "numeric": True})
        body.append({"cells": cells, "search": _plain(f"{row['name']} {row['code']} {gemeente_name(row['gemeente'])}")})
    return render("atlas/overview.html.j2", headers=headers, rows=body, signs=SIGNS,
                  source="CBS, Kerncijfers wijken en buurten en uitkeringsontvangers per wijk en buurt; bewerking "
                         "parkstad-analysis")


def _common_period(rows: list[dict], key: str) -> str:
    """The period most regions have a figure for (named in the column's header)."""
    periods = [r[f"{key}_period"] for r in rows if r[f"{key}_period"]]
    return max(set(periods), key=periods.count) if periods else ""


def _version() -> str:
    from importlib.metadata import version

    return version("parkstad-analysis")


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
