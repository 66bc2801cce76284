"""Aggregation over an area's regions that is right.

* counts are summed; CBS rounds counts of wijken and buurten (to 5 in the KWB,
  to 10 in the benefit tables), so each sum carries a lower and upper bound;
* rates are recomputed from summed numerators and denominators, with bounds
  from the extreme combinations of the rounded counts;
* where only a percentage exists it is weighted by its denominator population,
  never averaged;
* missing or secret values are not zeros: ``coverage`` is the share of the
  area's weight population (e.g. inhabitants) in regions that have a value.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pandas as pd

from ..errors import UnknownNameError
from ..vocabulary.areas import Area
from ..vocabulary.indicators import load_vocabulary, period_column

#: Rounding base of counts below gemeente level when the vocabulary does not say (KWB: 5).
DEFAULT_ROUNDING = 5


def members(table: pd.DataFrame, area: Area, year: int | None = None) -> pd.DataFrame:
    """Rows of ``table`` for the area's regions (all periods, or one year)."""
    require(table, ["region_code"])
    if year is not None and "year" in table.columns:
        table = table[table["year"] == year]
    return table[table["region_code"].isin(area.codes_for(year))]


def require(table: pd.DataFrame, columns: list[str]) -> None:
    """Refuse an indicator the table does not have, listing those it has."""
    missing = [c for c in columns if c not in table.columns]
    if missing:
        raise UnknownNameError("indicator", missing[0], [c for c in table.columns if c not in ("region_code", "level")])


#: The levels whose counts CBS publishes unrounded.
UNROUNDED_LEVELS = ("gemeente", "land", "landsdeel", "provincie")


def _rounding(indicator: str, level: pd.Series) -> pd.Series:
    """Half the rounding base of each row's count: that of the indicator's table (0 for gemeenten and the country,
    provinces and landsdelen above them, which CBS does not round as it rounds wijken and buurten)."""
    base = load_vocabulary().rounding(indicator)
    base = DEFAULT_ROUNDING if base is None else base
    return pd.Series(np.where(level.isin(UNROUNDED_LEVELS), 0.0, base / 2), index=level.index)


def sum_counts(table: pd.DataFrame, area: Area, indicator: str, weight: str | None = None) -> pd.DataFrame:
    """Sum a count over the area's regions, per period, with rounding bounds and coverage.

    Parameters
    ----------
    table : DataFrame
        A tidy region table.
    area : Area
    indicator : str
        A count column.
    weight : str, optional
        Population used for coverage (default ``aantal_inwoners`` or ``inwoners_15_plus``
        when present: the indicator cannot weigh its own missing cells).

    Returns
    -------
    DataFrame
        ``area``, period column, ``indicator``, ``value``, ``lower``, ``upper``,
        ``regions``, ``regions_missing``, ``coverage``.
    """
    require(table, [indicator])
    when = period_column(table)
    weight = weight or next((c for c in ("aantal_inwoners", "inwoners_15_plus") if c in table.columns and c != indicator), None)
    records = []
    for period, rows in by_period(table, area, when):
        values = rows[indicator]
        half = _rounding(indicator, rows["level"])
        present = values.notna()
        records.append({
            "area": area.name, when: period, "indicator": indicator,
            "value": float(values.sum()) if present.any() else np.nan,
            "lower": float((values - half).clip(lower=0)[present].sum()) if present.any() else np.nan,
            "upper": float((values + half)[present].sum()) if present.any() else np.nan,
            "regions": len(rows), "regions_missing": int((~present).sum()),
            "coverage": coverage(rows, present, weight),
        })
    return _result(records, when, "value", "lower", "upper", "regions", "regions_missing", "coverage")


