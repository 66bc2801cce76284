"""Choropleths of one indicator for one area, in one consistent style.

Every map is drawn in EPSG:28992 (RD New, metres) with the area's regions
coloured, the rest of the gemeente in quiet grey, the gemeente boundary and the
focus area outlined, region labels (or a numbered key when names would overlap),
a legend with class bounds in the indicator's unit, missing values hatched, a
scale bar, a north arrow, and a subtitle that names the period, the boundary set
and the source.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial

import geopandas as gpd
import matplotlib as mpl
import pandas as pd
import shapely
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib_scalebar.scalebar import ScaleBar

from ..analysis.region_values import IndicatorValues, indicator_values, reference_value
from ..errors import DataFormatError, UnknownNameError
from ..vocabulary.areas import Area, alternatives, as_area
from .classes import CLASSIFICATIONS
from .labels import label_context, label_regions, north_arrow, region_names
from .layers import MapLayer, area_codes_in, best_layer
from .map_classes import CLASSIFICATION_WORDS, class_labels, class_members, classify, gemeente_pool, map_classes
from .map_table import map_data, map_source
from .style import (
    CONTEXT_COLOUR,
    EDGE_COLOUR,
    FIGSIZE,
    MISSING_COLOUR,
    STYLE,
    ShowsItself,
    attach_data,
    literal_text,
    room_below,
    wrap,
)
from .surroundings import (
    BORDER_LAYER,
    GEMEENTE_LINE,
    NEIGHBOUR_COLOUR,
    close_slivers,
    draw_border,
    gemeente_lines,
    name_neighbours,
    neighbours,
)
from .symbols import draw_symbols, is_count

__all__ = [
    "SURROUNDINGS", "MapDrawing", "MapScene", "choropleth", "class_labels", "classify", "map_classes", "map_scene",
    "map_source", "outline_label"
]

@dataclass
class MapDrawing(ShowsItself):
    """What :func:`choropleth` drew: its axes and what the map says about itself."""

    ax: Axes
    legend_ax: Axes
    area: str
    indicator: str
    period: str
    layer: str
    boundary_year: int
    coarse: bool
    notes: list[str]
    crs: str
    classifier: object
    labels: str
    regions: list[str]
    missing: list[str]
    values: pd.Series = field(repr=False)
    #: Draws the same map again with its legend below it (``layout="narrow"``), for a phone's screen.
    narrow: Callable[[], MapDrawing] | None = field(default=None, repr=False)

    @property
    def figure(self) -> Figure:
        """The figure the map is drawn in."""
        return self.ax.figure

    def __repr__(self) -> str:
        return (f"<kaart {self.indicator} {self.period} van {self.area}: {len(self.regions)} gebieden, "
                f"{len(self.missing)} zonder cijfer, grenzen {self.boundary_year} ({self.layer})>")


@dataclass
class MapScene:
    """The data of one map before it is drawn."""

    focus: Area
    data: IndicatorValues
    chosen: MapLayer
    shown: gpd.GeoDataFrame
    context: gpd.GeoDataFrame
    unit: str
    outline: gpd.GeoDataFrame
    #: The values the classes are fitted on when the map shows too few regions to class them on their own (all
    #: regions of the same level in their gemeenten), and what they are in words; ``None`` otherwise.
    pool: pd.Series | None = None
    pool_words: str = ""

    @property
    def pool_note(self) -> str:
        """The legend's words for classes of the gemeente ("klassen uit alle 55 buurten van Heerlen"), or ``""``."""
        return f"klassen uit alle {self.pool_words}" if self.pool_words else ""
    #: The other Parkstad gemeenten, drawn lighter and named around the area's own.
    neighbours: gpd.GeoDataFrame | None = None
    #: The national border (``landsgrens`` layer), when the build could derive it.
    border: gpd.GeoDataFrame | None = None


#: What a map colours around the focus area: only its regions, all regions of its wijken, or of its gemeente.
SURROUNDINGS = ("area", "wijk", "gemeente")


