"""The education table: population 15–75 by education level (one column per level) and its total."""

from __future__ import annotations

import pandas as pd

from ..errors import DataFormatError
from ..fetch.raw import RawDataset
from ..fetch.registry import Dataset
from ..readers.odata import read_odata_csv, read_odata_typed_json, with_region_codes
from ..vocabulary.indicators import load_vocabulary
from .context import BuildContext
from .tidy import tidy

TABLE = "education"


def education_from_csv(rows: pd.DataFrame, year: int, where: str) -> pd.DataFrame:
    """Population 15–75 by education level: one row per region, one column per level."""
    codes = load_vocabulary().dimension_codes["Opleidingsniveau"]
    for column in ("Opleidingsniveau", "WijkenEnBuurten", "Bevolking15Tot75Jaar_2"):
        if column not in rows.columns:
            raise DataFormatError(f"{where}: required column {column!r} absent")
    level = rows["Opleidingsniveau"].astype(str).str.strip()
    unknown = sorted(set(level) - set(codes))
    if unknown:
        raise DataFormatError(f"{where}: column 'Opleidingsniveau' has unknown code(s) {unknown}; expected {sorted(codes)}")
    if "Marges" in rows.columns:  # keep the estimates, not their margins
        rows = rows[rows["Marges"].astype(str).str.strip().eq("MW00000")]
        level = level[rows.index]
    rows = rows.assign(_level=level.map(codes), _code=rows["WijkenEnBuurten"].astype(str).str.strip())
    if rows.duplicated(["_code", "_level"]).any():
        dup = rows.loc[rows.duplicated(["_code", "_level"]), ["_code", "_level"]].iloc[0].tolist()
        raise DataFormatError(f"{where}: region {dup[0]} has more than one row for {dup[1]}")
    wide = rows.pivot(index="_code", columns="_level", values="Bevolking15Tot75Jaar_2").reset_index()
    table = tidy(wide, where=where, codes=wide["_code"], year=year,
                 indicators={name: name for name in codes.values() if name in wide.columns})
    parts = table[list(codes.values())]
    table["bevolking_15_tot_75_jaar"] = parts.sum(axis=1, min_count=len(codes.values())).astype("Float64")
    return table


def _odata_csv(raw: RawDataset, dataset: Dataset, context: BuildContext) -> pd.DataFrame:
    rows = context.record_extent(dataset, read_odata_csv(raw.path()), raw.path())
    return education_from_csv(with_region_codes(rows, str(raw.path())), dataset.year, str(raw.path()))


def _typed_json(raw: RawDataset, dataset: Dataset, context: BuildContext) -> pd.DataFrame:
    rows = context.record_extent(dataset, read_odata_typed_json(raw.path()), raw.path())
    return education_from_csv(with_region_codes(rows, str(raw.path())), dataset.year, str(raw.path()))


ORDER = ["year", "region_code"]
READERS = {"odata-csv": _odata_csv, "odata-typed-json": _typed_json}

