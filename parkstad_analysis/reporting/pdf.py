"""One A4 PDF per area: its report pages (profile, trends, evaluation) typeset by WeasyPrint, then a colophon.

WeasyPrint lays the report's own HTML pages out with their print stylesheet (``page.css``, ``@media print``), so
screen and paper share one layout and one set of words: no second template to keep in step. It needs the system's
Pango (Debian: ``libpango-1.0-0``, ``libpangoft2-1.0-0``), which Debian installs with Chromium.
"""

from __future__ import annotations

from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context
from pathlib import Path

from ..atomic import atomic_path
from ..pages.templates import render
from ..vocabulary.areas import get_area
from .plan import Job

#: The PDF of an area in a run folder: a stable name, so a link to it keeps working from one run to the next.
PDF_NAME = "{area}.pdf"


def pdf_name(area: str) -> str:
    """The file name of an area's PDF in a run folder (``gms.pdf``)."""
    return PDF_NAME.format(area=area)


def _main(html: str, source: Path) -> str:
    """The ``<main>`` of a report page (what a reader reads; the navigation stays behind)."""
    start, end = html.find("<main>"), html.rfind("</main>")
    if start < 0 or end < 0:
        raise ValueError(f"{source}: not a report page (no <main> element)")
    return html[start + len("<main>"):end]


def combined_html(pages: list[Path], colophon: str) -> str:
    """One HTML document of the pages' contents, each from a new sheet, then the colophon's: one document, so that
    its sheets are numbered through ("pagina 7 van 12"), with the first page's head (every report page has the same
    stylesheets)."""
    texts = [page.read_text("utf-8") for page in pages]
    head = texts[0][:texts[0].index("<main>")]
    parts = [_main(text, page) for text, page in zip(texts, pages, strict=True)]
    parts.append(_main(colophon, Path("colophon")))
    body = "".join(f'<section class="ps-pdf-part">{part}</section>' for part in parts)
    return f"{head}<main>{body}</main></body></html>"


def write_area_pdf(pages: list[Path], colophon: str, target: Path) -> Path:
    """Typeset ``pages`` (report HTML files, in order) and the ``colophon`` (HTML) into one PDF, atomically.

    Parameters
    ----------
    pages : list of Path
        The area's report pages; their images are embedded, their links stay links.
    colophon : str
        The closing page's HTML (:func:`colophon_html`).
    target : Path
        The PDF to write; a failed typesetting leaves no file behind.

    Returns
    -------
    Path
        ``target``.
    """
    from weasyprint import HTML

    document = HTML(string=combined_html(pages, colophon), base_url=str(pages[0].parent)).render()
    with atomic_path(target) as partial:
        document.write_pdf(partial)
    return target


def citation(date: str, version: str, area: str | None = None) -> str:
    """How to cite the report (or an area's part of it)."""
    report = f"Parkstad Limburg — focusgebieden Regio Deal, rapport van {date}"
    return (f"{area}, uit: {report}." if area else f"{report}.") + f" Bron: CBS, bewerking parkstad-analysis {version}."


def colophon_html(area: str, page_titles: list[str], run_id: str, date: str, version: str, cutoff: str) -> str:
    """The closing page of an area's PDF: what the document holds, how to cite it and how to make it again."""
    title = get_area(area).title
    return render("area_pdf_colophon.html.j2", area=title, pages=page_titles, run_id=run_id, date=date,
                  version=version, cutoff=cutoff, citation=citation(date, version, title))


def _typeset(arguments: tuple[list[Path], str, Path]) -> Path:
    return write_area_pdf(*arguments)


def write_area_pdfs(run_dir: Path, matrix: list[Job], succeeded: set[str], titles: dict[str, str], run_id: str,
                    date: str, version: str, cutoff: str, workers: int = 1) -> dict[str, Path]:
    """The PDF of every area whose pages all succeeded, ``workers`` at a time; area → PDF written.

    ``titles`` gives each job's page title (what the colophon lists). An area with a failed page gets no PDF:
    a PDF that silently lacks the evaluation would pass for the whole.
    """
    work = {}
    for area in dict.fromkeys(job.area for job in matrix if job.area):
        jobs = [job for job in matrix if job.area == area]
        if all(job.name in succeeded for job in jobs):
            colophon = colophon_html(area, [titles[job.name] for job in jobs], run_id, date, version, cutoff)
            work[area] = ([run_dir / f"{job.name}.html" for job in jobs], colophon, run_dir / pdf_name(area))
    if workers <= 1 or len(work) <= 1:
        return {area: _typeset(arguments) for area, arguments in work.items()}
    # processes, not threads: typesetting is pure Python; spawned, so no kernel machinery or lock is inherited
    with ProcessPoolExecutor(max_workers=min(workers, len(work)), mp_context=get_context("spawn")) as pool:
        return dict(zip(work, pool.map(_typeset, work.values()), strict=True))
