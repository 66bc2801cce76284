"""HTML blocks for report pages, in Dutch: key figures, tables and notes, from jinja templates.

Numbers are written as Dutch readers write them (``53.205``, ``59,7``); a missing value
is shown as "–" with a footnote saying why; every block names its period and source.
Each table shown can be written as CSV beside the report, and the page links to it.
"""

from __future__ import annotations

import math
from functools import cache
from pathlib import Path

import pandas as pd

from ..atomic import atomic_path
from .pages import TEMPLATES

MISSING = "–"


def nl_number(value: object, decimals: int = 0) -> str:
    """A number in Dutch notation (``53.205``, ``59,7``); "–" for a missing value.

    >>> nl_number(53205.0), nl_number(59.6852, 1), nl_number(float("nan"))
    ('53.205', '59,7', '–')
    """
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA:
        return MISSING
    try:
        number = float(value)
    except (TypeError, ValueError):
        return str(value)
    if math.isnan(number):
        return MISSING
    text = f"{number:,.{decimals}f}"
    return text.replace(",", "\u0001").replace(".", ",").replace("\u0001", ".")


def decimals_for(unit: str) -> int:
    """Decimals to show: none for counts, one for shares, rates, means and household sizes."""
    return 0 if unit == "aantal" else 1


@cache
def _environment():
    import jinja2

    environment = jinja2.Environment(loader=jinja2.FileSystemLoader(str(TEMPLATES)), autoescape=True)
    environment.filters["nl"] = nl_number
    return environment


def load_templates() -> None:
    """Compile the notebooks' block templates (once per process; a fork server does it for the kernels below it)."""
    environment = _environment()
    for name in environment.list_templates(filter_func=lambda n: n.startswith("blocks/")):
        environment.get_template(name)


def render(template: str, **context: object) -> str:
    """Render a template of ``reporting/templates`` (HTML-escaped)."""
    return _environment().get_template(template).render(**context)


def export_csv(frame: pd.DataFrame, table_dir: str | Path | None, name: str) -> str | None:
    """Write a table as CSV (UTF-8 with BOM so Excel reads it, ``;`` and decimal comma) and return the page's link."""
    if not table_dir:
        return None
    target = Path(table_dir) / f"{name}.csv"
    with atomic_path(target) as partial:
        frame.to_csv(partial, index=False, sep=";", decimal=",", encoding="utf-8-sig")
    return f"{Path(table_dir).parent.name}/{Path(table_dir).name}/{name}.csv"


def table_html(frame: pd.DataFrame, columns: dict[str, tuple[str, int | None]], caption: str, source: str,
               footnotes: list[str] | None = None, link: str | None = None, numeric: list[str] | None = None) -> str:
    """A table block: the chosen columns with Dutch headers and numbers, a caption, footnotes and its source.

    Parameters
    ----------
    columns : dict
        Column → (Dutch header, decimals: ``None`` for text). A ``decimals`` column in ``frame``
        overrides the decimals of the numeric columns per row (counts beside shares).
    numeric : list, optional
        Text columns that hold numbers already written out (aligned right like numbers).
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
                          "missing": text.startswith(MISSING)})
        rows.append(cells)
    headers = [{"text": label, "numeric": decimals is not None or column in right}
               for column, (label, decimals) in columns.items()]
    any_missing = any(cell["missing"] for row in rows for cell in row)
    return render("blocks/table.html.j2", caption=caption, headers=headers, rows=rows, source=source,
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
