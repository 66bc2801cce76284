"""Publishing a report run: its index page (jinja template), its manifest, and the ``latest`` pointer.

Only a run in which every notebook succeeded moves ``reports/latest`` to itself;
the pointer is a symlink replaced in one rename, one run at a time (a file lock
that works on every platform).
"""

from __future__ import annotations

import json
import os
import re
import shutil
from datetime import datetime
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from filelock import FileLock

from ..atomic import write_json, write_text
from ..kernels import TaskResult
from ..locks import pid_alive
from ..pages.exports import DICTIONARY, WORKBOOK
from ..pages.show import NARROW_SUFFIX
from ..pages.templates import render
from ..vocabulary.areas import get_area
from .pdf import citation, pdf_name
from .plan import NOTEBOOKS, Job

INCOMPLETE = ".incomplete"
#: A run's folder name: its start in UTC and four hex digits.
RUN_ID = re.compile(r"\d{8}T\d{6}Z-[0-9a-f]{4}")
MANIFEST = "manifest.json"
VERSIONED = ("parkstad-analysis", "pandas", "geopandas", "matplotlib", "mapclassify", "papermill", "nbconvert")


def _installed(name: str) -> bool:
    try:
        version(name)
    except PackageNotFoundError:  # pragma: no cover - run from a checkout that was never installed
        return False
    return True


def package_versions() -> dict[str, str]:
    """Versions of the packages whose change would change a report."""
    found = {}
    for name in VERSIONED:
        try:
            found[name] = version(name)
        except PackageNotFoundError:  # pragma: no cover - a package without metadata
            found[name] = "unknown"
    return found


def write_manifest(run_dir: Path, manifest: dict) -> None:
    """The run's manifest: parameters, data checksums, package versions, timings, outcome."""
    write_json(run_dir / MANIFEST, manifest)


def page_heading(job: Job) -> str:
    """A page's own title (its ``<title>`` and H1): the kind of page and the area it is about."""
    return f"{page_title(job)} – {get_area(job.area).title}" if job.area else page_title(job)


def navigation(job: Job, matrix: list[Job]) -> str:
    """The navigation at the top of a page: the index, the area's other pages, and the same page of every other area
    (or its first page), so a reader moves between areas without going back to the index."""
    import html

    def link(other: Job, text: str) -> str:
        current = ' aria-current="page"' if other.name == job.name else ""
        return f'<a href="{other.name}.html"{current}>{html.escape(text)}</a>'

    parts = ['<nav class="ps-nav" aria-label="Rapport"><a href="index.html">&larr; Overzicht van dit rapport</a>']
    if job.area:
        own = [j for j in matrix if j.area == job.area]
        parts.append(f'<span class="ps-nav-group">{html.escape(get_area(job.area).title)}: '
                     + " · ".join(link(j, page_title(j)) for j in own)
                     + f' · <a href="{pdf_name(job.area)}">alles als PDF (A4)</a></span>')
        others = []
        for area in dict.fromkeys(j.area for j in matrix if j.area and j.area != job.area):
            pages = [j for j in matrix if j.area == area]
            same = next((j for j in pages if j.notebook == job.notebook), pages[0])
            others.append(link(same, get_area(area).title.split(" (")[0]))
        if others:
            parts.append('<span class="ps-nav-group">Ander gebied: ' + " · ".join(others) + "</span>")
    else:
        regional = [j for j in matrix if not j.area]
        parts.append('<span class="ps-nav-group">Regionaal: ' + " · ".join(link(j, page_title(j)) for j in regional)
                     + "</span>")
    return "".join(parts) + "</nav>"


def page_title(job: Job) -> str:
    """The Dutch title of a job's page (with the profile year, and the area where the page is about one)."""
    spec = NOTEBOOKS[job.notebook]
    return f"{spec.title} {job.parameters.get('YEAR', '')}".strip() if job.notebook == "area_profile" else spec.title


#: The start of a regional page's sheet names in the workbook; the word after an area's name for its other pages.
SHEET_PREFIX = {"funding": "Financiering", "data_overview": "Data"}
SHEET_KIND = {"trends": "trends", "evaluation": "evaluatie"}


def workbook_pages(matrix: list[Job]) -> dict[str, tuple[str, str]]:
    """Table folder → (page title, the short Dutch name its sheets start with: ``GMS 2019``, ``Financiering``)."""
    pages = {"overzicht": ("Overzicht van het rapport", "Overzicht")}
    for job in matrix:
        if job.area:
            short = get_area(job.area).title.split(" (")[0]
            prefix = f"{short} {job.parameters.get('YEAR') or SHEET_KIND.get(job.notebook, '')}".strip()
            pages[job.name] = (f"{page_title(job)} – {get_area(job.area).title}", prefix)
        else:
            pages[job.name] = (page_title(job), SHEET_PREFIX.get(job.notebook, page_title(job)))
    return pages


def _page(job: Job, result: TaskResult) -> dict:
    return {"name": job.name, "title": page_title(job), "ok": result.ok, "failed_cell": result.failed_cell}


#: The map of all focus areas in Parkstad (drawn by the data overview), which the index opens with.
LOCATOR = "figures/data_overview/locator.png"


def _picture_alt(png: Path) -> str:
    """A thumbnail's alt text: the title of the table its figure draws (written beside it), else a plain word."""
    sidecar = png.with_name(png.stem + ".csv-metadata.json")
    if sidecar.is_file():
        title = json.loads(sidecar.read_text("utf-8")).get("dc:title", "")
        if title:
            return f"Kaart: {title}"
    return "Kaart van het gebied"


