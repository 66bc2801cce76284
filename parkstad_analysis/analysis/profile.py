"""The figures of an area profile: each with its value, bounds, period, coverage, what stands in for it, and source.

A profile for a year uses the KWB of that year and the benefits of a stated quarter
(by default the year's last). Where a figure does not exist for the year asked, the
nearest year that has it is used and the figure says so; where it exists only for a
larger unit (income per wijk for a buurt area), the figure names that unit; a gemeente
without a gemeente row in a year is summed from its buurten, and says how many.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from ..dutch import decimals_for
from ..vocabulary.areas import Area, alternatives, as_area, comparison_areas
from ..vocabulary.indicators import load_vocabulary, nearest_first
from .aggregate import rate, sum_counts, weighted_percentage
from .indicators import age_shares, income, participation, trend_series  # trend_series stays on pa.profile
from .provenance import describe_sources, figure_sources

__all__ = [
    "PROFILE", "SHOWN_FROM", "YEARLY", "AreaFigure", "KeyFigures", "area_figure", "best_figure",
    "comparison", "complete_enough", "definitions_compared", "figures_by_year", "figures_over_years",
    "inhabitants_by_year", "key_figures", "profile_quarter", "published_decimals",
    "table_of", "trend_series",
]

#: The figures of a profile, in page order: (key, Dutch label, unit). ``share_*`` are shares of inhabitants.
PROFILE = (
    ("aantal_inwoners", "Inwoners", "aantal"),
    ("nettoarbeidsparticipatie", "Netto arbeidsparticipatie", "%"),
    ("bijstand_per_1000", "Personen met bijstand", "per 1.000 inwoners 15+"),
    ("share_0_tot_15_jaar", "Inwoners 0 tot 15 jaar", "% van de inwoners"),
    ("share_15_tot_25_jaar", "Inwoners 15 tot 25 jaar", "% van de inwoners"),
    ("share_25_tot_45_jaar", "Inwoners 25 tot 45 jaar", "% van de inwoners"),
    ("share_45_tot_65_jaar", "Inwoners 45 tot 65 jaar", "% van de inwoners"),
    ("share_65_jaar_of_ouder", "Inwoners 65 jaar of ouder", "% van de inwoners"),
    ("huishoudens_totaal", "Huishoudens", "aantal"),
    ("gemiddelde_huishoudensgrootte", "Gemiddelde huishoudensgrootte", "personen"),
    ("gemiddeld_inkomen_per_inwoner", "Gemiddeld inkomen per inwoner", "x € 1.000"),
    ("huish_onder_of_rond_sociaal_minimum", "Huishoudens onder of rond het sociaal minimum", "%"),
    ("k_40_huishoudens_met_laagste_inkomen", "Huishoudens in de laagste 40% van de inkomens", "%"),
)
#: A gemeente or Parkstad figure from part of its regions is shown only from this coverage on (never for counts).
SHOWN_FROM = 0.9


@dataclass
class AreaFigure:
    """One figure of one area: value and CBS-rounding bounds, its period, coverage, stand-in note and sources."""

    key: str
    label: str
    unit: str
    area: str
    value: float
    lower: float
    upper: float
    period: str
    coverage: float
    note: str = ""
    sources: str = ""
    #: Decimals the figure is shown with: its unit's (:func:`dutch.decimals_for`), fewer for a region's own CBS figure
    #: that CBS publishes with fewer (netto arbeidsparticipatie in whole percentages: Heerlen 59, not 59,0).
    decimals: int = 1


class KeyFigures(list):
    """The key figures of one profile, in page order: a plain list of :class:`AreaFigure` that JupyterLab shows as the
    report's key-figure cards (``import parkstad_analysis`` registers how)."""


def _unit_of(key: str) -> str:
    return next((unit for each, _, unit in PROFILE if each == key), "")


def published_decimals(values: pd.Series) -> int:
    """The decimals CBS published a column with: the fewest (0–3) that write every value in it exactly."""
    values = values.dropna().astype(float)
    return next((d for d in range(3) if np.allclose(values * 10 ** d, np.round(values * 10 ** d))), 3)


