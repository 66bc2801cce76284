"""``parkstad build``: ``data/raw/`` → tables → the processed store.

Each table module says which dataset shapes feed it and how they are cleaned;
this module reads every fetched dataset through them, combines the datasets of
one table (most authoritative value per figure, its provenance, every
difference), adds the names, metadata and check tables, and hands the whole set
to :class:`~parkstad_analysis.processed.ProcessedStore`, which checks and writes
it. A failed build leaves ``data/processed`` as it was. No dataset id is named
here: datasets are found by the table they feed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from types import ModuleType

import pandas as pd

from ..config import Settings
from ..errors import FetchError
from ..fetch.raw import SOURCE_FILE
from ..locks import folder_lock
from ..processed import ProcessedStore
from . import benefits, cars, education, income, kwb
from .combine import combine
from .context import BuildContext
from .coverage import TABLE as COVERAGE_TABLE
from .coverage import coverage_table, dataset_coverage
from .definitions import TABLE as DEFINITIONS_TABLE
from .definitions import build_definitions
from .geometry import build_geometry
from .names import build_region_names, check_area_codes, code_lists, fill_names, layer_codes
from .press_release import TABLE as PRESS_TABLE
from .press_release import build_press_release_participation
from .projects import TABLE as PROJECTS_TABLE
from .projects import build_projects
from .quality import indicator_metadata, level_sums, quality_summary
from .tidy import in_scope, split_benchmarks

#: The region tables and the modules that read their datasets (``TABLE``, ``READERS``, ``ORDER``).
TABLE_MODULES: dict[str, ModuleType] = {module.TABLE: module for module in (kwb, benefits, education, income, cars)}


#: Boundary files compared with the one kept for the same regions and year (:func:`geometry.compare_outlines`).
BOUNDARY_TABLE = "boundary_comparisons"
BOUNDARY_COLUMNS = ["layer", "kept", "other", "regions", "differing", "largest_share", "largest_region"]


@dataclass
class BuildReport:
    """What a build wrote, what it compared and what it had to leave out."""

    tables: dict[str, int] = field(default_factory=dict)
    layers: dict[str, int] = field(default_factory=dict)
    skipped: list[str] = field(default_factory=list)
    comparisons: pd.DataFrame = field(default_factory=pd.DataFrame)
    boundary_comparisons: pd.DataFrame = field(default_factory=pd.DataFrame)
    generation: str = ""
    #: One row per dataset read: gemeenten, levels and periods it holds, and why it is partial (``coverage``).
    coverage: pd.DataFrame = field(default_factory=pd.DataFrame)
    #: Rows of Nederland and its parts per region table (``<table>_benchmarks``).
    benchmarks: dict[str, int] = field(default_factory=dict)


#: The processed table of a region table's benchmark rows (Nederland, landsdelen, provinces).
def benchmark_table(table: str) -> str:
    """``benefits`` → ``benefits_benchmarks``."""
    return f"{table}_benchmarks"


def _check_tables(parts_by_table: dict[str, list], combined: dict) -> dict[str, pd.DataFrame]:
    """Provenance, differences, comparisons and level sums of every table, stacked."""
    checks = {"provenance": [], "reconciliation": [], "comparisons": [], "level_sums": []}
    for name, result in combined.items():
        checks["provenance"].append(result.provenance)
        checks["reconciliation"].append(result.differences)
        checks["comparisons"].append(result.comparisons)
        checks["level_sums"].append(level_sums(name, parts_by_table[name]))
    return {key: pd.concat([f for f in frames if len(f)], ignore_index=True) if any(len(f) for f in frames)
            else pd.DataFrame() for key, frames in checks.items()}


def _benchmarks(table: str, parts: list, context: BuildContext):
    """The benchmark rows of a region table combined as its regions are; provenance and comparisons name the
    benchmark table, so that a region table's figures and their sources stay one to one."""
    result = combine(table, parts, TABLE_MODULES[table].ORDER, context.registry)
    name = benchmark_table(table)
    for frame in (result.provenance, result.differences, result.comparisons):
        if "table" in frame.columns:
            frame["table"] = name
    return result


