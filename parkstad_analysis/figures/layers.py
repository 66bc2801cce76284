"""Which boundary layer to draw an area on: the most detailed set that holds the whole area, nearest in year.

Statistics of one year drawn on boundaries of another are flagged: the chosen
layer carries a note for the map, and a :class:`BoundaryYearWarning` is issued.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field

import geopandas as gpd
import pandas as pd

from ..errors import DataFormatError, caller_stacklevel
from ..vocabulary.areas import Area
from ..vocabulary.regions import current_gemeenten, successor

#: The 2014 national TopoJSON is quantised to a grid of ~300 m.
COARSE_YEARS = {2014}
_PREFIX = {"buurt": "buurten_", "wijk": "wijken_"}


class BoundaryYearWarning(UserWarning):
    """Statistics of one year are drawn on boundaries of another."""


@dataclass
class MapLayer:
    """The geometry chosen for a map, with what a reader must be told about it."""

    frame: gpd.GeoDataFrame
    name: str
    boundary_year: int
    coarse: bool
    notes: list[str] = field(default_factory=list)


def area_codes_in(area: Area, layer: gpd.GeoDataFrame, year: int | None = None) -> pd.Series:
    """Boolean mask of the layer's features that make up the area."""
    codes = area.codes_for(year)
    if area.level == "buurt":
        return layer["region_code"].isin(codes)
    if area.level == "wijk":
        return layer["region_code"].str[2:8].isin({c[2:8] for c in codes})
    return layer["gemeente_code"].isin(codes)


def _holds_area(area: Area, features: gpd.GeoDataFrame, year: int | None) -> bool:
    codes = area.codes_for(year)
    if area.level == "buurt":
        return set(codes) <= set(features["region_code"])
    if area.level == "wijk":
        return {c[2:8] for c in codes} <= set(features["region_code"].str[2:8])
    return set(codes) <= set(features["gemeente_code"])


def best_layer(area: Area, layers: dict[str, gpd.GeoDataFrame], year: int | None, level: str = "buurt") -> MapLayer:
    """The boundary set to draw ``area`` at ``level`` for statistics of ``year``.

    A set qualifies when it holds the whole area; detailed sets win over coarse
    ones, then the boundary year nearest to ``year``.

    Raises
    ------
    DataFormatError
        When no boundary set holds the area.
    """
    prefix = _PREFIX[level]
    candidates = []
    for name, frame in layers.items():
        if not name.startswith(prefix) or not name[len(prefix):].isdigit():
            continue
        boundary_year = int(name[len(prefix):])
        # the area in the layer's own boundaries: Beekdaelen on a 2014 layer is Nuth, Onderbanken and Schinnen
        if _holds_area(area, frame[area_codes_in(area, frame, boundary_year)], boundary_year):
            coarse = boundary_year in COARSE_YEARS
            candidates.append((coarse, abs(boundary_year - (year or boundary_year)), -boundary_year, name))
    if not candidates:
        shown = ", ".join(n for n in layers if n.startswith(prefix)) or "none"
        raise DataFormatError(f"area {area.name!r}: no {level} boundary set holds all of it (sets: {shown})")
    coarse, _, negative_year, name = sorted(candidates)[0]
    chosen = MapLayer(layers[name], name, -negative_year, coarse)
    if coarse:
        chosen.notes.append(f"grenzen: {boundary_source(chosen.frame[area_codes_in(area, chosen.frame, -negative_year)])}")
    if year is not None and chosen.boundary_year != year:
        message = f"statistiek {year} getekend op grenzen {chosen.boundary_year}"
        chosen.notes.append(message)
        warnings.warn(f"area {area.name!r}: {message}", BoundaryYearWarning, stacklevel=caller_stacklevel())
    return chosen


def boundary_source(frame: gpd.GeoDataFrame) -> str:
    """Where the outlines of these features come from (their ``boundary_source``), as one phrase."""
    if "boundary_source" not in frame.columns or frame["boundary_source"].isna().all():
        return "CBS"
    return "; ".join(dict.fromkeys(frame["boundary_source"].dropna()))


def gemeenten_layer(layers: dict[str, gpd.GeoDataFrame]) -> gpd.GeoDataFrame:
    """Parkstad gemeenten in today's composition: merged gemeenten dissolved into their successor.

    The newest gemeenten layer that holds every gemeente of today is used: a layer covering
    only part of Parkstad (a kaart clipped to Heerlen) never replaces the whole canvas.
    """
    today = current_gemeenten()
    source = None
    for name in sorted((n for n in layers if n.startswith("gemeenten_")), reverse=True):
        if set(today) <= set(layers[name]["gemeente_code"].map(successor)):
            source = layers[name]
            break
    if source is None:
        raise DataFormatError(f"no gemeenten layer holds all of {', '.join(today.values())}; run `parkstad build`")
    frame = source.copy()
    frame["gemeente_code"] = frame["gemeente_code"].map(successor)
    frame["region_name"] = frame["gemeente_code"].map(today)
    frame = frame[frame["gemeente_code"].isin(today)]
    return frame.dissolve(by="gemeente_code", as_index=False, aggfunc="first")


def area_shape(area: Area, layers: dict[str, gpd.GeoDataFrame]) -> gpd.GeoSeries:
    """The outline of an area from the best buurt layer."""
    chosen = best_layer(area, layers, None)
    return chosen.frame[area_codes_in(area, chosen.frame)].dissolve().geometry
