"""Interactive maps (plotly): the same regions, classes and colours as the static map, to hover, zoom and pan.

The map draws the boundaries themselves, in RD New metres on a blank background: no
tile server, no world map and no CDN (plotly's geo maps fetch a world outline from the
internet, so they are not used). In JupyterLab the figure shows itself; a report writes it as an HTML file that
loads ``plotly.min.js`` from one copy beside the report (:func:`write_interactive`).
"""

from __future__ import annotations

import textwrap
from html import escape
from pathlib import Path

import geopandas as gpd
import pandas as pd
import plotly.graph_objects as go

from ..atomic import atomic_path, write_text
from ..dutch import decimals_for, nl_number
from ..vocabulary.areas import Area
from .map_classes import map_classes
from .map_table import map_source
from .maps import MISSING_COLOUR, MapScene, map_scene, outline_label
from .style import CONTEXT_COLOUR

__all__ = ["SCRIPT", "explore", "write_interactive"]

#: Where a report keeps the one copy of plotly's JavaScript, relative to the run folder.
SCRIPT = "assets/plotly.min.js"

#: The toolbar of a report's interactive map: only what works offline on a map (no selection tools, no sharing),
#: with Dutch tooltips and decimal commas. plotly.js takes a locale as a dictionary of its English strings.
PLOTLY_CONFIG = {
    "scrollZoom": True, "displaylogo": False, "locale": "nl-parkstad",
    "modeBarButtons": [["toImage", "zoomIn2d", "zoomOut2d", "pan2d", "zoom2d", "resetScale2d"]],
    "toImageButtonOptions": {"format": "png", "scale": 2},
    "locales": {"nl-parkstad": {
        "dictionary": {
            "Download plot as a PNG": "Kaart downloaden als afbeelding (PNG)", "Download plot": "Kaart downloaden",
            "Zoom in": "Inzoomen", "Zoom out": "Uitzoomen", "Pan": "Verschuiven", "Zoom": "Zoomen op een rechthoek",
            "Reset axes": "Terug naar het begin", "Double-click to zoom back out": "Dubbelklik om uit te zoomen",
            "Taking snapshot - this may take a few seconds": "Afbeelding maken – dit kan enkele seconden duren",
            "Snapshot succeeded": "Afbeelding gemaakt",
            "Sorry, there was a problem downloading your snapshot!": "Het downloaden van de afbeelding is mislukt.",
        },
        "format": {"decimal": ",", "thousands": ".", "days": ["zondag", "maandag", "dinsdag", "woensdag",
                                                               "donderdag", "vrijdag", "zaterdag"]},
    }},
}


def _outline(shape) -> tuple[list[float | None], list[float | None]]:
    """The outer rings of a (multi)polygon as one path, rings separated by gaps."""
    xs: list[float | None] = []
    ys: list[float | None] = []
    for part in getattr(shape, "geoms", [shape]):
        if part.is_empty:  # a buurt too small for a coarse boundary set has no outline
            continue
        x, y = part.exterior.coords.xy
        xs += [*(round(v, 1) for v in x), None]  # decimetres: finer than any boundary, a fraction of the bytes
        ys += [*(round(v, 1) for v in y), None]
    return xs, ys


def _traces(frame: gpd.GeoDataFrame, colour: str, legend: str, hover: list[str]) -> list[go.Scatter]:
    """One filled trace per region (hover shows its text), grouped under one legend entry."""
    traces = []
    for i, (shape, text) in enumerate(zip(frame.geometry, hover, strict=True)):
        xs, ys = _outline(shape)
        traces.append(go.Scatter(x=xs, y=ys, fill="toself", fillcolor=colour, mode="lines",
                                 line={"color": "#ffffff", "width": 0.8}, hoveron="fills", hoverinfo="text", text=text,
                                 name=legend, legendgroup=legend, showlegend=i == 0))
    return traces


def _hover(frame: gpd.GeoDataFrame, scene: MapScene, source: str, outside: bool = False) -> list[str]:
    """The hover text of each region: name and code, value, period and source; a region of the rest of the gemeente
    says that it is not coloured (its value is still shown: a reader compares the area with its surroundings)."""
    decimals = decimals_for(scene.unit)
    lines = []
    for row in frame.itertuples():
        value = row.value
        shown = f"{nl_number(value, decimals)} {scene.unit}" if pd.notna(value) else "geen gegevens"
        where = "<br><i>buiten het kaartgebied, niet gekleurd</i>" if outside else ""
        lines.append(f"<b>{row.region_name}</b> ({row.region_code})<br>{scene.data.title}: {shown}"
                     f"<br>periode {scene.data.period}{where}<br>{source}")
    return lines


