"""What a map draws around its regions: gemeente boundaries, the neighbouring gemeenten, the national border.

Lines mean what the legend says: a dashed "gemeentegrens" is drawn from gemeente outlines only (slivers between
generalised wijken closed), the national border (the processed layer ``landsgrens``) dash-dotted where the map
shows it, and the other Parkstad gemeenten lighter and named.
"""

from __future__ import annotations

import geopandas as gpd
import shapely
from matplotlib.axes import Axes
from matplotlib.lines import Line2D

from ..errors import DataFormatError
from ..processed import BORDER_LAYER
from ..vocabulary.regions import successor
from .layers import gemeenten_layer

__all__ = ["BORDER_LAYER", "NEIGHBOUR_COLOUR", "SLIVER", "close_slivers", "draw_border", "gemeente_lines",
           "name_neighbours", "neighbours"]

#: Gaps narrower than this (metres) between regions are closed before an outline is drawn.
SLIVER = 5.0
#: The fill of the gemeenten around the area's own: lighter than the grey of its other regions.
NEIGHBOUR_COLOUR = "#f3f3f3"
#: The national border's colour (dash-dot, apart from the dashed gemeente boundaries).
BORDER_COLOUR = "#333333"
GEMEENTE_LINE = {"color": "#6b6b6b", "linewidth": 1.0, "linestyle": "--"}


def close_slivers(shapes: gpd.GeoSeries) -> gpd.GeoSeries:
    """The shapes with gaps narrower than :data:`SLIVER` closed (regions that do not meet exactly)."""
    return shapes.buffer(SLIVER, join_style="mitre").buffer(-SLIVER, join_style="mitre")


def gemeente_lines(regions: gpd.GeoDataFrame) -> gpd.GeoSeries:
    """The boundaries of the gemeenten the regions belong to, and nothing else: a gemeente is dissolved from its
    regions with slivers closed, so no dashed "gemeentegrens" runs between two regions of one gemeente."""
    closed = close_slivers(regions.dissolve(by="gemeente_code").geometry)
    return gpd.GeoSeries([shapely.Polygon(part.exterior) for shape in closed for part in getattr(shape, "geoms", [shape])
                          if not part.is_empty], crs=regions.crs).boundary


def neighbours(layers: dict[str, gpd.GeoDataFrame], own: set[str]) -> gpd.GeoDataFrame | None:
    """The Parkstad gemeenten other than ``own``, to draw and name around a map (``None`` without a gemeente layer)."""
    try:
        gemeenten = gemeenten_layer(layers)
    except DataFormatError:
        return None
    return gemeenten[~gemeenten["gemeente_code"].map(successor).isin({successor(code) for code in own})]


def name_neighbours(ax: Axes, around: gpd.GeoDataFrame | None) -> None:
    """Each neighbouring gemeente's name inside the part of it the map shows (once its view is set)."""
    if around is None or around.empty:
        return
    (x0, x1), (y0, y1) = ax.get_xlim(), ax.get_ylim()
    view = shapely.box(x0, y0, x1, y1)
    for row in around.itertuples():
        seen = row.geometry.intersection(view)
        if seen.area > 0.03 * view.area:  # only where enough of it shows to read the name
            point = seen.representative_point()
            ax.text(point.x, point.y, row.region_name, fontsize=9, color="#8a8a8a", style="italic", ha="center",
                    va="center", zorder=1.5)


def draw_border(ax: Axes, border: gpd.GeoDataFrame | None, view) -> Line2D | None:
    """The national border, dash-dotted, when it runs through ``view``; its legend entry, else ``None``."""
    if border is None or not border.intersects(view).any():
        return None
    border.plot(ax=ax, color=BORDER_COLOUR, linewidth=1.8, linestyle="-.", zorder=3.5)
    return Line2D([], [], color=BORDER_COLOUR, linewidth=1.8, linestyle="-.", label="landsgrens")