def build(settings: Settings | None = None) -> BuildReport:
    """Build every processed table from what ``data/raw`` holds.

    Parameters
    ----------
    settings : Settings, optional
        Default :meth:`Settings.from_env`.

    Returns
    -------
    BuildReport
        Rows per table, features per layer, the pairs of datasets compared, and tables
        left out for lack of raw data.

    Raises
    ------
    FetchError
        When ``data/raw`` holds nothing (run ``parkstad fetch`` first) or a raw file changed.
    DataFormatError
        When a raw file cannot be read, two copies of one dataset disagree, or a table fails
        its schema; ``data/processed`` is then left exactly as it was.
    """
    settings = settings or Settings.from_env()
    if not settings.raw_dir.is_dir() or not any(settings.raw_dir.glob(f"*/{SOURCE_FILE}")):
        raise FetchError(f"{settings.raw_dir}: no fetched datasets; run `parkstad fetch` first")
    with folder_lock(settings.processed_dir, "build"):
        return _build(settings)


def _build(settings: Settings) -> BuildReport:
    context = BuildContext(settings)
    parts_by_table: dict[str, list] = {name: [] for name in TABLE_MODULES}
    benchmark_parts: dict[str, list] = {name: [] for name in TABLE_MODULES}
    covered = []
    for name, module in TABLE_MODULES.items():
        for dataset, frame in context.read_each(name, module.READERS):
            scoped = in_scope(frame, settings.scope)
            covered.append(dataset_coverage(dataset, name, scoped, context.extents.get(dataset.id, []), settings.scope))
            regions, above = split_benchmarks(scoped)
            parts_by_table[name].append((dataset, regions))
            benchmark_parts[name].append((dataset, above))
    combined = {name: combine(name, parts, TABLE_MODULES[name].ORDER, context.registry)
                for name, parts in parts_by_table.items()}
    benchmarks = {benchmark_table(name): _benchmarks(name, parts, context) for name, parts in benchmark_parts.items()}
    tables = {name: result.frame for name, result in combined.items()}
    layers = build_geometry(context)
    names = build_region_names(tables, layers, code_lists(context.fetched("region_names")))
    check_area_codes(layer_codes(layers), settings.scope)
    report = BuildReport()
    for name in list(tables):
        if not len(tables[name]):
            report.skipped.append(name)
            del tables[name]
        else:
            tables[name] = fill_names(tables[name], names)
    quality = quality_summary(tables)
    metadata = indicator_metadata(tables)
    tables |= {PROJECTS_TABLE: build_projects(context), PRESS_TABLE: build_press_release_participation(context),
               "region_names": names, "indicators": metadata, DEFINITIONS_TABLE: build_definitions(context)}
    checks = _check_tables(parts_by_table | {benchmark_table(n): p for n, p in benchmark_parts.items()},
                           combined | benchmarks)
    tables |= {key: frame for key, frame in checks.items() if len(frame)}
    tables |= {name: result.frame for name, result in benchmarks.items() if len(result.frame)}
    coverage = coverage_table(covered)
    tables[COVERAGE_TABLE] = coverage
    boundaries = pd.DataFrame.from_records(context.boundary_checks, columns=BOUNDARY_COLUMNS)
    if len(boundaries):
        tables[BOUNDARY_TABLE] = boundaries
    written = ProcessedStore(settings).write(tables, layers, quality)
    report.tables, report.layers, report.comparisons = written.tables, written.layers, checks["comparisons"]
    report.boundary_comparisons = boundaries
    report.generation = written.generation
    report.coverage = coverage
    report.benchmarks = {name: rows for name, rows in written.tables.items() if name.endswith("_benchmarks")}
    return report
