"""Participation, benefit, age and income indicators for areas, from the processed tables.

Every function takes tidy tables (as in ``data/processed``) and returns a tidy
result with ``value``, ``lower``, ``upper`` and ``coverage``: see
:mod:`parkstad_analysis.analysis.aggregate` for how areas are aggregated.
"""

from __future__ import annotations

from dataclasses import replace

import pandas as pd

from ..errors import UnknownNameError
from ..vocabulary.areas import Area, comparison_areas, get_area
from .aggregate import rate, sum_counts, weighted_percentage

BENEFITS = {"bijstand": "bijstand_ontvangers", "ww": "ww_ontvangers", "ao": "ao_ontvangers", "aow": "aow_ontvangers"}

#: Netto arbeidsparticipatie per gemeente in 2020, as given in the press release of 17 December 2020.
PRESS_RELEASE_PARTICIPATION_2020 = {"GM0928": 61.9, "GM0917": 62.5, "GM0965": 66.4, "GM0986": 68.3}


def participation_weights(kwb: pd.DataFrame, education: pd.DataFrame | None) -> pd.Series:
    """Denominator of netto arbeidsparticipatie per KWB row: population 15–75.

    Uses the education table's population 15–75 where it covers the region and year;
    elsewhere the KWB age groups 15–65 (15–25 + 25–45 + 45–65) as a proxy, since the
    KWB publishes no 15–75 group. The proxy only weights regions against each other.
    """
    proxy = kwb[["k_15_tot_25_jaar", "k_25_tot_45_jaar", "k_45_tot_65_jaar"]].sum(axis=1, min_count=3)
    if education is None or education.empty:
        return proxy
    exact = kwb[["region_code", "year"]].merge(
        education[["region_code", "year", "bevolking_15_tot_75_jaar"]], how="left", on=["region_code", "year"]
    )["bevolking_15_tot_75_jaar"]
    exact.index = kwb.index
    return exact.fillna(proxy)


def participation(kwb: pd.DataFrame, area: Area, education: pd.DataFrame | None = None) -> pd.DataFrame:
    """Netto arbeidsparticipatie of an area per year, weighted by population 15–75."""
    rows = kwb.dropna(subset=["nettoarbeidsparticipatie"], how="all")
    return weighted_percentage(rows, area, "nettoarbeidsparticipatie", participation_weights(rows, education))


def benefit_rates(benefits: pd.DataFrame, area: Area, base: str = "inwoners_15_plus", per: float = 1000) -> pd.DataFrame:
    """Benefit recipients per ``per`` inhabitants aged 15+ (or ``inwoners_15_tot_aow``), per quarter.

    Returns one row per benefit kind and quarter: ``kind`` (bijstand, ww, ao, aow),
    ``value`` with rounding bounds, ``numerator``, ``denominator``, ``coverage``.
    """
    parts = []
    for kind, column in BENEFITS.items():
        result = rate(benefits, area, column, base, per=per)
        parts.append(result.assign(kind=kind))
    return pd.concat(parts, ignore_index=True)


def benefit_rates_by_region(benefits: pd.DataFrame, kind: str = "bijstand", base: str = "inwoners_15_plus",
                            per: float = 1000) -> pd.DataFrame:
    """One benefit kind per ``per`` inhabitants for every region and quarter, with its gemeente's rate alongside.

    Parameters
    ----------
    kind : {"bijstand", "ww", "ao", "aow"}
    base : str
        ``inwoners_15_plus`` or ``inwoners_15_tot_aow``.
    """
    if kind not in BENEFITS:
        raise UnknownNameError("benefit kind", kind, list(BENEFITS))
    column = BENEFITS[kind]
    table = benefits[["region_code", "region_name", "level", "gemeente_code", "period", column, base]].copy()
    table["rate"] = per * table[column] / table[base].where(table[base] > 0)
    gemeente = table[table["level"] == "gemeente"].set_index(["region_code", "period"])["rate"]
    table["gemeente_rate"] = [gemeente.get((g, p), float("nan")) for g, p in zip(table["gemeente_code"], table["period"],
                                                                                 strict=True)]
    return table.rename(columns={column: "recipients", base: "base"})


def benefit_rates_with_gemeente(benefits: pd.DataFrame, area: Area, kind: str = "bijstand") -> pd.DataFrame:
    """One benefit kind per quarter for the area and its gemeente side by side (wide)."""
    frames = []
    for each in comparison_areas(area)[:2]:
        result = benefit_rates(benefits, each)
        frames.append(result[result["kind"] == kind][["period", "value"]].rename(columns={"value": each.name}))
    table = frames[0]
    for other in frames[1:]:
        table = table.merge(other, on="period", how="left")
    return table


def age_shares(kwb: pd.DataFrame, area: Area) -> pd.DataFrame:
    """Share of inhabitants aged 15–25 per year (Σ 15–25 / Σ inhabitants).

    The KWB has no 15–27 group; youth figures for 15–27 need another CBS table.
    """
    return rate(kwb, area, "k_15_tot_25_jaar", "aantal_inwoners", per=100).assign(indicator="share_15_tot_25_jaar")


