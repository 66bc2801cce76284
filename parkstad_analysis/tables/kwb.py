"""The KWB table (Kerncijfers wijken en buurten), one row per region and year.

Fed by CBS's OData tables (TypedDataSet + DataProperties, a TypedDataSet alone, or an OData CSV, also with
names where codes belong as scrapers save them: see ``readers.odata.with_region_codes``), subsets
of their columns saved by others, StatLine exports (regions named) and a file whose
columns someone renamed. Only the indicators the vocabulary declares for ``kwb``
are kept; other source columns are left out and logged, and columns the registry
marks as not this table's (a third party's clusters, another table's figures) are
dropped before anything is read.
"""

from __future__ import annotations

import fnmatch
import re
from pathlib import Path

import pandas as pd

from ..config import Scope
from ..errors import DataFormatError
from ..fetch.raw import RawDataset
from ..fetch.registry import Dataset
from ..readers.odata import (
    REGION_TITLE,
    check_table_info,
    read_data_properties,
    read_odata_csv,
    read_odata_typed_json,
    read_region_titles,
    region_titles,
    snake_case,
    strip_key_suffix,
    with_region_codes,
)
from ..readers.statline import (
    REGION_COLUMN,
    read_statline_csv,
    read_statline_sqlite,
    resolve_statline_codes,
    sqlite_tables,
)
from ..readers.text import read_json, read_plain_csv
from ..vocabulary.indicators import load_vocabulary, table_indicators
from ..vocabulary.regions import gemeente_names
from .context import BuildContext, Reader, log
from .tidy import rows_in_scope, tidy

TABLE = "kwb"
#: StatLine columns that describe the region rather than measure it.
_STATLINE_LABELS = {"regiocode_derived", REGION_COLUMN, "Regioaanduiding_Indelingswijziging_wijken_en_buurten"}


def _declared(columns: dict[str, str], where: str) -> dict[str, str]:
    """Keep the source columns whose indicator the vocabulary declares for the KWB table; log the rest."""
    wanted = set(table_indicators(TABLE))
    kept = {column: name for column, name in columns.items() if name in wanted}
    if len(kept) < len(columns):
        log.info("%s: %d column(s) not in the vocabulary left out", where, len(columns) - len(kept))
    return kept


def statline_indicators(columns: list[str], where: str = "") -> dict[str, str]:
    """StatLine header → indicator name, for the headers the vocabulary declares."""
    aliases = load_vocabulary().statline_aliases()
    return _declared({c: aliases.get(c, c) for c in columns if c not in _STATLINE_LABELS}, where)


def kwb_from_statline(frame: pd.DataFrame, year: int, where: str, buurten: dict[str, str],
                      gemeenten: dict[str, str] | None = None) -> pd.DataFrame:
    """Tidy a StatLine KWB export (CSV or SQLite table) of one year; the source footer is dropped."""
    frame = frame[~frame[REGION_COLUMN].astype(str).str.match(r"^\s*(Bron|Source)\b")].reset_index(drop=True)
    if "regiocode_derived" in frame.columns:
        codes = frame["regiocode_derived"]
    else:
        lookup = gemeenten or {name: code for code, name in gemeente_names().items()}
        codes = resolve_statline_codes(frame[REGION_COLUMN], lookup, buurten, where)
    return tidy(frame, where=where, codes=codes, names=frame[REGION_COLUMN],
                indicators=statline_indicators(list(frame.columns), where), year=year)


def without_excluded(rows: pd.DataFrame, patterns: tuple[str, ...], where: str) -> pd.DataFrame:
    """Drop the columns the registry marks as not this table's (glob patterns), logging them."""
    dropped = [c for c in rows.columns if any(fnmatch.fnmatchcase(c, p) for p in patterns)]
    if dropped:
        log.info("%s: %d column(s) that are not figures of this table left out (%s …)", where, len(dropped), dropped[0])
    return rows.drop(columns=dropped)


