"""Boundary layers named ``<level>en_<year>`` (``buurten_2023``, ``wijken_2014``, …) from every geometry dataset fetched."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd

from ..fetch.raw import RawDataset
from ..fetch.registry import Dataset
from ..readers.geometry import read_geojson, read_topojson, read_wijkbuurtkaart
from ..vocabulary.regions import gemeente_names
from .context import BuildContext

PLURAL = {"buurt": "buurten", "wijk": "wijken", "gemeente": "gemeenten"}
LABELS_LAYER = "buurt_labels_2014"


def _by_level(frame: gpd.GeoDataFrame) -> dict[str, gpd.GeoDataFrame]:
    return {level: part.reset_index(drop=True) for level, part in frame.groupby("level")}


def _geojson(raw: RawDataset, dataset: Dataset, context: BuildContext) -> dict[str, gpd.GeoDataFrame]:
    return _by_level(read_geojson(raw.path(), dataset.boundary_year))


def _topojson(raw: RawDataset, dataset: Dataset, context: BuildContext) -> dict[str, gpd.GeoDataFrame]:
    return _by_level(read_topojson(raw.path(), dataset.boundary_year))


def _kaart(raw: RawDataset, dataset: Dataset, context: BuildContext) -> dict[str, gpd.GeoDataFrame]:
    return read_wijkbuurtkaart(raw.path(), dataset.boundary_year)


READERS = {"geojson": _geojson, "topojson": _topojson, "wijkbuurtkaart-zip": _kaart}


def build_geometry(context: BuildContext) -> dict[str, gpd.GeoDataFrame]:
    """Every boundary layer, one feature per code (multi-part regions dissolved), plus the 2014 label points."""
    layers: dict[str, gpd.GeoDataFrame] = {}
    for dataset, by_level in context.read_each("geometry", READERS):
        for level, frame in by_level.items():
            name = f"{PLURAL[level]}_{dataset.boundary_year}"
            layers[name] = pd.concat([layers[name], frame]) if name in layers else frame
    for name in list(layers):
        frame = layers[name]
        if frame["region_code"].duplicated().any():
            frame = frame.dissolve(by="region_code", as_index=False, aggfunc="first")
        layers[name] = frame.sort_values("region_code").reset_index(drop=True)
    if "wijken_2014" in layers and "gemeenten_2014" not in layers:
        layers["gemeenten_2014"] = dissolve_gemeenten(layers["wijken_2014"], 2014)
    for _, raw in context.fetched("labels"):
        points = read_topojson(raw.path(), 2014)
        # one label point per buurt: a repeated point is dropped (the first is kept)
        layers[LABELS_LAYER] = points.drop_duplicates("region_code").sort_values("region_code").reset_index(drop=True)
    return layers


def dissolve_gemeenten(wijken: gpd.GeoDataFrame, year: int) -> gpd.GeoDataFrame:
    """Gemeente outlines dissolved from a wijk layer, named from the vocabulary."""
    gemeenten = wijken.dissolve(by="gemeente_code", as_index=False)[["gemeente_code", "geometry"]]
    gemeenten = gemeenten.assign(region_code=gemeenten["gemeente_code"], level="gemeente",
                                 region_name=gemeenten["gemeente_code"].map(gemeente_names()).astype("string"),
                                 boundary_year=pd.array([year] * len(gemeenten), dtype="Int64"))
    return gemeenten[["region_code", "region_name", "level", "gemeente_code", "boundary_year", "geometry"]]