def income(income_table: pd.DataFrame, kwb: pd.DataFrame, area: Area) -> pd.DataFrame:
    """Income per inhabitant and low/high-income household shares (2020, wijk level).

    The income table is published per wijk, so buurt-level areas are represented by
    their wijken (GMS → wijk 31). Weights: inhabitants per wijk from the latest KWB
    year that has them (income per inhabitant) and the same for households' shares,
    because household counts are not in every year.
    """
    target = area if area.level != "buurt" else replace(area, level="wijk", codes=area.wijken)
    latest = kwb.dropna(subset=["aantal_inwoners"]).sort_values("year").groupby("region_code").last()
    weights = income_table["region_code"].map(latest["aantal_inwoners"])
    parts = []
    for column in ("gemiddeld_inkomen_per_inwoner", "k_40_huishoudens_met_laagste_inkomen",
                   "k_20_huishoudens_met_hoogste_inkomen"):
        parts.append(weighted_percentage(income_table, target, column, weights).assign(
            represented_by=",".join(target.codes) if area.level == "buurt" else ""))
    result = pd.concat(parts, ignore_index=True)
    # income is published with one decimal: its rounding is ±0.05, not the ±0.5 of whole percentages
    euros = result["indicator"] == "gemiddeld_inkomen_per_inwoner"
    result.loc[euros, "lower"] = result.loc[euros, "value"] - 0.05
    result.loc[euros, "upper"] = result.loc[euros, "value"] + 0.05
    return result


def known_inhabitants(kwb: pd.DataFrame, area: Area) -> dict[int, float]:
    """Year → inhabitants of the area, for the KWB years whose figures cover all of its regions."""
    known = {}
    for year in sorted(set(kwb["year"].dropna().astype(int))):
        result = sum_counts(kwb[kwb["year"] == year], area, "aantal_inwoners")
        if len(result) and result["coverage"].iloc[0] == 1.0:
            known[year] = float(result["value"].iloc[0])
    return known


def comparison(tables: dict[str, pd.DataFrame], area_name: str, year: int = 2019, quarter: str | None = None) -> pd.DataFrame:
    """The area against its gemeente and Parkstad: one row per indicator, one column per area.

    ``coverage_<area>`` columns give the share of each area's population with a value.
    A gemeente or Parkstad figure computed from only part of its regions (offline, the
    benefit and KWB buurt tables cover Heerlen only) is left out rather than shown as if
    it were the whole area's.

    Parameters
    ----------
    tables : dict
        Processed tables ``kwb``, ``benefits``, ``education``, ``income``.
    area_name : str
    year : int
        KWB year for inhabitants, participation and age.
    quarter : str, optional
        Benefit quarter; default the latest in the table.
    """
    area = get_area(area_name)
    kwb, benefits = tables["kwb"], tables["benefits"]
    quarter = quarter or benefits["period"].max()
    kwb_year = kwb[kwb["year"] == year]
    in_quarter = benefits[benefits["period"] == quarter]
    rows = []
    for each in comparison_areas(area):
        bijstand = benefit_rates(in_quarter, each)
        results = {
            f"inhabitants {year}": sum_counts(kwb_year, each, "aantal_inwoners"),
            f"netto arbeidsparticipatie {year} (%)": participation(kwb_year, each, tables.get("education")),
            f"share aged 15-25 {year} (%)": age_shares(kwb_year, each),
            f"bijstand per 1,000 aged 15+ {quarter}": bijstand[bijstand["kind"] == "bijstand"],
        }
        if "income" in tables:
            inc = income(tables["income"], kwb, each)
            results["income per inhabitant 2020 (x 1,000 EUR)"] = inc[inc["indicator"] == "gemiddeld_inkomen_per_inwoner"]
            results["households in lowest 40% income 2020 (%)"] = inc[
                inc["indicator"] == "k_40_huishoudens_met_laagste_inkomen"]
        for label, result in results.items():  # each result holds one period: its first row, or nothing
            rows.append({"indicator": label, "area": each.name,
                         "value": result["value"].iloc[0] if len(result) else float("nan"),
                         "coverage": result["coverage"].iloc[0] if len(result) else 0.0})
    long = pd.DataFrame.from_records(rows)
    # a gemeente or Parkstad figure from part of its regions is not that area's figure: leave it out
    partial = long["area"].ne(area.name) & long["coverage"].lt(1)
    long.loc[partial, "value"] = float("nan")
    order = list(dict.fromkeys(long["indicator"]))
    wide = long.pivot(index="indicator", columns="area", values="value").reindex(order)
    coverage = long.pivot(index="indicator", columns="area", values="coverage").reindex(order)
    names = [a.name for a in comparison_areas(area)]
    wide = wide[names]
    wide.columns.name = None
    for name in names:
        wide[f"coverage_{name}"] = coverage[name]
    return wide
