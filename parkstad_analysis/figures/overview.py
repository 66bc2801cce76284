"""Overview maps of Parkstad: where the focus areas lie, and where the Regio Deal projects of 2020 act."""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import matplotlib as mpl
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import Patch
from matplotlib_scalebar.scalebar import ScaleBar

from ..dutch import euros
from ..vocabulary.areas import focus_areas, gemeente_area, get_area, split_areas
from .labels import HALO, north_arrow
from .layers import area_shape, gemeenten_layer
from .style import FIGSIZE, STYLE, PlottedData, ShowsItself, attach_data, literal_text

__all__ = ["OverviewDrawing", "locator_map", "projects_map"]


@dataclass
class OverviewDrawing(ShowsItself):
    """What an overview map drew: its axes, the areas shown, the projects placed and those listed only."""

    ax: Axes
    crs: str
    areas: list[str]
    placed: list[int]
    generic: list[int]

    @property
    def figure(self) -> Figure:
        """The figure the map is drawn in."""
        return self.ax.figure


def _canvas(layers: dict[str, gpd.GeoDataFrame], ax: Axes | None) -> tuple[Axes, gpd.GeoDataFrame]:
    """Axes with the Parkstad gemeenten drawn and named: the base of the overview maps."""
    gemeenten = gemeenten_layer(layers)
    if ax is None:
        ax = Figure(figsize=FIGSIZE).add_axes((0.02, 0.05, 0.96, 0.82))
    ax.set_axis_off()
    ax.set_aspect("equal")
    gemeenten.plot(ax=ax, color="#f4f1ea", edgecolor="#8a8a8a", linewidth=0.9)
    for row in gemeenten.itertuples():
        point = row.geometry.representative_point()
        ax.text(point.x, point.y, row.region_name, fontsize=9, color="#555555", ha="center", style="italic")
    return ax, gemeenten


def _finish(ax: Axes, title: str, subtitle: str, source: str) -> None:
    """Scale bar, north arrow, title, subtitle and source of an overview map."""
    ax.add_artist(ScaleBar(1, units="m", location="lower right", box_alpha=0.8, length_fraction=0.2))
    north_arrow(ax)
    fig = ax.figure
    fig.text(0.02, 0.955, title, fontsize=14, fontweight="bold", va="top")
    fig.text(0.02, 0.905, subtitle, fontsize=8.5, color="#444444", va="top")
    fig.text(0.02, 0.015, source, fontsize=7.5, color="#666666")
    literal_text(fig)


def locator_map(layers: dict[str, gpd.GeoDataFrame], areas: list[str] | None = None,
                ax: Axes | None = None) -> OverviewDrawing:
    """Parkstad with its gemeenten and every focus area outlined and named."""
    names = areas or focus_areas()
    with mpl.rc_context(STYLE):
        ax, gemeenten = _canvas(layers, ax)
        cmap = mpl.colormaps["Dark2"]
        handles = []
        for i, name in enumerate(names):
            area = get_area(name)
            colour = mpl.colors.to_hex(cmap(i))
            gpd.GeoSeries(area_shape(area, layers), crs=gemeenten.crs).plot(ax=ax, color=colour, alpha=0.35,
                                                                              edgecolor=colour, linewidth=1.6)
            handles.append(Patch(facecolor=mpl.colors.to_rgba(colour, 0.35), edgecolor=colour, label=area.title))
        ax.legend(handles=handles, loc="lower left", frameon=True, title="Focusgebieden", fontsize=8)
        source = "Bron: CBS; grenzen buiten Heerlen: CBS gebiedsindeling 2014 (vereenvoudigd)"
        _finish(ax, "Parkstad Limburg: focusgebieden Regio Deal",
                "gemeenten in de indeling van 2019 · focusgebieden op de fijnste beschikbare grenzen", source)
    areas = [get_area(name) for name in names]
    frame = pd.DataFrame({"Focusgebied": [a.title for a in areas],
                          "Gemeente": [gemeente_area(a.gemeente).title if a.gemeente else "" for a in areas],
                          "Afbakening": [a.definition for a in areas],
                          "CBS-codes": [", ".join(a.codes) for a in areas]})
    attach_data(ax.figure, PlottedData(frame, dict.fromkeys(frame.columns), "Parkstad Limburg: focusgebieden Regio Deal",
                                       source, summary="Kaart van de zeven gemeenten van Parkstad met de focusgebieden: "
                                       + "; ".join(f"{a} in {g}" for a, g in zip(frame["Focusgebied"], frame["Gemeente"],
                                                                                  strict=True)) + "."))
    return OverviewDrawing(ax, gemeenten.crs.to_string(), names, [], [])


#: The amounts of the circle-size legend of the projects map (euros).
LEGEND_AMOUNTS = (50_000, 100_000, 150_000)
#: Marker area (points²) of the largest circle: a circle's area is proportional to its amount.
LARGEST_CIRCLE = 1800


