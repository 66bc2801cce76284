"""The tables of the data-overview page: datasets and where they came from, rows, comparisons, missing figures."""

from __future__ import annotations

import pandas as pd

from ..config import Settings
from ..fetch.raw import raw_dataset
from ..fetch.registry import Dataset
from ..vocabulary.indicators import load_vocabulary

__all__ = ["AUTHORITY", "ORIGIN", "RELATION", "comparisons_table", "datasets_table", "missing_table", "rows_table"]

#: Dutch words for the registry's authorities and the build's relations.
AUTHORITY = {"cbs-odata": "CBS (OData)", "cbs-export": "CBS-export", "third-party": "bewerkt door derden"}
RELATION = {"independent": "onafhankelijk", "same origin": "zelfde oorsprong"}
ORIGIN = {"mirror": "spiegelmap", "cbs-odata": "CBS OData", "cbs-url": "CBS download"}


def datasets_table(registry: dict[str, Dataset], settings: Settings) -> pd.DataFrame:
    """Every registered dataset with its period, CBS table, kind of source and where the fetched copy came from."""
    rows = []
    for dataset in registry.values():
        raw = raw_dataset(dataset.id, settings)
        rows.append({"dataset": dataset.id, "period": dataset.period, "table_id": dataset.table_id or "",
                     "authority": AUTHORITY[dataset.authority],
                     "fetched": ORIGIN.get(raw.origin, raw.origin) if raw else "niet opgehaald",
                     "title": dataset.table_title or dataset.title})
    return pd.DataFrame.from_records(rows)


def rows_table(quality: pd.DataFrame) -> pd.DataFrame:
    """Per table and level: first and last period and how many periods."""
    per = quality.groupby(["table", "level"])["period"]
    return pd.DataFrame({"first": per.min(), "last": per.max(), "periods": per.nunique()}).reset_index()


def comparisons_table(comparisons: pd.DataFrame, registry: dict[str, Dataset]) -> pd.DataFrame:
    """The pairs of datasets the build compared, named as pages name them."""
    def name(dataset_id: str) -> str:
        return registry[dataset_id].describe() if dataset_id in registry else dataset_id

    return comparisons.assign(kept=comparisons["dataset_id_a"].map(name), other=comparisons["dataset_id_b"].map(name),
                              relation=comparisons["relation"].map(RELATION))


def missing_table(quality: pd.DataFrame, rows: int) -> pd.DataFrame:
    """The indicators with the largest share of buurten without a figure (%), with their Dutch titles."""
    buurt = quality[quality["level"] == "buurt"]
    shares = buurt.groupby(["table", "indicator"])["missing_share"].mean().mul(100).sort_values(ascending=False)
    table = shares.head(rows).reset_index()
    return table.assign(title=table["indicator"].map(load_vocabulary().title))
