"""Datasets that repeat others, read and compared with the built tables.

* ``kwb_check``: the StatLine SQLite exports (regions named, not coded) must give the
  same codes and inhabitants as the KWB table built from the CSV exports;
* ``benefits_check``: every per-quarter file and the 2023 export must give the same
  bijstand counts as the combined benefit table.
"""

from __future__ import annotations

import re

import pandas as pd

from ..errors import DataFormatError
from ..readers.statline import read_statline_sqlite, sqlite_tables
from .benefits import read_benefit_file
from .context import BuildContext
from .kwb import kwb_from_statline


def cross_check(context: BuildContext, tables: dict[str, pd.DataFrame]) -> list[str]:
    """Read the datasets that repeat others and check that they agree with the built tables.

    Returns the datasets checked; a disagreement or an unreadable file raises
    :class:`DataFormatError` naming the file, region and figure.
    """
    checked = []
    kwb, benefits = tables.get("kwb"), tables.get("benefits")
    for dataset, raw in context.fetched("kwb_check"):
        path = raw.path()
        for table in sqlite_tables(path):
            year = int(re.search(r"(\d{4})", table).group(1))
            where = f"{path}, table {table}"
            frame = kwb_from_statline(read_statline_sqlite(path, table), year, where, context.known_buurten,
                                      context.gemeente_names)
            if kwb is not None and year in set(kwb["year"]):
                agree(frame, kwb[kwb["year"] == year], ["region_code"], "aantal_inwoners", where)
        checked.append(dataset.id)
    for dataset, raw in context.fetched("benefits_check"):
        for name in sorted(raw.files):
            frame = read_benefit_file(raw.path(name))
            if benefits is not None:
                agree(frame, benefits, ["region_code", "period"], "bijstand_ontvangers", str(raw.path(name)))
        checked.append(dataset.id)
    return checked


def agree(frame: pd.DataFrame, built: pd.DataFrame, keys: list[str], column: str, where: str) -> None:
    """Refuse a figure of ``frame`` that the built table lacks or holds with another value."""
    merged = frame[[*keys, column]].merge(built[[*keys, column]], on=keys, how="left", suffixes=("", "_built"))
    missing = merged[f"{column}_built"].isna() & merged[column].notna()
    differs = (merged[column] - merged[f"{column}_built"]).abs().gt(0).fillna(False)
    if missing.any() or differs.any():
        row = merged[missing | differs].iloc[0]
        raise DataFormatError(f"{where}: {column} of {row['region_code']} is {row[column]} here but "
                              f"{row[f'{column}_built']} in the built table")
