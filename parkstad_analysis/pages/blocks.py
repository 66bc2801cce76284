"""HTML blocks for pages, in Dutch: key figures, tables and notes, from jinja templates.

Numbers are written as Dutch readers write them (``53.205``, ``59,7``); a missing value
is shown as "." (CBS's sign for a missing figure) with the legend saying why; every block names its period and
source.
Each table shown can be written as CSV beside the report, and the page links to it.
"""

from __future__ import annotations

import json
import math
from html import escape
from pathlib import Path

import pandas as pd

from ..atomic import atomic_path, write_text
from ..dutch import MISSING, SIGNS, nl_number
from .templates import render

#: Under a table with a missing figure: the signs, and why a figure can be missing here.
MISSING_NOTE = (f"{SIGNS} Een punt staat hier voor een cijfer dat niet is gepubliceerd (geheim of te weinig "
                "waarnemingen), niet in de beschikbare bestanden staat, of voor een gemeente of Parkstad uit te weinig "
                "van de buurten is berekend.")


def cell_decimals(frame: pd.DataFrame, column: str, decimals: int) -> list[int]:
    """The decimals of each cell of a numeric column: ``decimals_<column>`` in ``frame`` sets them per cell (a
    region's own CBS figure beside computed ones), else a ``decimals`` column per row (counts beside shares),
    else the column's."""
    places = pd.Series(decimals, index=frame.index, dtype=float)
    for override in ("decimals", f"decimals_{column}"):
        if override in frame.columns:
            places = pd.to_numeric(frame[override], errors="coerce").fillna(places)
    return places.astype(int).tolist()


def as_published(frame: pd.DataFrame, columns: dict[str, tuple[str, int | None]]) -> pd.DataFrame:
    """The chosen columns with each number written as the page writes it, for a download: its decimals
    (:func:`cell_decimals`) with a decimal comma and no thousands separator (``59,7``, ``3900``, ``16,90``), so a
    download states no more, and no less, precision than the page."""
    out = frame[list(columns)].copy()
    for column, (_, decimals) in columns.items():
        if decimals is None:
            continue
        places = cell_decimals(frame, column, decimals)
        out[column] = pd.Series([_as_text(value, digits) for value, digits in zip(out[column], places, strict=True)],
                                index=out.index, dtype=object)
    return out


def _as_text(value: object, digits: int) -> str | None:
    """A number with ``digits`` decimals and a decimal comma; a blank stays blank, a missing value ``None``."""
    number = float("nan") if isinstance(value, str) else pd.to_numeric(value, errors="coerce")
    if pd.isna(number):
        return value if isinstance(value, str) else None
    return f"{float(number):.{digits}f}".replace(".", ",")


#: The CSV on the Web (W3C) sidecar of each exported table: its title, source and notes beside the data.
METADATA_SUFFIX = ".csv-metadata.json"


def export_csv(frame: pd.DataFrame, table_dir: str | Path | None, name: str, *, title: str = "", source: str = "",
               notes: list[str] | None = None, decimals: dict[str, int | None] | None = None) -> str | None:
    """Write a table as CSV (UTF-8 with BOM so Excel reads it, ``;`` and decimal comma) and return the page's link.

    The CSV holds the data only, one header row, so a script reads it in one line; beside it a CSV on the Web
    metadata file (``<name>.csv-metadata.json``) carries the title, the source line, the notes (footnotes and the
    verklaring van tekens) and each column's decimals. The workbook is made from both.
    """
    if not table_dir:
        return None
    target = Path(table_dir) / f"{name}.csv"
    with atomic_path(target) as partial:
        frame.to_csv(partial, index=False, sep=";", decimal=",", encoding="utf-8-sig")
    columns = [{"titles": str(column), "decimals": (decimals or {}).get(str(column))} for column in frame.columns]
    metadata = {"@context": "http://www.w3.org/ns/csvw", "url": target.name, "dc:title": title, "dc:source": source,
                "notes": list(notes or []), "dialect": {"delimiter": ";", "encoding": "utf-8", "header": True},
                "tableSchema": {"columns": columns}}
    write_text(target.with_name(target.name.removesuffix(".csv") + METADATA_SUFFIX),
               json.dumps(metadata, ensure_ascii=False, indent=1) + "\n")
    return f"{Path(table_dir).parent.name}/{Path(table_dir).name}/{name}.csv"


def table_notes(footnotes: list[str] | None, missing: bool) -> list[str]:
    """The notes under a table, as its page and its downloads give them: its footnotes, and the verklaring van
    tekens with the reasons for a missing figure when the table has one."""
    return [*(footnotes or []), *([MISSING_NOTE] if missing else [])]


