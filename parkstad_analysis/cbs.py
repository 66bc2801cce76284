"""Readers and cleaners for the shapes in which CBS publishes tables.

Readers turn one file into a plain DataFrame of its rows (``read_*``); the
cleaner :func:`tidy` turns such a frame into the package's tidy form:

``region_code`` (trimmed), ``region_name``, ``level`` (gemeente / wijk /
buurt), ``gemeente_code``, ``year`` and, for quarterly tables, ``period``
(``"2022Q3"``), then one nullable ``Float64`` column per indicator, with the
CBS markers for missing or secret cells turned into ``<NA>``.

Every error names the file and the column or value at fault.
"""

from __future__ import annotations

import csv
import io
import json
import re
import sqlite3
from collections import Counter
from pathlib import Path

import pandas as pd

from .errors import DataFormatError
from .regions import clean_codes, gemeente_of, level_of

#: Cell values CBS uses for missing (``.``), secret (``x``), nil (``-``) or unreliable (``?``) figures.
MISSING_MARKERS = frozenset({"", ".", "x", "X", "-", "?", "nan", "NaN", "None"})
#: Map files and some exports code "no data" as large negative numbers (-99997, -99999999, …).
MISSING_THRESHOLD = -99990

_SUFFIX_RE = re.compile(r"_\d+$")
_NUMBER_RE = re.compile(r"^[+-]?(\d+([.,]\d*)?|[.,]\d+)([eE][+-]?\d+)?$")
_THOUSANDS_RE = re.compile(r"^[+-]?\d{1,3}(\.\d{3})+,\d+$")  # 1.234,5 — Excel with grouping


# ----------------------------------------------------------------------------- names


def snake_case(text: str) -> str:
    """Turn a CBS key or StatLine header into snake_case.

    Examples
    --------
    >>> snake_case("PersonenPerSoortUitkeringBijstand")
    'personen_per_soort_uitkering_bijstand'
    >>> snake_case("k_15Tot25Jaar")
    'k_15_tot_25_jaar'
    >>> snake_case("Arbeid_Netto_arbeidsparticipatie")
    'arbeid_netto_arbeidsparticipatie'
    """
    text = text.replace("%", "pct").replace("\ufeff", "")
    text = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", text)
    text = re.sub(r"([A-Za-z])(\d)", r"\1_\2", text)
    text = re.sub(r"(\d)([A-Za-z])", r"\1_\2", text)
    text = re.sub(r"[^0-9A-Za-z]+", "_", text)
    return text.strip("_").lower()


def strip_key_suffix(key: str) -> str:
    """Drop the year-specific position number of an OData key (``Nettoarbeidsparticipatie_78``)."""
    return _SUFFIX_RE.sub("", key)


def stable_names(properties: pd.DataFrame) -> dict[str, str]:
    """Map OData keys to stable snake_case names that do not change between table years.

    The position suffix is dropped. Where two keys then collide (``Appartement_54`` in
    kWh and ``Appartement_62`` in m³), the titles of their topic groups are prefixed,
    nearest group first, until the names differ.

    Parameters
    ----------
    properties : DataFrame
        As returned by :func:`read_data_properties` (columns ``key``, ``id``, ``parent_id``,
        ``title``, ``type``).
    """
    groups = properties.set_index("id")
    topics = properties[properties["type"].isin(["Topic", "Dimension", "GeoDimension", "TimeDimension", "GeoDetail"])]
    base = {key: snake_case(strip_key_suffix(key)) for key in topics["key"]}

    def ancestors(row_id: object) -> list[str]:
        chain, parent = [], groups.at[row_id, "parent_id"]
        while pd.notna(parent) and parent in groups.index:
            chain.append(snake_case(str(groups.at[parent, "title"])))
            parent = groups.at[parent, "parent_id"]
        return chain

    names = dict(base)
    collisions = [name for name, n in Counter(base.values()).items() if n > 1]
    for name in collisions:
        keys = [k for k, v in base.items() if v == name]
        chains = {k: ancestors(topics.loc[topics["key"] == k, "id"].iloc[0]) for k in keys}
        depth = 1
        while True:
            candidate = {k: "_".join([*reversed(chains[k][:depth]), name]) for k in keys}
            if len(set(candidate.values())) == len(keys) or depth > max(len(c) for c in chains.values()):
                break
            depth += 1
        if len(set(candidate.values())) < len(keys):  # identical group paths: fall back on order
            candidate = {k: f"{name}_{i + 1}" if i else name for i, k in enumerate(keys)}
        names.update(candidate)
    return names


# ----------------------------------------------------------------------------- values


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


# ----------------------------------------------------------------------------- readers


