"""What notebooks use to show things: figures, tables, key figures and notes as the report shows them, and records.

``record`` shows key figures as plain text (what nbval compares) and attaches them as
JSON with the metadata ``{"parkstad": "record"}``, so tests and the report can read
the figures a notebook produced from the executed notebook itself; the report's page
template leaves that output out, and the reader sees the blocks of ``show_key_figures``
and ``show_table`` instead (Dutch numbers, periods, sources, a CSV per table).
"""

from __future__ import annotations

import json
import math
import os
from pathlib import Path

import pandas as pd

from ..config import FIGURE_FORMATS_ENV
from ..dutch import nl_number
from ..figures.style import alt_text, narrow_variant, plotted_data, png_bytes, save
from .blocks import (
    as_published,
    data_table_html,
    downloads_html,
    export_csv,
    figures_html,
    has_missing,
    interactive_html,
    note_html,
    picture_html,
    table_html,
    table_notes,
)
from .templates import styled

__all__ = [
    "RECORD_MIME", "figure_formats", "record", "recorded", "show", "show_interactive",
    "show_key_figures", "show_note", "show_table"
]

RECORD_MIME = "application/vnd.parkstad.record+json"


def _plain(value: object) -> object:
    if isinstance(value, float):
        return None if math.isnan(value) else round(value, 6)
    if hasattr(value, "item"):
        return _plain(value.item())
    return value


def record(**figures: object) -> None:
    """Show key figures as ``name = value`` lines and attach them for tests and reports.

    Values are rounded to 6 decimals so that the text nbval compares is stable.
    """
    from IPython.display import display

    values = {name: _plain(value) for name, value in figures.items()}
    text = "\n".join(f"{name} = {_format(value)}" for name, value in values.items())
    display({"text/plain": text, "text/html": _record_html(values), RECORD_MIME: values}, raw=True,
            metadata={"parkstad": "record"})


def _format(value: object) -> str:
    if isinstance(value, float):
        return f"{value:,.2f}"
    return str(value)  # whole numbers as they are: years must not read 2,019


def _record_html(values: dict[str, object]) -> str:
    """The recorded figures as a researcher reads them in JupyterLab: names and Dutch numbers (the report hides it)."""
    import html

    def dutch(value: object) -> str:
        if isinstance(value, float):
            return nl_number(value, 0 if value.is_integer() else 2)
        return html.escape(str(value)) if value is not None else "."

    # inline styles, not blocks.css: nbval compares this output, and a change of page style must not fail it
    cell = "padding:0 .8rem 0 0;border:none;background:none"
    rows = "".join(f"<tr><td style='{cell};text-align:left'><code>{html.escape(name)}</code></td>"
                   f"<td style='{cell};text-align:right'>{dutch(value)}</td></tr>" for name, value in values.items())
    return ("<div style='font-size:.8rem;color:#555'>Vastgelegd voor de tests en het rapport</div>"
            f"<table style='font-size:.85rem;border-collapse:collapse;margin:0'>{rows}</table>")


def figure_formats() -> tuple[str, ...]:
    """The file formats a report saves each figure in: ``$PARKSTAD_FIGURE_FORMATS``, default PNG and SVG."""
    return tuple(f.strip() for f in os.environ.get(FIGURE_FORMATS_ENV, "png,svg").split(",") if f.strip())


def show(drawing, name: str | None = None, figure_dir: str | Path | None = None) -> None:
    """Display a map or chart inline (PNG, with Dutch alt text from the data it draws) and, when ``figure_dir`` is
    set, save it (PNG and SVG; PDF on request) with the table behind it as CSV, and link the three under it.

    ``drawing`` is a Figure, an Axes, or what a drawing function returned (anything with ``.figure``).
    """
    from IPython.display import Image, display

    fig = getattr(drawing, "figure", drawing)
    text = alt_text(fig)  # what a screen reader says: the image has no other words
    described = {"alt": text} if text else None
    if not (figure_dir and name):
        display(Image(png_bytes(fig), format="png", metadata=described))
        return
    written = save(fig, Path(figure_dir) / name, figure_formats())
    data = _write_plotted_data(fig, Path(figure_dir), name)
    png = next((p for p in written if p.suffix == ".png"), None)
    run_dir = Path(figure_dir).parent.parent
    narrow = _narrow_png(drawing, Path(figure_dir), name)
    if png is not None and narrow is not None:  # a phone gets the map with its legend below it
        _html(picture_html(png.read_bytes(), narrow.relative_to(run_dir).as_posix(), text or "",
                           int(fig.get_figwidth() * 110)))
    elif png is not None:  # the page shows the file just written: one rendering less per figure
        display(Image(png.read_bytes(), format="png", width=int(fig.get_figwidth() * 110), metadata=described))
    else:
        display(Image(png_bytes(fig), format="png", metadata=described))
    _html(downloads_html([*written, *([data] if data else [])], run_dir))
    if data is not None:  # every value of the figure as text: its alternative for who cannot see it
        _html(data_table_html(plotted_data(fig), data.relative_to(run_dir).as_posix()))


