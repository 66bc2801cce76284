"""``parkstad build``: ``data/raw/`` → tables → the processed store.

Each table module reads the datasets that feed it (by the registry's ``feeds``)
in whatever shape they were fetched; this module runs them, adds the names and
metadata tables, and hands the whole set to :class:`~parkstad_analysis.processed.ProcessedStore`,
which checks and writes it. A failed build leaves ``data/processed`` as it was.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import pandas as pd

from ..config import Settings
from ..errors import FetchError
from ..fetch.raw import SOURCE_FILE
from ..processed import METADATA_TABLE, NAMES_TABLE, ProcessedStore
from .benefits import build_benefits
from .cars import build_cars
from .context import BuildContext
from .crosscheck import cross_check
from .education import build_education
from .geometry import build_geometry
from .income import build_income
from .kwb import build_kwb
from .names import build_region_names, fill_names
from .population import build_population
from .projects import TABLE as PROJECTS_TABLE
from .projects import build_projects
from .quality import indicator_metadata, quality_summary

#: Every region table and the function that builds it.
TABLE_BUILDERS: dict[str, Callable[[BuildContext], pd.DataFrame]] = {
    "kwb": build_kwb,
    "benefits": build_benefits,
    "population": build_population,
    "education": build_education,
    "income": build_income,
    "cars": build_cars,
}


@dataclass
class BuildReport:
    """What a build wrote and what it had to leave out."""

    tables: dict[str, int] = field(default_factory=dict)
    layers: dict[str, int] = field(default_factory=dict)
    skipped: list[str] = field(default_factory=list)
    checked: list[str] = field(default_factory=list)


def build(settings: Settings | None = None) -> BuildReport:
    """Build every processed table from what ``data/raw`` holds.

    Parameters
    ----------
    settings : Settings, optional
        Default :meth:`Settings.from_env`.

    Returns
    -------
    BuildReport
        Rows per table, features per layer, and tables left out for lack of raw data.

    Raises
    ------
    FetchError
        When ``data/raw`` holds nothing (run ``parkstad fetch`` first) or a raw file changed.
    DataFormatError
        When a raw file cannot be read or a table fails its schema; ``data/processed``
        is then left exactly as it was.
    """
    settings = settings or Settings.from_env()
    if not settings.raw_dir.is_dir() or not any(settings.raw_dir.glob(f"*/{SOURCE_FILE}")):
        raise FetchError(f"{settings.raw_dir}: no fetched datasets; run `parkstad fetch` first")
    context = BuildContext(settings)
    report = BuildReport()
    tables = {name: builder(context) for name, builder in TABLE_BUILDERS.items()}
    report.checked = cross_check(context, tables)
    layers = build_geometry(context)
    names = build_region_names(tables, layers)
    for name in list(tables):
        if not len(tables[name]):
            report.skipped.append(name)
            del tables[name]
        else:
            tables[name] = fill_names(tables[name], names)
    quality = quality_summary(tables)
    tables[PROJECTS_TABLE] = build_projects(context)
    tables[NAMES_TABLE] = names
    tables[METADATA_TABLE] = indicator_metadata({k: v for k, v in tables.items() if k in TABLE_BUILDERS})
    written = ProcessedStore(settings).write(tables, layers, quality)
    report.tables, report.layers = written.tables, written.layers
    return report
