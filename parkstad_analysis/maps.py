"""Maps in one consistent style: choropleths of focus areas, a locator map, a project map.

Every map is drawn in EPSG:28992 (RD New, metres) with the area's buurten
coloured, the rest of the gemeente in quiet grey, the gemeente boundary and the
focus area outlined, buurt labels (or a numbered key when names would overlap),
a legend with class bounds in the indicator's unit, missing values hatched, a
scale bar, a north arrow, and a subtitle that names the period, the boundary set
and the source.

Geometry: the best boundary set for the area is chosen from ``geometry.gpkg``
(detailed sets before the coarse 2014 TopoJSON; the official wijk- en
buurtkaart when it has been fetched). When statistics of one year are drawn on
boundaries of another, the subtitle says so and a :class:`BoundaryYearWarning`
is issued.

Rendering is deterministic: fixed size, dpi and font (DejaVu Sans, shipped with
matplotlib), no dates or software versions in the file metadata.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import mapclassify
import matplotlib as mpl
import matplotlib.patheffects as path_effects
import numpy as np
import pandas as pd
import pyogrio
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib_scalebar.scalebar import ScaleBar

from .areas import Area, get_area, rate, weighted_percentage
from .catalog import CLASSIFICATIONS, load_catalog
from .catalog import DERIVED_RATES as DERIVED
from .config import Settings
from .errors import DataFormatError, FetchError, UnknownNameError
from .regions import parkstad_gemeenten

#: Colour-blind-safe ColorBrewer palettes: sequential for levels, diverging for differences.
SEQUENTIAL, DIVERGING = "YlGnBu", "PuOr"
MISSING_COLOUR, CONTEXT_COLOUR, EDGE_COLOUR = "#f2f2f2", "#e3e3e3", "#ffffff"
COARSE_YEARS = {2014}  # the 2014 national TopoJSON is quantised to a grid of ~300 m
STYLE = {
    "font.family": "DejaVu Sans",
    "font.size": 9,
    "axes.titlesize": 13,
    "figure.dpi": 100,
    "savefig.dpi": 150,
    "svg.hashsalt": "parkstad-analysis",
    "svg.fonttype": "path",
    "pdf.fonttype": 42,
    "path.simplify": True,
}
FIGSIZE = (9.0, 7.5)

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


# ----------------------------------------------------------------------------- geometry


def load_layers(settings: Settings | None = None, path: str | Path | None = None) -> dict[str, gpd.GeoDataFrame]:
    """Every layer of the processed ``geometry.gpkg``, checked to be in EPSG:28992."""
    settings = settings or Settings.from_env()
    path = Path(path) if path else settings.processed_dir / "geometry.gpkg"
    if not path.is_file():
        raise FetchError(f"{path}: not built; run `parkstad fetch` and `parkstad build` first")
    layers = {}
    for name in pyogrio.list_layers(path)[:, 0]:
        frame = gpd.read_file(path, layer=name)
        check_crs(frame, f"{path}, layer {name!r}")
        layers[str(name)] = frame
    return layers


def check_crs(frame: gpd.GeoDataFrame, where: str) -> None:
    """Refuse geometry without a CRS or in another CRS than EPSG:28992."""
    if frame.crs is None:
        raise DataFormatError(f"{where}: geometry has no CRS; expected EPSG:28992 (RD New)")
    if frame.crs.to_epsg() != 28992:
        raise DataFormatError(f"{where}: geometry is in {frame.crs.to_string()}; expected EPSG:28992 (RD New)")


def area_codes_in(area: Area, layer: gpd.GeoDataFrame, year: int | None = None) -> pd.Series:
    """Boolean mask of the layer's features that make up the area."""
    codes = area.codes_for(year)
    if area.level == "buurt":
        return layer["region_code"].isin(codes)
    if area.level == "wijk":
        return layer["region_code"].str[2:8].isin({c[2:8] for c in codes})
    return layer["gemeente_code"].isin(codes)


