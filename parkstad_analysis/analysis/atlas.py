"""The figures of an atlas page: one region beside its wijk, gemeente, Parkstad and Nederland.

Every figure is the profile's (:func:`~parkstad_analysis.analysis.profile.key_figures`), in
the region's own period; the same figure of each area above it is computed in that period
the same way (:func:`~parkstad_analysis.analysis.profile.area_figure`), Nederland from the
national rows of the same tables (:mod:`.benchmarks`). A figure of an area above that only
part of its regions have is left out, as on the profile pages.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..vocabulary.areas import Area, load_areas
from ..vocabulary.regions import all_parkstad_codes
from .benchmarks import NEDERLAND, benchmark_tables
from .catalogue import Catalogue, Region
from .profile import AreaFigure, area_figure, complete_enough, income_stand_in, key_figures, profile_quarter

#: The figures of the atlas's overview table, in column order: (key, column title, unit).
OVERVIEW = (("aantal_inwoners", "Inwoners", "aantal"),
            ("bijstand_per_1000", "Bijstand per 1.000 inwoners 15+", "per 1.000"),
            ("huishoudens_totaal", "Huishoudens", "aantal"),
            ("gemiddelde_huishoudensgrootte", "Personen per huishouden", "personen"))


@dataclass
class AtlasFigures:
    """What the atlas computes once per process: the tables, Nederland's and the figures of the areas above."""

    tables: dict[str, pd.DataFrame]
    catalogue: Catalogue
    year: int
    quarter: str = ""
    benchmarks: dict[str, pd.DataFrame] = field(default_factory=dict)
    _cache: dict = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.benchmarks = self.benchmarks or benchmark_tables(self.tables)
        if not self.quarter and "benefits" in self.tables:
            self.quarter = profile_quarter(self.tables["benefits"], self.year)

    def figure(self, area: Area, key: str, period: str) -> AreaFigure | None:
        """One figure of an area above a region (or Nederland), computed once per process."""
        cache_key = (area.name, key, period)
        if cache_key not in self._cache:
            tables = self.benchmarks if area is NEDERLAND else self.tables
            when = period if "Q" in period else int(period)
            found = area_figure(tables, area, key, when) if tables else None
            if not complete_enough(found) and area is not NEDERLAND:
                # the way a card falls back (the wijk-level income table): a buurt's card showing its wijk's figure
                # then has that same figure in the wijk's column
                stand_in = income_stand_in(tables, area, key)
                found = stand_in if stand_in is not None and stand_in.period == period else found
            self._cache[cache_key] = found if complete_enough(found) else None
        return self._cache[cache_key]

    def parents(self, region: Region) -> list[Area]:
        """The areas above a region, nearest first: its wijk (for a buurt), its gemeente, Parkstad."""
        found = []
        if region.level == "buurt":
            wijk = self.catalogue.regions.get("WK" + region.code[2:8])
            if wijk is not None:
                found.append(self.catalogue.area(wijk))
        gemeente = self.catalogue.regions.get(region.gemeente)
        if region.level != "gemeente" and gemeente is not None:
            found.append(self.catalogue.area(gemeente))
        if region.gemeente in all_parkstad_codes():
            found.append(load_areas()["parkstad"])
        return found

    def key_figures(self, area: Area) -> list[AreaFigure]:
        """The region's own key figures (the profile's), each in its own period."""
        return list(key_figures(self.tables, area, self.year, self.quarter))

    def comparison(self, area: Area, figures: list[AreaFigure], parents: list[Area]) -> pd.DataFrame:
        """One row per figure: the region, each area above and Nederland, in the region's period.

        Columns ``label``, ``unit``, ``period``, ``<area name>`` per area (``nederland`` last), ``decimals`` and
        ``sources``.
        """
        columns = [area, *parents, NEDERLAND]
        rows = []
        for figure in figures:
            row = {"key": figure.key, "label": figure.label, "unit": figure.unit, "period": figure.period,
                   area.name: figure.value, "decimals": figure.decimals}
            sources = [figure.sources]
            for other in columns[1:]:
                value = self.figure(other, figure.key, figure.period)
                row[other.name] = value.value if value else np.nan
                sources.append(value.sources if value else "")
            row["sources"] = "; ".join(dict.fromkeys(s for part in sources for s in part.split("; ") if s))
            rows.append(row)
        return pd.DataFrame.from_records(rows, columns=["key", "label", "unit", "period", *(a.name for a in columns),
                                                        "decimals", "sources"])

    def overview_row(self, region: Region, figures: list[AreaFigure]) -> dict:
        """The region's line in the atlas's overview table: its figures of :data:`OVERVIEW` with their periods."""
        by_key = {f.key: f for f in figures}
        row = {"code": region.code, "name": region.name, "level": region.level, "gemeente": region.gemeente}
        for key, _, _ in OVERVIEW:
            figure = by_key.get(key)
            row[key] = figure.value if figure else np.nan
            row[f"{key}_period"] = figure.period if figure else ""
            row[f"{key}_decimals"] = figure.decimals if figure else 0
        return row
