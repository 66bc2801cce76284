"""Counts on a map as circles whose area is proportional to the count: a choropleth of counts would mostly show
how large each region is."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from matplotlib.axes import Axes
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from ..dutch import nl_number
from .style import MISSING_COLOUR

if TYPE_CHECKING:
    from .maps import MapScene

__all__ = ["LARGEST_SYMBOL", "PALETTE_COUNT", "draw_symbols", "is_count"]


def is_count(indicator: str) -> bool:
    """Whether an indicator is a count (inhabitants, households): drawn as sized circles, not as colours."""
    from ..vocabulary.indicators import load_vocabulary

    found = load_vocabulary().indicators.get(indicator)
    return found is not None and found.kind == "count"


#: Marker area (points²) of the largest count's circle; a circle's area is proportional to its count.
LARGEST_SYMBOL = 900


def draw_symbols(ax: Axes, scene: MapScene) -> list:
    """A count as a circle per region, its area proportional to the count (a colour would mostly show how large a
    region is), with a legend of three round sizes; regions without a count are hatched."""
    shown = scene.shown
    present = shown["value"].notna()
    shown.plot(ax=ax, color="#f7f7f7", edgecolor="#bdbdbd", linewidth=0.6, zorder=2)
    if (~present).any():
        shown[~present].plot(ax=ax, color=MISSING_COLOUR, edgecolor="#9a9a9a", hatch="////", linewidth=0.5, zorder=2)
    handles = []
    if present.any():
        largest = float(shown.loc[present, "value"].max())
        points = shown.loc[present].representative_point()
        ax.scatter(points.x, points.y, s=LARGEST_SYMBOL * shown.loc[present, "value"] / largest, color=PALETTE_COUNT,
                   alpha=0.6, edgecolor="#1d4f6e", linewidth=0.8, zorder=5)
        step = 10 ** np.floor(np.log10(largest))
        sizes = sorted({max(step, round(largest * f / step) * step) for f in (0.25, 0.5, 1.0)})
        handles += [Line2D([], [], linestyle="none", marker="o", markersize=np.sqrt(LARGEST_SYMBOL * size / largest),
                           markerfacecolor=PALETTE_COUNT, markeredgecolor="#1d4f6e", alpha=0.6,
                           label=nl_number(size, 0)) for size in sizes]
    if (~present).any():
        handles.append(Patch(facecolor=MISSING_COLOUR, edgecolor="#9a9a9a", hatch="////",
                             label="geen gegevens\n(ontbrekend of geheim)"))
    return handles


#: The colour of count circles.
PALETTE_COUNT = "#2c7fb8"
