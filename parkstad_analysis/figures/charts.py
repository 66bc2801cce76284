"""Charts in the map style: benefit trends over quarters, the funding ranking, participation by source.

Like the maps they take ``ax=`` (default: a new figure in the house size, laid out so that
nothing is clipped) and return the axes. Titles, legends and sources are Dutch.
"""

from __future__ import annotations

from functools import partial

import matplotlib as mpl
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from ..dutch import nl_number
from .style import PALETTE, STYLE, PlottedData, attach_data, attach_narrow, dutch_axis, literal_text, wrap

__all__ = ["PROJECT_START", "event_study", "participation_by_source", "ranking_bars", "trend", "yearly_ticks"]

#: The press release of the Regio Deal projects: the start the trend charts mark.
PROJECT_START = ("2020Q4", "start Regio Deal-projecten\n(persbericht 17-12-2020)")


#: A chart's size on a page, and on a phone's screen (the same words, readable at about 420 px across).
WIDE, NARROW = (9, 4.8), (4.6, 4.6)


def _new_axes(size: tuple[float, float]) -> Axes:
    """Axes in a figure whose layout keeps title, legend and source inside it."""
    return Figure(figsize=size, layout="constrained").add_subplot()


def yearly_ticks(periods: list[str], every: int = 1) -> tuple[list[int], list[str]]:
    """Tick positions and labels for a quarterly axis: one tick per year (or per ``every`` years), at its first
    quarter (``2013``), so the labels fall on the same quarter every year; a series of years or of few quarters
    keeps every label."""
    if not all("Q" in p for p in periods) or len(periods) <= 8:
        return list(range(len(periods))), list(periods)
    ticks = [i for i, p in enumerate(periods) if p.endswith("Q1")][::every]
    return (ticks, [periods[i][:4] for i in ticks]) if ticks else (list(range(len(periods))), list(periods))


def _heading(ax: Axes, title: str, source: str) -> None:
    """Title above and source below, left-aligned, wrapped to the figure's width so that nothing is cut off."""
    scale = ax.figure.get_figwidth() / WIDE[0]
    ax.set_title(wrap(title, int(85 * scale)), loc="left", fontsize=12 if scale == 1 else 10.5, fontweight="bold")
    ax.figure.supxlabel(wrap(source, int(150 * scale)), x=0.01, ha="left", fontsize=7.5, color="#666666")
    literal_text(ax.figure)


def _legend_place(narrow: bool) -> dict:
    """Where a chart's legend goes: inside, lower left, or below the chart on a narrow one (it would cover lines)."""
    return {"loc": "upper left", "bbox_to_anchor": (0.0, -0.1)} if narrow else {"loc": "lower left"}


def _own_axes(ax: Axes | None, narrow: bool) -> tuple[Axes, bool]:
    """The axes to draw in (new ones in the wide or narrow size when none are given) and whether they are new."""
    return (ax, False) if ax is not None else (_new_axes(NARROW if narrow else WIDE), True)


def trend(series: pd.DataFrame, title: str, unit: str, source: str = "Bron: CBS", ax: Axes | None = None,
          marker: tuple[str, str] | None = PROJECT_START, narrow: bool = False) -> Axes:
    """Lines per area over quarters, each with a band for CBS rounding, and a marker at the projects' start.

    Parameters
    ----------
    series : DataFrame
        Long: ``period``, ``title`` (the line's label), ``value``, ``lower``, ``upper``.
    marker : (period, label), optional
        A vertical line just before ``period`` with its label.
    narrow : bool
        Drawn for a phone's screen (a tick every other year). A wide chart keeps how to draw its narrow variant.
    """
    with mpl.rc_context(STYLE):
        ax, own = _own_axes(ax, narrow)
        periods = sorted(series["period"].astype(str).unique())
        x = {p: i for i, p in enumerate(periods)}
        for colour, (label, rows) in zip(PALETTE, series.groupby("title", sort=False), strict=False):
            rows = rows.sort_values("period")
            xs = rows["period"].map(x).to_numpy()
            ax.fill_between(xs, rows["lower"].to_numpy(dtype=float), rows["upper"].to_numpy(dtype=float),
                            color=colour, alpha=0.18, linewidth=0)
            ax.plot(xs, rows["value"].to_numpy(dtype=float), color=colour, linewidth=2, label=label)
        if marker and marker[0] in x:
            ax.axvline(x[marker[0]] - 0.2, color="#444444", linestyle=":", linewidth=1.2)
            ax.annotate(marker[1], (x[marker[0]] - 0.2, 1), xycoords=("data", "axes fraction"), xytext=(4, -4),
                        textcoords="offset points", va="top", fontsize=7.5, color="#444444")
        ticks, labels = yearly_ticks(periods, 2 if narrow else 1)
        ax.set_xticks(ticks, labels)
        ax.set_xlim(-0.5, len(periods) - 0.5)
        ax.set_ylabel(unit)
        ax.grid(axis="y", color="#dddddd")
        ax.spines[["top", "right"]].set_visible(False)
        ax.set_ylim(bottom=0)
        dutch_axis(ax.yaxis)
        banded = bool((series["upper"] - series["lower"]).abs().gt(0).any())
        ax.legend(frameon=True, framealpha=0.9, fontsize=8, title="band: onzekerheid door afronding van CBS"
                  if banded else None, title_fontsize=7, **_legend_place(narrow))
        _heading(ax, title, source)
    value = f"Waarde ({unit})"
    frame = pd.DataFrame({"Reeks": series["title"].astype(str), "Periode": series["period"].astype(str),
                          value: series["value"].astype(float), "Ondergrens (afronding CBS)": series["lower"].astype(float),
                          "Bovengrens (afronding CBS)": series["upper"].astype(float)})
    attach_data(ax.figure, PlottedData(frame, {"Reeks": None, "Periode": None, value: 1,
                                               "Ondergrens (afronding CBS)": 1, "Bovengrens (afronding CBS)": 1},
                                       title, source))
    if own and not narrow:
        attach_narrow(ax.figure, partial(trend, series, title, unit, source, marker=marker, narrow=True))
    return ax


