"""The population table: inhabitants from CBS's own OData table (CSV export or TypedDataSet)."""

from __future__ import annotations

import pandas as pd

from ..fetch.raw import RawDataset
from ..fetch.registry import Dataset
from ..readers.odata import read_odata_csv, read_odata_typed_json
from .context import BuildContext
from .tidy import concat, in_parkstad, tidy

TABLE = "population"
COLUMNS = ("WijkenEnBuurten", "AantalInwoners_5")


def population_from_rows(rows: pd.DataFrame, year: int, where: str) -> pd.DataFrame:
    """Inhabitants per region from OData rows with ``AantalInwoners_5``."""
    return tidy(rows, where=where, codes=rows["WijkenEnBuurten"], indicators={"AantalInwoners_5": "aantal_inwoners"},
                year=year)


def _odata_csv(raw: RawDataset, dataset: Dataset, context: BuildContext) -> pd.DataFrame:
    return population_from_rows(read_odata_csv(raw.path(), required=COLUMNS), dataset.year, str(raw.path()))


def _odata_json(raw: RawDataset, dataset: Dataset, context: BuildContext) -> pd.DataFrame:
    path = raw.path("TypedDataSet.json")
    return population_from_rows(read_odata_typed_json(path, required=COLUMNS), dataset.year, str(path))


READERS = {"odata-csv": _odata_csv, "odata-json": _odata_json}


def build_population(context: BuildContext) -> pd.DataFrame:
    """Inhabitants from the OData tables fetched."""
    return concat([in_parkstad(f) for f in context.read_all(TABLE, READERS)], TABLE, ["year", "region_code"])
