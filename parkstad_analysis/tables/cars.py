"""The cars table: personenauto's per huishouden (CBS maatwerk, gemeente and wijk files)."""

from __future__ import annotations

import pandas as pd

from ..errors import DataFormatError
from ..fetch.raw import RawDataset
from ..fetch.registry import Dataset
from ..readers.excel import read_excel_csv
from .context import BuildContext
from .tidy import tidy

TABLE = "cars"


def cars_from_excel(rows: pd.DataFrame, year: int, where: str) -> pd.DataFrame:
    """Cars per household (gemeente or wijk file)."""
    value = [c for c in rows.columns if "personenauto" in c.lower()]
    if not value:
        raise DataFormatError(f"{where}: no column header mentions personenauto's")
    name_col = next((c for c in rows.columns if c.lower().startswith(("wijknaam", "gemeentenaam"))), None)
    names = rows[name_col].str.strip() if name_col else None
    return tidy(rows, where=where, codes=rows["region_code"], indicators={value[0]: "personenautos_per_huishouden"},
                year=year, names=names)


def _excel_csv(raw: RawDataset, dataset: Dataset, context: BuildContext) -> pd.DataFrame:
    return cars_from_excel(read_excel_csv(raw.path()), dataset.year, str(raw.path()))


ORDER = ["year", "region_code"]
READERS = {"excel-csv": _excel_csv}

