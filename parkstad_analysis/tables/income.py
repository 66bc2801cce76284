"""The income table: income per inhabitant and low/high-income household shares (CBS maatwerk, wijk level)."""

from __future__ import annotations

import pandas as pd

from ..errors import DataFormatError
from ..fetch.raw import RawDataset
from ..fetch.registry import Dataset
from ..readers.excel import read_excel_csv
from .context import BuildContext
from .tidy import tidy

TABLE = "income"
#: Indicator → words its column header contains (the maatwerk headers are long Dutch phrases).
HEADER_WORDS = {
    "gemiddeld_inkomen_per_inwoner": ("gemiddeld", "inkomen"),
    "k_40_huishoudens_met_laagste_inkomen": ("40%", "laagste"),
    "k_20_huishoudens_met_hoogste_inkomen": ("20%", "hoogste"),
}


def income_from_excel(rows: pd.DataFrame, year: int, where: str) -> pd.DataFrame:
    """The income maatwerk table: columns found by their header words."""
    indicators = {}
    for name, words in HEADER_WORDS.items():
        match = [c for c in rows.columns if all(w in c.lower() for w in words)]
        if not match:
            raise DataFormatError(f"{where}: no column header contains {' and '.join(words)!r} (for {name})")
        indicators[match[0]] = name
    name_col = next((c for c in rows.columns if "regionaam" in c.lower()), None)
    return tidy(rows, where=where, codes=rows["region_code"], indicators=indicators, year=year,
                names=rows[name_col] if name_col else None)


def _excel_csv(raw: RawDataset, dataset: Dataset, context: BuildContext) -> pd.DataFrame:
    return income_from_excel(read_excel_csv(raw.path()), dataset.year, str(raw.path()))


ORDER = ["year", "region_code"]
READERS = {"excel-csv": _excel_csv}