def best_layer(area: Area, layers: dict[str, gpd.GeoDataFrame], year: int | None, level: str = "buurt") -> MapLayer:
    """The boundary set to draw ``area`` at ``level`` for statistics of ``year``.

    A set qualifies when it holds the whole area; detailed sets win over coarse
    ones, then the boundary year nearest to ``year``.

    Raises
    ------
    DataFormatError
        When no boundary set holds the area.
    """
    plural = {"buurt": "buurten_", "wijk": "wijken_"}[level]
    candidates = []
    for name, frame in layers.items():
        if not name.startswith(plural) or not name[len(plural):].isdigit():
            continue
        boundary_year = int(name[len(plural):])
        mask = area_codes_in(area, frame, year)
        complete = _holds_area(area, frame[mask], year)
        if complete:
            coarse = boundary_year in COARSE_YEARS
            candidates.append((coarse, abs(boundary_year - (year or boundary_year)), -boundary_year, name))
    if not candidates:
        shown = ", ".join(n for n in layers if n.startswith(plural)) or "none"
        raise DataFormatError(f"area {area.name!r}: no {level} boundary set holds all of it (sets: {shown})")
    coarse, _, negative_year, name = sorted(candidates)[0]
    chosen = MapLayer(layers[name], name, -negative_year, coarse)
    if coarse:
        chosen.notes.append("grenzen: CBS gebiedsindeling 2014, vereenvoudigd (TopoJSON, ~300 m raster)")
    if year is not None and chosen.boundary_year != year:
        message = f"statistiek {year} getekend op grenzen {chosen.boundary_year}"
        chosen.notes.append(message)
        warnings.warn(f"area {area.name!r}: {message}", BoundaryYearWarning, stacklevel=3)
    return chosen


def _holds_area(area: Area, features: gpd.GeoDataFrame, year: int | None) -> bool:
    codes = area.codes_for(year)
    if area.level == "buurt":
        return set(codes) <= set(features["region_code"])
    if area.level == "wijk":
        return {c[2:8] for c in codes} <= set(features["region_code"].str[2:8])
    return set(codes) <= set(features["gemeente_code"])


# ----------------------------------------------------------------------------- values


@dataclass
class IndicatorValues:
    """Values per region for one indicator and period, with how to describe them."""

    values: pd.Series  # region_code → value (NaN for missing)
    indicator: str
    title: str
    unit: str
    period: str
    year: int


def indicator_values(tables: dict[str, pd.DataFrame], indicator: str, period: str | int | None = None,
                     level: str = "buurt") -> IndicatorValues:
    """Values of ``indicator`` per region of ``level`` for one period.

    Parameters
    ----------
    tables : dict
        Processed tables (``kwb``, ``benefits``, …).
    indicator : str
        A column of a processed table, or a rate in :data:`DERIVED` (``bijstand_per_1000`` …).
    period : str or int, optional
        Year (KWB) or quarter (``"2024Q1"``); default the latest with any value.

    Raises
    ------
    UnknownNameError
        For an unknown indicator, or a period the table does not have (listing the valid ones).
    """
    catalog = load_catalog()
    if indicator in DERIVED:
        table_name, numerator, denominator, factor, unit, title = DERIVED[indicator]
        table = tables[table_name]
        frame = table.assign(_value=factor * table[numerator] / table[denominator].where(table[denominator] > 0))
    else:
        table_name = next((n for n, t in tables.items() if indicator in t.columns and "level" in t.columns), None)
        if table_name is None:
            valid = sorted({c for t in tables.values() if "level" in t.columns for c in t.columns} - {
                "region_code", "region_name", "level", "gemeente_code", "year", "period"} | set(DERIVED))
            raise UnknownNameError("indicator", indicator, valid)
        frame = tables[table_name].assign(_value=tables[table_name][indicator])
        title, unit = catalog.title(indicator), catalog.indicators[indicator].unit if indicator in catalog.indicators else ""
    when = "period" if "period" in frame.columns else "year"
    frame = frame[frame["level"] == level]
    available = sorted(frame.loc[frame["_value"].notna(), when].astype(str).unique())
    if period is None:
        if not available:
            raise UnknownNameError(f"period for {indicator}", None, sorted(frame[when].astype(str).unique()))
        period = available[-1]
    chosen = frame[frame[when].astype(str) == str(period)]
    if chosen.empty:
        raise UnknownNameError(f"period for {indicator}", period, available)
    values = chosen.set_index("region_code")["_value"].astype(float)
    return IndicatorValues(values, indicator, title, unit, str(period), int(str(period)[:4]))


