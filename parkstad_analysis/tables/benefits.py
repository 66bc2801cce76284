"""The benefits table: bijstand, WW, AO and AOW recipients per wijk and buurt per quarter.

CBS publishes these per year in tables such as 85586NED; the OData keys repeat
once their suffix is dropped (a count and a percentage per benefit), so they are
named by base key and order of appearance (``[odata_keys.benefits]`` in the vocabulary).
"""

from __future__ import annotations

import pandas as pd

from ..errors import DataFormatError
from ..fetch.raw import RawDataset
from ..fetch.registry import Dataset
from ..readers.odata import read_odata_typed_json, strip_key_suffix
from ..readers.values import quarter_period
from ..vocabulary.indicators import load_vocabulary
from .context import BuildContext
from .tidy import tidy

TABLE = "benefits"


def benefits_from_typed(rows: pd.DataFrame, where: str) -> pd.DataFrame:
    """Tidy a quarterly benefit table (keys mapped by base name and order)."""
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
    return tidy(rows, where=where, codes=rows["WijkenEnBuurten"], indicators=indicators, period=period)


def read_benefit_file(path) -> pd.DataFrame:
    """One saved TypedDataSet of a benefit table, tidied."""
    return benefits_from_typed(read_odata_typed_json(path), str(path))


def _typed_json(raw: RawDataset, dataset: Dataset, context: BuildContext) -> pd.DataFrame:
    return read_benefit_file(raw.path())


def _odata_json(raw: RawDataset, dataset: Dataset, context: BuildContext) -> pd.DataFrame:
    return read_benefit_file(raw.path("TypedDataSet.json"))


def _typed_json_folder(raw: RawDataset, dataset: Dataset, context: BuildContext) -> pd.DataFrame:
    frames = [read_benefit_file(raw.path(name)) for name in sorted(raw.files)]
    return pd.concat(frames, ignore_index=True).sort_values(["period", "region_code"], kind="stable")


READERS = {"odata-typed-json": _typed_json, "odata-json": _odata_json, "odata-typed-json-folder": _typed_json_folder}
ORDER = ["period", "region_code"]