def read_json(path: str | Path) -> object:
    """Load a JSON file, with or without a UTF-8 byte-order mark.

    Raises
    ------
    DataFormatError
        For a missing file or corrupt/truncated JSON, naming the file and position.
    """
    path = Path(path)
    if not path.is_file():
        raise DataFormatError(f"{path}: file not found")
    def no_duplicates(pairs: list[tuple[str, object]]) -> dict:
        keys = [k for k, _ in pairs]
        if len(keys) != len(set(keys)):
            repeated = next(k for k in keys if keys.count(k) > 1)
            raise DataFormatError(f"{path}: key {repeated!r} appears twice in one JSON object")
        return dict(pairs)

    try:
        return json.loads(path.read_bytes().decode("utf-8-sig"), object_pairs_hook=no_duplicates)
    except UnicodeDecodeError as exc:
        raise DataFormatError(f"{path}: not UTF-8 text ({exc})") from exc
    except json.JSONDecodeError as exc:
        raise DataFormatError(f"{path}: corrupt or truncated JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}") from exc


def read_odata_typed_json(path: str | Path, required: tuple[str, ...] = ("WijkenEnBuurten",)) -> pd.DataFrame:
    """Rows of an OData v3 TypedDataSet saved as JSON.

    ``value`` may be the usual list or an object keyed by row index (as in some
    saved copies); a leading BOM is accepted.
    """
    path = Path(path)
    document = read_json(path)
    if not isinstance(document, dict) or "value" not in document:
        raise DataFormatError(f"{path}: expected an OData document with a 'value' member")
    value = document["value"]
    rows = list(value.values()) if isinstance(value, dict) else value
    if not isinstance(rows, list) or not all(isinstance(r, dict) for r in rows):
        raise DataFormatError(f"{path}: 'value' must be a list or object of rows")
    frame = pd.DataFrame.from_records(rows)
    _require_columns(frame, required, path)
    return frame


def read_odata_csv(path: str | Path, required: tuple[str, ...] = ("WijkenEnBuurten",)) -> pd.DataFrame:
    """An OData CSV export (``;`` or ``,`` separated, quoted, BOM, padded codes), all cells as text."""
    path = Path(path)
    text = _read_text(path)
    first = text.split("\n", 1)[0]
    sep = ";" if first.count(";") > first.count(",") else ","
    _check_complete(text, sep, path)
    try:
        frame = pd.read_csv(io.StringIO(text), sep=sep, dtype=str, keep_default_na=False)
    except (pd.errors.ParserError, csv.Error) as exc:
        raise DataFormatError(f"{path}: not a readable CSV ({exc})") from exc
    _require_columns(frame, required, path)
    return frame


def read_statline_csv(path: str | Path) -> pd.DataFrame:
    """A StatLine export saved as CSV: headers joined with ``_``, regions named in ``Wijk_Buurt``."""
    path = Path(path)
    text = _read_text(path)
    _check_complete(text, ",", path)
    try:
        frame = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)
    except (pd.errors.ParserError, csv.Error) as exc:
        raise DataFormatError(f"{path}: not a readable CSV ({exc})") from exc
    frame.columns = [c.replace("\ufeff", "").strip() for c in frame.columns]
    _require_columns(frame, ("Wijk_Buurt",), path)
    return frame


def read_statline_sqlite(path: str | Path, table: str) -> pd.DataFrame:
    """One table of StatLine exports loaded into SQLite (opened read-only)."""
    path = Path(path)
    if not path.is_file():
        raise DataFormatError(f"{path}: file not found")
    try:
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as con:
            tables = [r[0] for r in con.execute("select name from sqlite_master where type='table'")]
            if table not in tables:
                raise DataFormatError(f"{path}: no table {table!r}; tables are {', '.join(tables)}")
            frame = pd.read_sql_query(f'select * from "{table}"', con)
    except sqlite3.DatabaseError as exc:
        raise DataFormatError(f"{path}: not a readable SQLite database ({exc})") from exc
    frame.columns = [c.replace("\ufeff", "").strip() for c in frame.columns]
    _require_columns(frame, ("Wijk_Buurt",), path)
    return frame


def sqlite_tables(path: str | Path) -> list[str]:
    """Table names of a SQLite file (opened read-only)."""
    try:
        with sqlite3.connect(f"file:{Path(path)}?mode=ro", uri=True) as con:
            return [r[0] for r in con.execute("select name from sqlite_master where type='table' order by name")]
    except sqlite3.DatabaseError as exc:
        raise DataFormatError(f"{path}: not a readable SQLite database ({exc})") from exc


