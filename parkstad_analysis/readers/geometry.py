"""Boundary files → GeoDataFrames in EPSG:28992 (RD New).

Shapes handled:

* GeoJSON, in WGS84 or with a ``crs`` member naming EPSG:28992;
* TopoJSON (no CRS in the file: EPSG:4326 is assigned explicitly);
* the official wijk- en buurtkaart: a GeoPackage (2023 on), or a zip of shapefiles
  (2018–2022, e.g. a folder holding ``buurt_2019_v3.shp``) or of a GeoPackage; layer
  names differ per year (``buurten``, ``cbs_buurten_2021``, ``buurt_2019_v3``), column
  names come in upper or lower case, and water is flagged ``WATER`` or (older) ``H2O``:
  only land is kept.

Every result has ``region_code``, ``region_name``, ``level``, ``gemeente_code``,
``boundary_year`` and valid geometries, restricted to the gemeenten asked for.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Collection
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio
import shapely

from ..errors import DataFormatError
from ..vocabulary.regions import clean_codes, gemeente_of, level_of

RD_NEW = "EPSG:28992"
WGS84 = "EPSG:4326"

# Column names used by the various boundary files (compared case-insensitively), most specific first. The
# gemeente columns of a wijk file (GMC, GMN in the 2016 wijk map) are attributes, never its code or name.
_CODE_COLUMNS = ("buurtcode", "bu_code", "wijkcode", "wk_code", "wkc", "gemeentecode", "gm_code", "statcode",
                 "cbs-buurtcode")
_NAME_COLUMNS = ("buurtnaam", "bu_naam", "wijknaam", "wk_naam", "wkn", "gemeentenaam", "gm_naam", "statnaam")
#: Water flags of the wijk- en buurtkaart: WATER (JA/NEE) from 2019 on, H2O in older releases.
_WATER_COLUMNS = ("water", "h2o")


def _land_only(frame: gpd.GeoDataFrame, lower: dict[str, str]) -> gpd.GeoDataFrame:
    """Drop the features flagged as water (``JA``/``B``/``1``)."""
    for name in _WATER_COLUMNS:
        if name in lower:
            flag = frame[lower[name]].astype(str).str.strip().str.upper()
            return frame[~flag.isin(["JA", "B", "1", "TRUE"])]
    return frame


def _finish(frame: gpd.GeoDataFrame, path: Path, boundary_year: int,
            gemeenten: Collection[str] | None) -> gpd.GeoDataFrame:
    """Common tail: clean codes, levels, land only, the gemeenten asked for, RD New, valid geometries."""
    lower = {c.lower(): c for c in frame.columns}
    code_col = next((lower[c] for c in _CODE_COLUMNS if c in lower), None)
    name_col = next((lower[c] for c in _NAME_COLUMNS if c in lower), None)
    if code_col is None:
        raise DataFormatError(f"{path}: no region code column; expected one of {', '.join(_CODE_COLUMNS)}")
    frame = _land_only(frame, lower)
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
    if gemeenten is not None:
        out = out[out["gemeente_code"].isin(gemeenten)].reset_index(drop=True)
    out = out.to_crs(RD_NEW)
    invalid = ~out.geometry.is_valid
    if invalid.any():
        out.loc[invalid, "geometry"] = [_repaired(geometry) for geometry in out.geometry[invalid]]
    return out


def _repaired(geometry):
    """A valid version of an invalid outline, polygonal parts only (slivers of a quantised grid become lines)."""
    try:
        valid = shapely.make_valid(geometry, method="structure", keep_collapsed=False)
    except shapely.errors.GEOSException:  # an input GEOS cannot repair by structure: buffer it clean
        valid = geometry.buffer(0)
    parts = [p for p in shapely.get_parts(valid) if p.geom_type in ("Polygon", "MultiPolygon")]
    return shapely.union_all(parts) if parts else valid


def _check_crs(frame: gpd.GeoDataFrame, path: Path) -> None:
    if frame.crs is None:
        raise DataFormatError(f"{path}: the layer has no CRS; expected EPSG:4326 or EPSG:28992")
    if frame.crs.to_epsg() not in (4326, 28992, 4258, 3857):
        raise DataFormatError(f"{path}: unexpected CRS {frame.crs.to_string()}; expected EPSG:4326 or EPSG:28992")


def read_geojson(path: str | Path, boundary_year: int, gemeenten: Collection[str] | None = None) -> gpd.GeoDataFrame:
    """A GeoJSON of CBS regions (``CBS-buurtcode``, ``statcode`` or ``WKC`` and a name property)."""
    path = Path(path)
    frame = _read(path)
    _check_crs(frame, path)
    return _finish(frame, path, boundary_year, gemeenten)


def read_topojson(path: str | Path, boundary_year: int, gemeenten: Collection[str] | None = None) -> gpd.GeoDataFrame:
    """A TopoJSON of CBS regions. The file carries no CRS GDAL reads, so EPSG:4326 is assigned."""
    path = Path(path)
    frame = _read(path, prefix="TopoJSON:")
    lon_lat = frame.total_bounds
    if frame.crs is None:
        if not (-180 <= lon_lat[0] <= 180 and -90 <= lon_lat[1] <= 90):
            raise DataFormatError(f"{path}: coordinates {lon_lat.round(1).tolist()} are not lon/lat; cannot assign EPSG:4326")
        frame = frame.set_crs(WGS84)
    return _finish(frame, path, boundary_year, gemeenten)


def _level_of_layer(name: str) -> str | None:
    """``buurt``, ``wijk`` or ``gemeente`` for a kaart layer name such as ``cbs_buurten_2021`` or ``wijk_2019_v3``."""
    text = name.lower()
    for level, pattern in (("buurt", r"buurt"), ("wijk", r"wijk(?!enbuurt)"), ("gemeente", r"gemeente")):
        if re.search(pattern, text):
            return level
    return None


def wijkbuurtkaart_layers(path: str | Path) -> dict[str, tuple[str, str]]:
    """Level → (GDAL source, layer name) in an official wijk- en buurtkaart (GeoPackage, or zip of it or of shapefiles)."""
    path = Path(path)
    found: dict[str, tuple[str, str]] = {}
    for source in _sources(path):
        for name in (str(n) for n in pyogrio.list_layers(source)[:, 0]):
            level = _level_of_layer(name) or _level_of_layer(source.rsplit("/", 1)[-1])
            if level and level not in found:
                found[level] = (source, name)
    if not found:
        raise DataFormatError(f"{path}: no buurten/wijken/gemeenten layer; found {', '.join(_sources(path))}")
    return found


def read_wijkbuurtkaart(path: str | Path, boundary_year: int,
                        gemeenten: Collection[str] | None = None) -> dict[str, gpd.GeoDataFrame]:
    """All levels of an official wijk- en buurtkaart → level → GeoDataFrame (land only)."""
    path = Path(path)
    result = {}
    for level, (source, layer) in wijkbuurtkaart_layers(path).items():
        frame = _read_source(path, source, layer)
        _check_crs(frame, path)
        result[level] = _finish(frame, path, boundary_year, gemeenten)
    return result


def _sources(path: Path) -> list[str]:
    """GDAL sources of a kaart: the GeoPackage itself, or the GeoPackage or shapefiles inside the zip."""
    if path.suffix.lower() != ".zip":
        return [str(path)]
    try:
        with zipfile.ZipFile(path) as archive:
            names = archive.namelist()
    except zipfile.BadZipFile as exc:
        raise DataFormatError(f"{path}: not a readable zip ({exc})") from exc
    inner = [n for n in names if n.lower().endswith(".gpkg")] or [n for n in names if n.lower().endswith(".shp")]
    if not inner:
        raise DataFormatError(f"{path}: the zip holds neither a .gpkg nor .shp files")
    return [f"/vsizip/{path}/{name}" for name in sorted(inner)]


def _read_source(path: Path, source: str, layer: str) -> gpd.GeoDataFrame:
    try:
        return gpd.read_file(source, layer=layer, engine="pyogrio")
    except (pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError, ValueError) as exc:
        raise DataFormatError(f"{path}: not a readable geometry file ({exc})") from exc


def _read(path: Path, prefix: str = "") -> gpd.GeoDataFrame:
    if not path.exists():
        raise DataFormatError(f"{path}: file not found")
    try:
        return gpd.read_file(prefix + str(path), engine="pyogrio")
    except (pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError, ValueError) as exc:
        raise DataFormatError(f"{path}: not a readable geometry file ({exc})") from exc
