"""Charts in the map style: benefit trends over quarters and the funding ranking.

Like the maps they take ``ax=`` (default: a new figure in the house size) and return the axes.
"""

from __future__ import annotations

import matplotlib as mpl
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from .style import PALETTE, STYLE, euros


def _heading(ax: Axes, own: bool, title: str, source: str) -> None:
    """Title above and source below: on the figure when the chart owns it, else on the axes."""
    if own:
        ax.figure.text(0.02, 0.95, title, fontsize=13, fontweight="bold", va="top")
        ax.figure.text(0.02, 0.02, source, fontsize=7.5, color="#666666")
    else:
        ax.set_title(title, loc="left", fontsize=11, fontweight="bold")
        ax.text(0.0, -0.25, source, transform=ax.transAxes, fontsize=7, color="#666666")


def trend(table: pd.DataFrame, title: str, unit: str, source: str = "Bron: CBS", ax: Axes | None = None) -> Axes:
    """Lines per column of a wide table indexed by period (e.g. area vs gemeente per quarter)."""
    with mpl.rc_context(STYLE):
        own = ax is None
        if own:
            ax = Figure(figsize=(9, 4.5)).add_axes((0.08, 0.14, 0.72, 0.70))
        periods = table.index.astype(str).tolist()
        for colour, column in zip(PALETTE, table.columns, strict=False):
            ax.plot(range(len(periods)), table[column].to_numpy(dtype=float), color=colour, linewidth=2, label=column)
        step = max(1, len(periods) // 12)
        ax.set_xticks(range(0, len(periods), step), periods[::step], rotation=45, ha="right")
        ax.set_ylabel(unit)
        ax.grid(axis="y", color="#dddddd")
        ax.spines[["top", "right"]].set_visible(False)
        ax.set_ylim(bottom=0)
        ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False)
        _heading(ax, own, title, source)
    return ax


def ranking_bars(ranking: pd.DataFrame, value: str = "regio_deal_contribution_eur", ax: Axes | None = None) -> Axes:
    """Horizontal bars of a :func:`parkstad_analysis.analysis.funding.ranking` table, largest on top."""
    with mpl.rc_context(STYLE):
        own = ax is None
        if own:
            ax = Figure(figsize=(9, 4)).add_axes((0.30, 0.12, 0.62, 0.72))
        ordered = ranking.sort_values("rank", ascending=False)
        colours = [PALETTE[0] if t == "wijkgericht" else PALETTE[1] for t in ordered["track"]]
        ax.barh(ordered["label"], ordered[value], color=colours)
        for y, amount in enumerate(ordered[value]):
            ax.text(amount, y, f"  € {euros(amount)}", va="center", fontsize=8)
        ax.set_xlabel("bijdrage Regio Deal (€)")
        ax.spines[["top", "right"]].set_visible(False)
        ax.set_xlim(0, ordered[value].max() * 1.25)
        handles = [mpl.patches.Patch(color=PALETTE[0], label="wijkgericht"),
                   mpl.patches.Patch(color=PALETTE[1], label="generiek")]
        ax.legend(handles=handles, loc="lower right", frameon=False)
        _heading(ax, own, "Regio Deal 2020: bijdrage per project",
                 "Bron: persbericht Regio Deal Parkstad Limburg, 17 december 2020")
    return ax
