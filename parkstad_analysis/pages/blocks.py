"""HTML blocks for pages, in Dutch: key figures, tables and notes, from jinja templates.

Numbers are written as Dutch readers write them (``53.205``, ``59,7``); a missing value
is shown as "." (CBS's sign for a missing figure) with the legend saying why; every block names its period and
source.
Each table shown can be written as CSV beside the report, and the page links to it.
"""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd

from ..atomic import atomic_path
from ..dutch import MISSING, decimals_for, nl_number
from .templates import render


def as_published(frame: pd.DataFrame, columns: dict[str, tuple[str, int | None]]) -> pd.DataFrame:
    """The chosen columns with each number rounded as the page shows it (a ``decimals`` column in ``frame`` sets it
    per row), so a download states no more precision than the page: 59,7 %, not 59,68524590163934."""
    out = frame[list(columns)].copy()
    for column, (_, decimals) in columns.items():
        if decimals is None:
            continue
        places = frame["decimals"].fillna(decimals).astype(int).tolist() if "decimals" in frame.columns \
            else [decimals] * len(frame)
        out[column] = [_rounded(value, digits) for value, digits in zip(out[column], places, strict=True)]
    return out


def _rounded(value: object, digits: int) -> object:
    """A number rounded to ``digits`` (whole numbers as int); a blank or missing value as it is."""
    number = pd.to_numeric(value, errors="coerce") if not isinstance(value, str) else float("nan")
    if pd.isna(number):
        return value if isinstance(value, str) else None
    return round(float(number)) if digits == 0 else round(float(number), digits)


def export_csv(frame: pd.DataFrame, table_dir: str | Path | None, name: str) -> str | None:
    """Write a table as CSV (UTF-8 with BOM so Excel reads it, ``;`` and decimal comma) and return the page's link."""
    if not table_dir:
        return None
    target = Path(table_dir) / f"{name}.csv"
    with atomic_path(target) as partial:
        frame.to_csv(partial, index=False, sep=";", decimal=",", encoding="utf-8-sig")
    return f"{Path(table_dir).parent.name}/{Path(table_dir).name}/{name}.csv"


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
    right = set(numeric or ())
    rows = []
    for _, row in frame.iterrows():
        cells = []
        for column, (_, decimals) in columns.items():
            value = row[column]
            if decimals is not None and "decimals" in frame.columns and pd.notna(row["decimals"]):
                decimals = int(row["decimals"])
            text = (MISSING if value is None or (isinstance(value, float) and math.isnan(value)) else str(value)) \
                if decimals is None else nl_number(value, decimals)
            cells.append({"text": text, "numeric": decimals is not None or column in right,
                          "missing": text == MISSING})
        rows.append(cells)
    headers = [{"text": label, "numeric": decimals is not None or column in right}
               for column, (label, decimals) in columns.items()]
    any_missing = any(cell["missing"] for row in rows for cell in row)
    foot = [rows.pop()] if total and rows else []
    return render("blocks/table.html.j2", caption=caption, headers=headers, rows=rows, foot=foot, source=source,
                  footnotes=footnotes or [], missing=any_missing, link=link)


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
        items.append({"label": figure.label, "value": nl_number(figure.value, decimals_for(figure.unit)),
                      "unit": figure.unit, "period": figure.period, "coverage": figure.coverage, "note": figure.note,
                      "sources": figure.sources})
    return render("blocks/key_figures.html.j2", title=title, items=items)


def note_html(text: str, kind: str = "note") -> str:
    """A short paragraph (``note`` or ``warning``) for a page."""
    return render("blocks/note.html.j2", text=text, kind=kind)


def interactive_html(src: str, title: str) -> str:
    """A framed interactive map (its own HTML file in the run folder) with a link to open it full size."""
    return render("blocks/interactive.html.j2", src=src, title=title)