# ----------------------------------------------------------------------------- classification


def classify(values: np.ndarray, method: str = "quantiles", k: int = 5, breaks: list[float] | None = None):
    """Class breaks through mapclassify.

    Parameters
    ----------
    method : {"quantiles", "natural_breaks", "equal_interval", "user"}
        ``natural_breaks`` is Fisher–Jenks (optimal and deterministic, unlike k-means
        natural breaks); ``user`` takes ``breaks`` as upper bounds.
    """
    if method not in CLASSIFICATIONS:
        raise UnknownNameError("classification", method, CLASSIFICATIONS)
    k = max(1, min(k, len(np.unique(values))))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # mapclassify warns about numba and duplicate quantiles
        if method == "quantiles":
            return mapclassify.Quantiles(values, k=k)
        if method == "natural_breaks":
            return mapclassify.FisherJenks(values, k=k)
        if method == "equal_interval":
            return mapclassify.EqualInterval(values, k=k)
        if not breaks:
            raise DataFormatError("classification 'user' needs breaks, e.g. breaks=[40, 60, 80]")
        return mapclassify.UserDefined(values, bins=sorted(breaks))


def class_labels(classifier, low: float, unit: str, decimals: int = 1) -> list[str]:
    """'lower – upper unit' for every class (the first class starts at the data minimum)."""
    edges = [low, *classifier.bins]
    return [f"{_fmt(edges[i], decimals)} – {_fmt(edges[i + 1], decimals)}{(' ' + unit) if unit else ''}"
            for i in range(len(classifier.bins))]


def _fmt(value: float, decimals: int) -> str:
    text = f"{value:,.{decimals}f}"
    return text.replace(",", "\u2009").replace(".", ",")  # Dutch: decimal comma, thin-space thousands


# ----------------------------------------------------------------------------- drawing