def _coloured(frame: gpd.GeoDataFrame, inside: pd.Series, surroundings: str) -> pd.Series:
    """The features to colour: the area's, or all of its wijken or gemeenten."""
    if surroundings == "wijk":
        return frame["region_code"].str[2:8].isin(set(frame.loc[inside, "region_code"].str[2:8]))
    if surroundings == "gemeente":
        return frame["gemeente_code"].isin(set(frame.loc[inside, "gemeente_code"]))
    return inside


#: The levels a map can be drawn at: buurten, or wijken for a wijk or gemeente area whose buurt figures are secret.
LEVELS = ("buurt", "wijk")


def _wijk_note(tables, indicator: str, period: str, wijken: set[str]) -> str:
    """Why a map is drawn per wijk: how few of the wijken's buurten have a figure in the period."""
    try:
        buurten = indicator_values(tables, indicator, period, "buurt").values
    except UnknownNameError:  # no buurt rows at all in the period
        return f"per wijk getekend: geen buurtcijfers voor {period}"
    own = buurten[buurten.index.str[2:8].isin({code[2:8] for code in wijken})]
    return f"per wijk getekend: {own.notna().sum()} van de {len(own)} buurten hebben een cijfer voor {period}"


def map_scene(tables, layers, area: Area | str, indicator: str, period=None, reference: Area | str | None = None,
              surroundings: str = "area", level: str = "buurt") -> MapScene:
    """What a map of ``indicator`` in ``area`` shows: the layer chosen, the regions coloured and their values."""
    if surroundings not in SURROUNDINGS:
        raise UnknownNameError("surroundings", surroundings, SURROUNDINGS)
    if level not in LEVELS:
        raise UnknownNameError("level", level, LEVELS)
    focus = as_area(area)
    if level == "wijk" and focus.level == "buurt":
        raise DataFormatError(f"level='wijk': area {focus.name!r} is made of buurten; map it with level='buurt'")
    data = indicator_values(tables, indicator, period, level, {"GM" + c[2:6] for c in focus.codes_for(None)})
    chosen = best_layer(focus, layers, data.year, level)
    inside = area_codes_in(focus, chosen.frame, chosen.boundary_year)
    context = chosen.frame[chosen.frame["gemeente_code"].isin(set(chosen.frame.loc[inside, "gemeente_code"]))]
    shown = chosen.frame[_coloured(chosen.frame, inside, surroundings)].copy()
    shown["value"] = shown["region_code"].map(data.values).astype(float)
    if level == "wijk":  # the card beside it is computed from the same wijk rows: the map says why it is coarser
        chosen.notes.insert(0, _wijk_note(tables, indicator, data.period, set(shown["region_code"])))
    unit = data.unit
    if reference:
        other = as_area(reference)
        shown["value"] = shown["value"] - reference_value(tables, data, other)
        difference_unit = "procentpunt" if data.unit == "%" else data.unit  # a difference of percentages
        unit = f"{difference_unit} t.o.v. {other.title}".strip()
    pool, words = (None, "") if reference else gemeente_pool(chosen, shown, data)
    return MapScene(focus, data, chosen, shown, context, unit, chosen.frame[inside], pool, words,
                    neighbours(layers, set(context["gemeente_code"])), layers.get(BORDER_LAYER))


#: A map's layouts: the legend beside the map (pages on a screen, print), or below it, on a narrow figure that a
#: phone shows at full width with its words readable (about 420 px across).
LAYOUTS = ("wide", "narrow")
NARROW_FIGSIZE = (4.4, 7.9)


def _axes(ax: Axes | None, layout: str = "wide") -> tuple[Axes, Axes, bool]:
    """The map axes and the legend axes: a new standard (or narrow) figure, or beside the axes given."""
    own = ax is None
    if own and layout == "narrow":
        fig = Figure(figsize=NARROW_FIGSIZE)
        ax = fig.add_axes((0.03, 0.37, 0.94, 0.50))
        legend_ax = fig.add_axes((0.03, 0.04, 0.94, 0.31))
    elif own:
        fig = Figure(figsize=FIGSIZE)
        ax = fig.add_axes((0.02, 0.05, 0.62, 0.80))
        legend_ax = fig.add_axes((0.66, 0.05, 0.33, 0.80))
    else:
        legend_ax = ax.inset_axes((1.02, 0.0, 0.5, 1.0))
    legend_ax.set_axis_off()
    ax.set_axis_off()
    ax.set_aspect("equal")
    return ax, legend_ax, own