def _describe(tables: dict[str, pd.DataFrame], key: str, period: str | int, row: pd.Series, unit: str,
              level: str) -> tuple[int, str]:
    """The decimals a figure is shown with and what its footnote says about how it was made.

    A figure of one region is CBS's own: shown with the decimals CBS published (never more than its unit's) and
    no note. A figure combined from several regions keeps its unit's decimals; a weighted one says by what, and
    says when its inputs were published with fewer decimals than it is shown with.
    """
    decimals = decimals_for(unit)
    combined = int(row["regions"]) > 1 if "regions" in row.index and pd.notna(row["regions"]) else False
    published = decimals
    if key in tables.get("kwb", pd.DataFrame()).columns and "Q" not in str(period):
        kwb = tables["kwb"]
        published = published_decimals(kwb.loc[kwb["year"] == int(period), key])
    if not combined:
        return min(decimals, published), ""
    basis = row["weight_basis"] if "weight_basis" in row.index and row["weight_basis"] else ""
    if not basis:
        return decimals, ""
    regions = {"buurt": "buurten", "wijk": "wijken", "gemeente": "gemeenten"}[level]
    note = f"gewogen gemiddelde van {int(row['regions'])} {regions} naar {basis}"
    if published < decimals:
        note += f"; CBS publiceert de cijfers per gebied in {'hele' if published == 0 else 'afgeronde'} procenten"
    return decimals, note


def table_of(key: str) -> str:
    """The processed table a profile figure is computed from (``kwb``, ``benefits``, …)."""
    vocabulary = load_vocabulary()
    if key in vocabulary.rates:
        return vocabulary.rates[key].table
    if key.startswith("share_"):
        return "kwb"
    return vocabulary.indicators[key].tables[0]


def _compute(tables: dict[str, pd.DataFrame], area: Area, key: str, period: str | int) -> pd.DataFrame:
    """The aggregated result (one row or none) of a figure for an area in one period."""
    vocabulary = load_vocabulary()
    if key in vocabulary.rates:
        spec = vocabulary.rates[key]
        table = tables.get(spec.table)
        rows = table[table["period"] == str(period)] if table is not None else pd.DataFrame()
        return rate(rows, area, spec.numerator, spec.denominator, per=spec.per) if len(rows) else pd.DataFrame()
    kwb = tables["kwb"]
    rows = kwb[kwb["year"] == int(period)]
    if key.startswith("share_"):
        group = "k_" + key.removeprefix("share_")
        return age_shares(rows, area, group) if rows[group].notna().any() else pd.DataFrame()
    if rows.empty or rows[key].isna().all():
        return pd.DataFrame()
    if key == "nettoarbeidsparticipatie":
        return participation(rows, area, tables.get("education"))
    indicator = vocabulary.indicators[key]
    if indicator.kind == "count":
        return sum_counts(rows, area, key)
    weight = indicator.weight if indicator.weight in rows.columns else "aantal_inwoners"
    return weighted_percentage(rows, area, key, weight)


def _from_buurten(tables: dict[str, pd.DataFrame], area: Area, key: str, year: int) -> tuple[Area, str] | None:
    """A wijk or gemeente area as the sum of its buurten, for a year whose own rows lack the figure.

    The buurten the area should have are those of the buurt list (boundary layer or code
    list) nearest in year; the note says how many of them have the figure.
    """
    names = tables.get("region_names")
    if names is None or area.level == "buurt":
        return None
    prefixes = {c[2:8] if area.level == "wijk" else c[2:6] for c in area.codes_for(year)}
    width = 6 if area.level == "wijk" else 4
    listed = names[names["region_code"].str.startswith("BU") & names["region_code"].str[2:2 + width].isin(prefixes)]
    listed = listed.dropna(subset=["year"]).assign(_gemeente=listed["region_code"].str[2:6])
    if listed.empty:
        return None
    expected, lists = [], set()
    for _, per_gemeente in listed.groupby("_gemeente"):  # each gemeente from its own nearest buurt list
        nearest = nearest_first(per_gemeente["year"].unique(), year)[0]
        expected += sorted(set(per_gemeente.loc[per_gemeente["year"] == nearest, "region_code"]))
        lists.add(int(nearest))
    kwb = tables["kwb"]
    columns = ["k_" + key.removeprefix("share_")] if key.startswith("share_") else [key]
    rows = kwb[(kwb["year"] == year) & kwb["region_code"].isin(expected)].dropna(subset=columns, how="all")
    if rows.empty:
        return None
    note = (f"berekend uit {len(rows)} van de {len(expected)} buurten "
            f"(buurtindeling {', '.join(map(str, sorted(lists)))})")
    return replace(area, level="buurt", codes=tuple(expected), all_gemeenten=False, predecessors=()), note


