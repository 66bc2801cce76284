"""Participation, benefit, age, household and income indicators for areas, from the processed tables.

Every function takes tidy tables (as in ``data/processed``) and returns a tidy
result with ``value``, ``lower``, ``upper`` and ``coverage``: see
:mod:`parkstad_analysis.analysis.aggregate` for how areas are aggregated.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd

from ..errors import UnknownNameError
from ..vocabulary.areas import Area, as_area, comparison_areas
from ..vocabulary.indicators import load_vocabulary, nearest_first
from .aggregate import rate, sum_counts, weighted_percentage

__all__ = [
    "AGES_15_65", "BENEFITS", "age_shares", "benefit_rates", "benefit_rates_by_region", "benefit_rates_with_gemeente",
    "income", "known_inhabitants", "participation", "participation_weights", "region_rate", "trend_series"
]

BENEFITS = {"bijstand": "bijstand_ontvangers", "ww": "ww_ontvangers", "ao": "ao_ontvangers", "aow": "aow_ontvangers"}
#: The KWB age groups between 15 and 65, the proxy weight where the population 15–75 is not known.
AGES_15_65 = ["k_15_tot_25_jaar", "k_25_tot_45_jaar", "k_45_tot_65_jaar"]


def participation_weights(kwb: pd.DataFrame, education: pd.DataFrame | None) -> tuple[pd.Series, pd.Series]:
    """Denominator of netto arbeidsparticipatie per KWB row, and what it is.

    Netto arbeidsparticipatie is the share of the population 15–75 (CBS's definition in
    every KWB year that publishes it, 2018 on). The weight is the education table's
    population 15–75 of the same year; where that table has no such year, its nearest year
    (the relative size of regions barely changes in a year); where it does not cover the
    region, the KWB age groups 15–65 as a proxy. The second Series says which, per row.
    """
    proxy = kwb[AGES_15_65].sum(axis=1, min_count=3) if set(AGES_15_65) <= set(kwb.columns) else \
        pd.Series(np.nan, index=kwb.index)
    basis = pd.Series("bevolking 15–65 (KWB-leeftijdsgroepen, benadering)", index=kwb.index)
    basis[proxy.isna()] = ""
    if education is None or education.empty:
        return proxy, basis
    weights = pd.Series(np.nan, index=kwb.index)
    years = sorted(education["year"].dropna().astype(int).unique())
    for year in sorted(kwb["year"].dropna().astype(int).unique()):
        nearest = nearest_first(years, year)[0]
        rows = kwb["year"] == year
        exact = kwb.loc[rows, "region_code"].map(
            education[education["year"] == nearest].set_index("region_code")["bevolking_15_tot_75_jaar"])
        weights[rows] = exact.astype(float)
        basis[rows & weights.notna()] = f"bevolking 15–75 ({nearest}, CBS onderwijsniveau)"
    return weights.fillna(proxy), basis


def participation(kwb: pd.DataFrame, area: Area, education: pd.DataFrame | None = None) -> pd.DataFrame:
    """Netto arbeidsparticipatie of an area per year, weighted by population 15–75; ``weight_basis`` says by what."""
    # every region of the years that have the figure: a region without it lowers coverage by its population
    rows = kwb[kwb["year"].isin(kwb.loc[kwb["nettoarbeidsparticipatie"].notna(), "year"])]
    weights, basis = participation_weights(rows, education)
    result = weighted_percentage(rows, area, "nettoarbeidsparticipatie", weights)
    chosen = basis[rows["region_code"].isin(area.codes_for(None))]
    return result.assign(weight_basis="; ".join(sorted(set(chosen) - {""})))


def benefit_rates(benefits: pd.DataFrame, area: Area, base: str = "inwoners_15_plus", per: float = 1000,
                  kinds: list[str] | None = None) -> pd.DataFrame:
    """Benefit recipients per ``per`` inhabitants aged 15+ (or ``inwoners_15_tot_aow``), per quarter.

    Returns one row per benefit kind (all, or those of ``kinds``) and quarter: ``kind`` (bijstand,
    ww, ao, aow), ``value`` with rounding bounds, ``numerator``, ``denominator``, ``coverage``.
    """
    parts = [rate(benefits, area, BENEFITS[kind], base, per=per).assign(kind=kind) for kind in kinds or BENEFITS]
    return pd.concat(parts, ignore_index=True)


def region_rate(counts: pd.Series, base: pd.Series, published: pd.Series | None, per: float,
                rounding: float) -> pd.DataFrame:
    """A rate per region: from the rounded counts, or from CBS's published percentage when that is more precise.

    CBS rounds the counts below gemeente level (to 10 in the benefit tables) but computes the
    published percentage from the exact counts. For a small buurt (0 of 70 rounded) the
    percentage (3 %, so 25–35 per 1,000) is far more precise than the counts (0–77 per 1,000);
    for a gemeente (counts not rounded) the counts are. Per region the narrower interval wins.

    Returns ``value``, ``lower``, ``upper`` and ``basis`` (``aantallen`` or ``gepubliceerd percentage``).
    """
    half = rounding / 2
    base_ok = base.where(base > 0)
    by_count = pd.DataFrame({"value": per * counts / base_ok,
                             "lower": per * (counts - half).clip(lower=0) / (base_ok + half),
                             "upper": per * (counts + half) / (base_ok - half).clip(lower=1)}).astype(float)
    by_count["basis"] = "aantallen"
    if published is None:
        return by_count
    factor = per / 100
    by_pct = pd.DataFrame({"value": factor * published, "lower": factor * (published - 0.5).clip(lower=0),
                           "upper": factor * (published + 0.5)}).astype(float)
    narrower = (by_pct["upper"] - by_pct["lower"]) < (by_count["upper"] - by_count["lower"])
    better = by_pct["value"].notna() & (by_count["value"].isna() | narrower)
    result = by_count.where(~better, by_pct)
    result["basis"] = np.where(better, "gepubliceerd percentage", "aantallen")
    return result


def benefit_rates_by_region(benefits: pd.DataFrame, kind: str = "bijstand", base: str = "inwoners_15_plus",
                            per: float = 1000) -> pd.DataFrame:
    """One benefit kind per ``per`` inhabitants for every region and quarter, with its gemeente's rate alongside.

    ``rate`` is the region's rate from counts, or from CBS's published percentage where that is
    more precise (``basis`` says which; see :func:`region_rate`).

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
    published = benefits[f"{kind}_pct"] if base == "inwoners_15_plus" else None
    rounding = np.where(table["level"] == "gemeente", 0.0, load_vocabulary().rounding(column))
    rates = region_rate(table[column].astype(float), table[base].astype(float),
                        None if published is None else published.astype(float), per, pd.Series(rounding, index=table.index))
    table[["rate", "lower", "upper", "basis"]] = rates[["value", "lower", "upper", "basis"]]
    gemeente = table[table["level"] == "gemeente"].set_index(["region_code", "period"])["rate"]
    keys = pd.MultiIndex.from_arrays([table["gemeente_code"], table["period"]])
    table["gemeente_rate"] = gemeente.reindex(keys).to_numpy()
    return table.rename(columns={column: "recipients", base: "base"})