def explore(tables: dict[str, pd.DataFrame], layers: dict[str, gpd.GeoDataFrame], area: Area | str, indicator: str,
            period: str | int | None = None, *, classification: str = "quantiles", k: int = 5,
            breaks: list[float] | None = None, surroundings: str = "area", level: str = "buurt") -> go.Figure:
    """An interactive map of one indicator in one area: hover for name, value, period and source.

    Parameters
    ----------
    tables, layers
        The processed tables and boundary layers (as for :func:`~parkstad_analysis.figures.maps.choropleth`).
    area, indicator, period
        What to map; ``period`` defaults to the latest with figures.
    classification, k, breaks, surroundings, level
        As for the static map, which this map matches class for class.

    Returns
    -------
    plotly.graph_objects.Figure
        Shown inline in JupyterLab; :func:`write_interactive` saves it for a report.
    """
    scene = map_scene(tables, layers, area, indicator, period, surroundings=surroundings, level=level)
    shown = scene.shown
    context = scene.context[~scene.context["region_code"].isin(shown["region_code"])]
    source = map_source(scene)
    unit = scene.unit

    def hover(frame: gpd.GeoDataFrame, outside: bool = False) -> list[str]:
        return _hover(frame, scene, source, outside)

    # larger regions first, so that a region lying inside another is drawn on top of it
    context = context.assign(_area=context.area).sort_values("_area", ascending=False)
    shown = shown.assign(_area=shown.area).sort_values("_area", ascending=False)
    traces = []
    if len(context):
        context = context.assign(value=context["region_code"].map(scene.data.values).astype(float))
        traces += _traces(context, CONTEXT_COLOUR, "rest van de gemeente", hover(context, outside=True))
    present = shown["value"].notna()
    if present.any():
        classes, colours, labels = map_classes(scene, classification, k, breaks)
        # the classes follow scene.shown's row order, not the area order drawn here: attach them by index
        classified = scene.shown.index[scene.shown["value"].notna()]
        members = shown[present].assign(_class=pd.Series(classes.yb, index=classified))
        for index, (colour, label) in enumerate(zip(colours, labels, strict=True)):
            part = members[members["_class"] == index]
            if len(part):
                traces += _traces(part, colour, label, hover(part))
    if (~present).any():
        traces += _traces(shown[~present], MISSING_COLOUR, "geen gegevens", hover(shown[~present]))
    xs, ys = _outline(scene.outline.union_all())
    traces.append(go.Scatter(x=xs, y=ys, mode="lines", line={"color": "#111111", "width": 2.5}, hoverinfo="skip",
                             name=outline_label(scene.focus)))
    figure = go.Figure(traces)
    region = "wijk" if shown["region_code"].str.startswith("WK").all() else "buurt"
    # the static map's subtitle (period, boundaries, why it is drawn per wijk), and how to read this one
    subtitle = " · ".join([scene.data.period, scene.chosen.name.replace("_", " "), *scene.chosen.notes,
                           *([scene.pool_note] if scene.pool_note else []), f"beweeg over een {region} voor het cijfer"])
    heading = f"{scene.data.title} — {scene.focus.title}"
    narrow = _title(textwrap.wrap(heading, 40), textwrap.wrap(subtitle, 58))
    subtitle = textwrap.wrap(subtitle, 125)
    # open on what is coloured, at least 3 km across (as the static map), with the rest a pan away
    minx, miny, maxx, maxy = shown.total_bounds
    span = max(max(maxx - minx, maxy - miny) * 1.2 + 400, 3000)
    centre_x, centre_y = (minx + maxx) / 2, (miny + maxy) / 2
    figure.update_xaxes(visible=False, range=[centre_x - span / 2, centre_x + span / 2])
    figure.update_yaxes(visible=False, range=[centre_y - span / 2, centre_y + span / 2],
                        scaleanchor="x", scaleratio=1)  # metres both ways: shapes keep their form
    figure.update_layout(
        title={"text": _title([heading], subtitle)[0], "x": 0.01, "y": 1, "yanchor": "top", "pad": {"t": 12}},
        # on a phone (:data:`FIT_TO_WIDTH`): the title in short lines, the legend below the map
        meta={"narrow_title": narrow[0], "narrow_top": narrow[1], "narrow_source": "<br>".join(textwrap.wrap(source, 70))},
        legend={"title": {"text": unit}, "itemclick": False, "itemdoubleclick": False},
        margin={"l": 10, "r": 10, "t": _title([heading], subtitle)[1], "b": 40}, height=560, dragmode="pan", separators=",.",
        plot_bgcolor="#ffffff", hoverlabel={"align": "left"},
        annotations=[{"text": source, "showarrow": False, "xref": "paper", "yref": "paper", "x": 0, "y": -0.06,
                      "xanchor": "left", "font": {"size": 10, "color": "#666666"}}],
    )
    return figure


