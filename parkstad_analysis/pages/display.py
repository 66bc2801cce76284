"""How a researcher's objects look in JupyterLab: an area and key figures as small Dutch tables."""

from __future__ import annotations

import html

from ..dutch import nl_number
from ..vocabulary.areas import Area

_LEVELS = {"buurt": "buurten", "wijk": "wijken", "gemeente": "gemeenten"}


def area_html(area: Area) -> str:
    """An area as a Dutch table: name, level, codes, gemeente, boundaries, definition and source."""
    codes = ", ".join(area.codes) if len(area.codes) <= 12 else f"{', '.join(area.codes[:12])}, … ({len(area.codes)})"
    rows = [("Gebied", f"{area.title} ({area.name})"), ("Bestaat uit", f"{len(area.codes)} {_LEVELS[area.level]}"),
            ("CBS-codes", codes), ("Gemeente", area.gemeente or "geen (heel Parkstad)"),
            ("Grenzen", f"{area.boundaries[0]}–{area.boundaries[1]}"), ("Afbakening", area.definition),
            ("Bron", area.source)]
    return _table(rows)


def figures_html_table(figures: list) -> str:
    """Key figures as a Dutch table: indicator, value, unit, period, coverage and sources."""
    head = "<tr><th>Indicator</th><th>Waarde</th><th>Eenheid</th><th>Periode</th><th>Dekking</th><th>Bron</th></tr>"
    body = "".join(
        f"<tr><td>{html.escape(f.label)}</td><td style='text-align:right'>{nl_number(f.value, f.decimals)}</td>"
        f"<td>{html.escape(f.unit)}</td><td>{html.escape(str(f.period))}</td>"
        f"<td style='text-align:right'>{nl_number(100 * f.coverage, 0)}%</td><td>{html.escape(f.sources)}</td></tr>"
        for f in figures)
    return f"<table>{head}{body}</table>"


def _table(rows: list[tuple[str, str]]) -> str:
    body = "".join(f"<tr><th style='text-align:left'>{html.escape(k)}</th><td style='text-align:left'>{html.escape(v)}</td></tr>"
                   for k, v in rows)
    return f"<table>{body}</table>"