def kwb_from_odata_csv(rows: pd.DataFrame, year: int, where: str) -> pd.DataFrame:
    """Tidy an OData CSV of a KWB table without its DataProperties: keys named by the vocabulary.

    A key's stable name is its base (without the position suffix) in snake_case, or the
    indicator that lists the base among its ``odata`` aliases.
    """
    aliases = load_vocabulary().odata_aliases()
    rows = with_region_codes(rows, where)
    keyed = [c for c in rows.columns if c not in ("ID", "WijkenEnBuurten", REGION_TITLE)]
    not_keys = [c for c in keyed if not re.fullmatch(r"[A-Za-z][A-Za-z0-9_]*_\d+", c)]
    if not_keys:
        raise DataFormatError(f"{where}: column(s) {not_keys[:5]} are not OData keys; list them in the registry's "
                              "'exclude' if they are not figures of this table")
    columns = {c: aliases.get(strip_key_suffix(c), snake_case(strip_key_suffix(c))) for c in keyed}
    return tidy(rows, where=where, codes=rows["WijkenEnBuurten"], names=region_titles(rows),
                indicators=_declared(columns, where), year=year)


def kwb_from_renamed(rows: pd.DataFrame, renamed: dict[str, str], year: int, where: str) -> pd.DataFrame:
    """Tidy a file whose columns someone renamed, through the registry's map (``WijkenEnBuurten`` is the code)."""
    unknown = [c for c in rows.columns if c not in renamed]
    if unknown:
        raise DataFormatError(f"{where}: column(s) {unknown[:5]} are neither in the registry's column map nor excluded")
    code_column = next((c for c, name in renamed.items() if name == "WijkenEnBuurten"), None)
    if code_column is None:
        raise DataFormatError(f"{where}: the registry's column map names no region code column (… = 'WijkenEnBuurten')")
    if code_column not in rows.columns:
        raise DataFormatError(f"{where}: required column {code_column!r} (the region code) absent")
    indicators = {c: name for c, name in renamed.items() if name != "WijkenEnBuurten"}
    return tidy(rows, where=where, codes=rows[code_column], indicators=_declared(indicators, where), year=year)


def kwb_from_odata(folder: Path, year: int, where: str) -> pd.DataFrame:
    """Tidy a KWB table fetched from the OData API (TypedDataSet + DataProperties)."""
    props = read_data_properties(folder / "DataProperties.json")
    rows = read_odata_typed_json(folder / "TypedDataSet.json")
    names_path = folder / "WijkenEnBuurten.json"
    names = None
    if names_path.is_file():
        names = rows["WijkenEnBuurten"].str.strip().map(read_region_titles(names_path))
    return _from_keys(rows, props, year, where, names=names)


def kwb_from_stripped(folder: Path, year: int, where: str, scope: Scope | None = None) -> pd.DataFrame:
    """Tidy the stripped KWB export: ``{region code: {key: value}}`` plus DataProperties (rows of ``scope``,
    default Parkstad)."""
    props = read_data_properties(folder / "DataProperties.json")
    data_files = sorted(p for p in folder.glob("*.json")
                        if p.name not in ("DataProperties.json", "TableInfos.json") and not p.name.startswith("_"))
    if len(data_files) != 1:
        raise DataFormatError(f"{folder}: expected one data file beside DataProperties.json, found {len(data_files)}")
    data_file = data_files[0]
    document = read_json(data_file)
    if not isinstance(document, dict) or not all(isinstance(v, dict) for v in document.values()):
        raise DataFormatError(f"{where}: expected an object of region code → {{key: value}}")
    rows = pd.DataFrame.from_dict(document, orient="index").rename_axis("WijkenEnBuurten").reset_index()
    rows = rows_in_scope(rows, "WijkenEnBuurten", scope or Scope("parkstad"))
    return _from_keys(rows, props, year, str(data_file), names=None)