DUTCH_MONTHS = ("januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus", "september", "oktober",
                "november", "december")


def _size(path: Path) -> str:
    """A file's size as a reader reads it: ``1,4 MB``."""
    from ..dutch import nl_number

    return f"{nl_number(path.stat().st_size / 1e6, 1)} MB"


def run_date(run_id: str) -> str:
    """The date and time of a run as a person reads it: ``2 december 2026, 20:58 UTC``."""
    stamp = datetime.strptime(run_id[:16], "%Y%m%dT%H%M%SZ")
    return f"{stamp.day} {DUTCH_MONTHS[stamp.month - 1]} {stamp.year}, {stamp:%H:%M} UTC"


def made_with() -> str:
    """The version of parkstad-analysis that made a report (``onbekend`` from a checkout never installed)."""
    return version("parkstad-analysis") if _installed("parkstad-analysis") else "onbekend"


def write_index(run_id: str, matrix: list[Job], results: list[TaskResult], run_dir: Path, overview: str = "",
                cutoff: str = "", pdfs: dict[str, Path] | None = None) -> None:
    """The run's front page: the overview table, one section per focus area with its pages, PDF and maps, then the
    regional pages, the data dictionary and the downloads."""
    pdfs = pdfs or {}
    by_name = {r.name: r for r in results}
    sections = []
    for area in dict.fromkeys(j.area for j in matrix if j.area):
        pictures = [{"src": p.relative_to(run_dir).as_posix(), "alt": _picture_alt(p)}
                    for p in sorted(run_dir.glob(f"figures/area_profile_{area}_*/*.png"))
                    if not p.stem.endswith(NARROW_SUFFIX)]  # a map's phone layout is not another map
        pdf = pdfs.get(area)
        sections.append({"title": get_area(area).title, "pictures": pictures,
                         "pdf": {"href": pdf.name, "size": _size(pdf)} if pdf else None,
                         "pages": [_page(j, by_name[j.name]) for j in matrix if j.area == area]})
    regional = [_page(j, by_name[j.name]) for j in matrix if not j.area]
    made, date = made_with(), run_date(run_id)
    locator = run_dir / LOCATOR
    html = render("index.html.j2",
        locator={"src": LOCATOR, "alt": _picture_alt(locator)} if locator.is_file() else None,
        run_id=run_id, date=date, cutoff=cutoff, version=made, sections=sections, regional=regional,
        citation=citation(date, made),
        overview=overview,
        workbook=WORKBOOK if (run_dir / WORKBOOK).is_file() else None,
        dictionary=DICTIONARY if (run_dir / DICTIONARY).is_file() else None,
        # the atlas (parkstad report --atlas) lives beside the runs: linked when one was made
        atlas="../atlas/index.html" if (run_dir.parent / "atlas" / "index.html").is_file() else None)
    write_text(run_dir / "index.html", html)


def pointer_problem(reports_dir: Path, name: str) -> str | None:
    """Why ``reports/<name>`` cannot be moved (something other than a pointer is there); checked before a run."""
    target = reports_dir / name
    if target.is_symlink() or not target.exists():
        return None
    kind = "folder" if target.is_dir() else "file"
    return (f"{target}: a {kind} where the pointer {name!r} (a symbolic link to the newest run) belongs; move it "
            "away, or name the run differently with --name")


def point_latest(reports_dir: Path, run_dir: Path, name: str = "latest") -> None:
    """Move the pointer ``reports/<name>`` to ``run_dir`` atomically, one run at a time."""
    with FileLock(reports_dir / ".pointers.lock"):
        # links of this pointer left by a command killed between making one and moving it (we hold the lock)
        for stale in reports_dir.glob(f".{name}-*"):
            if stale.is_symlink() and RUN_ID.fullmatch(stale.name.removeprefix(f".{name}-")):
                stale.unlink()
        link = reports_dir / f".{name}-{run_dir.name}"
        link.symlink_to(run_dir.name)
        try:
            os.replace(link, reports_dir / name)
        except OSError:
            link.unlink()
            raise


def pointers(reports_dir: Path) -> dict[str, Path]:
    """Every report pointer (``latest``, ``latest-gms``, …) and the run it points at."""
    return {p.name: p.resolve() for p in reports_dir.iterdir() if p.is_symlink()} if reports_dir.is_dir() else {}


def prune_incomplete(reports_dir: Path) -> list[Path]:
    """Remove run folders left by runs that were interrupted or killed (their process is gone)."""
    removed = []
    for marker in reports_dir.glob(f"*/{INCOMPLETE}"):
        try:
            owner = int(json.loads(marker.read_text("utf-8")).get("pid", 0))
        except (OSError, ValueError):
            owner = 0
        if owner and pid_alive(owner):
            continue
        shutil.rmtree(marker.parent, ignore_errors=True)
        removed.append(marker.parent)
    return removed


def prune_runs(reports_dir: Path, keep: int) -> list[Path]:
    """Remove complete runs beyond the newest ``keep``; a run a pointer points at is always kept."""
    pointed = set(pointers(reports_dir).values())
    runs = sorted((p for p in reports_dir.iterdir() if p.is_dir() and not p.is_symlink() and (p / MANIFEST).is_file()
                   and not (p / INCOMPLETE).exists()), key=lambda p: p.name)
    removed = [run for run in runs[: max(len(runs) - keep, 0)] if run.resolve() not in pointed]
    for run in removed:
        shutil.rmtree(run, ignore_errors=True)
    return removed