def ranking_bars(ranking: pd.DataFrame, value: str = "regio_deal_contribution_eur", ax: Axes | None = None) -> Axes:
    """Horizontal bars of a :func:`parkstad_analysis.analysis.funding.ranking` table, largest on top."""
    with mpl.rc_context(STYLE):
        ax = ax or _new_axes((9, 4))
        ordered = ranking.sort_values("rank", ascending=False)
        colours = [PALETTE[0] if t == "wijkgericht" else PALETTE[1] for t in ordered["track"]]
        ax.barh(ordered["label"], ordered[value], color=colours)
        for y, amount in enumerate(ordered[value]):
            ax.text(amount, y, f"  € {nl_number(amount, 0)}", va="center", fontsize=8)
        ax.set_xlabel("bijdrage Regio Deal (€)")
        ax.spines[["top", "right"]].set_visible(False)
        ax.set_xlim(0, ordered[value].max() * 1.3)
        dutch_axis(ax.xaxis)
        handles = [mpl.patches.Patch(color=PALETTE[0], label="wijkgericht"),
                   mpl.patches.Patch(color=PALETTE[1], label="generiek")]
        ax.legend(handles=handles, loc="lower right", frameon=False)
        _heading(ax, "Regio Deal 2020: bijdrage per project", "Bron: persbericht Regio Deal Parkstad Limburg, 17 december 2020")
    frame = pd.DataFrame({"Project": ranking["label"], "Spoor": ranking["track"],
                          "Bijdrage Regio Deal (€)": ranking[value].astype(float)})
    attach_data(ax.figure, PlottedData(frame, {"Project": None, "Spoor": None, "Bijdrage Regio Deal (€)": 0},
                                       "Regio Deal 2020: bijdrage per project",
                                       "Bron: persbericht Regio Deal Parkstad Limburg, 17 december 2020"))
    return ax


def participation_by_source(figures: pd.DataFrame, ax: Axes | None = None) -> Axes:
    """Netto arbeidsparticipatie per gemeente as each source gives it, bars side by side.

    Parameters
    ----------
    figures : DataFrame
        ``gemeente``, ``source`` (the label of a bar group, e.g. "KWB 2019"), ``value``.
    """
    with mpl.rc_context(STYLE):
        ax = ax or _new_axes((9, 4.6))
        wide = figures.pivot(index="gemeente", columns="source", values="value")
        width = 0.8 / max(len(wide.columns), 1)
        for i, (colour, source) in enumerate(zip(PALETTE, wide.columns, strict=False)):
            xs = [j + (i - (len(wide.columns) - 1) / 2) * width for j in range(len(wide))]
            bars = ax.bar(xs, wide[source].to_numpy(dtype=float), width=width * 0.95, color=colour, label=source)
            ax.bar_label(bars, labels=[nl_number(v, 1) if pd.notna(v) else "" for v in wide[source]],
                         fontsize=7.5, padding=2)
        ax.set_xticks(range(len(wide)), wide.index)
        ax.set_ylabel("netto arbeidsparticipatie (%)")
        ax.set_ylim(0, 85)
        dutch_axis(ax.yaxis)
        ax.spines[["top", "right"]].set_visible(False)
        ax.legend(loc="upper left", frameon=False, fontsize=8, ncols=len(wide.columns))
        _heading(ax, "Netto arbeidsparticipatie per gemeente: twee bronnen naast elkaar",
                 "Bron: CBS, Kerncijfers wijken en buurten (KWB); persbericht Regio Deal Parkstad Limburg, 17 december 2020")
    frame = pd.DataFrame({"Gemeente": figures["gemeente"], "Bron van het cijfer": figures["source"],
                          "Netto arbeidsparticipatie (%)": figures["value"].astype(float)})
    attach_data(ax.figure, PlottedData(frame, {"Gemeente": None, "Bron van het cijfer": None,
                                               "Netto arbeidsparticipatie (%)": 1},
                                       "Netto arbeidsparticipatie per gemeente: twee bronnen naast elkaar",
                                       "Bron: CBS, Kerncijfers wijken en buurten (KWB); persbericht Regio Deal Parkstad "
                                       "Limburg, 17 december 2020"))
    return ax


