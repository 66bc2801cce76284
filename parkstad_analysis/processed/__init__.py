"""The processed store: the one owner of ``data/processed`` — its file names, generations, loading,
schema checks and writing.

Nothing else in the package names a processed file. A build hands the store
complete tables and layers; the store checks every region table against its
declared schema and writes the whole set as a new generation (see
:mod:`.generations`): a failed or interrupted write leaves the previous one in
use, and a reader pinned to a generation reads one consistent set.

Processed outputs
-----------------
``<table>.parquet``       the region tables (kwb, benefits, education, income, cars)
``region_names.parquet``  code → name, per source and year
``indicators.parquet``    title, unit and kind of every indicator column
``geometry.gpkg``         boundary layers in EPSG:28992
``data_quality.csv``      rows per level and period, share missing per indicator
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyarrow.parquet as pq
import pyogrio

from ..config import Settings
from ..errors import DataFormatError, FetchError
from ..fetch.raw import sha256_of
from ..vocabulary.indicators import TABLES as REGION_TABLES
from . import generations
from .schema import validate_geometry_layer, validate_region_table

GEOMETRY_FILE = "geometry.gpkg"
QUALITY_FILE = "data_quality.csv"
NAMES_TABLE, METADATA_TABLE = "region_names", "indicators"
#: Layers that are points, not regions: not checked as boundary layers.
POINT_LAYERS = ("buurt_labels_2014",)
#: The layer of the national border along the scope (lines, ``tables.geometry.national_border``).
BORDER_LAYER = "landsgrens"
#: The region tables the notebooks load; kwb and benefits are required.
REQUIRED = ("kwb", "benefits")
#: Tables every figure may need besides the region tables, when the build made them (the benchmarks: Nederland).
FIGURE_EXTRAS = (NAMES_TABLE, "provenance", "kwb_benchmarks", "benefits_benchmarks")


#: Written into a GeoPackage instead of the time of writing, so that the same layers give the same bytes.
FIXED_DATE = "2000-01-01T00:00:00Z"


@dataclass
class WriteReport:
    """What a write put into ``data/processed``."""

    generation: str = ""
    tables: dict[str, int] = field(default_factory=dict)
    layers: dict[str, int] = field(default_factory=dict)


class ProcessedStore:
    """One generation of ``data/processed`` of one project.

    Parameters
    ----------
    settings : Settings, optional
        Default :meth:`Settings.from_env`.
    generation : str, optional
        The generation to read; default ``$PARKSTAD_GENERATION`` (a report's kernels), else the
        current one when the store is made. A store reads that one generation throughout.
    """

    def __init__(self, settings: Settings | None = None, generation: str | None = None):
        self.settings = settings or Settings.from_env()
        self.root = self.settings.processed_dir
        self.generation = generation or os.environ.get(generations.GENERATION_ENV) or generations.current(self.root)
        self.folder = generations.folder(self.root, self.generation) if self.generation else self.root / "(not built)"

    def _table_path(self, name: str) -> Path:
        return self.folder / f"{name}.parquet"

    def has_table(self, name: str) -> bool:
        """True when the table has been built."""
        return self._table_path(name).is_file()

    def exists(self) -> bool:
        """True when a build has written the store (the KWB table at least)."""
        return self.has_table("kwb")

    def load_table(self, name: str, columns: list[str] | None = None) -> pd.DataFrame:
        """A processed table by name (``kwb``, ``benefits``, ``region_names``, …).

        Raises
        ------
        FetchError
            When the table has not been built (run ``parkstad fetch`` and ``parkstad build``).
        """
        path = self._table_path(name)
        if not path.is_file():
            raise FetchError(f"{path}: not built; run `parkstad fetch` and `parkstad build` first")
        return pd.read_parquet(path, columns=columns)

    def table_columns(self, name: str) -> list[str]:
        """The columns of a built table, read from its parquet schema only."""
        return list(pq.read_schema(self._table_path(name)).names)

    def load_tables(self, names: tuple[str, ...] = REGION_TABLES) -> dict[str, pd.DataFrame]:
        """The built region tables among ``names`` (``kwb`` and ``benefits`` must be built)."""
        return {name: self.load_table(name) for name in names if self.has_table(name) or name in REQUIRED}

    def figure_tables(self) -> dict[str, pd.DataFrame]:
        """What every figure is computed from: the region tables with the region names and provenance.

        The notebooks (``research.Data``) and the report's index read the same tables, so that a figure is
        computed the same way on every page (a gemeente summed from its buurten needs the names).
        """
        tables = self.load_tables()
        for name in FIGURE_EXTRAS:
            if self.has_table(name):
                tables[name] = self.load_table(name)
        return tables

    def load_quality(self) -> pd.DataFrame:
        """Rows per level and period and the share missing per indicator."""
        path = self.folder / QUALITY_FILE
        if not path.is_file():
            raise FetchError(f"{path}: not built; run `parkstad build` first")
        return pd.read_csv(path)

    def load_layers(self) -> dict[str, gpd.GeoDataFrame]:
        """Every boundary layer, checked to be in EPSG:28992."""
        path = self.folder / GEOMETRY_FILE
        if not path.is_file():
            raise FetchError(f"{path}: not built; run `parkstad fetch` and `parkstad build` first")
        layers = {}
        for name in pyogrio.list_layers(path)[:, 0]:
            frame = gpd.read_file(path, layer=name)
            check_crs(frame, f"{path}, layer {name!r}")
            layers[str(name)] = frame
        return layers

    def checksums(self) -> dict[str, str]:
        """File name → sha256 of every file of the store (for manifests and fingerprints)."""
        return {p.name: sha256_of(p) for p in sorted(self.folder.glob("*")) if p.is_file()}

    def write(self, tables: dict[str, pd.DataFrame], layers: dict[str, gpd.GeoDataFrame],
              quality: pd.DataFrame) -> WriteReport:
        """Check and write a complete set as a new generation, then make it the current one.

        Raises
        ------
        DataFormatError
            When a region table fails its schema or a layer its checks; nothing is written then.
        """
        for name, frame in tables.items():
            if name in REGION_TABLES:
                validate_region_table(frame, name)
        for name, layer in layers.items():
            if name not in POINT_LAYERS:
                validate_geometry_layer(layer, name)
        report = WriteReport()
        with generations.staged(self.root) as (generation, staging):
            for name, frame in tables.items():
                frame.to_parquet(staging / f"{name}.parquet", index=False)
                report.tables[name] = len(frame)
            pyogrio.set_gdal_config_options({"OGR_CURRENT_DATE": FIXED_DATE})
            for name, layer in layers.items():
                layer.to_file(staging / GEOMETRY_FILE, layer=name, driver="GPKG", engine="pyogrio")
                report.layers[name] = len(layer)
            quality.to_csv(staging / QUALITY_FILE, index=False)
            generations.publish(self.root, generation, staging)
        self.generation, self.folder = generation, generations.folder(self.root, generation)
        report.generation = generation
        return report


def check_crs(frame: gpd.GeoDataFrame, where: str) -> None:
    """Refuse geometry without a CRS or in another CRS than EPSG:28992."""
    if frame.crs is None:
        raise DataFormatError(f"{where}: geometry has no CRS; expected EPSG:28992 (RD New)")
    if frame.crs.to_epsg() != 28992:
        raise DataFormatError(f"{where}: geometry is in {frame.crs.to_string()}; expected EPSG:28992 (RD New)")


def load_table(name: str, settings: Settings | None = None) -> pd.DataFrame:
    """A processed table by name; see :meth:`ProcessedStore.load_table`."""
    return ProcessedStore(settings).load_table(name)


def load_tables(settings: Settings | None = None) -> dict[str, pd.DataFrame]:
    """The built region tables; see :meth:`ProcessedStore.load_tables`."""
    return ProcessedStore(settings).load_tables()


def load_layers(settings: Settings | None = None) -> dict[str, gpd.GeoDataFrame]:
    """Every boundary layer; see :meth:`ProcessedStore.load_layers`."""
    return ProcessedStore(settings).load_layers()
