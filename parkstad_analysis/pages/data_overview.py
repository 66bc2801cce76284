"""The tables of the data-overview page: datasets and where they came from, rows, comparisons, missing figures."""

from __future__ import annotations

import re

import pandas as pd

from ..config import Settings
from ..fetch.raw import raw_dataset
from ..fetch.registry import Dataset
from ..vocabulary.indicators import load_vocabulary

__all__ = ["AUTHORITY", "ORIGIN", "RELATION", "comparisons_table", "coverage_table", "datasets_table", "missing_table",
           "reader_title", "rows_table", "table_title"]

#: Dutch words for the registry's authorities and the build's relations.
AUTHORITY = {"cbs-odata": "CBS (open data)", "cbs-export": "CBS (export uit StatLine)",
             "third-party": "CBS, bewerkt door derden", "not-cbs": "niet van CBS (aantekeningen met bronadressen)"}
RELATION = {"independent": "onafhankelijk", "same origin": "zelfde oorsprong"}
ORIGIN = {"mirror": "lokale kopie van de CBS-bestanden", "cbs-odata": "CBS (open data)", "cbs-url": "CBS (download)"}


def reader_title(dataset: Dataset) -> str:
    """A dataset's title as a reader knows it: CBS's table title, else its own without the technical remark in
    brackets at the end (``Gebiedsindeling buurten 2014 (TopoJSON, quantised, no CRS)`` → ``… 2014``)."""
    return dataset.table_title or re.sub(r"\s*\([^()]*\)$", "", dataset.title)


def table_title(name: str) -> str:
    """A processed table's Dutch title (``kwb`` → Kerncijfers wijken en buurten)."""
    tables = load_vocabulary().tables
    return tables[name].title if name in tables else name


def datasets_table(registry: dict[str, Dataset], settings: Settings) -> pd.DataFrame:
    """Every registered dataset with its title, period, CBS table, kind of source and where the copy came from."""
    rows = []
    for dataset in registry.values():
        raw = raw_dataset(dataset.id, settings)
        rows.append({"title": reader_title(dataset), "period": dataset.period, "table_id": dataset.table_id or "",
                     "authority": AUTHORITY[dataset.authority],
                     "fetched": ORIGIN.get(raw.origin, raw.origin) if raw else "niet opgehaald"})
    return pd.DataFrame.from_records(rows)


def coverage_table(coverage: pd.DataFrame, registry: dict[str, Dataset]) -> pd.DataFrame:
    """Per dataset read: the periods and gemeenten it holds and, for a partial copy, why (partial ones first).

    A partial copy (the first page of a table, a file of one gemeente, periods short of its registration) still
    gives its figures; a region it does not hold stays missing.
    """
    table = coverage.assign(
        title=[reader_title(registry[d]) if d in registry else d for d in coverage["dataset_id"]],
        table_id=[(registry[d].table_id or "") if d in registry else "" for d in coverage["dataset_id"]],
        state=coverage["partial"].map({True: "gedeeltelijk", False: "volledig"}),
        remark=[("; ".join(t for t in (reasons, note) if t)) for reasons, note in
                zip(coverage["reasons"], coverage["period_note"], strict=True)])
    table["table"] = table["table"].map(table_title)
    return table.sort_values("partial", ascending=False, kind="stable").reset_index(drop=True)


def rows_table(quality: pd.DataFrame) -> pd.DataFrame:
    """Per table and level: first and last period and how many periods."""
    per = quality.groupby(["table", "level"])["period"]
    table = pd.DataFrame({"first": per.min(), "last": per.max(), "periods": per.nunique()}).reset_index()
    return table.assign(table=table["table"].map(table_title))


def comparisons_table(comparisons: pd.DataFrame, registry: dict[str, Dataset]) -> pd.DataFrame:
    """The pairs of datasets the build compared, named as pages name them."""
    def name(dataset_id: str) -> str:
        return registry[dataset_id].describe() if dataset_id in registry else dataset_id

    return comparisons.assign(kept=comparisons["dataset_id_a"].map(name), other=comparisons["dataset_id_b"].map(name),
                              relation=comparisons["relation"].map(RELATION), table=comparisons["table"].map(table_title))


def missing_table(quality: pd.DataFrame, rows: int) -> pd.DataFrame:
    """The indicators with the largest share of buurten without a figure (%), with their Dutch titles."""
    buurt = quality[quality["level"] == "buurt"]
    shares = buurt.groupby(["table", "indicator"])["missing_share"].mean().mul(100).sort_values(ascending=False)
    table = shares.head(rows).reset_index()
    return table.assign(title=table["indicator"].map(load_vocabulary().title), table=table["table"].map(table_title))
