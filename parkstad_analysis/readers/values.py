"""CBS cell values: numbers with decimal commas or points, missing and secret markers, quarter periods."""

from __future__ import annotations

import re

import pandas as pd

from ..errors import DataFormatError

#: Cell values CBS uses for missing (``.``), secret (``x``), nil (``-``) or unreliable (``?``) figures.
MISSING_MARKERS = frozenset({"", ".", "x", "X", "-", "?", "nan", "NaN", "None"})
#: Map files and some exports code "no data" as large negative numbers (-99997, -99999999, …).
MISSING_THRESHOLD = -99990

_NUMBER_RE = re.compile(r"^[+-]?(\d+([.,]\d*)?|[.,]\d+)([eE][+-]?\d+)?$")
_THOUSANDS_RE = re.compile(r"^[+-]?\d{1,3}(\.\d{3})+,\d+$")  # 1.234,5 — Excel with grouping


def to_number(values: pd.Series, where: str) -> pd.Series:
    """Parse one column of CBS figures into nullable ``Float64``.

    Handles numbers, decimal commas, thousands dots next to a decimal comma,
    the CBS markers in :data:`MISSING_MARKERS` and values at or below
    :data:`MISSING_THRESHOLD`.

    Raises
    ------
    DataFormatError
        For a cell that is neither a number nor a marker; names ``where`` and the value.
    """
    if pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values):
        numbers = values.astype("Float64")
    else:
        text = values.astype("string").str.strip()
        text = text.mask(text.isin(MISSING_MARKERS))
        grouped = text.str.match(_THOUSANDS_RE.pattern).fillna(False)
        text = text.where(~grouped, text.str.replace(".", "", regex=False))
        text = text.str.replace(",", ".", regex=False)
        ok = text.isna() | text.str.match(_NUMBER_RE.pattern).fillna(False)
        if not ok.all():
            bad = values[~ok]
            raise DataFormatError(
                f"{where}: value {bad.iloc[0]!r} (row {bad.index[0]}) is not a number or a CBS missing marker "
                f"({', '.join(sorted(repr(m) for m in MISSING_MARKERS if m))}); {int((~ok).sum())} such cell(s)"
            )
        numbers = pd.to_numeric(text, errors="raise").astype("Float64")
    return numbers.mask(numbers <= MISSING_THRESHOLD)


def quarter_period(values: pd.Series, where: str) -> pd.Series:
    """CBS month periods at quarter ends (``2022MM09``), or ``2022KW03``, → ``"2022Q3"``."""
    text = values.astype("string").str.strip()
    month = text.str.extract(r"^(\d{4})MM(03|06|09|12)$")
    quarter = text.str.extract(r"^(\d{4})KW0([1-4])$")
    result = pd.Series(pd.NA, index=values.index, dtype="string")
    has_month = month[0].notna()
    result[has_month] = month[0][has_month] + "Q" + (month[1][has_month].astype(int) // 3).astype(str)
    has_quarter = quarter[0].notna()
    result[has_quarter] = quarter[0][has_quarter] + "Q" + quarter[1][has_quarter]
    if result.isna().any():
        bad = values[result.isna()].iloc[0]
        raise DataFormatError(f"{where}: period {bad!r} is not a quarter (expected like 2022MM09 or 2022KW03)")
    return result