def choropleth(
    tables: dict[str, pd.DataFrame],
    layers: dict[str, gpd.GeoDataFrame],
    area: str,
    indicator: str,
    period: str | int | None = None,
    *,
    classification: str = "quantiles",
    k: int = 5,
    breaks: list[float] | None = None,
    reference: str | None = None,
    palette: str | None = None,
    title: str | None = None,
) -> Figure:
    """A publication-ready choropleth of one indicator for one area.

    Parameters
    ----------
    tables, layers : dict
        Processed tables and boundary layers (:func:`load_layers`).
    area : str
        A focus area, gemeente or ``parkstad``.
    indicator : str
        Processed column or derived rate (``bijstand_per_1000``).
    period : str or int, optional
        Year or quarter; default the latest with data.
    classification : str
        One of :data:`CLASSIFICATIONS`; ``k`` classes, or ``breaks`` for ``user``.
    reference : str, optional
        An area (e.g. ``"heerlen"``) whose value is subtracted: the map then shows the
        difference on a diverging palette centred on zero.
    palette : str, optional
        A matplotlib colormap name; default colour-blind-safe ColorBrewer.

    Returns
    -------
    matplotlib.figure.Figure
        With ``fig.map_info`` describing what was drawn (layer, classes, labels).
    """
    focus = get_area(area)
    data = indicator_values(tables, indicator, period)
    chosen = best_layer(focus, layers, data.year)
    layer = chosen.frame
    inside = area_codes_in(focus, layer, data.year)
    gemeenten = set(layer.loc[inside, "gemeente_code"])
    context = layer[layer["gemeente_code"].isin(gemeenten)]
    shown = layer[inside].copy()
    shown["value"] = shown["region_code"].map(data.values).astype(float)
    unit = data.unit
    if reference:
        ref_value = _reference_value(tables, data, get_area(reference))
        shown["value"] = shown["value"] - ref_value
        difference_unit = "procentpunt" if data.unit == "%" else data.unit  # a difference of percentages
        unit = f"{difference_unit} t.o.v. {get_area(reference).title}".strip()

    with mpl.rc_context(STYLE):
        fig = Figure(figsize=FIGSIZE)
        ax = fig.add_axes((0.02, 0.05, 0.62, 0.80))
        legend_ax = fig.add_axes((0.66, 0.05, 0.33, 0.80))
        legend_ax.set_axis_off()
        ax.set_axis_off()
        ax.set_aspect("equal")

        context.plot(ax=ax, color=CONTEXT_COLOUR, edgecolor=EDGE_COLOUR, linewidth=0.6, zorder=1)
        present = shown["value"].notna()
        handles, classes = [], None
        if present.any():
            values = shown.loc[present, "value"].to_numpy()
            if reference:
                classes, colours = _diverging_classes(values, k, palette or DIVERGING)
            else:
                classes = classify(values, classification, k, breaks)
                n = len(classes.bins)  # mapclassify may merge classes when values repeat
                cmap = mpl.colormaps[palette or SEQUENTIAL]
                colours = [mpl.colors.to_hex(cmap(0.1 + 0.85 * i / max(n - 1, 1))) for i in range(n)]
            shown.loc[present, "colour"] = [colours[i] for i in classes.yb]
            shown[present].plot(ax=ax, color=shown.loc[present, "colour"], edgecolor=EDGE_COLOUR, linewidth=0.8, zorder=2)
            low = -float(np.nanmax(np.abs(values))) if reference else values.min()  # diverging classes are symmetric
            labels = class_labels(classes, low, "", _decimals(values))  # the unit heads the legend
            handles += [Patch(facecolor=c, edgecolor="#999999", label=lab) for c, lab in zip(colours, labels, strict=True)]
        if (~present).any():
            shown[~present].plot(ax=ax, color=MISSING_COLOUR, edgecolor="#9a9a9a", hatch="////", linewidth=0.5, zorder=2)
            handles.append(Patch(facecolor=MISSING_COLOUR, edgecolor="#9a9a9a", hatch="////",
                                 label="geen gegevens\n(ontbrekend of geheim)"))
        outline = shown.dissolve()
        gemeente_outline = context.dissolve(by="gemeente_code")
        gemeente_outline.boundary.plot(ax=ax, color="#6b6b6b", linewidth=1.0, linestyle="--", zorder=3)
        outline.boundary.plot(ax=ax, color="#111111", linewidth=2.0, zorder=4)
        handles += [Line2D([], [], color="#111111", linewidth=2.0, label=_wrap(f"focusgebied {focus.title}", 30)),
                    Line2D([], [], color="#6b6b6b", linewidth=1.0, linestyle="--", label="gemeentegrens")]

        minx, miny, maxx, maxy = outline.total_bounds
        # at least 3 km across, so that a single buurt is seen among its neighbours
        span = max(maxx - minx, maxy - miny) * 1.24 + 600
        span = max(span, 3000)
        cx, cy = (minx + maxx) / 2, (miny + maxy) / 2
        ax.set_xlim(cx - span / 2, cx + span / 2)
        ax.set_ylim(cy - span / 2, cy + span / 2)
        label_mode = _label_regions(fig, ax, legend_ax, shown)
        if len(shown) <= 6:
            _label_context(fig, ax, context[~context["region_code"].isin(shown["region_code"])])

        if not present.any():
            ax.text(0.5, 0.93, f"Geen gegevens voor {data.title.lower()}\nin {data.period} in dit gebied",
                    transform=ax.transAxes, ha="center", va="top", fontsize=11, color="#444444",
                    bbox={"facecolor": "white", "edgecolor": "#999999", "boxstyle": "round,pad=0.6"}, zorder=6)
        ax.add_artist(ScaleBar(1, units="m", location="lower left", box_alpha=0.8, length_fraction=0.25,
                               font_properties={"size": 8}))
        _north_arrow(ax)
        heading_unit = unit if len(unit) > 3 else f"{data.title.lower()} ({unit})" if unit else data.title
        legend_ax.legend(handles=handles, loc="upper left", frameon=False, title=_wrap(heading_unit, 34),
                         alignment="left", fontsize=8, title_fontsize=9)
        heading = title or f"{data.title} — {focus.title}"
        fig.text(0.02, 0.955, heading, fontsize=14, fontweight="bold", va="top")
        subtitle = [f"{data.period}", f"{chosen.name.replace('_', ' ')}", *chosen.notes]
        fig.text(0.02, 0.905, _wrap(" · ".join(subtitle), 130), fontsize=8.5, color="#444444", va="top")
        source = "Bron: CBS" + (" (kerncijfers en gebiedsindeling)" if not chosen.coarse else
                                "; grenzen: CBS gebiedsindeling 2014 via ties/cbs_gebiedsindelingen_topojson")
        fig.text(0.02, 0.015, source, fontsize=7.5, color="#666666")

    fig.map_info = {
        "area": focus.name, "indicator": indicator, "period": data.period, "layer": chosen.name,
        "boundary_year": chosen.boundary_year, "coarse": chosen.coarse, "notes": chosen.notes,
        "crs": layer.crs.to_string(), "classifier": classes, "labels": label_mode,
        "regions": shown["region_code"].tolist(), "missing": shown.loc[~present, "region_code"].tolist(),
        "values": shown.set_index("region_code")["value"],
    }
    return fig