def rate(table: pd.DataFrame, area: Area, numerator: str, denominator: str, per: float = 100.0) -> pd.DataFrame:
    """``per`` × Σ numerator / Σ denominator over the area's regions, per period.

    Only regions where both counts are known enter the rate; ``coverage`` is the
    share of the area's denominator in those regions. Bounds combine the rounding
    of both counts (lowest numerator over highest denominator and vice versa).
    Computed for all periods at once (a quarterly table has 45 of them).
    """
    require(table, [numerator, denominator])
    when = period_column(table)
    rows, regions = area_rows(table, area, when)
    columns = ["area", when, "indicator", "value", "lower", "upper", "numerator", "denominator", "regions",
               "regions_missing", "coverage"]
    if rows.empty:
        return pd.DataFrame(columns=columns)
    num, den = rows[numerator].astype(float), rows[denominator].astype(float)
    both = num.notna() & den.notna() & den.gt(0)
    n_half = _rounding(numerator, rows["level"]).to_numpy()
    d_half = _rounding(denominator, rows["level"]).to_numpy()
    parts = pd.DataFrame({
        when: rows[when].to_numpy(), "both": both.to_numpy(),
        "n": num.where(both).to_numpy(), "d": den.where(both).to_numpy(),
        "n_low": (num - n_half).clip(lower=0).where(both).to_numpy(), "d_high": (den + d_half).where(both).to_numpy(),
        "n_high": (num + n_half).where(both).to_numpy(), "d_low": (den - d_half).clip(lower=1).where(both).to_numpy(),
    })
    sums = parts.groupby(when, sort=True).agg(n=("n", "sum"), d=("d", "sum"), n_low=("n_low", "sum"),
                                              d_high=("d_high", "sum"), n_high=("n_high", "sum"),
                                              d_low=("d_low", "sum"), known=("both", "sum"))
    any_known = sums["known"].gt(0)
    result = pd.DataFrame({
        "area": area.name, when: sums.index, "indicator": f"{numerator}_per_{int(per)}_{denominator}",
        "value": (per * sums["n"] / sums["d"]).where(any_known).to_numpy(float),
        "lower": (per * sums["n_low"] / sums["d_high"]).where(any_known).to_numpy(float),
        "upper": (per * sums["n_high"] / sums["d_low"]).where(any_known).to_numpy(float),
        "numerator": sums["n"].where(any_known).to_numpy(float), "denominator": sums["d"].where(any_known).to_numpy(float),
        "regions": regions.reindex(sums.index).to_numpy(int),
    })
    result["regions_missing"] = result["regions"] - sums["known"].to_numpy(int)
    result["coverage"] = coverages(rows, both, when, regions, denominator).reindex(sums.index).to_numpy(float)
    return result[columns]


def area_rows(table: pd.DataFrame, area: Area, when: str) -> tuple[pd.DataFrame, pd.Series]:
    """The rows of the area's regions in every period (the codes of each period's year), and per period how many
    regions the area has (a region without a row counts as a region without a value). Periods without any row
    of the area are left out, as :func:`by_period` does."""
    years = table[when].astype(str).str[:4].astype(int)
    wanted = pd.Series(False, index=table.index)
    expected = {}
    for year in years.unique():
        codes = area.codes_for(int(year))
        in_year = years.eq(year)
        wanted |= in_year & table["region_code"].isin(codes)
        expected[int(year)] = len(set(codes))
    rows = table[wanted]
    present = rows.groupby(when, sort=True)["region_code"].nunique()
    regions = pd.Series([expected[int(str(p)[:4])] for p in present.index], index=present.index)
    return rows, regions


