"""Boundary layers named ``<level>en_<year>`` (``buurten_2023``, ``wijken_2016``, …) from every geometry dataset fetched.

Each feature says where its outline comes from (``boundary_source``). Where it helps,
layers are composed: the coarse 2014 buurten (a ~300 m grid) are fitted into the
detailed wijken of 2016 so that they tile each wijk exactly (no gaps, no overlaps, no
spilling over a wijk, gemeente or the border; :func:`tile_wijken`); gemeente outlines are
dissolved from the wijken.
"""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
import shapely

from ..fetch.raw import RawDataset
from ..fetch.registry import Dataset
from ..processed import BORDER_LAYER
from ..readers.geometry import read_geojson, read_topojson, read_wijkbuurtkaart
from ..vocabulary.regions import gemeente_names
from .context import BuildContext

PLURAL = {"buurt": "buurten", "wijk": "wijken", "gemeente": "gemeenten"}
LABELS_LAYER = "buurt_labels_2014"
#: A stretch of the scope's outline within this many metres of another Dutch wijk is an inner boundary.
BORDER_TOLERANCE = 25.0
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


def _authority(dataset: Dataset) -> int:
    """The rank of a boundary file when two describe the same regions of one year: the official kaart first."""
    fmt = dataset.mirror.format if dataset.mirror is not None else dataset.format
    return 0 if str(fmt).startswith("wijkbuurtkaart") else 1


def build_geometry(context: BuildContext) -> dict[str, gpd.GeoDataFrame]:
    """Every boundary layer, one feature per code (multi-part regions dissolved), composed where that helps.

    Where two files describe the same regions of one year (the official kaart and a municipal GeoJSON), each
    region keeps the outline of the most authoritative file (:func:`_authority`, then registry order); outlines are
    never merged. The other file is compared with it (:func:`compare_outlines`, in ``context.boundary_checks``).
    """
    candidates: dict[str, list[tuple[int, int, Dataset, gpd.GeoDataFrame]]] = {}
    for order, (dataset, by_level) in enumerate(context.read_each("geometry", READERS)):
        for level, frame in by_level.items():
            name = f"{PLURAL[level]}_{dataset.boundary_year}"
            frame = frame.assign(boundary_source=dataset.label or dataset.title)
            if frame["region_code"].duplicated().any():  # one region in several parts of one file
                frame = frame.dissolve(by="region_code", as_index=False, aggfunc="first")
            candidates.setdefault(name, []).append((_authority(dataset), order, dataset, frame))
    layers: dict[str, gpd.GeoDataFrame] = {}
    for name, found in candidates.items():
        found.sort(key=lambda c: (c[0], c[1]))
        for position, (_, _, dataset, frame) in enumerate(found):
            if position:
                context.boundary_checks.append(compare_outlines(name, found[0][2], found[0][3], dataset, frame))
        stacked = pd.concat([frame for *_, frame in found], ignore_index=True)
        layers[name] = gpd.GeoDataFrame(stacked.drop_duplicates("region_code", keep="first"), crs=found[0][3].crs)
        layers[name] = layers[name].sort_values("region_code").reset_index(drop=True)
    border = national_border(context)
    if border is not None:
        layers[BORDER_LAYER] = border
    for _, raw in context.fetched("labels"):
        points = read_topojson(raw.path(), 2014, context.settings.scope.gemeenten())
        # one label point per buurt: a repeated point is dropped (the first is kept)
        layers[LABELS_LAYER] = points.drop_duplicates("region_code").sort_values("region_code").reset_index(drop=True)
    if CLIP_BUURTEN in layers and TO_WIJKEN in layers:
        layers[CLIP_BUURTEN] = tile_wijken(layers[CLIP_BUURTEN], layers[TO_WIJKEN], layers.get(LABELS_LAYER))
    for name in [n for n in layers if n.startswith("wijken_")]:
        year = int(name.split("_")[1])
        if f"gemeenten_{year}" not in layers:
            layers[f"gemeenten_{year}"] = dissolve_gemeenten(layers[name], year)
    return layers


def national_border(context: BuildContext) -> gpd.GeoDataFrame | None:
    """The national border along the scope, from a boundary file that covers all of the Netherlands: the part of
    the scope's outline that no Dutch wijk outside the scope touches. ``None`` when no such file was fetched (or the
    scope is the whole country: then nothing lies outside it to tell a border from a coast)."""
    scope = set(context.settings.scope.gemeenten() or ())
    for dataset, raw in context.fetched("geometry"):
        if raw.format != "geojson" or not dataset.id.startswith("wijken_nl"):
            continue
        wijken = read_geojson(raw.path(), dataset.boundary_year)
        wijken = wijken[wijken["level"] == "wijk"]
        inside = wijken[wijken["gemeente_code"].isin(scope)]
        if inside.empty or len(inside) == len(wijken):
            return None
        outline = inside.union_all()
        near = wijken[~wijken["gemeente_code"].isin(scope) & wijken.intersects(outline.buffer(2000))]
        lines = outline.boundary.difference(near.union_all().buffer(BORDER_TOLERANCE))
        lines = [part for part in shapely.get_parts(lines) if part.length > 100]  # not a corner left by the buffer
        if not lines:
            return None
        return gpd.GeoDataFrame({"region_code": ["NL"], "region_name": pd.array([None], dtype="string"),
                                 "level": ["landsgrens"], "gemeente_code": pd.array([None], dtype="string"),
                                 "boundary_year": pd.array([dataset.boundary_year], dtype="Int64"),
                                 "boundary_source": [dataset.label or dataset.title]},
                                geometry=[shapely.MultiLineString(lines)], crs=inside.crs)
    return None


