"""Focus areas as sets of CBS codes, and aggregation that is right.

Areas are defined in ``data/areas.toml``; every Parkstad gemeente is an area
too (``heerlen``, ``kerkrade``, …). Aggregation over an area's regions:

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

import tomllib
from dataclasses import dataclass
from functools import cache
from importlib import resources

import numpy as np
import pandas as pd

from .catalog import load_catalog
from .errors import DataFormatError, UnknownNameError
from .regions import BEEKDAELEN_PREDECESSORS, PARKSTAD_2019

#: Rounding base of counts below gemeente level when the catalog does not say (KWB: 5).
DEFAULT_ROUNDING = 5


@dataclass(frozen=True)
class Area:
    """A focus area: CBS codes of one level, with its definition and source."""

    name: str
    title: str
    level: str
    codes: tuple[str, ...]
    boundaries: tuple[int, int]
    gemeente: str
    definition: str
    source: str
    before_2019: tuple[str, ...] = ()

    def codes_for(self, year: int | None = None) -> tuple[str, ...]:
        """Codes of the area in the boundaries of ``year`` (Parkstad changed in 2019)."""
        if year is not None and year < 2019 and self.before_2019:
            return self.before_2019
        return self.codes

    @property
    def wijken(self) -> tuple[str, ...]:
        """The wijk codes the area lies in (itself for wijk areas)."""
        if self.level == "gemeente":
            return ()
        return tuple(dict.fromkeys("WK" + c[2:8] for c in self.codes))


@cache
def load_areas() -> dict[str, Area]:
    """Every focus area plus one area per Parkstad gemeente (and Beekdaelen's predecessors)."""
    text = resources.files("parkstad_analysis").joinpath("data/areas.toml").read_text("utf-8")
    areas = {}
    for name, entry in tomllib.loads(text).items():
        areas[name] = Area(
            name=name, title=entry["title"], level=entry["level"], codes=tuple(entry["codes"]),
            boundaries=tuple(entry["boundaries"]), gemeente=entry["gemeente"], definition=entry["definition"],
            source=entry["source"], before_2019=tuple(entry.get("before_2019", ())),
        )
    for code, title in (PARKSTAD_2019 | BEEKDAELEN_PREDECESSORS).items():
        until = 2018 if code in BEEKDAELEN_PREDECESSORS else 2024
        since = 2019 if code == "GM1954" else 2014
        areas[title.lower()] = Area(
            name=title.lower(), title=title, level="gemeente", codes=(code,), boundaries=(since, until),
            gemeente=code, definition=f"Gemeente {title} ({code}).", source="CBS gemeentelijke indeling",
        )
    return areas


def get_area(name: str) -> Area:
    """One area by name; an unknown name raises an error listing the valid names."""
    areas = load_areas()
    key = name.strip().lower().replace("-", "_").replace(" ", "_")
    if key not in areas:
        raise UnknownNameError("area", name, list(areas))
    return areas[key]


def focus_areas() -> list[str]:
    """The Regio Deal focus areas (not the gemeenten or Parkstad)."""
    return ["heerlen_noord", "gms", "hoensbroek", "rolduckerveld", "brunssum_noord"]


def comparison_areas(area: Area) -> list[Area]:
    """The area, its gemeente and Parkstad: the usual comparison."""
    result = [area]
    if area.gemeente and area.level != "gemeente":
        result.append(next(a for a in load_areas().values() if a.level == "gemeente" and a.codes == (area.gemeente,)))
    if area.name != "parkstad":
        result.append(load_areas()["parkstad"])
    return result


# ----------------------------------------------------------------------------- aggregation


def members(table: pd.DataFrame, area: Area, year: int | None = None) -> pd.DataFrame:
    """Rows of ``table`` for the area's regions (all periods)."""
    _require(table, ["region_code"])
    if year is not None and "year" in table.columns:
        table = table[table["year"] == year]
    codes = area.codes_for(year)
    return table[table["region_code"].isin(codes)]


def _require(table: pd.DataFrame, columns: list[str]) -> None:
    missing = [c for c in columns if c not in table.columns]
    if missing:
        raise UnknownNameError("indicator", missing[0], [c for c in table.columns if c not in ("region_code", "level")])


def _rounding(indicator: str, level: pd.Series) -> pd.Series:
    known = load_catalog().indicators.get(indicator)
    base = known.rounded if known and known.rounded else DEFAULT_ROUNDING
    return pd.Series(np.where(level.eq("gemeente"), 0.0, base / 2), index=level.index)


def _period_column(table: pd.DataFrame) -> str:
    return "period" if "period" in table.columns else "year"


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
        Population used for coverage (default: the indicator itself cannot weigh its own
        missing cells, so ``aantal_inwoners`` or ``inwoners_15_plus`` when present).

    Returns
    -------
    DataFrame
        ``area``, period column, ``indicator``, ``value``, ``lower``, ``upper``,
        ``regions``, ``regions_missing``, ``coverage``.
    """
    _require(table, [indicator])
    when = _period_column(table)
    weight = weight or next((c for c in ("aantal_inwoners", "inwoners_15_plus") if c in table.columns and c != indicator), None)
    records = []
    for period, rows in _by_period(table, area, when):
        values = rows[indicator]
        half = _rounding(indicator, rows["level"])
        present = values.notna()
        records.append({
            "area": area.name, when: period, "indicator": indicator,
            "value": float(values.sum()) if present.any() else np.nan,
            "lower": float((values - half).clip(lower=0)[present].sum()) if present.any() else np.nan,
            "upper": float((values + half)[present].sum()) if present.any() else np.nan,
            "regions": len(rows), "regions_missing": int((~present).sum()),
            "coverage": _coverage(rows, present, weight),
        })
    return _result(records, when, "value", "lower", "upper", "regions", "regions_missing", "coverage")


def rate(table: pd.DataFrame, area: Area, numerator: str, denominator: str, per: float = 100.0) -> pd.DataFrame:
    """``per`` × Σ numerator / Σ denominator over the area's regions, per period.

    Only regions where both counts are known enter the rate; ``coverage`` is the
    share of the area's denominator in those regions. Bounds combine the rounding
    of both counts (lowest numerator over highest denominator and vice versa).
    """
    _require(table, [numerator, denominator])
    when = _period_column(table)
    records = []
    for period, rows in _by_period(table, area, when):
        num, den = rows[numerator], rows[denominator]
        both = num.notna() & den.notna() & den.gt(0)
        n_half, d_half = _rounding(numerator, rows["level"]), _rounding(denominator, rows["level"])
        if both.any():
            n, d = num[both].sum(), den[both].sum()
            value = per * n / d
            lower = per * (num - n_half).clip(lower=0)[both].sum() / (den + d_half)[both].sum()
            upper = per * (num + n_half)[both].sum() / (den - d_half).clip(lower=1)[both].sum()
        else:
            n = d = value = lower = upper = np.nan
        records.append({
            "area": area.name, when: period, "indicator": f"{numerator}_per_{int(per)}_{denominator}",
            "value": float(value), "lower": float(lower), "upper": float(upper),
            "numerator": float(n), "denominator": float(d),
            "regions": len(rows), "regions_missing": int((~both).sum()),
            "coverage": _coverage(rows, both, denominator),
        })
    return _result(records, when, "value", "lower", "upper", "numerator", "denominator", "regions",
                   "regions_missing", "coverage")


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
    _require(table, [indicator])
    weights = table[weight] if isinstance(weight, str) else weight.reindex(table.index)
    table = table.assign(_weight=weights.astype("Float64"))
    when = _period_column(table)
    records = []
    for period, rows in _by_period(table, area, when):
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
            "coverage": _coverage(rows, both, "_weight"),
        })
    return _result(records, when, "value", "lower", "upper", "weight", "regions", "regions_missing", "coverage")


def _result(records: list[dict], when: str, *columns: str) -> pd.DataFrame:
    """The records as a frame; an area without any rows still gets the columns (and no rows)."""
    return pd.DataFrame.from_records(records, columns=["area", when, "indicator", *columns])


def _by_period(table: pd.DataFrame, area: Area, when: str):
    """Yield (period, rows of the area) for every period of the table; missing regions raise."""
    for period, rows in table.groupby(when, sort=True):
        year = int(str(period)[:4])
        codes = area.codes_for(year)
        chosen = rows[rows["region_code"].isin(codes)]
        if chosen.empty:
            continue
        absent = sorted(set(codes) - set(chosen["region_code"]))
        if absent:  # a region without a row is treated like a missing value, not dropped silently
            filler = pd.DataFrame({"region_code": absent, "level": area.level})
            chosen = pd.concat([chosen, filler], ignore_index=True)
        yield period, chosen


def _coverage(rows: pd.DataFrame, present: pd.Series, weight: str | None) -> float:
    """Share of the area's weight population in regions with a value.

    When a region without a value also has no known population (no row at all, or a
    secret denominator), its weight is unknown, so the share of regions is returned
    instead: a population share would overstate what is covered.
    """
    if weight and weight in rows.columns and rows[weight].notna().all():
        total = rows[weight].sum()
        return float(rows.loc[present, weight].sum() / total) if total else np.nan
    return float(present.mean())


def check_codes(area: Area, known_codes: set[str], boundary_year: int) -> list[str]:
    """Codes of the area that a boundary set of ``boundary_year`` does not hold.

    Raises
    ------
    DataFormatError
        When none of the area's codes exist in that boundary set.
    """
    missing = [c for c in area.codes_for(boundary_year) if c not in known_codes]
    if len(missing) == len(area.codes_for(boundary_year)):
        raise DataFormatError(f"area {area.name!r}: none of its codes {list(area.codes)} exist in the {boundary_year} boundaries")
    return missing