def _from_keys(rows: pd.DataFrame, props: pd.DataFrame, year: int, where: str, names: pd.Series | None) -> pd.DataFrame:
    """Tidy rows keyed by OData keys: each key named through DataProperties (or a renamed-key alias)."""
    known = dict(zip(props["key"], props["name"], strict=True))
    unknown = [c for c in rows.columns if c not in known and c not in ("ID", "WijkenEnBuurten")]
    if unknown:
        raise DataFormatError(f"{where}: column(s) {unknown[:5]} are not in DataProperties")
    aliases = load_vocabulary().odata_aliases()
    text_keys = set(props.loc[props["datatype"].eq("String"), "key"]) | {"WijkenEnBuurten", "ID"}
    columns = {c: aliases.get(strip_key_suffix(c), known[c]) for c in rows.columns if c not in text_keys}
    places = {k: (None if pd.isna(d) else int(d)) for k, d in zip(props["key"], props["decimals"], strict=True)}
    return tidy(rows, where=where, codes=rows["WijkenEnBuurten"], names=names, indicators=_declared(columns, where),
                year=year, decimals=places)


def _statline_csv(raw: RawDataset, dataset: Dataset, context: BuildContext) -> pd.DataFrame:
    path = raw.path()
    return kwb_from_statline(read_statline_csv(path), dataset.year, str(path), context.known_buurten,
                             context.gemeente_names)


def _odata_json(raw: RawDataset, dataset: Dataset, context: BuildContext) -> pd.DataFrame:
    check_table_info(raw.folder, dataset.table_id)
    return kwb_from_odata(raw.folder, dataset.year, str(raw.folder))


def _stripped_json(raw: RawDataset, dataset: Dataset, context: BuildContext) -> pd.DataFrame:
    check_table_info(raw.folder, dataset.table_id)
    return kwb_from_stripped(raw.folder, dataset.year, str(raw.folder), context.settings.scope)


def _keyed_file(read) -> Reader:
    """A reader of one file of OData-keyed rows without DataProperties (an OData CSV, or a TypedDataSet saved
    alone): keys named by the vocabulary, codes where a scrape saved names, rows outside the scope cut first."""

    def reader(raw: RawDataset, dataset: Dataset, context: BuildContext) -> pd.DataFrame:
        path = raw.path()
        rows = without_excluded(read(path), dataset.exclude, str(path))
        rows = with_region_codes(context.record_extent(dataset, rows, path), str(path))
        rows = rows_in_scope(rows, "WijkenEnBuurten", context.settings.scope)
        return kwb_from_odata_csv(rows, dataset.year, str(path))

    return reader


def _renamed_csv(raw: RawDataset, dataset: Dataset, context: BuildContext) -> pd.DataFrame:
    path = raw.path()
    rows = without_excluded(read_plain_csv(path), dataset.exclude, str(path))
    code_column = next((c for c, name in dataset.columns.items() if name == "WijkenEnBuurten"), None)
    if code_column in rows.columns:
        rows = rows_in_scope(rows, code_column, context.settings.scope)
    return kwb_from_renamed(rows, dataset.columns, dataset.year, str(path))


def _statline_sqlite(raw: RawDataset, dataset: Dataset, context: BuildContext) -> pd.DataFrame:
    """Every year of a SQLite file of StatLine exports (one table a year, the year in its name)."""
    path = raw.path()
    frames = []
    for table in sqlite_tables(path):
        year = re.search(r"(\d{4})", table)
        if year is None:
            raise DataFormatError(f"{path}: table {table!r} has no year in its name")
        frames.append(kwb_from_statline(read_statline_sqlite(path, table), int(year.group(1)), f"{path}, table {table}",
                                        context.known_buurten, context.gemeente_names))
    return pd.concat(frames, ignore_index=True)


ORDER = ["year", "region_code"]
READERS = {"statline-csv": _statline_csv, "statline-sqlite": _statline_sqlite, "odata-json": _odata_json,
           "odata-stripped-json": _stripped_json, "odata-csv": _keyed_file(read_odata_csv),
           "odata-typed-json": _keyed_file(read_odata_typed_json),
           "renamed-csv": _renamed_csv}

