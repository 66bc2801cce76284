"""Boundary layers named ``<level>en_<year>`` (``buurten_2023``, ``wijken_2016``, …) from every geometry dataset fetched.

Each feature says where its outline comes from (``boundary_source``). Where it helps,
layers are composed: the coarse 2014 buurten (a ~300 m grid) are clipped to the
detailed wijken of 2016, so that a buurt no longer spills over its wijk, gemeente or
the border; gemeente outlines are dissolved from the wijken.
"""

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
#: The coarse buurten are clipped to the detailed wijken of this boundary year, when fetched.
CLIP_BUURTEN, TO_WIJKEN = "buurten_2014", "wijken_2016"


def _by_level(frame: gpd.GeoDataFrame) -> dict[str, gpd.GeoDataFrame]:
    return {level: part.reset_index(drop=True) for level, part in frame.groupby("level")}


def _geojson(raw: RawDataset, dataset: Dataset, context: BuildContext) -> dict[str, gpd.GeoDataFrame]:
    return _by_level(read_geojson(raw.path(), dataset.boundary_year, context.settings.scope.gemeenten()))


def _topojson(raw: RawDataset, dataset: Dataset, context: BuildContext) -> dict[str, gpd.GeoDataFrame]:
    return _by_level(read_topojson(raw.path(), dataset.boundary_year, context.settings.scope.gemeenten()))


def _kaart(raw: RawDataset, dataset: Dataset, context: BuildContext) -> dict[str, gpd.GeoDataFrame]:
    return read_wijkbuurtkaart(raw.path(), dataset.boundary_year, context.settings.scope.gemeenten())


READERS = {"geojson": _geojson, "topojson": _topojson, "wijkbuurtkaart-zip": _kaart}


def build_geometry(context: BuildContext) -> dict[str, gpd.GeoDataFrame]:
    """Every boundary layer, one feature per code (multi-part regions dissolved), composed where that helps."""
    layers: dict[str, gpd.GeoDataFrame] = {}
    for dataset, by_level in context.read_each("geometry", READERS):
        for level, frame in by_level.items():
            name = f"{PLURAL[level]}_{dataset.boundary_year}"
            frame = frame.assign(boundary_source=dataset.label or dataset.title)
            layers[name] = pd.concat([layers[name], frame]) if name in layers else frame
    for name in list(layers):
        frame = layers[name]
        if frame["region_code"].duplicated().any():
            frame = frame.dissolve(by="region_code", as_index=False, aggfunc="first")
        layers[name] = frame.sort_values("region_code").reset_index(drop=True)
    if CLIP_BUURTEN in layers and TO_WIJKEN in layers:
        layers[CLIP_BUURTEN] = clip_to_wijken(layers[CLIP_BUURTEN], layers[TO_WIJKEN])
    for name in [n for n in layers if n.startswith("wijken_")]:
        year = int(name.split("_")[1])
        if f"gemeenten_{year}" not in layers:
            layers[f"gemeenten_{year}"] = dissolve_gemeenten(layers[name], year)
    for _, raw in context.fetched("labels"):
        points = read_topojson(raw.path(), 2014, context.settings.scope.gemeenten())
        # one label point per buurt: a repeated point is dropped (the first is kept)
        layers[LABELS_LAYER] = points.drop_duplicates("region_code").sort_values("region_code").reset_index(drop=True)
    return layers


def clip_to_wijken(buurten: gpd.GeoDataFrame, wijken: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Each buurt cut to the outline of its wijk (same wijk code) in a more detailed layer.

    A buurt whose wijk the detailed layer lacks, or whose cut would be empty, keeps its outline.
    """
    outline = wijken.set_index("region_code").geometry
    wijk_codes = "WK" + buurten["region_code"].str[2:8]
    has_wijk = wijk_codes.isin(outline.index)
    clipped = buurten.copy()
    targets = gpd.GeoSeries(outline.reindex(wijk_codes[has_wijk]).values, index=clipped.index[has_wijk], crs=buurten.crs)
    cut = clipped.geometry[has_wijk].intersection(targets)
    keep = ~cut.is_empty
    clipped.loc[cut.index[keep], "geometry"] = cut[keep].make_valid()
    source = f"{buurten['boundary_source'].iloc[0]}, bijgesneden tot {wijken['boundary_source'].iloc[0]}"
    clipped.loc[cut.index[keep], "boundary_source"] = source
    return clipped


def dissolve_gemeenten(wijken: gpd.GeoDataFrame, year: int) -> gpd.GeoDataFrame:
    """Gemeente outlines dissolved from a wijk layer, named from the vocabulary where it knows them."""
    gemeenten = wijken.dissolve(by="gemeente_code", as_index=False, aggfunc="first")
    known = gemeenten["gemeente_code"].map(gemeente_names())
    gemeenten = gemeenten.assign(region_code=gemeenten["gemeente_code"], level="gemeente",
                                 region_name=known.astype("string"),
                                 boundary_year=pd.array([year] * len(gemeenten), dtype="Int64"),
                                 boundary_source=f"gemeentegrenzen samengesteld uit {wijken['boundary_source'].iloc[0]}")
    return gemeenten[["region_code", "region_name", "level", "gemeente_code", "boundary_year", "boundary_source",
                      "geometry"]]