def _title(heading: list[str], subtitle: list[str]) -> tuple[str, int]:
    """A map's title in plotly's markup (heading lines, then smaller subtitle lines) and the top margin it needs."""
    text = "<br>".join(heading) + "<br>" + "<br>".join(f"<sup>{line}</sup>" for line in subtitle)
    return text, 40 + 20 * len(heading) + 16 * len(subtitle)


#: Run after a stand-alone map is drawn: below 600 px the legend goes under the map and the title into short lines
#: (plotly has no media queries); inside a report page's frame the map's own navigation is left out.
FIT_TO_WIDTH = """
var gd = document.getElementById('{plot_id}');
if (window.self !== window.top) { var nav = document.querySelector('nav.ps-map-nav'); if (nav) nav.remove(); }
var wide = {title: gd.layout.title.text, top: gd.layout.margin.t, source: gd.layout.annotations[0].text};
function fit() {
  var narrow = gd.clientWidth < 600, meta = gd.layout.meta;
  Plotly.relayout(gd, {'title.text': narrow ? meta.narrow_title : wide.title,
    'margin.t': narrow ? meta.narrow_top : wide.top, 'annotations[0].text': narrow ? meta.narrow_source : wide.source,
    'modebar.orientation': narrow ? 'v' : 'h',
    'legend.orientation': narrow ? 'h' : 'v', 'legend.x': narrow ? 0 : 1.02, 'legend.xanchor': 'left',
    'legend.y': narrow ? -0.12 : 1, 'legend.yanchor': 'top', 'height': narrow ? 720 : 560});
}
fit();
window.addEventListener('resize', fit);
"""


def write_interactive(figure: go.Figure, target: str | Path, run_dir: str | Path) -> Path:
    """Save an interactive map as HTML that loads plotly from the one copy in ``run_dir`` (no CDN, works offline).

    Returns
    -------
    Path
        The HTML file written.
    """
    target, run_dir = Path(target), Path(run_dir)
    script = run_dir / SCRIPT
    if not script.is_file():  # the first map of the run ships the script; every later one refers to it
        from plotly.offline import get_plotlyjs

        script.parent.mkdir(parents=True, exist_ok=True)
        with atomic_path(script) as partial:
            Path(partial).write_text(get_plotlyjs(), "utf-8")
    relative = Path(*[".."] * len(target.parent.relative_to(run_dir).parts), SCRIPT).as_posix()
    html = figure.to_html(include_plotlyjs=relative, full_html=True, config=PLOTLY_CONFIG, post_script=FIT_TO_WIDTH)
    title = escape(figure.layout.title.text.split("<br>")[0]) if figure.layout.title.text else "Interactieve kaart"
    # a page of its own: its title, and the way back to the report page that frames it (<run>/<job>.html)
    page = Path(*[".."] * len(target.parent.relative_to(run_dir).parts), f"{target.parent.name}.html").as_posix()
    header = (f'<nav class="ps-map-nav" style="font: 14px sans-serif; margin: 6px 10px"><a href="{page}">&larr; Terug naar de '
              f'rapportpagina</a> · <a href="{page.rsplit("/", 1)[0]}/index.html">Overzicht van het rapport</a></nav>')
    html = (html.replace("<html>", '<html lang="nl">', 1)
            .replace("<head>", f'<head><meta charset="utf-8"><title>Interactieve kaart: {title}</title>', 1)
            .replace("<body>", f"<body>{header}", 1))
    target.parent.mkdir(parents=True, exist_ok=True)
    write_text(target, html)
    return target