def compare_outlines(layer: str, kept_dataset: Dataset, kept: gpd.GeoDataFrame, other_dataset: Dataset,
                     other: gpd.GeoDataFrame, tolerance: float = 0.01) -> dict:
    """How a second file's outlines of the same regions differ from those kept: per region the area that is in one
    outline only, as a share of the kept outline; counted as differing above ``tolerance`` (1 %)."""
    both = kept.set_index("region_code").geometry.to_frame("kept").join(
        other.set_index("region_code").geometry.rename("other"), how="inner")
    shares = pd.Series([a.symmetric_difference(b).area / a.area if a.area else 0.0
                        for a, b in zip(both["kept"], both["other"], strict=True)], index=both.index, dtype=float)
    return {"layer": layer, "kept": kept_dataset.id, "other": other_dataset.id, "regions": len(shares),
            "differing": int((shares > tolerance).sum()),
            "largest_share": float(shares.max()) if len(shares) else 0.0,
            "largest_region": str(shares.idxmax()) if len(shares) else ""}


def tile_wijken(buurten: gpd.GeoDataFrame, wijken: gpd.GeoDataFrame,
                labels: gpd.GeoDataFrame | None = None) -> gpd.GeoDataFrame:
    """Buurt shapes that tile their wijk (same wijk code) of a more detailed layer exactly: no gap, no overlap.

    The coarse 2014 buurten are quantised to a grid of about 300 m: cut to their detailed wijk they leave gaps and
    overlap each other. Per wijk, each buurt keeps its cut outline minus what an earlier buurt (by code) already
    holds; the rest of the wijk is shared out by the Voronoi cells of the buurten's points (CBS's label point when
    ``labels`` has one inside the wijk, else a point inside the cut outline), so each gap goes to the nearest buurt;
    a buurt too small for the coarse grid gets its share this way too. The result is an approximation and says so
    (``boundary_source``). A buurt whose wijk the detailed layer lacks keeps its outline.
    """
    points = labels.set_index("region_code").geometry if labels is not None else gpd.GeoSeries(dtype="geometry")
    outline = wijken.set_index("region_code").geometry
    wijk_codes = "WK" + buurten["region_code"].str[2:8]
    tiled = buurten.copy()
    approximated = []
    for code, index in buurten.groupby(wijk_codes).groups.items():
        if code not in outline.index:
            continue
        wijk = shapely.make_valid(outline[code])
        index = sorted(index, key=lambda i: buurten.at[i, "region_code"])
        pieces, taken = {}, shapely.Polygon()
        for i in index:
            pieces[i] = shapely.make_valid(buurten.geometry[i]).intersection(wijk).difference(taken)
            taken = taken.union(pieces[i])
        gap = wijk.difference(taken)
        if len(index) == 1:
            pieces[index[0]] = wijk
        elif not gap.is_empty:
            seeds = {i: _seed(buurten.at[i, "region_code"], pieces[i], wijk, points) for i in index}
            seeds = {i: point for i, point in seeds.items() if point is not None}
            cells = shapely.voronoi_polygons(shapely.MultiPoint(list(seeds.values())), extend_to=wijk, ordered=True)
            for owner, cell in zip(seeds, cells.geoms, strict=True):
                for part in _polygons(gap.intersection(cell)):
                    # a part cut off from its nearest buurt goes to the buurt it borders most: no detached islands
                    touching = pieces[owner].is_empty or part.buffer(0.5).intersects(pieces[owner])
                    chosen = owner if touching else max(index, key=lambda i: part.buffer(0.5).intersection(pieces[i]).area)
                    pieces[chosen] = pieces[chosen].union(part)
        for i in index:
            tiled.loc[i, "geometry"] = shapely.MultiPolygon(_polygons(pieces[i])) if not pieces[i].is_empty else pieces[i]
        approximated += index
    source = (f"buurtgrenzen benaderd: CBS-buurten {buurten['boundary_year'].iloc[0]} (~300 m raster) ingepast in de "
              f"CBS-wijken {wijken['boundary_year'].iloc[0]}, open ruimte naar de dichtstbijzijnde buurt")
    tiled.loc[approximated, "boundary_source"] = source
    return tiled


def _polygons(shape) -> list:
    """The polygons of a shape (valid), without the lines and points an overlay can leave in a collection."""
    parts = shapely.get_parts(shapely.make_valid(shape))
    found = []
    for part in parts:
        if part.geom_type == "Polygon" and part.area > 0:
            found.append(part)
        elif part.geom_type in ("MultiPolygon", "GeometryCollection"):
            found += _polygons(part)
    return found


def _seed(code: str, piece, wijk, points: gpd.GeoSeries):
    """The point a buurt claims open ground from: CBS's label point inside the wijk, else a point of its piece."""
    if code in points.index and points[code] is not None and wijk.contains(points[code]):
        return points[code]
    return None if piece.is_empty else piece.representative_point()


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