def _fill(ax: Axes, scene: MapScene, classification: str, k: int, breaks, reference: str | None, palette: str | None):
    """Colour the regions with values, hatch those without; return legend handles and each region's class."""
    shown = scene.shown
    present = shown["value"].notna()
    handles, classes, members = [], None, None
    if present.any():
        classes, colours, labels = map_classes(scene, classification, k, breaks, reference, palette)
        shown.loc[present, "colour"] = [colours[i] for i in classes.yb]
        shown[present].plot(ax=ax, color=shown.loc[present, "colour"], edgecolor=EDGE_COLOUR, linewidth=0.8, zorder=2)
        handles += [Patch(facecolor=c, edgecolor="#999999", label=lab) for c, lab in zip(colours, labels, strict=True)]
        how = "symmetrisch rond 0" if reference else CLASSIFICATION_WORDS[classification]
        handles.append(Patch(facecolor="none", edgecolor="none", label=wrap(f"indeling: {how}", 34)))
        members = class_members(scene, classes, labels)
    if (~present).any():
        shown[~present].plot(ax=ax, color=MISSING_COLOUR, edgecolor="#9a9a9a", hatch="////", linewidth=0.5, zorder=2)
        handles.append(Patch(facecolor=MISSING_COLOUR, edgecolor="#9a9a9a", hatch="////",
                             label="geen gegevens\n(ontbrekend of geheim)"))
    return handles, classes, members


def outline_label(area: Area) -> str:
    """The legend entry of the thick outline: a focus area says so, a gemeente or Parkstad is named."""
    return f"focusgebied {area.title}" if area.focus is not None else f"grens {area.title}"


def _outline_and_frame(ax: Axes, scene: MapScene) -> list[Line2D]:
    """Gemeente and focus-area outlines, and a view at least 3 km across around what is coloured."""
    # slivers between approximated buurten would show as lines inside the area: close them as for gemeenten
    outline = close_slivers(scene.outline.dissolve().geometry)
    extent = scene.shown.dissolve()
    gemeente_lines(scene.context).plot(ax=ax, zorder=3, **GEMEENTE_LINE)
    outline.boundary.plot(ax=ax, color="#111111", linewidth=2.0, zorder=4)
    minx, miny, maxx, maxy = extent.total_bounds
    # at least 3 km across, so that a single buurt is seen among its neighbours
    span = max(max(maxx - minx, maxy - miny) * 1.24 + 600, 3000)
    cx, cy = (minx + maxx) / 2, (miny + maxy) / 2
    ax.set_xlim(cx - span / 2, cx + span / 2)
    ax.set_ylim(cy - span / 2, cy + span / 2)
    handles = [Line2D([], [], color="#111111", linewidth=2.0, label=wrap(outline_label(scene.focus), 30))]
    if scene.pool_note:  # the classes are the gemeente's: say so, so a class is read against all its buurten
        handles.insert(0, Patch(facecolor="none", edgecolor="none", label=wrap(scene.pool_note, 34)))
    if around := outside_note(scene):  # coloured but not part of the area: say so where the reader looks
        handles.append(Patch(facecolor="none", edgecolor="none", label=wrap(around, 34)))
    handles.append(Line2D([], [], label="gemeentegrens", **GEMEENTE_LINE))
    border = draw_border(ax, scene.border, shapely.box(cx - span / 2, cy - span / 2, cx + span / 2, cy + span / 2))
    return [*handles, *([border] if border else [])]


def outside_note(scene: MapScene) -> str:
    """The legend's words for regions the map colours around the focus area (the rest of its wijk), naming the
    documented definition that does count them (GMS with Hoppersgraaf), or ``""`` when every coloured region is
    part of the area."""
    outside = scene.shown[~scene.shown["region_code"].isin(set(scene.outline["region_code"]))]
    if outside.empty or scene.focus.focus is None:
        return ""
    names = region_names(outside).tolist()
    listed = ", ".join(names[:3]) + (f" en {len(names) - 3} andere" if len(names) > 3 else "")
    counted = [other.title for other in alternatives(scene.focus)
               if set(outside["region_code"]) & set(other.codes_for(scene.chosen.boundary_year))]
    return (f"ook gekleurd, buiten het focusgebied: {listed}"
            + (f" (hoort wel bij de afbakening {counted[0]})" if counted else " (rest van de wijk)"))