def benefit_rates_with_gemeente(benefits: pd.DataFrame, area: Area, kind: str = "bijstand") -> pd.DataFrame:
    """One benefit kind per quarter for the area and its gemeente side by side (wide)."""
    frames = []
    for each in comparison_areas(area)[:2]:
        result = benefit_rates(benefits, each, kinds=[kind])
        frames.append(result[result["kind"] == kind][["period", "value"]].rename(columns={"value": each.name}))
    table = frames[0]
    for other in frames[1:]:
        table = table.merge(other, on="period", how="left")
    return table


def age_shares(kwb: pd.DataFrame, area: Area, group: str = "k_15_tot_25_jaar") -> pd.DataFrame:
    """Share of inhabitants in one KWB age group per year (Σ group / Σ inhabitants, %)."""
    return rate(kwb, area, group, "aantal_inwoners", per=100).assign(indicator=f"share_{group.removeprefix('k_')}")


def income(income_table: pd.DataFrame, kwb: pd.DataFrame, area: Area) -> pd.DataFrame:
    """Income per inhabitant and low/high-income household shares from the wijk-level maatwerk table (2020).

    The table is published per wijk, so a buurt-level area is represented by its wijken
    (GMS → wijk 31, which also holds Hoppersgraaf): ``represented_by`` names them and
    ``stand_in`` says so in words. Weights: inhabitants per wijk from the latest KWB year.
    """
    target = area if area.level != "buurt" else replace(area, level="wijk", codes=area.wijken)
    latest = kwb.dropna(subset=["aantal_inwoners"]).sort_values("year").groupby("region_code").last()
    weights = income_table["region_code"].map(latest["aantal_inwoners"])
    parts = []
    for column in ("gemiddeld_inkomen_per_inwoner", "k_40_huishoudens_met_laagste_inkomen",
                   "k_20_huishoudens_met_hoogste_inkomen"):
        parts.append(weighted_percentage(income_table, target, column, weights))
    result = pd.concat(parts, ignore_index=True)
    names = income_table.drop_duplicates("region_code").set_index("region_code")["region_name"]
    stand_in = ""
    if area.level == "buurt":
        labels = [f"{names.get(code, code)} ({code})" for code in target.codes]
        stand_in = "cijfer van de wijk: " + ", ".join(labels) + "; de wijk is groter dan het gebied"
    result = result.assign(represented_by=",".join(target.codes) if area.level == "buurt" else "", stand_in=stand_in)
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


def trend_series(tables: dict[str, pd.DataFrame], area: Area | str, kind: str = "bijstand") -> pd.DataFrame:
    """A benefit rate per quarter for the area, its gemeente and Parkstad, with CBS-rounding bounds.

    A gemeente or Parkstad series is kept only for the quarters in which the benefit table covers
    all of it (offline the table covers Heerlen only, so there is no Parkstad line).
    """
    parts = []
    for position, each in enumerate(comparison_areas(as_area(area))):
        rates = benefit_rates(tables["benefits"], each, kinds=[kind])
        if position:
            rates = rates[rates["coverage"] >= 1.0]
        parts.append(rates[["period", "value", "lower", "upper", "coverage"]].assign(series=each.name, title=each.title))
    return pd.concat(parts, ignore_index=True)
