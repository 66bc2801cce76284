"""StatLine exports (CSV, or loaded into SQLite): headers joined with ``_``, regions named instead of coded."""

from __future__ import annotations

import re
import sqlite3
import unicodedata
from pathlib import Path

import pandas as pd

from ..errors import DataFormatError
from .text import check_complete, read_csv_text, read_text, require_columns

REGION_COLUMN = "Wijk_Buurt"


def read_statline_csv(path: str | Path) -> pd.DataFrame:
    """A StatLine export saved as CSV: headers joined with ``_``, regions named in ``Wijk_Buurt``."""
    path = Path(path)
    text = read_text(path)
    check_complete(text, ",", path)
    frame = read_csv_text(text, path)
    frame.columns = [c.replace("\ufeff", "").strip() for c in frame.columns]
    require_columns(frame, (REGION_COLUMN,), path)
    return frame


def read_statline_sqlite(path: str | Path, table: str) -> pd.DataFrame:
    """One table of StatLine exports loaded into SQLite (opened read-only)."""
    path = Path(path)
    if table not in sqlite_tables(path):
        raise DataFormatError(f"{path}: no table {table!r}; tables are {', '.join(sqlite_tables(path))}")
    try:
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as con:
            frame = pd.read_sql_query(f'select * from "{table}"', con)
    except sqlite3.DatabaseError as exc:
        raise DataFormatError(f"{path}: not a readable SQLite database ({exc})") from exc
    frame.columns = [c.replace("\ufeff", "").strip() for c in frame.columns]
    require_columns(frame, (REGION_COLUMN,), path)
    return frame


def sqlite_tables(path: str | Path) -> list[str]:
    """Table names of a SQLite file (opened read-only)."""
    path = Path(path)
    if not path.is_file():
        raise DataFormatError(f"{path}: file not found")
    try:
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as con:
            return [r[0] for r in con.execute("select name from sqlite_master where type='table' order by name")]
    except sqlite3.DatabaseError as exc:
        raise DataFormatError(f"{path}: not a readable SQLite database ({exc})") from exc


def normalise_name(name: str) -> str:
    """Compare region names loosely: case, accents, leading articles, punctuation.

    >>> normalise_name("De Beitel") == normalise_name("Beitel")
    True
    """
    text = unicodedata.normalize("NFKD", str(name)).encode("ascii", "ignore").decode().casefold().strip()
    text = re.sub(r"^(de|het|'t)\s+", "", text)
    return re.sub(r"[^0-9a-z]+", "", text)


def resolve_statline_codes(names: pd.Series, gemeenten: dict[str, str], buurten: dict[str, str], where: str) -> pd.Series:
    """Codes for a StatLine export that names its regions instead of coding them.

    StatLine lists a gemeente, then each wijk (``Wijk 10 Maria Gewanden …``) followed
    by its buurten. Gemeenten are found by name and buurten by name among the known
    buurten of the current gemeente. A wijk takes its code from the buurten listed
    under it, because the number in its label is not always the number in its code
    (the 2016 export labels WK091742 "Wijk 41 De Beitel"); only a wijk without
    buurten falls back on the number in its label.

    Parameters
    ----------
    names : Series
        The region column of the export.
    gemeenten : dict
        Gemeente name → GM code.
    buurten : dict
        BU code → buurt name (any boundary year that uses the same codes).
    where : str
        File name for errors.
    """
    by_gemeente = {normalise_name(n): c for n, c in gemeenten.items()}
    by_buurt: dict[str, dict[str, str]] = {}  # gemeente digits → normalised buurt name → code, built once
    for code, buurt in buurten.items():
        by_buurt.setdefault(code[2:6], {})[normalise_name(buurt)] = code
    codes: list[str | None] = []
    wijk_rows: list[tuple[int, str, str]] = []  # (position, gemeente, label number)
    gemeente = None
    for raw in names:
        name = str(raw).strip()
        wijk_match = re.match(r"^Wijk\s+(\d{1,2})\b", name)
        if normalise_name(name) in by_gemeente:
            gemeente = by_gemeente[normalise_name(name)]
            codes.append(gemeente)
        elif gemeente is None:
            raise DataFormatError(f"{where}: region name {name!r} comes before any known gemeente")
        elif wijk_match:
            wijk_rows.append((len(codes), gemeente, wijk_match.group(1)))
            codes.append(None)
        else:
            code = by_buurt.get(gemeente[2:], {}).get(normalise_name(name))
            if code is None:
                raise DataFormatError(f"{where}: buurt name {name!r} in {gemeente} matches no known buurt code")
            codes.append(code)
    for position, gm, number in wijk_rows:
        following = codes[position + 1] if position + 1 < len(codes) else None
        codes[position] = "WK" + following[2:8] if following and following.startswith("BU") else f"WK{gm[2:]}{int(number):02d}"
    return pd.Series(codes, index=names.index, dtype="string")