def _reference_value(tables: dict[str, pd.DataFrame], data: IndicatorValues, reference: Area) -> float:
    """The reference area's value of the indicator (rates recomputed from counts)."""
    if data.indicator in DERIVED:
        table_name, numerator, denominator, factor, *_ = DERIVED[data.indicator]
        table = tables[table_name]
        result = rate(table[table["period"] == data.period], reference, numerator, denominator, per=factor)
    else:
        table = next(t for t in tables.values() if data.indicator in t.columns)
        when = "period" if "period" in table.columns else "year"
        rows = table[table[when].astype(str) == data.period]
        if reference.level == "gemeente" and len(reference.codes) == 1:
            value = rows.loc[rows["region_code"] == reference.codes[0], data.indicator]
            if len(value) and pd.notna(value.iloc[0]):
                return float(value.iloc[0])
        result = weighted_percentage(rows, reference, data.indicator, "aantal_inwoners")
    if result.empty or pd.isna(result["value"].iloc[0]):
        raise DataFormatError(f"reference {reference.name!r} has no value of {data.indicator} in {data.period}")
    return float(result["value"].iloc[0])


def _diverging_classes(values: np.ndarray, k: int, palette: str):
    """Symmetric equal-interval classes around zero, coloured from a diverging palette."""
    k = k + 1 if k % 2 else k  # even: zero is a class edge
    reach = float(np.nanmax(np.abs(values))) or 1.0
    edges = np.linspace(-reach, reach, k + 1)[1:]
    classes = mapclassify.UserDefined(values, bins=list(edges))
    cmap = mpl.colormaps[palette]
    colours = [mpl.colors.to_hex(cmap(0.08 + 0.84 * i / (k - 1))) for i in range(k)]
    return classes, colours[: len(classes.bins)]


def _decimals(values: np.ndarray) -> int:
    return 0 if np.allclose(values, np.round(values)) and np.nanmax(np.abs(values)) >= 10 else 1