#: The suffix of a figure's narrow variant (legend below the map), shown on screens up to :data:`NARROW_SCREEN`.
NARROW_SUFFIX = "_smal"


def _narrow_png(drawing, figure_dir: Path, name: str) -> Path | None:
    """The drawing's narrow layout as PNG beside its files, when it has one (maps and trend charts)."""
    narrow = narrow_variant(drawing)
    return save(narrow, figure_dir / f"{name}{NARROW_SUFFIX}", ("png",))[0] if narrow is not None else None


def _write_plotted_data(fig, figure_dir: Path, name: str) -> Path | None:
    """The table behind the figure (:func:`figures.style.attach_data`) as CSV with its sidecar, beside its files."""
    data = plotted_data(fig)
    if data is None:
        return None
    columns = {column: (column, decimals) for column, decimals in data.decimals.items()}
    export_csv(as_published(data.frame, columns), figure_dir, name, title=data.title, source=data.source,
               notes=table_notes(data.notes, has_missing(data.frame, columns)), decimals=data.decimals)
    return figure_dir / f"{name}.csv"


def show_interactive(figure, name: str | None = None, figure_dir: str | Path | None = None) -> None:
    """Display an interactive (plotly) map: inline in JupyterLab, or, in a report run, as a page of its own.

    In a report (``figure_dir`` set) the map is written to ``<figure_dir>/<name>.html``, loading
    plotly from the one copy in the run folder, and the page frames it: no CDN, works offline.
    """
    from IPython.display import display

    if not (figure_dir and name):
        display(figure)
        return
    from ..figures.interactive import write_interactive

    figure_dir = Path(figure_dir)
    run_dir = figure_dir.parent.parent  # <run>/figures/<job>/
    target = write_interactive(figure, figure_dir / f"{name}.html", run_dir)
    _html(interactive_html(target.relative_to(run_dir).as_posix(), figure.layout.title.text.split("<br>")[0]))


def _html(html: str) -> None:
    from IPython.display import HTML, display

    display(HTML(styled(html)))  # styled in JupyterLab too; the report's page drops the copy


def show_key_figures(figures: list, title: str = "Kerncijfers") -> None:
    """Show key figures as a block: value, unit, period, source and what stands in for a figure."""
    _html(figures_html(figures, title))


def show_table(frame: pd.DataFrame, columns: dict[str, tuple[str, int | None]], *, caption: str, source: str,
               name: str, table_dir: str | Path | None = None, footnotes: list[str] | None = None,
               total: bool = False) -> None:
    """Show a table with Dutch headers and numbers and, when ``table_dir`` is set, write it as CSV and link it.

    Parameters
    ----------
    columns : dict
        Column → (Dutch header, decimals, or ``None`` for text), in the order shown.
    total : bool
        The last row is a totals row (``analysis.funding.with_total``): set apart on the page, kept in the CSV.
    """
    shown = as_published(frame, columns).rename(columns={c: label for c, (label, _) in columns.items()})
    link = export_csv(shown, table_dir, name, title=caption, source=f"Bron: {source}",
                      notes=table_notes(footnotes, has_missing(frame, columns)),
                      decimals={label: decimals for label, decimals in columns.values()})
    _html(table_html(frame, columns, caption, source, footnotes, link, total=total))


def show_note(text: str, kind: str = "note") -> None:
    """Show one short paragraph: an explanation (``note``) or a caveat (``warning``)."""
    _html(note_html(text, kind))


def recorded(notebook_path: str | Path) -> dict[str, object]:
    """Every figure :func:`record` attached in an executed notebook (later cells win)."""
    document = json.loads(Path(notebook_path).read_text("utf-8"))
    found: dict[str, object] = {}
    for cell in document.get("cells", []):
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            if RECORD_MIME in data:
                found.update(data[RECORD_MIME])
    return found
