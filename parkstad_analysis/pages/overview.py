"""The overview that opens a report's index: every focus area's key figures beside its gemeente and Parkstad.

The figures come from :func:`parkstad_analysis.analysis.overview.overview` on the
generation the run read; the table is shown with Dutch numbers and written as CSV.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pandas as pd

from ..analysis.overview import data_gaps, overview
from ..analysis.profile import profile_quarter
from ..dutch import MISSING, dutch_list, nl_number
from ..processed import ProcessedStore
from .blocks import as_published, export_csv, table_html, table_notes


def overview_block(store: ProcessedStore, areas: list[str], year: int, run_dir: Path) -> str:
    """The overview table as an HTML block, with its CSV written to ``<run>/tables/overzicht/``."""
    tables = store.figure_tables()  # what the profile pages read too: the same figure, the same value
    quarter = profile_quarter(tables["benefits"], year)
    long = overview(tables, areas, year, quarter)
    table, figures, footnotes = overview_display(long)
    # the download holds the numbers themselves (one row per area and figure), not the text shown
    # rounded as the page shows each figure (its unit's decimals): the download is no more precise than the page
    exported = {"title": ("Gebied", None), "label": ("Indicator", None), "unit": ("Eenheid", None),
                "period": ("Periode", None), "value": ("Waarde", 1), "note": ("Noot", None), "sources": ("Bron", None)}
    numbers = as_published(long, exported)
    numbers = numbers.rename(columns={column: label for column, (label, _) in exported.items()})
    columns = {"Gebied": ("Gebied", None)} | {f: (f, None) for f in figures}
    sources = "; ".join(dict.fromkeys(s for text in long["sources"] if text for s in text.split("; ")))
    caption = (f"Kerncijfers per focusgebied, naast de gemeente en Parkstad (profieljaar {year}, uitkeringen "
               f"{quarter})")
    link = export_csv(numbers, run_dir / "tables" / "overzicht", "kerncijfers_per_gebied", title=caption,
                      source=f"Bron: {sources or 'CBS'}", notes=table_notes([n for n in long["note"].dropna().unique() if n],
                                                                           long["value"].isna().any()),
                      decimals={"Waarde": 1})
    gaps = data_gaps(tables, long, areas, year, quarter)
    gaps_html = table_html(gaps, {"title": ("Gebied", None), "missing": ("Niet in dit rapport", None),
                                  "why": ("Waarom", None)},
                           "Wat de beschikbare cijfers per focusgebied niet laten zien", "CBS; bestanden van dit rapport") \
        if not gaps.empty else ""
    return table_html(table, columns, caption, sources or "CBS", footnotes, link, numeric=figures) + gaps_html


def overview_display(long: pd.DataFrame) -> tuple[pd.DataFrame, list[str], list[str]]:
    """The overview as a page shows it: one row per area, one text column per figure, and footnotes.

    Each figure's column names its period (the one most areas have); a value from another
    period says its period in brackets, a value with a note points to its footnote.

    Returns
    -------
    (table, figure columns, footnotes)
        ``table`` has ``Gebied`` and one column per figure, cells as Dutch text.
    """
    notes: list[str] = []
    columns: dict[str, dict[str, str]] = {}
    for _, part in long.groupby("key", sort=False):
        first = part.iloc[0]
        common = Counter(part.loc[part["value"].notna(), "period"]).most_common(1)
        period = common[0][0] if common else first["period"]
        header = f"{first['label']} ({first['unit']}), {period}"
        cells = {}
        for entry in part.itertuples():
            text = nl_number(entry.value, int(entry.decimals))
            if pd.notna(entry.value) and entry.period != period:
                text += f" ({entry.period})"
            if entry.note and pd.notna(entry.value):
                if entry.note not in notes:
                    notes.append(entry.note)
                text += f" [{notes.index(entry.note) + 1}]"
            cells[entry.title] = text
        columns[header] = cells
    titles = list(dict.fromkeys(long["title"]))
    table = pd.DataFrame({"Gebied": titles, **{h: [cells.get(t, MISSING) for t in titles] for h, cells in columns.items()}})
    return table, list(columns), [f"[{i}] {text}" for i, text in enumerate(notes, start=1)]


def data_cutoff(store: ProcessedStore) -> str:
    """The newest period of each source the report reads, in words: ``uitkeringen t/m 2024Q1; …``."""
    parts = []
    for table, words, column in (("benefits", "uitkeringen per kwartaal", "period"),
                                 ("kwb", "Kerncijfers wijken en buurten", "year"),
                                 ("income", "inkomen per wijk", "year")):
        if store.has_table(table):
            rows = store.load_table(table, columns=[column, "gemeente_code"]).dropna()
            if len(rows):
                parts.append(f"{words} t/m {_latest_per_gemeente(rows, column)}")
    return "; ".join(parts)


def _latest_per_gemeente(rows: pd.DataFrame, column: str) -> str:
    """``2024Q1`` when every gemeente's rows end there, else each end with its gemeenten: ``2024Q1 (Heerlen),
    2024Q3 (Beekdaelen)`` (a table that reaches further for one gemeente does not for the others). Gemeenten are
    those of today."""
    from ..vocabulary.regions import gemeente_names, successor

    # a merged gemeente's rows count for the gemeente of today (Nuth's 2017 rows are Beekdaelen's), so the cut-off
    # names no gemeente that no longer exists
    today = rows["gemeente_code"].map(successor)
    ends = rows.assign(**{column: rows[column].astype(str)}).groupby(today)[column].max()
    if ends.nunique() == 1:
        return str(ends.iloc[0])
    names = gemeente_names()
    by_end = {end: sorted(names.get(code, code) for code in codes) for end, codes in
              ends.groupby(ends).groups.items()}
    return ", ".join(f"{end} ({dutch_list(gemeenten)})" for end, gemeenten in sorted(by_end.items()))
