"""CBS cell values: numbers with decimal commas or points, thousands separators, missing markers, quarters.

A ``.`` or ``,`` can be a decimal separator (OData, English exports) or a thousands
separator (Dutch exports). The column's declared decimals decide: ``86.832`` in a
count column (0 decimals) is 86,832 (and logged); the same value where the decimals
are unknown is ambiguous and refused, naming file, column, row and value.
"""

from __future__ import annotations

import logging

import pandas as pd

from ..errors import DataFormatError

log = logging.getLogger("parkstad_analysis.readers")

#: Cell values CBS uses for missing (``.``), secret (``x``) or unreliable (``?``) figures.
MISSING_MARKERS = frozenset({"", ".", "x", "X", "?", "nan", "NaN", "None"})
#: CBS's sign for nihil: the figure is zero (verklaring van tekens: "- = nihil"), as a hyphen or an en dash.
NIL_MARKERS = frozenset({"-", "\u2013"})
#: Map files and some exports code "no data" as large negative numbers (-99997, -99999999, …).
MISSING_THRESHOLD = -99990

_NUMBER = r"[+-]?(\d+([.,]\d*)?|[.,]\d+)([eE][+-]?\d+)?"
#: Groups of three with one kind of separator only: 86.832, 1,560, 1.234.567 (thousands, or a decimal?).
_GROUPED = r"[+-]?\d{1,3}(?P<sep>[.,])\d{3}((?P=sep)\d{3})*"
#: Thousands in one kind of separator and a decimal in the other: 1.234,5 or 1,234.5 (unambiguous).
_GROUPED_WITH_DECIMALS = r"[+-]?\d{1,3}(\.\d{3})+,\d+|[+-]?\d{1,3}(,\d{3})+\.\d+"


def _separators(text: pd.Series, decimals: int | None, where: str, original: pd.Series) -> pd.Series:
    """Text with thousands separators removed and the decimal separator a point."""
    both = text.str.fullmatch(_GROUPED_WITH_DECIMALS).fillna(False)
    thousands_point = both & text.str.contains(",", regex=False).fillna(False) & text.str.contains(r"\.\d{3}", regex=True)
    text = text.where(~thousands_point, text.str.replace(".", "", regex=False))
    text = text.where(~(both & ~thousands_point), text.str.replace(",", "", regex=False))
    grouped = text.str.fullmatch(_GROUPED).fillna(False) & ~both
    several = grouped & (text.str.count(r"[.,]") > 1)  # 1.234.567: only thousands can repeat
    single = grouped & ~several
    if single.any() and decimals is None:
        row = single.idxmax()
        raise DataFormatError(f"{where}: value {original[row]!r} (row {row}) is ambiguous: a thousands separator or a "
                              "decimal one? The column's decimals are not known; declare them in the vocabulary")
    if single.any() and decimals >= 3:
        grouped = several  # three decimals declared: 86.832 is 86.832
    if grouped.any():
        log.info("%s: %d value(s) with thousands separators read as whole numbers (e.g. %r)", where,
                 int(grouped.sum()), original[grouped.idxmax()])
        text = text.where(~grouped, text.str.replace(r"[.,]", "", regex=True))
    return text.str.replace(",", ".", regex=False)