def projects_map(projects: pd.DataFrame, layers: dict[str, gpd.GeoDataFrame], ax: Axes | None = None,
                 allocation: pd.DataFrame | None = None) -> OverviewDrawing:
    """Where the Regio Deal projects of 2020 act, with circles sized by their contribution.

    Parameters
    ----------
    allocation : DataFrame, optional
        :func:`analysis.funding.area_allocation`: a project split over areas (Werk in de Wijk over Hoensbroek and
        GMS) is then drawn as one circle per area with its part, as the funding table splits it; without it, as
        one circle for the project over all its areas.
    """
    parts = allocation if allocation is not None else pd.DataFrame({
        "project_id": projects["project_id"], "project": projects["project"], "area": projects["areas"],
        "contribution_eur": projects["regio_deal_contribution_eur"], "share": 1.0})
    with mpl.rc_context(STYLE):
        ax, gemeenten = _canvas(layers, ax)
        largest = max(parts["contribution_eur"].max(), max(LEGEND_AMOUNTS))
        placed, rows = [], []
        for part in parts.itertuples():
            names = [n for n in split_areas(part.area) if n != "parkstad"]
            if not names:  # a generic project acts in the whole region: listed, not placed
                continue
            shape = gpd.GeoSeries(pd.concat([area_shape(get_area(n), layers) for n in names]), crs=gemeenten.crs)
            shape.plot(ax=ax, color="#2c7fb8", alpha=0.35, edgecolor="#2c7fb8", linewidth=1.2)
            centre = shape.union_all().centroid
            ax.scatter([centre.x], [centre.y], s=LARGEST_CIRCLE * part.contribution_eur / largest, color="#f03b20",
                       alpha=0.55, edgecolor="#b10026", zorder=4)
            split = part.share < 1
            ax.annotate(f"{part.project.split(' – ')[0]}{' (deel)' if split else ''}\n€ {euros(part.contribution_eur)}",
                        (centre.x, centre.y), xytext=(14, -4), textcoords="offset points", fontsize=8, zorder=5,
                        path_effects=HALO)
            placed.append(part.project_id)
            rows.append({"Project": part.project, "Gebied": " en ".join(get_area(n).title for n in names),
                         "Aandeel van het project (%)": 100 * part.share, "Bijdrage op de kaart (€)": part.contribution_eur})
        placed = list(dict.fromkeys(placed))
        generic = projects[~projects["project_id"].isin(placed)]
        rows += [{"Project": r.project, "Gebied": "heel Parkstad (niet op de kaart)", "Aandeel van het project (%)": 100.0,
                  "Bijdrage op de kaart (€)": float("nan")} for r in generic.itertuples()]
        sizes = [ax.scatter([], [], s=LARGEST_CIRCLE * amount / largest, color="#f03b20", alpha=0.55,
                            edgecolor="#b10026", label=f"€ {euros(amount)}") for amount in LEGEND_AMOUNTS]
        ax.legend(handles=sizes, loc="lower left", title="Bijdrage Regio Deal", fontsize=8, title_fontsize=8,
                  frameon=True, labelspacing=3.4, borderpad=1.6, handletextpad=1.8)
        note = "; ".join(f"{r.project} (€ {euros(r.regio_deal_contribution_eur)}, regiobreed)" for r in generic.itertuples())
        total = projects["regio_deal_contribution_eur"].sum()
        split_note = " · een project voor twee gebieden is verdeeld zoals in de financieringstabel" \
            if (parts["share"] < 1).any() else ""
        source = "Bron: persbericht Regio Deal Parkstad Limburg, 17 december 2020; grenzen: CBS"
        _finish(ax, "Regio Deal 2020: waar de vijf projecten werken",
                f"oppervlak van een cirkel naar bijdrage Regio Deal · totaal € {euros(total)}{split_note}\n"
                + (f"niet op de kaart: {note}" if note else ""), source)
    frame = pd.DataFrame.from_records(rows)
    summary = "; ".join(f"{r['Project'].split(' – ')[0]} in {r['Gebied']}"
                        + (f": € {euros(r['Bijdrage op de kaart (€)'])}" if pd.notna(r["Bijdrage op de kaart (€)"]) else "")
                        for r in rows)
    attach_data(ax.figure, PlottedData(frame, {"Project": None, "Gebied": None, "Aandeel van het project (%)": 1,
                                               "Bijdrage op de kaart (€)": 0},
                                       "Regio Deal 2020: bijdrage per project en gebied op de kaart", source,
                                       summary=f"Kaart van Parkstad met een cirkel per project en gebied: {summary}."))
    return OverviewDrawing(ax, gemeenten.crs.to_string(), [], placed, generic["project_id"].tolist())