def _texts(ax: Axes, legend_ax: Axes, scene: MapScene, handles: list, title: str | None, own: bool,
           layout: str = "wide") -> None:
    """Legend, 'no data' notice, scale bar, north arrow, title, subtitle and source."""
    data, chosen, unit = scene.data, scene.chosen, scene.unit
    if not scene.shown["value"].notna().any():
        ax.text(0.5, 0.93, f"Geen gegevens voor {data.title.lower()}\nin {data.period} in dit gebied",
                transform=ax.transAxes, ha="center", va="top", fontsize=11, color="#444444",
                bbox={"facecolor": "white", "edgecolor": "#999999", "boxstyle": "round,pad=0.6"}, zorder=6)
    ax.add_artist(ScaleBar(1, units="m", location="lower left", box_alpha=0.8, length_fraction=0.25,
                           font_properties={"size": 8}))
    north_arrow(ax)
    heading_unit = unit if len(unit) > 3 else f"{data.title.lower()} ({unit})" if unit else data.title
    circles = any(isinstance(h, Line2D) and h.get_marker() == "o" for h in handles)
    if circles:  # a count: the legend says what a circle's size means, with room between the circles
        heading_unit = f"{data.title.lower()}: oppervlak van de cirkel"
    legend = legend_ax.legend(handles=handles, loc="upper left", frameon=False, title=wrap(heading_unit, 34),
                              alignment="left", fontsize=8, title_fontsize=9, labelspacing=2.4 if circles else 0.5,
                              borderpad=1.0 if circles else 0.4)
    heading = title or f"{data.title} — {scene.focus.title}"
    subtitle = " · ".join([f"{data.period}", f"{chosen.name.replace('_', ' ')}", *chosen.notes])
    if own and layout == "narrow":  # a column of text above and below the map, each line short enough to read
        fig, heading = ax.figure, wrap(heading, 42)
        fig.text(0.03, 0.99, heading, fontsize=12, fontweight="bold", va="top")
        lines = heading.count("\n") + 1
        fig.text(0.03, 0.985 - 0.024 * lines, wrap(subtitle, 85), fontsize=7, color="#444444", va="top")
        source = fig.text(0.03, 0.004, wrap(map_source(scene), 90), fontsize=6.5, color="#666666", va="bottom")
        room_below(fig, legend, source)  # a legend with several notes is longer than the room under the map
        return
    subtitle, source = wrap(subtitle, 130), wrap(map_source(scene), 140)
    if own:
        fig = ax.figure
        fig.text(0.02, 0.955, heading, fontsize=14, fontweight="bold", va="top")
        fig.text(0.02, 0.905, subtitle, fontsize=8.5, color="#444444", va="top")
        fig.text(0.02, 0.008, source, fontsize=7.5, color="#666666", va="bottom")
    else:
        ax.set_title(heading, loc="left", fontsize=11, fontweight="bold", pad=22)
        ax.text(0.0, 1.01, subtitle, transform=ax.transAxes, fontsize=7.5, color="#444444", va="bottom")
        ax.text(0.0, -0.02, source, transform=ax.transAxes, fontsize=7, color="#666666", va="top")


