"""The package's tidy form of a CBS region table, and the steps every processed table shares.

A tidy table has ``region_code`` (trimmed), ``region_name``, ``level`` (gemeente /
wijk / buurt), ``gemeente_code``, ``year`` and, for quarterly tables, ``period``
(``"2022Q3"``), then one nullable ``Float64`` column per indicator, with the CBS
markers for missing or secret cells turned into ``<NA>``.
"""

from __future__ import annotations

import pandas as pd

from ..config import Scope
from ..errors import DataFormatError
from ..readers.values import to_number
from ..vocabulary.indicators import ID_COLUMNS, load_vocabulary, period_column, table_indicators
from ..vocabulary.regions import clean_codes, gemeente_of, is_benchmark, level_of


def tidy(
    frame: pd.DataFrame,
    *,
    where: str,
    codes: pd.Series,
    indicators: dict[str, str],
    names: pd.Series | None = None,
    year: int | pd.Series | None = None,
    period: pd.Series | None = None,
    decimals: dict[str, int | None] | None = None,
) -> pd.DataFrame:
    """Assemble the package's tidy table from a raw frame.

    Parameters
    ----------
    frame : DataFrame
        Raw rows, as read.
    where : str
        File (and table) name used in error messages.
    codes : Series
        Region codes for each row (padded or not).
    indicators : dict
        Raw column → indicator name.
    names : Series, optional
        Region names; missing where unknown.
    year : int or Series, optional
        The year of each row (required unless ``period`` gives it).
    period : Series, optional
        Quarter labels (``"2022Q3"``); sets ``year`` from them.
    decimals : dict, optional
        Raw column → decimals CBS publishes (from DataProperties); default the vocabulary's
        decimals of the indicator. They decide how a ``.`` or ``,`` is read.

    Raises
    ------
    DataFormatError
        For a bad code, an unparsable value or two rows for the same region and period.
    """
    clean = clean_codes(codes.reset_index(drop=True), where=where)
    out = pd.DataFrame({"region_code": clean})
    out["region_name"] = (
        names.reset_index(drop=True).astype("string").str.strip() if names is not None else pd.NA
    )
    out["region_name"] = out["region_name"].astype("string")
    out["level"] = level_of(clean)
    out["gemeente_code"] = gemeente_of(clean)
    if period is not None:
        out["period"] = period.reset_index(drop=True).astype("string")
        out["year"] = out["period"].str[:4].astype("Int64")
    elif isinstance(year, pd.Series):
        out["year"] = year.reset_index(drop=True).astype("Int64")
    elif year is not None:
        out["year"] = pd.array([year] * len(out), dtype="Int64")
    else:
        raise DataFormatError(f"{where}: no year or period for the rows")
    body = frame.reset_index(drop=True)
    vocabulary = load_vocabulary().indicators
    for column, name in indicators.items():
        if column not in body.columns:
            raise DataFormatError(f"{where}: required column {column!r} absent")
        places = (decimals or {}).get(column, vocabulary[name].decimals if name in vocabulary else None)
        out[name] = to_number(body[column], f"{where}, column {column!r}", places)
    keys = ["region_code", period_column(out)]
    dup = out.duplicated(keys, keep=False)
    if dup.any():
        first = [str(v) for v in out.loc[dup, keys].iloc[0].tolist()]
        raise DataFormatError(f"{where}: {int(dup.sum())} rows share region and period, e.g. {first}")
    return out


def in_scope(frame: pd.DataFrame, scope: Scope) -> pd.DataFrame:
    """The rows of the scope's gemeenten (of any year) and their wijken and buurten, and the benchmark rows above
    them (Nederland, landsdelen, provinces: see :mod:`parkstad_analysis.vocabulary.regions`)."""
    wanted = scope.gemeenten()
    if wanted is None or not len(frame):
        return frame.reset_index(drop=True)
    return frame[frame["gemeente_code"].isin(wanted) | is_benchmark(frame["region_code"])].reset_index(drop=True)


def rows_in_scope(rows: pd.DataFrame, column: str, scope: Scope) -> pd.DataFrame:
    """Raw rows whose region code (padded, or with inner spaces) lies in the scope, and the benchmark rows:
    national files are cut before they are parsed."""
    wanted = scope.gemeenten()
    if wanted is None:
        return rows
    digits = rows[column].astype("string").str.replace(r"\s+", "", regex=True).str[2:6]
    return rows[digits.isin({code[2:] for code in wanted}) | is_benchmark(rows[column])]


def split_benchmarks(frame: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """A tidy frame's region rows (gemeente, wijk, buurt) and its benchmark rows (land, landsdeel, provincie)."""
    above = is_benchmark(frame["region_code"]) if len(frame) else pd.Series(False, index=frame.index)
    return frame[~above].reset_index(drop=True), frame[above].reset_index(drop=True)


def concat(frames: list[pd.DataFrame], table: str, order: list[str]) -> pd.DataFrame:
    """Stack tidy frames of one table into its declared columns.

    Every indicator the vocabulary declares for ``table`` is present (missing where no
    source gave it), as nullable ``Float64``, after the id columns.
    """
    frames = [f for f in frames if len(f)]
    if not frames:
        return pd.DataFrame()
    frame = pd.concat(frames, ignore_index=True)
    ids = [c for c in ID_COLUMNS if c in frame.columns]
    frame = frame.reindex(columns=[*ids, *table_indicators(table), *[c for c in frame.columns if c not in ID_COLUMNS
                                                                    and c not in table_indicators(table)]])
    for column in frame.columns:
        if column not in ID_COLUMNS:
            frame[column] = frame[column].astype("Float64")
    frame["region_name"] = frame["region_name"].astype("string")
    return frame.sort_values(order, kind="stable").reset_index(drop=True)