def area_figure(tables: dict[str, pd.DataFrame], area: Area, key: str, period: str | int,
                label: str = "", unit: str = "") -> AreaFigure | None:
    """One figure of an area in one period, or ``None`` when the tables do not have it.

    An area of wijken or gemeenten whose own rows lack the figure is summed from its buurten,
    and the figure says so.
    """
    target, note = area, ""
    result = _compute(tables, area, key, period)
    if (result.empty or pd.isna(result["value"].iloc[0])) and "Q" not in str(period):
        fallback = _from_buurten(tables, area, key, int(period))
        if fallback:
            target, note = fallback
            result = _compute(tables, target, key, period)
    if result.empty or pd.isna(result["value"].iloc[0]):
        return None
    row = result.iloc[0]
    table = table_of(key)
    indicators = [key] if not key.startswith("share_") else ["k_" + key.removeprefix("share_"), "aantal_inwoners"]
    if key in load_vocabulary().rates:
        spec = load_vocabulary().rates[key]
        indicators = [spec.numerator, spec.denominator]
    sources = figure_sources(tables.get("provenance"), table, indicators, period, target.codes_for(None))
    decimals, how = _describe(tables, key, period, row, unit or _unit_of(key), target.level)
    note = "; ".join(filter(None, [note, how]))
    if "Q" not in str(period):
        note = "; ".join(filter(None, [area.composition_note(int(period)), note]))
    return AreaFigure(key, label, unit, area.name, float(row["value"]), float(row["lower"]), float(row["upper"]),
                      str(period), float(row["coverage"]), note, describe_sources(sources), decimals)


def complete_enough(figure: AreaFigure | None) -> bool:
    """A count needs all of the area's regions; a share or mean at least 90 % of its population."""
    if figure is None:
        return False
    indicator = load_vocabulary().indicators.get(figure.key)
    return figure.coverage >= (1.0 if indicator is not None and indicator.kind == "count" else SHOWN_FROM)


def income_stand_in(tables: dict[str, pd.DataFrame], area: Area, key: str, label: str = "",
                    unit: str = "") -> AreaFigure | None:
    """Income from the wijk-level maatwerk table (2020), for an area the KWB has no income figure for: a buurt gets
    its wijk's figure (said in the note), a wijk or gemeente its own; ``None`` for another key or without it."""
    if "income" not in tables or key not in ("gemiddeld_inkomen_per_inwoner", "k_40_huishoudens_met_laagste_inkomen"):
        return None
    result = income(tables["income"], tables["kwb"], area)
    row = result[result["indicator"] == key]
    if row.empty or pd.isna(row["value"].iloc[0]):
        return None
    row = row.iloc[0]
    year = int(tables["income"]["year"].max())
    sources = figure_sources(tables.get("provenance"), "income", [key], year, row["represented_by"].split(",")
                             if row["represented_by"] else area.codes_for(None))
    return AreaFigure(key, label, unit, area.name, float(row["value"]), float(row["lower"]), float(row["upper"]),
                      str(year), float(row["coverage"]), row["stand_in"], describe_sources(sources),
                      decimals_for(unit or _unit_of(key)))