def coverages(rows: pd.DataFrame, present: pd.Series, when: str, regions: pd.Series,
              weight: str | None = None) -> pd.Series:
    """:func:`coverage` for every period at once (rows of all periods, ``regions`` per period)."""
    frame = pd.DataFrame({when: rows[when].to_numpy(), "present": present.to_numpy()})
    counts = frame.groupby(when, sort=True)["present"].agg(["sum", "size"])
    complete = counts["size"].eq(regions.reindex(counts.index))  # no region without a row
    result = pd.Series(np.nan, index=counts.index)
    decided = pd.Series(False, index=counts.index)
    for column in dict.fromkeys((*POPULATIONS, weight)):
        if not column or column not in rows.columns:
            continue
        values = rows[column].astype(float)
        frame["all"], frame["known"] = values.to_numpy(), values.where(present.to_numpy()).to_numpy()
        grouped = frame.groupby(when, sort=True)
        usable = complete & grouped["all"].count().eq(counts["size"]) & ~decided
        total = grouped["all"].sum()
        share = (grouped["known"].sum() / total).where(total.ne(0))
        result = result.where(~usable, share)
        decided |= usable
    return result.where(decided, counts["sum"] / regions.reindex(counts.index))


def weighted_percentage(table: pd.DataFrame, area: Area, indicator: str, weight: pd.Series | str) -> pd.DataFrame:
    """A percentage (or mean) that exists only per region, weighted by its denominator.

    Parameters
    ----------
    indicator : str
        The percentage column (e.g. ``nettoarbeidsparticipatie``).
    weight : str or Series
        The denominator population per row (a column name, or a Series aligned with
        ``table``): Σ pct × weight / Σ weight over regions where both are known.
    """
    require(table, [indicator])
    weights = table[weight] if isinstance(weight, str) else weight.reindex(table.index)
    table = table.assign(_weight=weights.astype("Float64"))
    when = period_column(table)
    records = []
    for period, rows in by_period(table, area, when):
        pct, w = rows[indicator], rows["_weight"]
        both = pct.notna() & w.notna() & w.gt(0)
        if both.any():
            value = float((pct[both] * w[both]).sum() / w[both].sum())
            # a value published with 0 decimals may be ±0.5 off; the weighted mean inherits that
            lower, upper = value - 0.5, value + 0.5
        else:
            value = lower = upper = np.nan
        records.append({
            "area": area.name, when: period, "indicator": indicator, "value": value, "lower": lower, "upper": upper,
            "weight": float(w[both].sum()) if both.any() else np.nan,
            "regions": len(rows), "regions_missing": int((~both).sum()),
            "coverage": coverage(rows, both, "_weight"),
        })
    return _result(records, when, "value", "lower", "upper", "weight", "regions", "regions_missing", "coverage")


def _result(records: list[dict], when: str, *columns: str) -> pd.DataFrame:
    """The records as a frame; an area without any rows still gets the columns (and no rows)."""
    return pd.DataFrame.from_records(records, columns=["area", when, "indicator", *columns])


def by_period(table: pd.DataFrame, area: Area, when: str) -> Iterator[tuple[object, pd.DataFrame]]:
    """Yield (period, rows of the area) for every period of the table; a region without a row counts as missing."""
    for period, rows in table.groupby(when, sort=True):
        codes = area.codes_for(int(str(period)[:4]))
        chosen = rows[rows["region_code"].isin(codes)]
        if chosen.empty:
            continue
        absent = sorted(set(codes) - set(chosen["region_code"]))
        if absent:  # a region without a row is treated like a missing value, not dropped silently
            filler = pd.DataFrame({"region_code": absent, "level": area.level})
            chosen = pd.concat([chosen, filler], ignore_index=True)
        yield period, chosen


#: Populations coverage is measured in, first the one every region table of the KWB has.
POPULATIONS = ("aantal_inwoners", "inwoners_15_plus")


def coverage(rows: pd.DataFrame, present: pd.Series, weight: str | None = None) -> float:
    """Share of the area's population in regions with a value.

    The population is the table's inhabitants (``aantal_inwoners``, or ``inwoners_15_plus``
    in the benefit tables), else ``weight``. When a region's population is unknown too (no
    row at all, or a secret count), the share of regions is returned instead: a population
    share would then overstate what is covered.
    """
    for column in (*POPULATIONS, weight):
        if column and column in rows.columns and rows[column].notna().all():
            total = rows[column].sum()
            return float(rows.loc[present, column].sum() / total) if total else np.nan
    return float(present.mean())