def event_study(events: pd.DataFrame, title: str, unit: str, source: str, ax: Axes | None = None,
                narrow: bool = False, estimate: tuple[float, float, float] | None = None) -> Axes:
    """The target's gap to its comparison per quarter, minus its mean before the start, with the band of the other
    assignments of the area's label.

    Parameters
    ----------
    events : DataFrame
        ``period``, ``quarter_from_start`` (0 at the start), ``effect``, ``placebo_low``, ``placebo_high``
        (from :func:`parkstad_analysis.analysis.evaluation.evaluate`).
    narrow : bool
        Drawn for a phone's screen, as :func:`trend`.
    estimate : (value, low, high), optional
        The estimate over the quarters from the start on, with its rounding range (a line and a band).
    """
    with mpl.rc_context(STYLE):
        ax, own = _own_axes(ax, narrow)
        x = events["quarter_from_start"].to_numpy()
        ax.fill_between(x, events["placebo_low"].to_numpy(float), events["placebo_high"].to_numpy(float),
                        color="#bbbbbb", alpha=0.45, linewidth=0,
                        label="90% van de herindelingen (andere buurten als focusgebied)")
        ax.plot(x, events["effect"].to_numpy(float), color=PALETTE[0], linewidth=2.2, marker="o", markersize=3.5,
                label="focusgebied min vergelijking, t.o.v. het gemiddelde vóór de start")
        if estimate is not None:  # the mean from the start on is the estimate; the band is CBS's rounding
            after = x[x >= 0]
            ax.fill_between([after.min(), after.max()], estimate[1], estimate[2], color=PALETTE[1], alpha=0.25,
                            linewidth=0, label=f"uitkomst {nl_number(estimate[0], 1)}, met de marge door afronding "
                                               f"({nl_number(estimate[1], 1)} tot {nl_number(estimate[2], 1)})")
            ax.hlines(estimate[0], after.min(), after.max(), color=PALETTE[1], linewidth=1.6, linestyle="--")
        ax.axhline(0, color="#444444", linewidth=0.8)
        ax.axvline(-0.5, color="#444444", linestyle=":", linewidth=1.2)
        ax.annotate(f"start {events.loc[events['quarter_from_start'] == 0, 'period'].iloc[0]}", (-0.5, 1),
                    xycoords=("data", "axes fraction"), xytext=(4, -4), textcoords="offset points", va="top",
                    fontsize=7.5, color="#444444")
        ticks, labels = yearly_ticks(events["period"].astype(str).tolist(), 2 if narrow else 1)
        ax.set_xticks([x[i] for i in ticks], labels)
        ax.set_ylabel(unit)
        dutch_axis(ax.yaxis)
        ax.grid(axis="y", color="#dddddd")
        ax.spines[["top", "right"]].set_visible(False)
        handles, labels = ax.get_legend_handles_labels()
        if narrow:  # the long labels in two lines each, so that the legend below the chart fits its width
            labels = [wrap(label, 48) for label in labels]
        ax.legend(handles, labels, frameon=True, framealpha=0.9, fontsize=7.5, **_legend_place(narrow))
        _heading(ax, title, source)
    columns = {"Kwartaal": None, f"Verschil t.o.v. vóór de start ({unit})": 1, "Herindelingen 5%": 1,
               "Herindelingen 95%": 1}
    frame = pd.DataFrame(dict(zip(columns, [events["period"].astype(str), events["effect"].astype(float),
                                            events["placebo_low"].astype(float), events["placebo_high"].astype(float)],
                                  strict=True)))
    attach_data(ax.figure, PlottedData(frame, columns, title, source))
    if own and not narrow:
        attach_narrow(ax.figure, partial(event_study, events, title, unit, source, narrow=True, estimate=estimate))
    return ax