def to_number(values: pd.Series, where: str, decimals: int | None = None) -> pd.Series:
    """Parse one column of CBS figures into nullable ``Float64``.

    Parameters
    ----------
    values : Series
        The cells, as read (text or numbers).
    where : str
        File and column, for error messages.
    decimals : int, optional
        The decimals CBS publishes for the column (0 for counts), from DataProperties or
        the vocabulary: they decide whether ``86.832`` is 86,832 or 86.832.

    Raises
    ------
    DataFormatError
        For a cell that is neither a number nor a CBS marker, a separator that is ambiguous,
        or a fraction in a column published without decimals; names ``where``, row and value.
    """
    if pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values):
        numbers = values.astype("Float64")
    else:
        text = values.astype("string").str.strip()
        text = text.mask(text.isin(MISSING_MARKERS))
        nil = text.isin(NIL_MARKERS).fillna(False)
        if nil.any():  # a statistics reader reads "-" as zero, so it never stands for a missing figure here
            log.info("%s: %d cell(s) with CBS's nihil sign read as 0", where, int(nil.sum()))
            text = text.mask(nil, "0")
        if text.str.contains(r"\d[.,]\d{3}", regex=True).fillna(False).any():  # only then can a separator be ambiguous
            text = _separators(text, decimals, where, values)
        else:
            text = text.str.replace(",", ".", regex=False)
        ok = text.isna() | text.str.fullmatch(_NUMBER).fillna(False)
        if not ok.all():
            bad = values[~ok]
            raise DataFormatError(
                f"{where}: value {bad.iloc[0]!r} (row {bad.index[0]}) is not a number, a CBS missing marker "
                f"({', '.join(sorted(repr(m) for m in MISSING_MARKERS if m))}) or CBS's nihil sign ('-', zero); "
                f"{int((~ok).sum())} such cell(s)"
            )
        numbers = pd.to_numeric(text, errors="raise").astype("Float64")
    numbers = numbers.mask(numbers <= MISSING_THRESHOLD)
    if decimals == 0:
        fraction = numbers.notna() & (numbers != numbers.round())
        if fraction.any():
            row = fraction.idxmax()
            raise DataFormatError(f"{where}: value {values[row]!r} (row {row}) has a fraction, but the column is "
                                  "published as whole numbers")
    return numbers


#: Dutch month names as StatLine and scraped copies write periods (``2023 maart``): the quarter each ends.
_QUARTER_END_MONTHS = {"maart": 1, "juni": 2, "september": 3, "december": 4}
_MONTHS = ("januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus", "september", "oktober",
           "november", "december")


def quarter_period(values: pd.Series, where: str) -> pd.Series:
    """CBS quarter periods → ``"2022Q3"``.

    Read: month codes at quarter ends (``2022MM09``), quarter codes (``2022KW03``), Dutch month names at quarter ends
    as StatLine and scraped copies write them (``2022 september``) and quarter titles (``2022 3e kwartaal``). A benefit
    table counts persons on the last day of a quarter's last month, so ``2023 maart`` is 2023Q1.

    Raises
    ------
    DataFormatError
        For a period that is none of these, naming ``where`` and the value; a month that does not end a quarter
        (``2023 april``) is named as such.
    """
    text = values.astype("string").str.strip()
    month = text.str.extract(r"^(\d{4})MM(03|06|09|12)$")
    quarter = text.str.extract(r"^(\d{4})KW0([1-4])$")
    named = text.str.lower().str.extract(r"^(\d{4})\s+([a-z]+)\*?$")
    titled = text.str.lower().str.extract(r"^(\d{4})\s+([1-4])e\s+kwartaal\*?$")
    result = pd.Series(pd.NA, index=values.index, dtype="string")
    has_month = month[0].notna()
    result[has_month] = month[0][has_month] + "Q" + (month[1][has_month].astype(int) // 3).astype(str)
    has_quarter = quarter[0].notna()
    result[has_quarter] = quarter[0][has_quarter] + "Q" + quarter[1][has_quarter]
    has_name = named[1].isin(list(_QUARTER_END_MONTHS)).fillna(False)
    result[has_name] = named[0][has_name] + "Q" + named[1][has_name].map(_QUARTER_END_MONTHS).astype(str)
    has_title = titled[0].notna()
    result[has_title] = titled[0][has_title] + "Q" + titled[1][has_title]
    if result.isna().any():
        bad = values[result.isna()].iloc[0]
        other_month = str(bad).strip().lower().split(" ")[-1] in _MONTHS
        why = " (a month that does not end a quarter)" if other_month else ""
        raise DataFormatError(f"{where}: period {bad!r} is not a quarter{why}; expected like 2022MM09, 2022KW03, "
                              "'2022 september' or '2022 3e kwartaal'")
    return result