def _cells(frame: pd.DataFrame, columns: dict[str, tuple[str, int | None]], numeric: list[str] | None = None,
           ) -> tuple[list[dict], list[list[dict]]]:
    """The headers and the cells of a table as a page writes them (Dutch numbers, "." for a missing figure)."""
    right = set(numeric or ())
    places = {column: cell_decimals(frame, column, decimals) for column, (_, decimals) in columns.items()
              if decimals is not None}
    rows = []
    for position, (_, row) in enumerate(frame.iterrows()):
        cells = []
        for column, (_, decimals) in columns.items():
            value = row[column]
            if decimals is not None:
                decimals = places[column][position]
            text = (MISSING if value is None or (isinstance(value, float) and math.isnan(value)) else str(value)) \
                if decimals is None else nl_number(value, decimals)
            cells.append({"text": text, "numeric": decimals is not None or column in right,
                          "missing": text == MISSING})
        rows.append(cells)
    headers = [{"text": label, "numeric": decimals is not None or column in right}
               for column, (label, decimals) in columns.items()]
    return headers, rows


def has_missing(frame: pd.DataFrame, columns: dict[str, tuple[str, int | None]]) -> bool:
    """Whether the table, as a page writes it, shows a missing figure (and so needs the verklaring van tekens)."""
    return any(cell["missing"] for row in _cells(frame, columns)[1] for cell in row)


def table_html(frame: pd.DataFrame, columns: dict[str, tuple[str, int | None]], caption: str, source: str,
               footnotes: list[str] | None = None, link: str | None = None, numeric: list[str] | None = None,
               total: bool = False) -> str:
    """A table block: the chosen columns with Dutch headers and numbers, a caption, footnotes and its source.

    Parameters
    ----------
    columns : dict
        Column → (Dutch header, decimals: ``None`` for text). A ``decimals`` column in ``frame``
        overrides the decimals of the numeric columns per row (counts beside shares).
    numeric : list, optional
        Text columns that hold numbers already written out (aligned right like numbers).
    total : bool
        The last row is a totals row (set apart at the foot of the table).
    """
    headers, rows = _cells(frame, columns, numeric)
    any_missing = any(cell["missing"] for row in rows for cell in row)
    foot = [rows.pop()] if total and rows else []
    return render("blocks/table.html.j2", caption=caption, headers=headers, rows=rows, foot=foot, source=source,
                  notes=table_notes(footnotes, any_missing), link=link)


def figures_html(figures: list, title: str) -> str:
    """A key-figures block: per figure its value, unit, period, source and what stands in for it.

    Shares of inhabitants by age (``share_*``) share one card: the age structure of one year.
    """
    items, ages = [], [f for f in figures if f.key.startswith("share_")]
    for figure in figures:
        if figure.key.startswith("share_") and figure is not ages[0]:
            continue
        if figure.key.startswith("share_"):
            rows = [{"label": f.label.removeprefix("Inwoners "), "value": nl_number(f.value, 1)} for f in ages]
            notes = [f.note for f in ages if f.note]
            items.append({"label": "Leeftijdsopbouw", "rows": rows, "unit": figure.unit, "period": figure.period,
                          "coverage": min(f.coverage for f in ages), "note": notes[0] if notes else "",
                          "sources": figure.sources})
            continue
        items.append({"label": figure.label, "value": nl_number(figure.value, figure.decimals),
                      "unit": figure.unit, "period": figure.period, "coverage": figure.coverage, "note": figure.note,
                      "sources": figure.sources})
    return render("blocks/key_figures.html.j2", title=title, items=items)


#: How a figure's download links name each file kind.
DOWNLOAD_WORDS = {".png": "afbeelding (PNG)", ".svg": "afbeelding (SVG)", ".pdf": "afbeelding (PDF)",
                  ".csv": "gegevens (CSV)"}


def downloads_html(files: list[Path], run_dir: Path) -> str:
    """The line under a figure that links its files: the pictures and the data behind it (paths from the run)."""
    links = [{"href": path.relative_to(run_dir).as_posix(), "text": DOWNLOAD_WORDS.get(path.suffix, path.suffix)}
             for path in files]
    return render("blocks/downloads.html.j2", links=links)


def note_html(text: str, kind: str = "note") -> str:
    """A short paragraph (``note`` or ``warning``) for a page."""
    return render("blocks/note.html.j2", text=text, kind=kind)


def interactive_html(src: str, title: str) -> str:
    """A framed interactive map (its own HTML file in the run folder) with a link to open it full size."""
    return render("blocks/interactive.html.j2", src=src, title=title)


#: The widest screen that gets a figure's narrow variant (a phone held upright).
NARROW_SCREEN = "(max-width: 640px)"


def picture_html(png: bytes, narrow_src: str, alt: str, width: int) -> str:
    """A figure embedded in its page, with its narrow variant (a file of the run) for screens up to
    :data:`NARROW_SCREEN`; print and wide screens show the embedded one."""
    import base64

    return render("blocks/picture.html.j2", data=base64.b64encode(png).decode("ascii"), narrow=narrow_src, alt=alt,
                  width=width, media=NARROW_SCREEN)


def data_table_html(data, link: str | None = None) -> str:
    """The table a figure draws (:class:`~parkstad_analysis.figures.style.PlottedData`) as a folded table under
    it: the figure's text alternative, which a screen reader reads and a reader opens to see every value."""
    columns = {column: (column, decimals) for column, decimals in data.decimals.items()}
    table = table_html(data.frame, columns, data.title, data.source.removeprefix("Bron: "), data.notes, link)
    return (f'<details class="ps-data"><summary>Tabel bij deze figuur: {escape(data.title)}</summary>'
            f"{table}</details>")