def choropleth(
    tables: dict[str, pd.DataFrame],
    layers: dict[str, gpd.GeoDataFrame],
    area: Area | str,
    indicator: str,
    period: str | int | None = None,
    *,
    classification: str = "quantiles",
    k: int = 5,
    breaks: list[float] | None = None,
    reference: Area | str | None = None,
    palette: str | None = None,
    title: str | None = None,
    surroundings: str = "area",
    level: str = "buurt",
    layout: str = "wide",
    ax: Axes | None = None,
) -> MapDrawing:
    """A publication-ready choropleth of one indicator for one area.

    In JupyterLab the returned map shows itself when it is a cell's last line.

    Parameters
    ----------
    tables, layers : dict
        Processed tables and boundary layers (``pa.load()`` and its ``.layers``).
    area : Area or str
        A focus area, gemeente or ``parkstad`` (or its name).
    indicator : str
        Processed column or a rate of the vocabulary (``bijstand_per_1000``).
    period : str or int, optional
        Year or quarter; default the latest with data.
    classification : str
        One of :data:`CLASSIFICATIONS`; ``k`` classes, or ``breaks`` for ``user``.
    reference : Area or str, optional
        An area (e.g. ``"heerlen"``) whose value is subtracted: the map then shows the
        difference on a diverging palette centred on zero.
    palette : str, optional
        A matplotlib colormap name; default colour-blind-safe ColorBrewer.
    surroundings : {"area", "wijk", "gemeente"}
        What to colour besides the area: nothing (``area``), the other regions of its wijken
        (a single buurt among its neighbours), or of its gemeente. The area stays outlined.
    level : {"buurt", "wijk"}
        The regions coloured: buurten, or wijken (for a wijk or gemeente area in a year whose buurt figures are
        mostly secret; the subtitle then says how many buurten have one).
    layout : {"wide", "narrow"}
        The legend beside the map, or below it on a narrow figure (a phone's screen). The drawing's ``narrow()``
        draws the same map again in the narrow layout.
    ax : matplotlib.axes.Axes, optional
        Draw into these axes (legend and key to their right); default a new standard figure.

    Returns
    -------
    MapDrawing
        The axes (``.ax``, ``.figure``) and what was drawn: layer, classes, labels, regions, values.
    """
    if classification not in CLASSIFICATIONS:
        raise UnknownNameError("classification", classification, CLASSIFICATIONS)
    if layout not in LAYOUTS:
        raise UnknownNameError("layout", layout, LAYOUTS)
    scene = map_scene(tables, layers, area, indicator, period, reference, surroundings, level)
    with mpl.rc_context(STYLE):
        ax, legend_ax, own = _axes(ax, layout)
        if scene.neighbours is not None:  # the gemeenten around, lighter, so the area's own gemeente stands out
            scene.neighbours.plot(ax=ax, color=NEIGHBOUR_COLOUR, edgecolor="none", zorder=0)
            gemeente_lines(scene.neighbours).plot(ax=ax, zorder=3, **GEMEENTE_LINE)
        scene.context.plot(ax=ax, color=CONTEXT_COLOUR, edgecolor=EDGE_COLOUR, linewidth=0.6, zorder=1)
        if not reference and is_count(scene.data.indicator):
            handles, classes, members = draw_symbols(ax, scene), None, None
        else:
            handles, classes, members = _fill(ax, scene, classification, k, breaks, reference, palette)
        handles += _outline_and_frame(ax, scene)
        narrow = own and layout == "narrow"
        label_mode = label_regions(ax, legend_ax, scene.shown, (0.5, 0.98) if narrow else (0.0, 0.45),
                                   0.5 if narrow else 1.0)
        if len(scene.shown) <= 6:
            label_context(ax, scene.context[~scene.context["region_code"].isin(scene.shown["region_code"])])
        name_neighbours(ax, scene.neighbours)
        _texts(ax, legend_ax, scene, handles, title, own, layout)
        literal_text(ax.figure)
    attach_data(ax.figure, map_data(scene, members))
    shown, chosen = scene.shown, scene.chosen
    return MapDrawing(
        ax=ax, legend_ax=legend_ax, area=scene.focus.name, indicator=indicator, period=scene.data.period,
        layer=chosen.name, boundary_year=chosen.boundary_year, coarse=chosen.coarse, notes=chosen.notes,
        crs=chosen.frame.crs.to_string(), classifier=classes, labels=label_mode,
        regions=shown["region_code"].tolist(), missing=shown.loc[shown["value"].isna(), "region_code"].tolist(),
        values=shown.set_index("region_code")["value"],
        narrow=partial(choropleth, tables, layers, area, indicator, period, classification=classification, k=k,
                       breaks=breaks, reference=reference, palette=palette, title=title, surroundings=surroundings,
                       level=level, layout="narrow") if own and layout == "wide" else None,
    )
