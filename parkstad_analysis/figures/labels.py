"""Text on maps: region names where they fit, a numbered key where they do not, neighbours in grey, a north arrow."""

from __future__ import annotations

import geopandas as gpd
import matplotlib.patheffects as path_effects
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

HALO = [path_effects.withStroke(linewidth=2.5, foreground="white")]


#: More regions than this get no labels: a key that long would not help a reader.
MAX_LABELLED = 60

def renderer(fig: Figure):
    """A renderer to measure text with (the figure gets an Agg canvas when it has none)."""
    if not hasattr(fig.canvas, "get_renderer"):
        FigureCanvasAgg(fig)
    return fig.canvas.get_renderer()


def north_arrow(ax: Axes) -> None:
    """An arrow marked N in the top right corner."""
    # RD New grid north differs from true north by less than 1° in Parkstad
    ax.annotate("N", xy=(0.95, 0.97), xytext=(0.95, 0.86), xycoords="axes fraction", ha="center", va="center",
                fontsize=10, fontweight="bold",
                arrowprops={"facecolor": "#222222", "edgecolor": "#222222", "width": 3, "headwidth": 9, "headlength": 9})


def label_context(ax: Axes, context: gpd.GeoDataFrame) -> None:
    """Names of the neighbouring regions in grey, where they fit among the labels already drawn."""
    measure = renderer(ax.figure)
    taken = [t.get_window_extent(measure) for t in ax.texts]
    axes_box = ax.get_window_extent(measure)
    (x0, x1), (y0, y1) = ax.get_xlim(), ax.get_ylim()
    for row in context.sort_values("region_code").itertuples():
        if row.geometry is None or row.geometry.is_empty:
            continue
        point = row.geometry.representative_point()
        if not (x0 < point.x < x1 and y0 < point.y < y1) or pd.isna(row.region_name):
            continue
        text = ax.text(point.x, point.y, row.region_name, ha="center", va="center", fontsize=6.5, color="#7a7a7a",
                       style="italic", zorder=3)
        box = text.get_window_extent(measure).expanded(1.1, 1.2)
        inside = axes_box.contains(box.x0, box.y0) and axes_box.contains(box.x1, box.y1)
        if not inside or any(box.overlaps(other) for other in taken):
            text.remove()
        else:
            taken.append(box)


def region_names(shown: gpd.GeoDataFrame) -> pd.Series:
    """Display names of the regions: the name without its "Wijk NN" prefix, else the code."""
    return shown["region_name"].fillna(shown["region_code"]).astype(str).str.replace(r"^Wijk \d+\s+", "", regex=True)


def label_regions(ax: Axes, key_ax: Axes, shown: gpd.GeoDataFrame, key_at: tuple[float, float] = (0.0, 0.45),
                  key_width: float = 1.0) -> str:
    """Names on the map when they fit without overlapping; otherwise numbers on the map and a key in ``key_ax``,
    its heading at ``key_at`` (axes fraction), in ``key_width`` of the axes.

    Returns ``"names"``, ``"numbered key"``, or ``"none"`` for more regions than a key can list
    (the interactive map names them on hover). Regions without an outline (too small for a
    coarse boundary set) have nothing to label.
    """
    shown = shown[~shown.geometry.is_empty & shown.geometry.notna()]
    if len(shown) > MAX_LABELLED:
        return "none"
    names = region_names(shown)
    points = shown.geometry.representative_point()
    texts = [ax.text(p.x, p.y, name, ha="center", va="center", fontsize=7.5, zorder=5, path_effects=HALO)
             for p, name in zip(points, names, strict=True)]
    measure = renderer(ax.figure)
    # generous margins: labels that merely touch are as hard to read as overlapping ones
    boxes = [t.get_window_extent(measure).expanded(1.12, 1.9) for t in texts]
    overlap = any(boxes[i].overlaps(boxes[j]) for i in range(len(boxes)) for j in range(i + 1, len(boxes)))
    axes_box = ax.get_window_extent(measure)
    outside = any(not (axes_box.contains(b.x0, b.y0) and axes_box.contains(b.x1, b.y1)) for b in boxes)
    if not overlap and not outside:
        return "names"
    for text in texts:
        text.remove()
    _numbered_key(ax, key_ax, points, names, "Wijken" if shown["region_code"].str.startswith("WK").all() else "Buurten",
                  key_at, key_width)
    return "numbered key"


def _numbered_key(ax: Axes, key_ax: Axes, points: gpd.GeoSeries, names: pd.Series, heading: str,
                  key_at: tuple[float, float], key_width: float) -> None:
    order = np.lexsort((points.x.to_numpy(), -points.y.to_numpy()))  # top to bottom, then left to right
    limit = 21 if key_width >= 1 else 15  # characters of a name that fit in a column of the key
    key = []
    for number, i in enumerate(order, start=1):
        ax.text(points.iloc[i].x, points.iloc[i].y, str(number), ha="center", va="center", fontsize=7.5,
                fontweight="bold", zorder=5, path_effects=HALO)
        name = names.iloc[i] if len(names.iloc[i]) <= limit else names.iloc[i][:limit - 1] + "…"
        key.append(f"{number:>2}  {name}")
    columns = 1 if len(key) <= 20 else 2
    per_column = -(-len(key) // columns)
    for c in range(columns):
        key_ax.text(key_at[0] + key_width / 2 * c, key_at[1] - 0.03, "\n".join(key[c * per_column:(c + 1) * per_column]),
                    va="top",
                    fontsize=6.5 if columns > 1 else 7.5, transform=key_ax.transAxes, linespacing=1.35)
    key_ax.text(*key_at, heading, fontsize=9, fontweight="bold", transform=key_ax.transAxes)
