"""The OData shapes: TypedDataSet JSON, OData CSV, DataProperties (stable column names) and TableInfos."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pandas as pd

from ..errors import DataFormatError
from .text import check_complete, read_csv_text, read_json, read_text, require_columns

_SUFFIX_RE = re.compile(r"_\d+$")
#: DataProperties types that carry columns of the data (topics and dimensions).
_COLUMN_TYPES = ("Topic", "Dimension", "GeoDimension", "TimeDimension", "GeoDetail")


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
    topics = properties[properties["type"].isin(_COLUMN_TYPES)]
    base = {key: snake_case(strip_key_suffix(key)) for key in topics["key"]}
    names = dict(base)
    for name in [n for n, count in Counter(base.values()).items() if count > 1]:
        keys = [k for k, v in base.items() if v == name]
        chains = {k: _group_titles(groups, topics.loc[topics["key"] == k, "id"].iloc[0]) for k in keys}
        names.update(_disambiguate(name, keys, chains))
    return names


def _group_titles(groups: pd.DataFrame, row_id: object) -> list[str]:
    """Titles of the topic groups above a property, nearest first."""
    chain, parent = [], groups.at[row_id, "parent_id"]
    while pd.notna(parent) and parent in groups.index:
        chain.append(snake_case(str(groups.at[parent, "title"])))
        parent = groups.at[parent, "parent_id"]
    return chain


def _disambiguate(name: str, keys: list[str], chains: dict[str, list[str]]) -> dict[str, str]:
    """Prefix group titles until the names of colliding keys differ; fall back on order."""
    deepest = max(len(c) for c in chains.values())
    for depth in range(1, deepest + 2):
        candidate = {k: "_".join([*reversed(chains[k][:depth]), name]) for k in keys}
        if len(set(candidate.values())) == len(keys):
            return candidate
    return {k: f"{name}_{i + 1}" if i else name for i, k in enumerate(keys)}  # identical group paths


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
    require_columns(frame, required, path)
    return frame


def read_odata_csv(path: str | Path, required: tuple[str, ...] = ("WijkenEnBuurten",)) -> pd.DataFrame:
    """An OData CSV export (``;`` or ``,`` separated, quoted, BOM, padded codes), all cells as text."""
    path = Path(path)
    text = read_text(path)
    first = text.split("\n", 1)[0]
    sep = ";" if first.count(";") > first.count(",") else ","
    check_complete(text, sep, path)
    frame = read_csv_text(text, path, sep)
    require_columns(frame, required, path)
    return frame


#: The column :func:`with_region_codes` puts a table's own region names in (a scrape saved them in WijkenEnBuurten).
REGION_TITLE = "WijkenEnBuurten_titel"
#: The key of the column in which CBS's KWB and benefit tables carry the region code beside its name.
_CODE_KEY = "Codering"


def with_region_codes(rows: pd.DataFrame, where: str) -> pd.DataFrame:
    """Rows whose ``WijkenEnBuurten`` holds region codes, as every reader expects.

    CBS's TypedDataSet keys the region dimension by code (``BU09170000``). A copy saved from the
    dimension's titles instead holds names there (``Totaal``, ``Aalten``) and the code in the table's
    ``Codering_<n>`` column: the code is then taken from that column and the name kept in
    :data:`REGION_TITLE`, so no region of such a table is nameless.

    Raises
    ------
    DataFormatError
        When ``WijkenEnBuurten`` holds names and no ``Codering`` column gives the codes.
    """
    from ..vocabulary.regions import BENCHMARK_PATTERN, CODE_PATTERN

    if "WijkenEnBuurten" not in rows.columns:
        return rows
    compact = rows["WijkenEnBuurten"].astype("string").str.replace(r"\s+", "", regex=True).str.upper()
    is_code = compact.str.fullmatch(f"{CODE_PATTERN}|{BENCHMARK_PATTERN}").fillna(False)
    if is_code.all():
        return rows
    code_columns = [c for c in rows.columns if strip_key_suffix(c) == _CODE_KEY]
    if not code_columns:
        first = rows.loc[~is_code, "WijkenEnBuurten"].iloc[0]
        raise DataFormatError(f"{where}: column 'WijkenEnBuurten' holds {first!r} where a region code belongs, and "
                              f"no '{_CODE_KEY}_<n>' column gives the codes")
    out = rows.copy()
    out[REGION_TITLE] = rows["WijkenEnBuurten"].astype("string").str.strip()
    out["WijkenEnBuurten"] = rows[code_columns[0]]
    return out


def region_titles(rows: pd.DataFrame) -> pd.Series | None:
    """The table's own region names that :func:`with_region_codes` kept, or ``None``."""
    return rows[REGION_TITLE] if REGION_TITLE in rows.columns else None


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
            "description": [str(i.get("Description") or "").strip() for i in items],
        }
    )
    frame["name"] = frame["key"].map(stable_names(frame))
    return frame


def table_identifier(path: Path) -> str | None:
    """The ``Identifier`` of a saved TableInfos document (``85984NED``), or ``None`` when it has none."""
    document = read_json(path)
    items = document.get("value", document) if isinstance(document, dict) else document
    first = items[0] if isinstance(items, list) and items else None
    return first.get("Identifier") if isinstance(first, dict) else None


def check_table_info(folder: Path, table_id: str | None) -> None:
    """The saved TableInfos must describe the table the registry names (a wrong folder is refused)."""
    path = folder / "TableInfos.json"
    if not path.is_file() or table_id is None:
        return
    identifier = table_identifier(path)
    if identifier != table_id:
        raise DataFormatError(f"{path}: describes table {identifier!r}; expected {table_id}")


def read_region_titles(path: Path) -> dict[str, str]:
    """A saved ``WijkenEnBuurten`` dimension: region code → title."""
    dimension = read_odata_typed_json(path, required=("Key", "Title"))
    return dict(zip(dimension["Key"].str.strip(), dimension["Title"], strict=True))
