"""The focus areas side by side: a few key figures per area, beside the gemeenten they lie in and Parkstad.

Each area's figure is its profile figure (the profile year, or the nearest year that has
it, saying so); each gemeente and Parkstad is given in the period most of the areas use,
and only when enough of its regions are known (see :func:`profile.complete_enough`); where
it is not known in that period, in the period of a focus area that lies in it, as that
area's profile page compares them (Kerkrade's income of 2017 beside Rolduckerveld's).
"""

from __future__ import annotations

from collections import Counter

import pandas as pd

from ..dutch import decimals_for
from ..vocabulary.areas import Area, gemeente_area, get_area
from .profile import PROFILE, area_figure, best_figure, complete_enough, table_of

#: The figures of the overview, in row order.
OVERVIEW_KEYS = ("aantal_inwoners", "nettoarbeidsparticipatie", "bijstand_per_1000", "gemiddeld_inkomen_per_inwoner",
                 "huish_onder_of_rond_sociaal_minimum")


def overview_columns(area_names: list[str]) -> list[Area]:
    """The focus areas in the order given, then the gemeenten they lie in, then Parkstad."""
    focus = [get_area(name) for name in area_names]
    gemeenten = [gemeente_area(code) for code in dict.fromkeys(a.gemeente for a in focus if a.gemeente)]
    return [*focus, *(g for g in gemeenten if g.name not in area_names), get_area("parkstad")]


def overview(tables: dict[str, pd.DataFrame], area_names: list[str], year: int, quarter: str) -> pd.DataFrame:
    """Key figures of every focus area, its gemeente and Parkstad, one row per figure and area (long).

    Columns: ``key``, ``label``, ``unit``, ``area``, ``title``, ``value``, ``period``, ``note``, ``sources`` and
    ``decimals`` (what the figure is shown with: :attr:`profile.AreaFigure.decimals`).
    A missing value means no figure (or one from too few of the regions) exists for that period.
    """
    labels = {key: (label, unit) for key, label, unit in PROFILE}
    columns = overview_columns(area_names)
    focus = columns[: len(area_names)]
    rows = []
    for key in OVERVIEW_KEYS:
        label, unit = labels[key]
        found = {a.name: best_figure(tables, a, key, year, quarter, label, unit) for a in focus}
        periods = Counter(f.period for f in found.values() if f is not None)
        common = periods.most_common(1)[0][0] if periods else (quarter if "per_1000" in key else str(year))
        for area in columns:
            figure = found[area.name] if area.name in found else \
                _in_period_of(tables, area, key, [common, *_periods_inside(area, found)], label, unit)
            rows.append({"key": key, "label": label, "unit": unit, "area": area.name, "title": area.title,
                         "value": figure.value if figure else float("nan"), "period": figure.period if figure else common,
                         "note": figure.note if figure else "", "sources": figure.sources if figure else "",
                         "decimals": figure.decimals if figure else decimals_for(unit)})
        rows.append(_national_row(tables, key, label, unit, common))
    return pd.DataFrame.from_records(rows)


def _national_row(tables: dict[str, pd.DataFrame], key: str, label: str, unit: str, common: str) -> dict:
    """Nederland's figure (computed as the areas' are) in the common period, else in the nearest period the national
    rows have (stated as the areas' other periods are)."""
    from .benchmarks import NEDERLAND, benchmark_tables, national_figure

    benchmarks = benchmark_tables(tables)
    figure = national_figure(tables, key, common, benchmarks)
    if figure is None and benchmarks:
        table = benchmarks.get(table_of(key))
        if table is not None and len(table):
            when = "period" if "Q" in common else "year"
            periods = sorted(table[when].astype(str).unique(), key=lambda p: (abs(int(p[:4]) - int(common[:4])), p))
            figure = next((f for p in periods if (f := national_figure(tables, key, p, benchmarks))), None)
    return {"key": key, "label": label, "unit": unit, "area": NEDERLAND.name, "title": NEDERLAND.title,
            "value": figure.value if figure else float("nan"), "period": figure.period if figure else common,
            "note": figure.note if figure else "", "sources": figure.sources if figure else "",
            "decimals": figure.decimals if figure else decimals_for(unit)}


