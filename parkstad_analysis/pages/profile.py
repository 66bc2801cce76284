"""What an area profile page says in words: the comparison table with its headers and footnotes, the maps it
cannot draw, the sources of a table."""

from __future__ import annotations

import pandas as pd

from ..analysis.profile import comparison, definitions_compared, figures_over_years
from ..dutch import decimals_for, dutch_list, nl_number
from ..vocabulary.areas import Area, as_area, comparison_areas
from ..vocabulary.indicators import load_vocabulary

__all__ = ["comparison_display", "definitions_display", "missing_benefits_note", "missing_maps_note",
           "over_years_display", "sources_text"]


def missing_maps_note(missing: list[tuple[str, str]]) -> str:
    """One sentence naming the maps a profile cannot draw, instead of drawing them empty."""
    vocabulary = load_vocabulary()
    listed = ", ".join(f"{vocabulary.title(indicator).lower()} ({period})" for indicator, period in missing)
    return (f"Niet als kaart getoond, omdat de beschikbare bestanden er voor de buurten van dit gebied geen cijfers van "
            f"hebben: {listed}.")


def missing_benefits_note(tables: dict[str, pd.DataFrame], area: Area | str, kinds: list[str]) -> str:
    """Why a page shows no benefit series for an area, in a reader's words: which gemeenten the report's files do
    have per wijk and buurt, and that CBS publishes the others in the same table."""
    from ..vocabulary.regions import gemeente_names

    area = as_area(area)
    benefits = tables["benefits"]
    covered = sorted(gemeente_names().get(code, code) for code in
                     benefits.loc[benefits["level"].isin(["buurt", "wijk"]), "gemeente_code"].dropna().unique())
    held = f"alleen voor {' en '.join(covered)}" if covered else "voor geen enkele gemeente"
    return (f"Geen cijfers over {dutch_list(kinds)} voor {area.title}: de CBS-bestanden van dit rapport hebben de "
            f"uitkeringen per wijk en buurt {held}. CBS publiceert ze voor elke gemeente in dezelfde tabel "
            "(Uitkeringsontvangers per wijk en buurt); zodra die voor deze gemeente is opgehaald, staat de reeks hier.")


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


def definitions_display(tables: dict[str, pd.DataFrame], area: Area | str, year: int, quarter: str,
                        ) -> tuple[pd.DataFrame, dict[str, tuple[str, int | None]], str]:
    """The area beside its other documented definitions, as a page shows it: the table (empty when there is
    none), its columns, and one sentence on what the difference means or that there is one definition only."""
    area = as_area(area)
    benefits = tables["benefits"]
    own = benefits.loc[benefits["region_code"].isin(area.codes_for(None)), "period"].dropna()
    # the latest quarter of the area's own rows: another gemeente's longer series says nothing about this area
    latest = max(own) if len(own) else sorted(benefits["period"].dropna().unique())[-1]
    quarters = list(dict.fromkeys([quarter, latest]))
    table = definitions_compared(tables, area, year, quarters)
    if table.empty:
        return table, {}, f"Voor {area.title} is één afbakening vastgelegd: {area.definition}"
    columns = {"title": ("Afbakening", None), "regions": ("Aantal gebieden", 0),
               "inhabitants": (f"Inwoners {table['inhabitants_year'].iloc[0]}", 0)}
    columns |= {f"bijstand_per_1000_{q}": (f"Bijstand per 1.000 inwoners 15+ {q}", 1) for q in quarters}
    chosen, other = table.iloc[0], table.iloc[1]
    last = f"bijstand_per_1000_{quarters[-1]}"
    sentence = (f"Deze pagina gebruikt de afbakening {chosen['title']}. Met de afbakening {other['title']} "
                f"({other['definition'][0].lower()}{other['definition'][1:].rstrip('.')}) zijn er "
                f"{nl_number(other['inhabitants'], 0)} in plaats van {nl_number(chosen['inhabitants'], 0)} inwoners "
                f"({chosen['inhabitants_year']}) en {nl_number(other[last], 1)} in plaats van {nl_number(chosen[last], 1)} "
                f"personen met bijstand per 1.000 inwoners van 15 jaar en ouder ({quarters[-1]}).")
    return table, columns, sentence


def sources_text(table: pd.DataFrame) -> str:
    """The sources of a comparison table, each named once."""
    return "; ".join(dict.fromkeys(s for text in table["sources"] for s in str(text).split("; ") if s)) or "CBS"


def over_years_display(tables: dict[str, pd.DataFrame], area: Area | str,
                       ) -> tuple[pd.DataFrame, dict[str, tuple[str, int | None]], list[str]]:
    """The area's KWB figures through the years as a page shows them: one row per figure, one column per year
    (each cell with the decimals of its figure), a note mark per row, and the footnotes. Empty when no year has any
    figure."""
    long = figures_over_years(tables, area)
    if long.empty:
        return pd.DataFrame(), {}, []
    years = sorted(long["year"].unique())
    notes: list[str] = []
    rows = []
    for _, part in long.groupby("key", sort=False):
        first = part.iloc[0]
        row = {"label": f"{first['label']} ({first['unit']})"}
        marks = []
        for entry in part.itertuples():
            row[entry.year], row[f"decimals_{entry.year}"] = entry.value, entry.decimals_value
            if entry.note:
                text = f"{entry.year}: {entry.note}"
                notes += [text] if text not in notes else []
                marks.append(str(notes.index(text) + 1))
        row["mark"] = ", ".join(marks)
        row["sources"] = "; ".join(dict.fromkeys(s for text in part["sources"] for s in str(text).split("; ") if s))
        rows.append(row)
    table = pd.DataFrame.from_records(rows)
    columns = {"label": ("Indicator", None)} | {year: (year, 1) for year in years} | {"mark": ("Noot", None)}
    return table, columns, [f"{i}. {text}" for i, text in enumerate(notes, start=1)]
