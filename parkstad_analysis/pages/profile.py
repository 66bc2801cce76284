"""What an area profile page says in words: the comparison table with its headers and footnotes, the maps it
cannot draw, the sources of a table."""

from __future__ import annotations

import pandas as pd

from ..analysis.profile import comparison
from ..dutch import decimals_for
from ..vocabulary.areas import Area, as_area, comparison_areas
from ..vocabulary.indicators import load_vocabulary

__all__ = ["comparison_display", "missing_maps_note", "sources_text"]


def missing_maps_note(missing: list[tuple[str, str]]) -> str:
    """One sentence naming the maps a profile cannot draw, instead of drawing them empty."""
    vocabulary = load_vocabulary()
    listed = ", ".join(f"{vocabulary.title(indicator).lower()} ({period})" for indicator, period in missing)
    return (f"Niet als kaart getoond, omdat de beschikbare bestanden er voor de buurten van dit gebied geen cijfers van "
            f"hebben: {listed}.")


def comparison_display(tables: dict[str, pd.DataFrame], area: Area | str, year: int,
                       quarter: str) -> tuple[pd.DataFrame, dict[str, tuple[str, int | None]], list[str]]:
    """The comparison as a page shows it: columns with Dutch headers and decimals, and footnotes for its notes."""
    area = as_area(area)
    table = comparison(tables, area, year, quarter)
    others = comparison_areas(area)[1:]
    notes, marks = [], []
    for text in table["note"]:
        if text and text not in notes:
            notes.append(text)
        marks.append(f"{notes.index(text) + 1}" if text else "")
    table = table.assign(mark=marks, label=[f"{lab} ({unit})" for lab, unit in zip(table["label"], table["unit"], strict=True)],
                         decimals=[decimals_for(unit) for unit in table["unit"]])
    columns = {"label": ("Indicator", None), "period": ("Periode", None), area.name: (area.title, 1)}
    columns |= {o.name: (o.title, 1) for o in others}
    columns |= {"mark": ("Noot", None)}
    footnotes = [f"{i}. {text}" for i, text in enumerate(notes, start=1)]
    return table, columns, footnotes


def sources_text(table: pd.DataFrame) -> str:
    """The sources of a comparison table, each named once."""
    return "; ".join(dict.fromkeys(s for text in table["sources"] for s in str(text).split("; ") if s)) or "CBS"
