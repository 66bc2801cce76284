"""Boundary files → GeoDataFrames in EPSG:28992 (RD New), restricted to Parkstad.

Shapes handled: GeoJSON (WGS84), TopoJSON (no CRS in the file: EPSG:4326 is
assigned explicitly), and the official wijk- en buurtkaart (GeoPackage or the
zip CBS distributes, layers ``buurten``/``wijken``/``gemeenten``, column names
in upper or lower case, a ``water`` flag).

Every result has ``region_code``, ``region_name``, ``level``, ``gemeente_code``,
``boundary_year`` and valid geometries.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio
import shapely

from ..errors import DataFormatError
from ..vocabulary.regions import all_parkstad_codes, clean_codes, gemeente_of, level_of, parkstad_gemeenten

RD_NEW = "EPSG:28992"
WGS84 = "EPSG:4326"

# Column names used by the various wijk- en buurtkaart years (compared case-insensitively).
_CODE_COLUMNS = ("buurtcode", "bu_code", "wijkcode", "wk_code", "gemeentecode", "gm_code", "statcode", "cbs-buurtcode")
_NAME_COLUMNS = ("buurtnaam", "bu_naam", "wijknaam", "wk_naam", "gemeentenaam", "gm_naam", "statnaam")


def _finish(frame: gpd.GeoDataFrame, path: Path, boundary_year: int, parkstad_only: bool) -> gpd.GeoDataFrame:
    """Common tail: clean codes, levels, Parkstad filter, RD New, valid geometries."""
    lower = {c.lower(): c for c in frame.columns}
    code_col = next((lower[c] for c in _CODE_COLUMNS if c in lower), None)
    name_col = next((lower[c] for c in _NAME_COLUMNS if c in lower), None)
    if code_col is None:
        raise DataFormatError(f"{path}: no region code column; expected one of {', '.join(_CODE_COLUMNS)}")
    if "water" in lower:  # wijk- en buurtkaart: drop the water-only parts
        frame = frame[frame[lower["water"]].astype(str).str.upper().ne("JA")]
    codes = clean_codes(frame[code_col].reset_index(drop=True), where=f"{path}, column {code_col!r}")
    out = gpd.GeoDataFrame(
        {
            "region_code": codes,
            "region_name": (frame[name_col].reset_index(drop=True).astype("string").str.strip()
                            if name_col else pd.array([pd.NA] * len(codes), dtype="string")),
            "level": level_of(codes),
            "gemeente_code": gemeente_of(codes),
            "boundary_year": pd.array([boundary_year] * len(codes), dtype="Int64"),
        },
        geometry=frame.geometry.reset_index(drop=True),
        crs=frame.crs,
    )
    if parkstad_only:
        wanted = set(parkstad_gemeenten(boundary_year)) if boundary_year else all_parkstad_codes()
        out = out[out["gemeente_code"].isin(wanted)].reset_index(drop=True)
    out = out.to_crs(RD_NEW)
    invalid = ~out.geometry.is_valid
    if invalid.any():
        out.loc[invalid, "geometry"] = shapely.make_valid(out.geometry[invalid].values)
    return out


def _check_crs(frame: gpd.GeoDataFrame, path: Path) -> None:
    if frame.crs is None:
        raise DataFormatError(f"{path}: the layer has no CRS; expected EPSG:4326 or EPSG:28992")
    if frame.crs.to_epsg() not in (4326, 28992, 4258, 3857):
        raise DataFormatError(f"{path}: unexpected CRS {frame.crs.to_string()}; expected EPSG:4326 or EPSG:28992")


def read_geojson(path: str | Path, boundary_year: int, parkstad_only: bool = True) -> gpd.GeoDataFrame:
    """A GeoJSON of CBS regions (``CBS-buurtcode``/``statcode`` and a name property)."""
    path = Path(path)
    frame = _read(path)
    _check_crs(frame, path)
    return _finish(frame, path, boundary_year, parkstad_only)


def read_topojson(path: str | Path, boundary_year: int, parkstad_only: bool = True) -> gpd.GeoDataFrame:
    """A TopoJSON of CBS regions. The file carries no CRS GDAL reads, so EPSG:4326 is assigned."""
    path = Path(path)
    frame = _read(path, prefix="TopoJSON:")
    lon_lat = frame.total_bounds
    if frame.crs is None:
        if not (-180 <= lon_lat[0] <= 180 and -90 <= lon_lat[1] <= 90):
            raise DataFormatError(f"{path}: coordinates {lon_lat.round(1).tolist()} are not lon/lat; cannot assign EPSG:4326")
        frame = frame.set_crs(WGS84)
    return _finish(frame, path, boundary_year, parkstad_only)


def wijkbuurtkaart_layers(path: str | Path) -> dict[str, str]:
    """Level → layer name in an official wijk- en buurtkaart (GeoPackage or zip)."""
    path = Path(path)
    source = _source(path)
    names = [str(n) for n in pyogrio.list_layers(source)[:, 0]]
    found = {}
    for level, stem in (("buurt", "buurt"), ("wijk", "wijk"), ("gemeente", "gemeente")):
        match = [n for n in names if n.lower().startswith(stem) or f"_{stem}" in n.lower()]
        if match:
            found[level] = match[0]
    if not found:
        raise DataFormatError(f"{path}: no buurten/wijken/gemeenten layer; layers are {', '.join(names)}")
    return found


def read_wijkbuurtkaart(path: str | Path, boundary_year: int, parkstad_only: bool = True) -> dict[str, gpd.GeoDataFrame]:
    """All levels of an official wijk- en buurtkaart → level → GeoDataFrame."""
    path = Path(path)
    result = {}
    for level, layer in wijkbuurtkaart_layers(path).items():
        frame = _read(path, layer=layer)
        _check_crs(frame, path)
        result[level] = _finish(frame, path, boundary_year, parkstad_only)
    return result


def _source(path: Path) -> str:
    if path.suffix.lower() == ".zip":  # CBS ships the GeoPackage inside a zip
        with zipfile.ZipFile(path) as archive:
            inner = [n for n in archive.namelist() if n.lower().endswith(".gpkg")]
        if not inner:
            raise DataFormatError(f"{path}: the zip holds no .gpkg file")
        return f"/vsizip/{path}/{inner[0]}"
    return str(path)


def _read(path: Path, prefix: str = "", layer: str | None = None) -> gpd.GeoDataFrame:
    if not path.exists():
        raise DataFormatError(f"{path}: file not found")
    try:
        return gpd.read_file(prefix + _source(path), layer=layer, engine="pyogrio")
    except (pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError, ValueError) as exc:
        raise DataFormatError(f"{path}: not a readable geometry file ({exc})") from exc