def _periods_inside(area: Area, found: dict) -> list[str]:
    """The periods of the focus areas' figures that lie in ``area`` (a gemeente, or Parkstad: all of them)."""
    inside = [name for name in found if area.name == "parkstad" or get_area(name).gemeente == area.gemeente]
    return [found[name].period for name in inside if found[name] is not None]


def _in_period_of(tables: dict[str, pd.DataFrame], area: Area, key: str, periods: list[str], label: str,
                  unit: str):
    """The area's figure in the first of ``periods`` in which enough of its regions are known, or ``None``."""
    for period in dict.fromkeys(periods):
        figure = area_figure(tables, area, key, period if "Q" in period else int(period), label, unit)
        if complete_enough(figure):
            return figure
    return None


def _held_for(tables: dict[str, pd.DataFrame], key: str, area: Area) -> str:
    """Why the tables give no figure for the area, in words: the gemeenten (and periods) they hold it for."""
    from ..vocabulary.indicators import load_vocabulary
    from ..vocabulary.regions import gemeente_names

    rates = load_vocabulary().rates
    column = rates[key].numerator if key in rates else "k_" + key.removeprefix("share_") if key.startswith("share_") \
        else key
    table = tables.get(table_of(key))
    rows = table[table["level"].isin(["buurt", "wijk"]) & table[column].notna()] \
        if table is not None and column in table.columns else pd.DataFrame()
    if rows.empty:
        return "de bestanden van dit rapport hebben dit cijfer voor geen enkele buurt of wijk"
    when = "period" if "period" in rows.columns else "year"
    names = gemeente_names()
    spans = {}
    for code, part in rows.groupby("gemeente_code"):
        periods = sorted(part[when].astype(str).unique())
        spans[code] = periods[0] if len(periods) == 1 else f"{periods[0]}–{periods[-1]}"
    if area.gemeente in spans:
        return (f"de bestanden hebben dit cijfer voor {names.get(area.gemeente, area.gemeente)} alleen in "
                f"{spans[area.gemeente]}, en dan niet voor genoeg van de buurten van dit gebied")
    held = [f"{names.get(code, code)} ({span})" for code, span in spans.items()]
    listed = ", ".join(held[:3]) + (f" en {len(held) - 3} andere gemeenten" if len(held) > 3 else "")
    return f"de bestanden van dit rapport hebben dit cijfer per buurt of wijk alleen voor {listed}"


def data_gaps(tables: dict[str, pd.DataFrame], long: pd.DataFrame, area_names: list[str], year: int,
              quarter: str) -> pd.DataFrame:
    """Per focus area what the overview cannot show for the profile year, and why, in a reader's words.

    ``long`` is :func:`overview`'s result. Each missing figure says which gemeenten the files do hold it for (a
    missing benefit rate also means no trend series and no evaluation); figures of other years are listed together.
    Columns: ``title``, ``missing``, ``why``.
    """
    records = []
    for name in area_names:
        area = get_area(name)
        other_years = []
        for entry in long[long["area"] == name].itertuples():
            wanted = quarter if "Q" in str(entry.period) else str(year)
            if pd.isna(entry.value):
                missing = entry.label + (" (ook geen reeks per kwartaal en geen vergelijking vóór en na de start)"
                                         if entry.key == "bijstand_per_1000" else "")
                records.append({"title": area.title, "missing": missing, "why": _held_for(tables, entry.key, area)})
            elif entry.period != wanted:
                other_years.append(f"{entry.label.lower()} {entry.period}")
        if other_years:
            records.append({"title": area.title, "missing": f"een deel van de cijfers voor {year}",
                            "why": f"er staat het dichtstbijzijnde jaar met een cijfer: {', '.join(other_years)}"})
    return pd.DataFrame.from_records(records, columns=["title", "missing", "why"])
