"""One indicator per region for one period: the values a map colours, with their title, unit and period.

An indicator is a column of a processed region table, or a rate of the vocabulary
(``bijstand_per_1000`` …) computed per region from its two counts.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..errors import DataFormatError, UnknownNameError
from ..vocabulary.areas import Area
from ..vocabulary.indicators import ID_COLUMNS, load_vocabulary, period_column
from .aggregate import rate, weighted_percentage
from .indicators import region_rate
from .provenance import describe_sources


@dataclass
class IndicatorValues:
    """Values per region for one indicator and period, with how to describe them."""

    values: pd.Series  # region_code → value (NaN for missing)
    indicator: str
    title: str
    unit: str
    period: str
    year: int
    #: Per region, how a rate was computed: from the counts or from CBS's published percentage.
    basis: pd.Series | None = None
    #: Per region, the ids of the datasets its value came from (``;``-joined).
    source_ids: pd.Series | None = None

    def sources(self, codes: list[str] | None = None) -> str:
        """The datasets behind the values of ``codes`` (default all), as a page names them."""
        if self.source_ids is None:
            return ""
        ids = self.source_ids if codes is None else self.source_ids.reindex(codes).dropna()
        return describe_sources(sorted({i for text in ids for i in str(text).split(";") if i}))


def _frame_with_values(tables: dict[str, pd.DataFrame], indicator: str) -> pd.DataFrame:
    """The table holding the indicator, with its per-region value in ``_value``."""
    vocabulary = load_vocabulary()
    if indicator in vocabulary.rates:
        spec = vocabulary.rates[indicator]
        table = tables[spec.table]
        rounding = np.where(table["level"] == "gemeente", 0.0, vocabulary.rounding(spec.numerator))
        rates = region_rate(table[spec.numerator].astype(float), table[spec.denominator].astype(float),
                            table[spec.published].astype(float) if spec.published else None, spec.per,
                            pd.Series(rounding, index=table.index))
        return table.assign(_value=rates["value"], _basis=rates["basis"])
    table_name = next((n for n, t in tables.items() if indicator in t.columns and "level" in t.columns), None)
    if table_name is None:
        raise UnknownNameError("indicator", indicator, mappable_indicators(tables), vocabulary.descriptions())
    return tables[table_name].assign(_value=tables[table_name][indicator])


def mappable_indicators(tables: dict[str, pd.DataFrame]) -> list[str]:
    """Every indicator a map can draw from these tables: region-table columns and the vocabulary's rates."""
    columns = {c for t in tables.values() if "level" in t.columns for c in t.columns} - set(ID_COLUMNS)
    return sorted(columns | set(load_vocabulary().rates))


def indicator_values(tables: dict[str, pd.DataFrame], indicator: str, period: str | int | None = None,
                     level: str = "buurt", gemeenten: set[str] | None = None) -> IndicatorValues:
    """Values of ``indicator`` per region of ``level`` for one period.

    Parameters
    ----------
    tables : dict
        Processed tables (``kwb``, ``benefits``, …).
    indicator : str
        A column of a processed table, or a rate of the vocabulary (``bijstand_per_1000`` …).
    period : str or int, optional
        Year (KWB) or quarter (``"2024Q1"``); default the latest with any value (in ``gemeenten`` when given).
    gemeenten : set of str, optional
        The gemeenten a default period must have values for: a table that reaches further for another gemeente
        (Beekdaelen's benefits run to 2024Q3, Heerlen's to 2024Q1) does not choose an empty period for this one.

    Raises
    ------
    UnknownNameError
        For an unknown indicator, or a period the table does not have (listing the valid ones).
    """
    vocabulary = load_vocabulary()
    frame = _frame_with_values(tables, indicator)
    when = period_column(frame)
    frame = frame[frame["level"] == level]
    available = sorted(frame.loc[frame["_value"].notna(), when].astype(str).unique())
    if period is None:
        if gemeenten:
            own = frame["_value"].notna() & frame["gemeente_code"].isin(gemeenten)
            available = sorted(frame.loc[own, when].astype(str).unique()) or available
        if not available:
            raise UnknownNameError(f"period for {indicator}", None, sorted(frame[when].astype(str).unique()))
        period = available[-1]
    chosen = frame[frame[when].astype(str) == str(period)]
    if chosen.empty:
        raise UnknownNameError(f"period for {indicator}", period, available)
    values = chosen.set_index("region_code")["_value"].astype(float)
    basis = chosen.set_index("region_code")["_basis"] if "_basis" in chosen.columns else None
    columns = [vocabulary.rates[indicator].numerator, vocabulary.rates[indicator].denominator] \
        if indicator in vocabulary.rates else [indicator]
    table = vocabulary.rates[indicator].table if indicator in vocabulary.rates else _table_name(tables, indicator)
    return IndicatorValues(values, indicator, vocabulary.title(indicator), vocabulary.unit(indicator), str(period),
                           int(str(period)[:4]), basis, _source_ids(tables.get("provenance"), table, columns, period))


def _source_ids(provenance: pd.DataFrame | None, table: str, columns: list[str], period: str | int) -> pd.Series | None:
    """Region code → ids of the datasets its figures of ``columns`` in ``period`` came from."""
    if provenance is None or provenance.empty:
        return None
    rows = provenance[(provenance["table"] == table) & provenance["indicator"].isin(columns)]
    rows = rows[rows["period"] == str(period)] if "Q" in str(period) else rows[rows["year"].astype("Int64") == int(period)]
    return rows.groupby("region_code")["dataset_id"].agg(lambda ids: ";".join(sorted(set(ids))))


def _table_name(tables: dict[str, pd.DataFrame], indicator: str) -> str:
    return next(n for n, t in tables.items() if indicator in t.columns and "level" in t.columns)


def reference_value(tables: dict[str, pd.DataFrame], data: IndicatorValues, reference: Area) -> float:
    """The reference area's value of the indicator in the same period (rates recomputed from counts).

    Raises
    ------
    DataFormatError
        When the reference area has no value.
    """
    rates = load_vocabulary().rates
    if data.indicator in rates:
        spec = rates[data.indicator]
        table = tables[spec.table]
        result = rate(table[table["period"] == data.period], reference, spec.numerator, spec.denominator, per=spec.per)
    else:
        table = next(t for t in tables.values() if data.indicator in t.columns)
        when = period_column(table)
        rows = table[table[when].astype(str) == data.period]
        if reference.level == "gemeente" and len(reference.codes) == 1:
            value = rows.loc[rows["region_code"] == reference.codes[0], data.indicator]
            if len(value) and pd.notna(value.iloc[0]):
                return float(value.iloc[0])
        result = weighted_percentage(rows, reference, data.indicator, "aantal_inwoners")
    if result.empty or pd.isna(result["value"].iloc[0]):
        raise DataFormatError(f"reference {reference.name!r} has no value of {data.indicator} in {data.period}")
    return float(result["value"].iloc[0])
