"""The two small figures of an atlas page: where the region lies, and its bijstand beside its gemeente and Nederland.

Both are drawn for 250 pages in a run, so they are kept plain and small; the report's
full maps (classes, scale bar, data table) are the profile pages'.
"""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import matplotlib

matplotlib.use("Agg", force=False)
import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.figure import Figure

from ..analysis.catalogue import Region
from .layers import gemeenten_layer
from .style import CONTEXT_COLOUR, PALETTE, STYLE, dutch_axis

#: Boundary layers searched for a region's outline, most detailed and newest first.
OUTLINE_LAYERS = ("buurten_2023", "buurten_2014", "wijken_2016", "wijken_2014")
HIGHLIGHT, GEMEENTE_EDGE = PALETTE[0], "#555555"


@dataclass
class Outlines:
    """The boundary layers of a run, indexed once per process: code → outline, and the gemeenten of today."""

    layers: dict[str, gpd.GeoDataFrame]

    def __post_init__(self) -> None:
        self.gemeenten = gemeenten_layer(self.layers)
        self.by_code = {}
        for name in reversed(OUTLINE_LAYERS):  # the first layer in OUTLINE_LAYERS wins
            if name in self.layers:
                frame = self.layers[name]
                self.by_code |= {code: (geometry, name, year) for code, geometry, year in
                                 zip(frame["region_code"], frame.geometry, frame["boundary_year"], strict=True)}
        self.by_code |= {code: (geometry, "gemeenten", None) for code, geometry in
                         zip(self.gemeenten["gemeente_code"], self.gemeenten.geometry, strict=True)}

    def neighbours(self, region: Region) -> gpd.GeoSeries:
        """The outlines of the other regions of the region's level and layer in its gemeente (drawn as context)."""
        found = self.by_code.get(region.code)
        if found is None or found[1] == "gemeenten":
            return gpd.GeoSeries([], crs=self.gemeenten.crs)
        frame = self.layers[found[1]]
        same = frame[(frame["gemeente_code"] == region.gemeente) & (frame["region_code"] != region.code)]
        return same.geometry

    def outline(self, region: Region) -> tuple[object | None, str]:
        """The region's outline and a note saying which boundaries were drawn (or why none)."""
        found = self.by_code.get(region.code)
        if found is None:
            return None, (f"geen grens van {region.code} in de beschikbare kaarten (de code bestaat sinds "
                          f"{region.first_year}); de kaart toont de gemeente")
        geometry, layer, year = found
        if geometry is None or geometry.is_empty:
            return None, f"de grens van {region.code} is in de beschikbare kaarten leeg; de kaart toont de gemeente"
        return geometry, ("grenzen van de gemeente-indeling van nu" if layer == "gemeenten" else
                          f"grenzen van {int(year)}" + (" (CBS gebiedsindeling, vereenvoudigd)" if "2014" in layer
                                                        else ""))


def locator(outlines: Outlines, region: Region) -> tuple[Figure | None, str]:
    """A small map of the region (coloured) in its gemeente among its neighbours (a gemeente: in Parkstad); returns
    the figure (``None`` when the layers hold neither the region nor its gemeente) and its note."""
    geometry, note = outlines.outline(region)
    if geometry is None and not (outlines.gemeenten["gemeente_code"] == region.gemeente).any():
        return None, f"geen kaart: de verwerkte grenzen bevatten {region.code} en zijn gemeente niet"
    with plt.rc_context(STYLE):
        fig, ax = plt.subplots(figsize=(3.6, 3.6))
        outlines.gemeenten.plot(ax=ax, color=CONTEXT_COLOUR, edgecolor=GEMEENTE_EDGE, linewidth=0.6)
        gemeente = outlines.gemeenten[outlines.gemeenten["gemeente_code"] == region.gemeente]
        neighbours = outlines.neighbours(region)
        if len(neighbours):
            neighbours.plot(ax=ax, facecolor="#f7f7f7", edgecolor="#9a9a9a", linewidth=0.4)
        if geometry is not None:
            gpd.GeoSeries([geometry], crs=outlines.gemeenten.crs).plot(ax=ax, color=HIGHLIGHT, edgecolor="#0b4f3c",
                                                                       linewidth=0.8)
        elif len(gemeente):
            gemeente.plot(ax=ax, facecolor="none", edgecolor=HIGHLIGHT, linewidth=2.0, hatch="///")
        if region.level != "gemeente" and len(gemeente):  # a wijk or buurt: its gemeente fills the map
            x0, y0, x1, y1 = gemeente.total_bounds
            margin = 0.08 * max(x1 - x0, y1 - y0)
            ax.set_xlim(x0 - margin, x1 + margin)
            ax.set_ylim(y0 - margin, y1 + margin)
        ax.set_axis_off()
        ax.set_aspect("equal")
        fig.subplots_adjust(0.01, 0.01, 0.99, 0.99)
    return fig, note


def benefit_lines(series: dict[str, pd.DataFrame]) -> Figure:
    """Bijstand per 1.000 inwoners 15+ per quarter, one line per area (the region first), Nederland dashed."""
    with plt.rc_context(STYLE):
        fig, ax = plt.subplots(figsize=(6.0, 2.8))
        for position, (label, frame) in enumerate(series.items()):
            if not len(frame):
                continue
            x = pd.PeriodIndex(frame["period"], freq="Q").to_timestamp(how="end")
            style = {"linestyle": "--", "color": "#333333"} if label == "Nederland" else {
                "color": PALETTE[position % len(PALETTE)], "linewidth": 2.0 if position == 0 else 1.2}
            ax.plot(x, frame["value"].astype(float), label=label, **style)
        ax.set_ylabel("per 1.000 inwoners 15+")
        ax.set_ylim(bottom=0)
        ax.grid(axis="y", color="#dddddd", linewidth=0.6)
        ax.spines[["top", "right"]].set_visible(False)
        dutch_axis(ax.yaxis)
        ax.legend(frameon=False, fontsize=8, loc="lower left", ncol=len(series))
        fig.tight_layout()
    return fig
