"""Declared schemas of the processed tables, generated from the indicator vocabulary (pandera).

A processed table has the id columns and exactly the indicators the vocabulary
declares for it: a missing or an unexpected column fails, as does a bad code,
level or period, or two rows for the same region and period.
"""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
import pandera.errors
import pandera.pandas as pa

from ..errors import DataFormatError
from ..vocabulary.indicators import table_indicators
from ..vocabulary.regions import CODE_PATTERN, GEMEENTE_PATTERN

QUARTERLY = {"benefits"}


def region_table_schema(table: str) -> pa.DataFrameSchema:
    """Schema of a processed region table: id columns plus its declared indicators, all nullable ``Float64``."""
    quarterly = table in QUARTERLY
    columns = {
        "region_code": pa.Column(str, pa.Check.str_matches(f"^{CODE_PATTERN}$"), nullable=False),
        "region_name": pa.Column("string", nullable=True),
        "level": pa.Column(str, pa.Check.isin(["gemeente", "wijk", "buurt"])),
        "gemeente_code": pa.Column(str, pa.Check.str_matches(f"^{GEMEENTE_PATTERN}$")),
        "year": pa.Column("Int64", pa.Check.in_range(1990, 2100), nullable=False),
    }
    if quarterly:
        columns["period"] = pa.Column("string", pa.Check.str_matches(r"^\d{4}Q[1-4]$"), nullable=False)
    for name in table_indicators(table):
        columns[name] = pa.Column("Float64", nullable=True)
    keys = ["region_code", "period"] if quarterly else ["region_code", "year"]
    return pa.DataFrameSchema(columns, strict=True, unique=keys, coerce=False)


def validate_region_table(frame: pd.DataFrame, table: str) -> pd.DataFrame:
    """Check a tidy region table against its declared schema.

    Raises
    ------
    DataFormatError
        Naming the table, the failing column and check.
    """
    try:
        return region_table_schema(table).validate(frame, lazy=True)
    except pandera.errors.SchemaErrors as exc:
        cases = exc.failure_cases.head(3)
        detail = "; ".join(f"column {r.column!r}: {r.check} (e.g. {r.failure_case!r})" for r in cases.itertuples())
        raise DataFormatError(f"processed table {table!r} fails its schema: {detail}") from exc


def validate_geometry_layer(frame: gpd.GeoDataFrame, layer: str) -> gpd.GeoDataFrame:
    """Check a boundary layer: required columns, EPSG:28992, valid, non-empty, unique codes."""
    required = ["region_code", "region_name", "level", "gemeente_code", "boundary_year", "geometry"]
    missing = [c for c in required if c not in frame.columns]
    problems = [f"missing column(s) {missing}"] if missing else []
    if frame.crs is None or frame.crs.to_epsg() != 28992:
        problems.append(f"CRS {frame.crs} is not EPSG:28992")
    if len(frame) == 0:
        problems.append("no features")
    if not missing:
        if not frame.geometry.is_valid.all():
            problems.append(f"{int((~frame.geometry.is_valid).sum())} invalid geometries")
        if frame["region_code"].duplicated().any():
            dup = frame.loc[frame["region_code"].duplicated(), "region_code"].iloc[0]
            problems.append(f"region_code {dup!r} appears more than once")
    if problems:
        raise DataFormatError(f"geometry layer {layer!r}: " + "; ".join(problems))
    return frame
