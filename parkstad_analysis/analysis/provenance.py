"""Which dataset each figure came from: the processed ``provenance`` table, read for a set of regions."""

from __future__ import annotations

import pandas as pd

from ..fetch.registry import load_registry


def figure_sources(provenance: pd.DataFrame | None, table: str, indicators: list[str], period: str | int,
                   codes: list[str] | tuple[str, ...]) -> list[str]:
    """The dataset ids behind the figures of ``indicators`` for ``codes`` in one period (empty when unknown)."""
    if provenance is None or provenance.empty:
        return []
    rows = provenance[(provenance["table"] == table) & provenance["indicator"].isin(indicators)
                      & provenance["region_code"].isin(codes)]
    if "Q" in str(period):
        rows = rows[rows["period"] == str(period)]
    else:
        rows = rows[rows["year"].astype("Int64") == int(period)]
    return sorted(rows["dataset_id"].unique())


def describe_sources(dataset_ids: list[str]) -> str:
    """The datasets as a page names them: ``CBS 84583NED (Kerncijfers wijken en buurten 2019)``, joined by '; '."""
    registry = load_registry()
    names = [registry[d].describe() if d in registry else d for d in dataset_ids]
    return "; ".join(dict.fromkeys(names))