def best_figure(tables: dict[str, pd.DataFrame], area: Area, key: str, year: int, quarter: str,
                label: str = "", unit: str = "") -> AreaFigure | None:
    """The figure for the profile's year (or quarter); else its nearest year, saying so; else a stand-in."""
    if key in load_vocabulary().rates:
        return area_figure(tables, area, key, quarter, label, unit)
    years = nearest_first(tables["kwb"]["year"].dropna().unique(), year)
    for candidate in years:
        figure = area_figure(tables, area, key, candidate, label, unit)
        if complete_enough(figure):
            if candidate != year:
                figure.note = "; ".join(filter(None, [f"niet voor {year} beschikbaar", figure.note]))
            return figure
    figure = income_stand_in(tables, area, key, label, unit)
    if figure is not None and figure.period != str(year):  # said as for a KWB figure of another year
        figure.note = "; ".join(filter(None, [f"niet voor {year} beschikbaar", figure.note]))
    return figure


def _age_year(tables: dict[str, pd.DataFrame], area: Area, year: int) -> int:
    """The year nearest to ``year`` in which the area has every age group: the age structure is of one year."""
    keys = [key for key, *_ in PROFILE if key.startswith("share_")]
    years = nearest_first(tables["kwb"]["year"].dropna().unique(), year)
    for candidate in years:
        if all(complete_enough(area_figure(tables, area, key, candidate)) for key in keys):
            return candidate
    return year


def key_figures(tables: dict[str, pd.DataFrame], area: Area | str, year: int, quarter: str) -> KeyFigures:
    """Every profile figure the tables have for the area, each with its own period and source.

    The age groups are shown for one year together (the nearest in which all are known).
    """
    area = as_area(area)
    ages = _age_year(tables, area, year)
    found = []
    for key, label, unit in PROFILE:
        wanted = ages if key.startswith("share_") else year
        figure = best_figure(tables, area, key, wanted, quarter, label, unit)
        if figure is not None and wanted != year and figure.period == str(wanted):
            figure.note = "; ".join(filter(None, [f"leeftijdsopbouw van {wanted}: het jaar waarin alle groepen bekend zijn",
                                                  figure.note]))
        found.append(figure)
    return KeyFigures(figure for figure in found if figure is not None)


def comparison(tables: dict[str, pd.DataFrame], area: Area | str, year: int, quarter: str) -> pd.DataFrame:
    """The area against its gemeente and Parkstad, one row per figure, in the periods of the area's figures.

    Columns: ``label``, ``unit``, ``period``, then per area its value, coverage (``coverage_<area>``) and the
    decimals it is shown with (``decimals_<area>``), then ``note`` (stand-ins, other years, weights) and ``sources``.
    A gemeente or Parkstad figure from part of its regions is left out (counts need all of
    them, shares and means at least 90 % of the population).
    """
    area = as_area(area)
    others = comparison_areas(area)[1:]
    rows = []
    for figure in key_figures(tables, area, year, quarter):
        period = figure.period
        row = {"label": figure.label, "unit": figure.unit, "period": period, area.name: figure.value,
               f"coverage_{area.name}": figure.coverage, f"decimals_{area.name}": figure.decimals}
        notes, sources = [figure.note] if figure.note else [], [figure.sources]
        for other in others:
            value = area_figure(tables, other, figure.key, period if "Q" in period else int(period))
            value = value if complete_enough(value) else None
            row[other.name] = value.value if value else np.nan
            row[f"coverage_{other.name}"] = value.coverage if value else np.nan
            row[f"decimals_{other.name}"] = value.decimals if value else figure.decimals
            if value and value.note:
                notes.append(f"{other.title}: {value.note}")
            if value:
                sources.append(value.sources)
        row["note"] = "; ".join(notes)
        row["sources"] = "; ".join(dict.fromkeys(s for part in sources for s in part.split("; ") if s))
        rows.append(row)
    columns = ["label", "unit", "period", area.name, *(o.name for o in others), f"coverage_{area.name}",
               *(f"coverage_{o.name}" for o in others), *(f"decimals_{a.name}" for a in [area, *others]), "note",
               "sources"]
    return pd.DataFrame.from_records(rows, columns=columns)


#: What a profile prints for each definition of its area: the size, and the benefit rate now and at the start.
DEFINITION_FIGURES = (("aantal_inwoners", "Inwoners", "aantal"),
                      ("bijstand_per_1000", "Personen met bijstand", "per 1.000 inwoners 15+"))