def _wrap(text: str, width: int) -> str:
    import textwrap

    return "\n".join(textwrap.wrap(text, width)) if text else text


def _north_arrow(ax) -> None:
    # RD New grid north differs from true north by less than 1° in Parkstad
    ax.annotate("N", xy=(0.95, 0.97), xytext=(0.95, 0.86), xycoords="axes fraction", ha="center", va="center",
                fontsize=10, fontweight="bold",
                arrowprops={"facecolor": "#222222", "edgecolor": "#222222", "width": 3, "headwidth": 9, "headlength": 9})


def _renderer(fig: Figure):
    """A renderer to measure text with (the figure gets an Agg canvas when it has none)."""
    if not hasattr(fig.canvas, "get_renderer"):
        FigureCanvasAgg(fig)
    return fig.canvas.get_renderer()


def _label_context(fig: Figure, ax, context: gpd.GeoDataFrame) -> None:
    """Names of the neighbouring buurten in grey, where they fit among the labels already drawn."""
    renderer = _renderer(fig)
    taken = [t.get_window_extent(renderer) for t in ax.texts]
    axes_box = ax.get_window_extent(renderer)
    (x0, x1), (y0, y1) = ax.get_xlim(), ax.get_ylim()
    for row in context.sort_values("region_code").itertuples():
        point = row.geometry.representative_point()
        if not (x0 < point.x < x1 and y0 < point.y < y1) or pd.isna(row.region_name):
            continue
        text = ax.text(point.x, point.y, row.region_name, ha="center", va="center", fontsize=6.5, color="#7a7a7a",
                       style="italic", zorder=3)
        box = text.get_window_extent(renderer).expanded(1.1, 1.2)
        inside = axes_box.contains(box.x0, box.y0) and axes_box.contains(box.x1, box.y1)
        if not inside or any(box.overlaps(other) for other in taken):
            text.remove()
        else:
            taken.append(box)


