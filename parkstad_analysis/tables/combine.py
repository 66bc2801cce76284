"""One table from several datasets: the most authoritative value per figure, where it came from, and every difference.

Several datasets can hold the same figure (a StatLine export and CBS's OData
table of the same year, a file and the copy written from it). Per region, period
and indicator the value of the most authoritative dataset is kept (the registry's
``authority``, then registry order); every figure carries the id of the dataset it
came from (``provenance``); and every other value of the same figure is compared
with the kept one:

* datasets of independent origin may differ (CBS revises tables, exports lag):
  each difference is recorded, never averaged away;
* a dataset and one written from it (``derived_from``) must agree exactly: a
  difference means one of the two was changed, and the build is refused.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from ..errors import DataFormatError
from ..fetch.registry import Dataset
from ..vocabulary.indicators import ID_COLUMNS, period_column
from .tidy import concat

#: Values closer than this are the same figure (floating-point noise only).
TOLERANCE = 1e-9


@dataclass
class Combined:
    """A combined table with its provenance and the comparisons made on the way."""

    frame: pd.DataFrame
    provenance: pd.DataFrame
    differences: pd.DataFrame
    comparisons: pd.DataFrame


def _keys(frame: pd.DataFrame) -> list[str]:
    return ["region_code", period_column(frame)]


def _long(dataset: Dataset, position: int, frame: pd.DataFrame) -> pd.DataFrame:
    """The non-missing figures of one dataset, one row each."""
    keys = _keys(frame)
    indicators = [c for c in frame.columns if c not in ID_COLUMNS]
    long = frame.melt(id_vars=keys, value_vars=indicators, var_name="indicator", value_name="value")
    long = long[long["value"].notna()]
    return long.assign(dataset_id=dataset.id, rank=dataset.rank, position=position)


def origin(dataset: Dataset, registry: dict[str, Dataset]) -> str:
    """The dataset a dataset was (in the end) written from; itself when it was not written from another."""
    seen = dataset
    while seen.derived_from and seen.derived_from in registry:
        seen = registry[seen.derived_from]
    return seen.id


def _compare(table: str, stacked: pd.DataFrame, keys: list[str], registry: dict[str, Dataset]) -> pd.DataFrame:
    """Every figure held by more than one dataset, each value beside the one it must be compared with.

    The first value of each origin is compared with the kept value (the first of all); every
    further value of an origin with the first of its own origin, so that copies are always
    checked against each other.
    """
    group = [*keys, "indicator"]
    stacked = stacked.assign(_origin=stacked["dataset_id"].map({d: origin(registry[d], registry)
                                                                for d in stacked["dataset_id"].unique()}))
    winners = stacked.drop_duplicates(group, keep="first")
    first_of_origin = stacked.drop_duplicates([*group, "_origin"], keep="first")
    heads = first_of_origin[first_of_origin.duplicated(group, keep="first")]
    copies = stacked[stacked.duplicated([*group, "_origin"], keep="first")]
    pairs = pd.concat([heads.merge(winners, on=group, suffixes=("_b", "_a")),
                       copies.merge(first_of_origin, on=[*group, "_origin"], suffixes=("_b", "_a"))], ignore_index=True)
    pairs["relation"] = [
        "same origin" if origin(registry[a], registry) == origin(registry[b], registry) else "independent"
        for a, b in zip(pairs["dataset_id_a"], pairs["dataset_id_b"], strict=True)]
    pairs["difference"] = (pairs["value_b"] - pairs["value_a"]).astype(float)
    pairs.insert(0, "table", table)
    return pairs[["table", *group, "dataset_id_a", "value_a", "dataset_id_b", "value_b", "difference", "relation"]]


def combine(table: str, parts: list[tuple[Dataset, pd.DataFrame]], order: list[str],
            registry: dict[str, Dataset]) -> Combined:
    """Combine the tidy frames of the datasets feeding ``table``.

    Parameters
    ----------
    table : str
        The processed table.
    parts : list of (Dataset, DataFrame)
        Each dataset with its tidy frame, in registry order.
    order : list of str
        Sort order of the result (``["year", "region_code"]``).
    registry : dict
        The dataset registry, to tell derived datasets from independent ones.

    Raises
    ------
    DataFormatError
        When two datasets of the same origin give different values for one figure.
    """
    parts = [(d, f) for d, f in parts if len(f)]
    if not parts:
        return Combined(pd.DataFrame(), *(pd.DataFrame() for _ in range(3)))
    keys = _keys(parts[0][1])
    stacked = pd.concat([_long(d, i, f) for i, (d, f) in enumerate(parts)], ignore_index=True)
    stacked = stacked.sort_values([*keys, "indicator", "rank", "position"], kind="stable")
    pairs = _compare(table, stacked, keys, registry)
    differing = pairs[pairs["difference"].abs() > TOLERANCE]
    broken = differing[differing["relation"] == "same origin"]
    if len(broken):
        row = broken.iloc[0]
        raise DataFormatError(
            f"{row['dataset_id_b']} gives {row['indicator']} of {row['region_code']} ({row[keys[1]]}) as "
            f"{row['value_b']}, but {row['dataset_id_a']}, of the same origin, as {row['value_a']}: one of the two "
            "was changed since it was written")
    winners = stacked.drop_duplicates([*keys, "indicator"], keep="first")
    frame = _wide(winners, parts, keys, table, order)
    provenance = winners[[*keys, "indicator", "dataset_id"]].assign(table=table)
    return Combined(frame, provenance, differing.reset_index(drop=True), _summary(pairs))


def _wide(winners: pd.DataFrame, parts: list[tuple[Dataset, pd.DataFrame]], keys: list[str], table: str,
          order: list[str]) -> pd.DataFrame:
    """The kept figures back in the tidy form, with the region names of the most authoritative dataset."""
    wide = winners.pivot(index=keys, columns="indicator", values="value").reset_index()
    wide.columns.name = None
    ids = pd.concat([f[[c for c in ID_COLUMNS if c in f.columns]].assign(_rank=d.rank, _position=i)
                     for i, (d, f) in enumerate(parts)], ignore_index=True)
    ids = ids.sort_values(["_rank", "_position"], kind="stable")
    named = ids.dropna(subset=["region_name"]).drop_duplicates(keys)[[*keys, "region_name"]]
    ids = ids.drop_duplicates(keys).drop(columns=["region_name", "_rank", "_position"]).merge(named, on=keys, how="left")
    regions = ids.merge(wide, on=keys, how="left")
    return concat([regions], table, order)


def _summary(pairs: pd.DataFrame) -> pd.DataFrame:
    """One line per pair of datasets compared: figures compared, how many differ, the largest difference."""
    if pairs.empty:
        return pd.DataFrame(columns=["table", "dataset_id_a", "dataset_id_b", "relation", "compared", "differing",
                                     "max_abs_difference"])
    pairs = pairs.assign(_differs=pairs["difference"].abs() > TOLERANCE, _abs=pairs["difference"].abs())
    summary = pairs.groupby(["table", "dataset_id_a", "dataset_id_b", "relation"], as_index=False).agg(
        compared=("difference", "size"), differing=("_differs", "sum"), max_abs_difference=("_abs", "max"))
    summary["differing"] = summary["differing"].astype(int)
    return summary