def definitions_compared(tables: dict[str, pd.DataFrame], area: Area | str, year: int,
                         quarters: list[str]) -> pd.DataFrame:
    """The area's key figures beside those of its other documented definitions (:func:`vocabulary.areas.alternatives`).

    One row per definition: its title, the number of regions, inhabitants in ``year`` and persons with bijstand
    per 1.000 inhabitants 15+ in each of ``quarters`` (the profile's and the latest), computed as every profile
    figure is. Empty when the area has no other definition.
    """
    area = as_area(area)
    others = alternatives(area)
    if not others:
        return pd.DataFrame()
    records = []
    for definition in [area, *others]:
        row: dict[str, object] = {"area": definition.name, "title": definition.title, "regions": len(definition.codes),
                                  "definition": definition.definition}
        inhabitants = best_figure(tables, definition, "aantal_inwoners", year, quarters[0])
        row["inhabitants"] = inhabitants.value if inhabitants else np.nan
        row["inhabitants_year"] = inhabitants.period if inhabitants else ""
        for quarter in quarters:
            rate = area_figure(tables, definition, "bijstand_per_1000", quarter)
            row[f"bijstand_per_1000_{quarter}"] = rate.value if complete_enough(rate) else np.nan
        records.append(row)
    return pd.DataFrame.from_records(records)


def profile_quarter(benefits: pd.DataFrame, year: int) -> str:
    """The benefit quarter of a profile for ``year``: the year's last quarter in the table, else the table's latest."""
    quarters = sorted(benefits["period"].dropna().unique())
    of_year = [q for q in quarters if q.startswith(str(year))]
    return of_year[-1] if of_year else quarters[-1]


def figures_by_year(tables: dict[str, pd.DataFrame], area: Area | str, key: str, complete: bool = False,
                    ) -> pd.DataFrame:
    """The area's figure in every KWB year that has it, computed as every page computes it (:func:`area_figure`).

    A year is kept when the figure covers enough of the area (:func:`complete_enough`), or all of it with
    ``complete``. Columns: ``year``, ``value``, ``coverage``, ``decimals_value`` (what the value is shown with:
    :attr:`AreaFigure.decimals`), ``note`` and ``sources``.
    """
    area = as_area(area)
    rows = []
    for year in sorted(tables["kwb"]["year"].dropna().astype(int).unique()):
        figure = area_figure(tables, area, key, year)
        if complete_enough(figure) and (not complete or figure.coverage >= 1.0):
            rows.append({"year": str(year), "value": figure.value, "coverage": figure.coverage,
                         "decimals_value": figure.decimals, "note": figure.note, "sources": figure.sources})
    return pd.DataFrame.from_records(rows, columns=["year", "value", "coverage", "decimals_value", "note", "sources"])


#: The figures a trends page follows through every KWB year (besides participation and the benefit rates).
YEARLY = ("aantal_inwoners", "share_0_tot_15_jaar", "share_65_jaar_of_ouder", "huishoudens_totaal",
          "gemiddelde_huishoudensgrootte", "gemiddeld_inkomen_per_inwoner", "huish_onder_of_rond_sociaal_minimum")


def figures_over_years(tables: dict[str, pd.DataFrame], area: Area | str, keys: tuple[str, ...] = YEARLY,
                       ) -> pd.DataFrame:
    """:func:`figures_by_year` for several figures at once (long: ``key``, ``label``, ``unit`` and its columns), in
    the order of ``keys``; a figure no year has is left out."""
    labels = {key: (label, unit) for key, label, unit in PROFILE}
    parts = [figures_by_year(tables, area, key).assign(key=key, label=labels[key][0], unit=labels[key][1])
             for key in keys]
    parts = [part for part in parts if not part.empty]
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(
        columns=["key", "label", "unit", "year", "value", "coverage", "decimals_value", "note", "sources"])


def inhabitants_by_year(tables: dict[str, pd.DataFrame], area: Area | str) -> pd.DataFrame:
    """The area's inhabitants in every KWB year that covers all of it, with the source of each year."""
    return figures_by_year(tables, area, "aantal_inwoners", complete=True)[["year", "value", "sources", "note"]]
