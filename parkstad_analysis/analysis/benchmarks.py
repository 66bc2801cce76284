"""Nederland as a benchmark, computed the same way as the regions beside it.

The build keeps the country rows of a table apart (``<table>_benchmarks``). A
benchmark is an :class:`~parkstad_analysis.vocabulary.areas.Area` of one
pseudo-code over those rows, so every figure of it goes through the same
functions as a buurt's (:func:`~parkstad_analysis.analysis.profile.area_figure`):
a rate per 1.000 inhabitants 15+ is Σ recipients / Σ inhabitants 15+, never a
published percentage of another population.

Which row is "Nederland" differs per table: in the KWB it is ``NL00``; in the
benefit tables ``NL00`` ("Totaal") also counts benefits paid to people living
abroad and has no inhabitants, so the benchmark is ``NL01``, the residents of
Nederland, the population the regions' rates are of.
"""

from __future__ import annotations

import pandas as pd

from ..vocabulary.areas import Area
from .profile import AreaFigure, area_figure, complete_enough

#: Per region table, the row that is Nederland (see the module's docstring).
NATIONAL_ROWS = {"kwb": "NL00", "benefits": "NL01"}
#: The pseudo-code the benchmark area is made of in :func:`benchmark_tables`.
NATIONAL_CODE = "NL"
NEDERLAND = Area(
    name="nederland", title="Nederland", level="land", codes=(NATIONAL_CODE,), boundaries=(2014, 2024), gemeente="",
    definition="Nederland: in de Kerncijfers wijken en buurten het land (NL00); in de uitkeringstabellen de inwoners "
               "van Nederland (NL01), zonder uitkeringen aan wie in het buitenland woont.",
    source="CBS, landelijke rijen van dezelfde tabellen")


def benchmark_tables(tables: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """The tables of the Nederland benchmark: each region table's national row, under :data:`NATIONAL_CODE`.

    Parameters
    ----------
    tables : dict of DataFrame
        Processed tables by name, with ``<table>_benchmarks`` where the build made them (``pa.load()`` gives them
        through :meth:`Data.table`).

    Returns
    -------
    dict of DataFrame
        ``kwb`` and ``benefits`` (where present) in the shape of the region tables, and the provenance.
    """
    found = {}
    for table, code in NATIONAL_ROWS.items():
        frame = _benchmark_frame(tables, table)
        if frame is None or not len(frame):
            continue
        rows = frame[frame["region_code"] == code].copy()
        rows["region_code"] = NATIONAL_CODE
        rows["gemeente_code"] = ""
        found[table] = rows.reset_index(drop=True)
    provenance = tables.get("provenance")
    if provenance is not None:
        national = provenance[provenance["table"].str.endswith("_benchmarks")].copy()
        national = national[national["region_code"].isin(list(NATIONAL_ROWS.values()))]
        national["region_code"] = NATIONAL_CODE
        national["table"] = national["table"].str.removesuffix("_benchmarks")
        found["provenance"] = national
    return found


def _benchmark_frame(tables: dict[str, pd.DataFrame], table: str) -> pd.DataFrame | None:
    name = f"{table}_benchmarks"
    if name in tables:
        return tables[name]
    store = getattr(tables, "store", None)  # research.Data reads any table of its generation
    return store.load_table(name) if store is not None and store.has_table(name) else None


def national_figure(tables: dict[str, pd.DataFrame], key: str, period: str | int,
                    benchmarks: dict[str, pd.DataFrame] | None = None) -> AreaFigure | None:
    """One figure of Nederland in one period, computed as a region's is; ``None`` when the files lack it."""
    benchmarks = benchmarks if benchmarks is not None else benchmark_tables(tables)
    if not benchmarks:
        return None
    figure = area_figure(benchmarks, NEDERLAND, key, period)
    return figure if complete_enough(figure) else None


def national_series(tables: dict[str, pd.DataFrame], kind: str = "bijstand",
                    benchmarks: dict[str, pd.DataFrame] | None = None) -> pd.DataFrame:
    """Nederland's benefit rate per 1.000 inhabitants 15+ per quarter (``period``, ``value``, ``lower``, ``upper``)."""
    from .aggregate import rate
    from .indicators import BENEFITS

    benchmarks = benchmarks if benchmarks is not None else benchmark_tables(tables)
    if "benefits" not in benchmarks:
        return pd.DataFrame(columns=["period", "value", "lower", "upper"])
    result = rate(benchmarks["benefits"], NEDERLAND, BENEFITS[kind], "inwoners_15_plus", per=1000)
    return result[["period", "value", "lower", "upper"]].reset_index(drop=True)