def read_excel_csv(path: str | Path, code_pattern: str = r"^\s*(GM\d{4}|WK\d{4}[0-9A-Z]{2})\s*$") -> pd.DataFrame:
    """A CBS table exported from Excel to CSV: title rows, ``;``, decimal commas, footnotes.

    The header is made of the label rows before the first data row; data rows are
    those holding a gemeente or wijk code in some cell. Gemeente/wijk blocks (a
    gemeente row followed by its wijk rows, the gemeente code left blank on wijk
    rows) are resolved into one ``region_code`` column: a wijk code names its
    gemeente itself, so the block needs no tracking.

    Returns
    -------
    DataFrame
        ``region_code`` and the columns named after their header cells (multi-row
        headers are joined with a space), as text.
    """
    path = Path(path)
    text = _read_text(path)
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    code_re = re.compile(code_pattern)
    data_idx = [i for i, r in enumerate(rows) if any(code_re.match(c) for c in r)]
    if not data_idx:
        raise DataFormatError(f"{path}: no row holds a GM or WK code; is this a CBS region table?")
    first = data_idx[0]
    width = max(len(rows[i]) for i in data_idx)
    if len(rows[data_idx[-1]]) < len(rows[first]):
        raise DataFormatError(f"{path}: the last data row has {len(rows[data_idx[-1]])} of {len(rows[first])} "
                              "fields; the file looks truncated")
    header_rows = [r + [""] * (width - len(r)) for r in rows[:first] if any(c.strip() for c in r)]
    # Header cells: join the non-empty pieces of the rows above the data that look like
    # column labels (rows with more than one filled cell; single-cell rows are titles).
    label_rows = [r for r in header_rows if sum(bool(c.strip()) for c in r) > 1]
    headers = []
    for j in range(width):
        pieces = [r[j].strip() for r in label_rows if r[j].strip()]
        headers.append(" ".join(pieces) or f"column_{j}")
    records = []
    for i in data_idx:
        cells = [c.strip() for c in rows[i]] + [""] * (width - len(rows[i]))
        codes = [c for c in cells if code_re.match(c)]
        # a wijk row carries its own code (its gemeente is in it); a gemeente row only the GM code
        region = next((c for c in codes if c.startswith("WK")), None) or codes[0]
        records.append({**dict(zip(headers, cells, strict=True)), "region_code": region})
    return pd.DataFrame.from_records(records)


def read_data_properties(path: str | Path) -> pd.DataFrame:
    """OData ``DataProperties`` → one row per key with ``name`` (stable), title, unit, decimals.

    Examples
    --------
    >>> props = read_data_properties("DataProperties.json")  # doctest: +SKIP
    >>> props.set_index("key").at["Nettoarbeidsparticipatie_78", "name"]  # doctest: +SKIP
    'nettoarbeidsparticipatie'
    """
    path = Path(path)
    document = read_json(path)
    items = document.get("value", document) if isinstance(document, dict) else document
    if not isinstance(items, list) or not items or not all(isinstance(i, dict) and "Key" in i for i in items):
        raise DataFormatError(f"{path}: expected a DataProperties list of objects with 'Key'")
    frame = pd.DataFrame(
        {
            "id": [i.get("ID") for i in items],
            "parent_id": [i.get("ParentID") for i in items],
            "type": [i.get("Type", "") for i in items],
            "key": [i["Key"] for i in items],
            "title": [str(i.get("Title", "")).strip() for i in items],
            "unit": [str(i.get("Unit") or "").strip() for i in items],
            "decimals": pd.array([i.get("Decimals") for i in items], dtype="Int64"),
            "datatype": [i.get("Datatype", "") for i in items],
        }
    )
    names = stable_names(frame)
    frame["name"] = frame["key"].map(names)
    return frame


def _read_text(path: Path) -> str:
    if not path.is_file():
        raise DataFormatError(f"{path}: file not found")
    raw = path.read_bytes()
    if raw and not raw.endswith(b"\n"):  # CBS exports end every line, the last one too
        raise DataFormatError(f"{path}: ends without a line break, inside a row; the file looks truncated")
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return raw.decode(encoding).replace("\r\n", "\n")
        except UnicodeDecodeError:
            continue
    raise DataFormatError(f"{path}: neither UTF-8 nor Windows-1252 text")


def _check_complete(text: str, sep: str, path: Path) -> None:
    """A CSV whose last row has fewer fields than its header was cut off (pandas would pad it silently)."""
    rows = [r for r in csv.reader(io.StringIO(text), delimiter=sep) if any(c.strip() for c in r)]
    if len(rows) >= 2 and len(rows[-1]) < len(rows[0]):
        raise DataFormatError(f"{path}: the last row has {len(rows[-1])} of {len(rows[0])} fields; "
                              "the file looks truncated")


def _require_columns(frame: pd.DataFrame, required: tuple[str, ...], path: Path) -> None:
    missing = [c for c in required if c not in frame.columns]
    if missing:
        shown = ", ".join(map(str, list(frame.columns)[:8]))
        raise DataFormatError(f"{path}: required column(s) {', '.join(missing)} absent; found {shown} …")


# ----------------------------------------------------------------------------- tidy


def tidy(
    frame: pd.DataFrame,
    *,
    where: str,
    codes: pd.Series,
    indicators: dict[str, str],
    names: pd.Series | None = None,
    year: int | pd.Series | None = None,
    period: pd.Series | None = None,
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
    for column, name in indicators.items():
        if column not in body.columns:
            raise DataFormatError(f"{where}: required column {column!r} absent")
        out[name] = to_number(body[column], f"{where}, column {column!r}")
    keys = ["region_code", "period"] if "period" in out.columns else ["region_code", "year"]
    dup = out.duplicated(keys, keep=False)
    if dup.any():
        first = [str(v) for v in out.loc[dup, keys].iloc[0].tolist()]
        raise DataFormatError(f"{where}: {int(dup.sum())} rows share region and period, e.g. {first}")
    return out