def _label_regions(fig: Figure, ax, legend_ax, shown: gpd.GeoDataFrame) -> str:
    """Names on the map when they fit without overlapping; otherwise numbers and a key."""
    names = shown["region_name"].fillna(shown["region_code"]).astype(str).str.replace(r"^Wijk \d+\s+", "", regex=True)
    points = shown.geometry.representative_point()
    halo = [path_effects.withStroke(linewidth=2.5, foreground="white")]
    texts = [ax.text(p.x, p.y, name, ha="center", va="center", fontsize=7.5, zorder=5, path_effects=halo)
             for p, name in zip(points, names, strict=True)]
    renderer = _renderer(fig)
    # generous margins: labels that merely touch are as hard to read as overlapping ones
    boxes = [t.get_window_extent(renderer).expanded(1.12, 1.9) for t in texts]
    overlap = any(boxes[i].overlaps(boxes[j]) for i in range(len(boxes)) for j in range(i + 1, len(boxes)))
    axes_box = ax.get_window_extent(renderer)
    outside = any(not (axes_box.contains(b.x0, b.y0) and axes_box.contains(b.x1, b.y1)) for b in boxes)
    if not overlap and not outside:
        return "names"
    for text in texts:
        text.remove()
    order = np.lexsort((points.x.to_numpy(), -points.y.to_numpy()))  # top to bottom, then left to right
    key = []
    for number, i in enumerate(order, start=1):
        ax.text(points.iloc[i].x, points.iloc[i].y, str(number), ha="center", va="center", fontsize=7.5,
                fontweight="bold", zorder=5, path_effects=halo)
        name = names.iloc[i] if len(names.iloc[i]) <= 21 else names.iloc[i][:20] + "…"
        key.append(f"{number:>2}  {name}")
    columns = 1 if len(key) <= 20 else 2
    per_column = -(-len(key) // columns)
    for c in range(columns):
        legend_ax.text(0.0 + 0.5 * c, 0.42, "\n".join(key[c * per_column:(c + 1) * per_column]), va="top",
                       fontsize=6.5 if columns > 1 else 7.5, transform=legend_ax.transAxes, linespacing=1.35)
    legend_ax.text(0.0, 0.45, "Buurten", fontsize=9, fontweight="bold", transform=legend_ax.transAxes)
    return "numbered key"


# ----------------------------------------------------------------------------- overview maps


def _euros(amount: float) -> str:
    return f"{amount:,.0f}".replace(",", ".")


def _label_gemeenten(ax, gemeenten: gpd.GeoDataFrame) -> None:
    for row in gemeenten.itertuples():
        point = row.geometry.representative_point()
        ax.text(point.x, point.y, row.region_name, fontsize=9, color="#555555", ha="center", style="italic")


def gemeenten_layer(layers: dict[str, gpd.GeoDataFrame]) -> gpd.GeoDataFrame:
    """Parkstad gemeenten in today's composition: Nuth, Onderbanken and Schinnen merged as Beekdaelen."""
    source = next((layers[n] for n in sorted(layers, reverse=True) if n.startswith("gemeenten_")), None)
    if source is None:
        raise DataFormatError("no gemeenten layer in the geometry; run `parkstad build`")
    frame = source.copy()
    merged = frame["gemeente_code"].isin(["GM0951", "GM0881", "GM0962"])
    frame.loc[merged, ["gemeente_code", "region_name"]] = ["GM1954", "Beekdaelen"]
    frame = frame[frame["gemeente_code"].isin(parkstad_gemeenten(2019))]
    return frame.dissolve(by="gemeente_code", as_index=False, aggfunc="first")


def area_shape(area: Area, layers: dict[str, gpd.GeoDataFrame]) -> gpd.GeoSeries:
    """The outline of an area from the best buurt layer."""
    chosen = best_layer(area, layers, None)
    return chosen.frame[area_codes_in(area, chosen.frame)].dissolve().geometry


def _parkstad_canvas(layers: dict[str, gpd.GeoDataFrame]):
    """Figure, axes and the Parkstad gemeenten drawn and named: the base of the overview maps."""
    gemeenten = gemeenten_layer(layers)
    fig = Figure(figsize=FIGSIZE)
    ax = fig.add_axes((0.02, 0.05, 0.96, 0.82))
    ax.set_axis_off()
    ax.set_aspect("equal")
    gemeenten.plot(ax=ax, color="#f4f1ea", edgecolor="#8a8a8a", linewidth=0.9)
    _label_gemeenten(ax, gemeenten)
    return fig, ax, gemeenten


def _finish_overview(fig: Figure, ax, title: str, subtitle: str, source: str) -> None:
    """Scale bar, north arrow, title, subtitle and source of an overview map."""
    ax.add_artist(ScaleBar(1, units="m", location="lower right", box_alpha=0.8, length_fraction=0.2))
    _north_arrow(ax)
    fig.text(0.02, 0.955, title, fontsize=14, fontweight="bold", va="top")
    fig.text(0.02, 0.905, subtitle, fontsize=8.5, color="#444444", va="top")
    fig.text(0.02, 0.015, source, fontsize=7.5, color="#666666")


def locator_map(layers: dict[str, gpd.GeoDataFrame], areas: list[str] | None = None) -> Figure:
    """Parkstad with its gemeenten and every focus area outlined and named."""
    from .areas import focus_areas

    names = areas or focus_areas()
    with mpl.rc_context(STYLE):
        fig, ax, gemeenten = _parkstad_canvas(layers)
        cmap = mpl.colormaps["Dark2"]
        handles = []
        for i, name in enumerate(names):
            area = get_area(name)
            shape = area_shape(area, layers)
            colour = mpl.colors.to_hex(cmap(i))
            gpd.GeoSeries(shape, crs=gemeenten.crs).plot(ax=ax, color=colour, alpha=0.35, edgecolor=colour, linewidth=1.6)
            handles.append(Patch(facecolor=mpl.colors.to_rgba(colour, 0.35), edgecolor=colour, label=area.title))
        ax.legend(handles=handles, loc="lower left", frameon=True, title="Focusgebieden", fontsize=8)
        _finish_overview(fig, ax, "Parkstad Limburg: focusgebieden Regio Deal",
                         "gemeenten in de indeling van 2019 · focusgebieden op de fijnste beschikbare grenzen",
                         "Bron: CBS; grenzen buiten Heerlen: CBS gebiedsindeling 2014 (vereenvoudigd)")
    fig.map_info = {"areas": names, "crs": gemeenten.crs.to_string()}
    return fig


def projects_map(projects: pd.DataFrame, layers: dict[str, gpd.GeoDataFrame]) -> Figure:
    """Where the Regio Deal projects of 2020 act, with circles sized by their contribution."""
    from .funding import split_areas

    with mpl.rc_context(STYLE):
        fig, ax, gemeenten = _parkstad_canvas(layers)
        largest = projects["regio_deal_contribution_eur"].max()
        placed = []
        for row in projects.itertuples():
            names = [n for n in split_areas(row.areas) if n != "parkstad"]
            if not names:  # a generic project acts in the whole region: listed, not placed
                continue
            shape = gpd.GeoSeries(pd.concat([area_shape(get_area(n), layers) for n in names]), crs=gemeenten.crs)
            shape.plot(ax=ax, color="#2c7fb8", alpha=0.35, edgecolor="#2c7fb8", linewidth=1.2)
            centre = shape.union_all().centroid
            size = 1800 * row.regio_deal_contribution_eur / largest
            ax.scatter([centre.x], [centre.y], s=size, color="#f03b20", alpha=0.55, edgecolor="#b10026", zorder=4)
            ax.annotate(f"{row.project.split(' – ')[0]}\n€ {_euros(row.regio_deal_contribution_eur)}",
                        (centre.x, centre.y), xytext=(14, -4), textcoords="offset points", fontsize=8, zorder=5,
                        path_effects=[path_effects.withStroke(linewidth=2.5, foreground="white")])
            placed.append(row.project_id)
        generic = projects[~projects["project_id"].isin(placed)]
        note = "; ".join(f"{r.project} (€ {_euros(r.regio_deal_contribution_eur)}, regiobreed)" for r in generic.itertuples())
        total = projects["regio_deal_contribution_eur"].sum()
        _finish_overview(fig, ax, "Regio Deal 2020: waar de vijf projecten werken",
                         f"cirkel naar bijdrage Regio Deal · totaal € {_euros(total)}"
                         + (f" · niet op de kaart: {note}" if note else ""),
                         "Bron: persbericht Regio Deal Parkstad Limburg, 17 december 2020; grenzen: CBS")
    fig.map_info = {"placed": placed, "generic": generic["project_id"].tolist(), "crs": gemeenten.crs.to_string()}
    return fig


# ----------------------------------------------------------------------------- output


def save(fig: Figure, path_stem: str | Path, formats: tuple[str, ...] = ("png", "svg", "pdf")) -> list[Path]:
    """Write the figure in each format, deterministically (no dates or versions in metadata).

    Each file is written to a temporary name and renamed, so a reader never sees half a map.
    """
    import os

    stem = Path(path_stem)
    stem.parent.mkdir(parents=True, exist_ok=True)
    metadata = {
        "png": {"Software": None},
        "svg": {"Date": None, "Creator": None},
        "pdf": {"CreationDate": None, "ModDate": None, "Creator": None, "Producer": None},
    }
    written = []
    with mpl.rc_context(STYLE):
        for fmt in formats:
            if fmt not in metadata:
                raise UnknownNameError("figure format", fmt, list(metadata))
            target = stem.with_suffix(f".{fmt}")
            partial = target.with_name(f".{target.name}.partial")
            fig.savefig(partial, format=fmt, metadata=metadata[fmt], dpi=STYLE["savefig.dpi"])
            os.replace(partial, target)
            written.append(target)
    return written
