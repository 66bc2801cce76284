"""The benefits table: bijstand, WW, AO and AOW recipients per wijk and buurt per quarter.

CBS publishes these per year in tables such as 85586NED; the OData keys repeat
once their suffix is dropped (a count and a percentage per benefit), so they are
named by base key and order of appearance (``[odata_keys.benefits]`` in the vocabulary).

Read as TypedDataSet JSON (one file, a folder of them, or the OData download with
its ``WijkenEnBuurten`` dimension for the names) and as CSV (one file or a folder
of one table a year), also as third parties save them: names where codes belong,
``2023 maart`` for the quarter, counts written as ``470.0``, codes with spaces.
Rows of Nederland and its parts (``NL00``, ``NL01``, ``NL98``) are kept as benchmarks.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from ..config import Scope
from ..errors import DataFormatError
from ..fetch.raw import RawDataset
from ..fetch.registry import Dataset
from ..readers.odata import (
    read_odata_csv,
    read_odata_typed_json,
    read_region_titles,
    region_titles,
    strip_key_suffix,
    with_region_codes,
)
from ..readers.values import quarter_period
from ..vocabulary.indicators import load_vocabulary
from .context import BuildContext
from .tidy import rows_in_scope, tidy

TABLE = "benefits"


def benefits_from_typed(rows: pd.DataFrame, where: str, names: pd.Series | None = None) -> pd.DataFrame:
    """Tidy a quarterly benefit table (keys mapped by base name and order); ``names`` as the table gives them."""
    mapping = load_vocabulary().odata_keys[TABLE]
    seen: dict[str, int] = {}
    indicators = {}
    for column in rows.columns:
        base = strip_key_suffix(column)
        if base in mapping:
            position = seen.get(base, 0)
            seen[base] = position + 1
            if position >= len(mapping[base]):
                raise DataFormatError(f"{where}: column {column!r} repeats {base} more often than the benefit tables do")
            indicators[column] = mapping[base][position]
    if "Perioden" not in rows.columns:
        raise DataFormatError(f"{where}: required column 'Perioden' absent")
    if not indicators:
        raise DataFormatError(f"{where}: none of the benefit table columns ({', '.join(mapping)}) present")
    period = quarter_period(rows["Perioden"], f"{where}, column 'Perioden'")
    if names is None:
        names = region_titles(rows)
    return tidy(rows, where=where, codes=rows["WijkenEnBuurten"], names=names, indicators=indicators, period=period)


def read_benefit_file(path, scope: Scope | None = None) -> pd.DataFrame:
    """One saved benefit table (TypedDataSet JSON or CSV), tidied; rows outside ``scope`` are left out first."""
    rows = _rows(Path(path))
    if scope is not None:
        rows = rows_in_scope(rows, "WijkenEnBuurten", scope)
    return benefits_from_typed(rows, str(path))


def _rows(path: Path) -> pd.DataFrame:
    """The raw rows of one file, ``WijkenEnBuurten`` holding codes (:func:`with_region_codes`)."""
    rows = read_odata_csv(path) if path.suffix.lower() == ".csv" else read_odata_typed_json(path)
    return with_region_codes(rows, str(path))


def _read(path: Path, dataset: Dataset, context: BuildContext, titles: dict[str, str] | None = None) -> pd.DataFrame:
    rows = context.record_extent(dataset, _rows(path), path)
    rows = rows_in_scope(rows, "WijkenEnBuurten", context.settings.scope)
    names = None
    if titles is not None:  # the region dimension the OData download saved beside the data
        names = rows["WijkenEnBuurten"].astype("string").str.strip().map(titles)
    return benefits_from_typed(rows, str(path), names)


def _one_file(raw: RawDataset, dataset: Dataset, context: BuildContext) -> pd.DataFrame:
    return _read(raw.path(), dataset, context)


def _odata_json(raw: RawDataset, dataset: Dataset, context: BuildContext) -> pd.DataFrame:
    dimension = raw.folder / "WijkenEnBuurten.json"
    titles = read_region_titles(dimension) if dimension.is_file() else None
    return _read(raw.path("TypedDataSet.json"), dataset, context, titles)


def _folder(raw: RawDataset, dataset: Dataset, context: BuildContext) -> pd.DataFrame:
    frames = [_read(raw.path(name), dataset, context) for name in sorted(raw.files)]
    return pd.concat(frames, ignore_index=True).sort_values(["period", "region_code"], kind="stable")


READERS = {"odata-typed-json": _one_file, "odata-json": _odata_json, "odata-typed-json-folder": _folder,
           "odata-csv": _one_file, "odata-csv-folder": _folder}
ORDER = ["period", "region_code"]

