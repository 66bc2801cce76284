"""One consistent style: colour-blind-safe palettes, Dutch number formatting and deterministic files.

Rendering is deterministic: fixed size, dpi and font (DejaVu Sans, shipped with
matplotlib), no dates or software versions in the file metadata, so the same
figure gives the same bytes.
"""

from __future__ import annotations

import io
import textwrap
from dataclasses import dataclass, field
from itertools import pairwise
from pathlib import Path

import matplotlib as mpl
import matplotlib.text
import matplotlib.ticker
from matplotlib.figure import Figure

from ..atomic import atomic_path
from ..dutch import nl_number
from ..errors import UnknownNameError

#: Colour-blind-safe ColorBrewer palettes: sequential for levels, diverging for differences.
SEQUENTIAL, DIVERGING = "YlGnBu", "PuOr"
MISSING_COLOUR, CONTEXT_COLOUR, EDGE_COLOUR = "#f2f2f2", "#e3e3e3", "#ffffff"
#: ColorBrewer Dark2, in a colour-blind-safe order, for lines and categories.
PALETTE = ["#1b9e77", "#7570b3", "#d95f02", "#e7298a", "#66a61e"]
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
    # Names come from CBS files and users: a "$" in a buurt name is text, not mathtext to parse.
    "text.parse_math": False,
}
FIGSIZE = (9.0, 7.5)
#: Metadata that would make two saves of the same figure differ.
_NO_METADATA = {
    "png": {"Software": None},
    "svg": {"Date": None, "Creator": None},
    "pdf": {"CreationDate": None, "ModDate": None, "Creator": None, "Producer": None},
}


class DutchTicks(mpl.ticker.Formatter):
    """Tick labels in Dutch notation (``7,5``; ``1.000``), with as many decimals as the tick spacing needs."""

    decimals = 0

    def set_locs(self, locs) -> None:
        super().set_locs(locs)
        ordered = sorted(float(loc) for loc in locs)
        steps = [b - a for a, b in pairwise(ordered) if b > a]
        step = min(steps) if steps else 1.0
        self.decimals = next((d for d in range(5) if abs(round(step * 10**d) - step * 10**d) < 1e-6), 4)

    def __call__(self, value: float, pos: int | None = None) -> str:
        return nl_number(value, self.decimals)


def dutch_axis(axis) -> None:
    """Write an axis's numbers as the pages write them."""
    axis.set_major_formatter(DutchTicks())


def png_bytes(fig: Figure, dpi: int = 110) -> bytes:
    """The figure as PNG bytes for a notebook to display (no software name in the metadata)."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi, metadata={"Software": None})
    return buffer.getvalue()


def own_figure_png(fig: Figure) -> bytes | None:
    """PNG of a figure the package made, for JupyterLab's display; ``None`` for a figure pyplot manages
    (``plt.subplots()``, ``df.plot()``), which the notebook's own backend shows already - never twice."""
    if getattr(fig.canvas, "manager", None) is not None:
        return None
    return png_bytes(fig)


@dataclass
class PlottedData:
    """What a map or chart shows, as a table a reader can download beside the picture.

    ``frame`` has Dutch headers; ``decimals`` gives each numeric column's decimals (``None`` for text).
    """

    frame: object  # a pandas DataFrame (pandas is imported only where figures are drawn)
    decimals: dict[str, int | None]
    title: str
    source: str
    notes: list[str] = field(default_factory=list)
    #: The figure's main finding in words, where the table alone does not say it (read by :func:`alt_text`).
    summary: str = ""


def attach_data(fig: Figure, data: PlottedData) -> None:
    """Keep the table behind a figure with it: ``pages.show`` writes it as CSV beside the figure's files."""
    fig.parkstad_data = data


def plotted_data(fig: Figure) -> PlottedData | None:
    """The table :func:`attach_data` kept with a figure, if any."""
    return getattr(fig, "parkstad_data", None)


def attach_narrow(fig: Figure, redraw) -> None:
    """Keep with a figure how to draw it again for a phone's screen (``redraw()`` returns the narrow figure, or
    what a drawing function returns): ``pages.show`` offers that variant to narrow screens."""
    fig.parkstad_narrow = redraw


def narrow_variant(drawing) -> Figure | None:
    """The narrow variant of a drawing (a map's ``narrow()``, or what :func:`attach_narrow` kept), drawn now, or
    ``None`` when it has none."""
    redraw = getattr(drawing, "narrow", None) or getattr(getattr(drawing, "figure", drawing), "parkstad_narrow", None)
    if not callable(redraw):
        return None
    return getattr(redraw(), "figure", None)


def alt_text(fig: Figure) -> str:
    """A Dutch description of a figure for a screen reader, from the table it draws (:func:`attach_data`): what it
    shows, and its main finding: the highest and lowest region of a map, the first and last value of a series."""
    import pandas as pd

    data = plotted_data(fig)
    if data is None:
        return ""
    frame, title = data.frame, data.title
    if data.summary:
        return f"{title}. {data.summary}"
    numeric = [c for c, d in data.decimals.items() if d is not None and c in frame.columns]
    if not numeric or frame[numeric[0]].dropna().empty:
        return f"{title}. De gegevens staan in de tabel die bij de figuur hoort."
    value, decimals = numeric[0], data.decimals[numeric[0]]
    known = frame.dropna(subset=[value])
    if "Naam" in frame.columns:  # a map: one row per region, those of the focus area first in what it says
        inside = frame.get("Deel van het focusgebied", pd.Series("ja", index=frame.index)).eq("ja")
        known = known[inside.reindex(known.index, fill_value=False)] if inside[known.index].any() else known
        high, low = known.loc[known[value].idxmax()], known.loc[known[value].idxmin()]
        missing = int(inside.sum()) - len(known)
        return (f"Kaart: {title}. {len(known)} gebieden van het focusgebied met een cijfer ({value}); het hoogste in "
                f"{high['Naam']} "
                f"({nl_number(high[value], decimals)}), het laagste in {low['Naam']} ({nl_number(low[value], decimals)})"
                + (f"; {missing} zonder cijfer" if missing else "") + ".")
    if {"Reeks", "Periode"} <= set(frame.columns):  # a chart of series over time
        parts = []
        for name, rows in known.groupby("Reeks", sort=False):
            first, last = rows.iloc[0], rows.iloc[-1]
            parts.append(f"{name} van {nl_number(first[value], decimals)} in {first['Periode']} naar "
                         f"{nl_number(last[value], decimals)} in {last['Periode']}")
        return f"Grafiek: {title}. " + "; ".join(parts) + "."
    label = frame.columns[0]
    high = known.loc[known[value].idxmax()]
    return (f"Grafiek: {title}. {len(known)} waarden ({value}); de hoogste bij {high[label]} "
            f"({nl_number(high[value], decimals)}).")


class ShowsItself:
    """A drawing (anything with ``.figure``) that shows its picture as the last line of a JupyterLab cell."""

    def _repr_png_(self) -> bytes | None:
        return own_figure_png(self.figure)


def wrap(text: str, width: int) -> str:
    """Break a label into lines of at most ``width`` characters."""
    return "\n".join(textwrap.wrap(text, width)) if text else text


def room_below(fig: Figure, upper, lower, gap_inches: float = 0.08) -> None:
    """Make the figure taller at the bottom until ``upper`` (an artist, e.g. a legend) ends above ``lower`` (a text
    anchored at the bottom, e.g. the source line): what is above keeps its place and size, ``lower`` stays at the
    bottom. A legend that grows with its notes no longer runs into the source line of a narrow map."""
    fig.draw_without_rendering()  # lays the texts out, so that their extents are known
    overlap = (lower.get_window_extent().y1 - upper.get_window_extent().y0) / fig.dpi + gap_inches
    if overlap <= 0:
        return
    width, height = fig.get_size_inches()
    taller = height + overlap

    def moved(y: float) -> float:  # a fraction of the figure's height, kept the same distance from the top
        return (y * height + overlap) / taller

    for ax in fig.axes:  # the figure's own axes; an inset follows its parent
        x0, y0, w, h = ax.get_position().bounds
        ax.set_position((x0, moved(y0), w, h * height / taller))
    for text in fig.texts:
        x, y = text.get_position()
        text.set_position((x, y * height / taller) if text is lower else (x, moved(y)))
    fig.set_size_inches(width, taller)


def literal_text(fig: Figure) -> None:
    """Make every text of the figure literal, also those of axes made before the style applied (``ax=``)."""
    for text in fig.findobj(mpl.text.Text):
        text.set_parse_math(False)


def save(fig: Figure, path_stem: str | Path, formats: tuple[str, ...] = ("png", "svg", "pdf")) -> list[Path]:
    """Write the figure in each format, deterministically (no dates or versions in metadata).

    Each file is written to a temporary name and renamed, so a reader never sees half a figure.
    """
    stem = Path(path_stem)
    written = []
    literal_text(fig)
    with mpl.rc_context(STYLE):
        for fmt in formats:
            if fmt not in _NO_METADATA:
                raise UnknownNameError("figure format", fmt, list(_NO_METADATA))
            target = stem.with_suffix(f".{fmt}")
            with atomic_path(target) as partial:
                fig.savefig(partial, format=fmt, metadata=_NO_METADATA[fmt], dpi=STYLE["savefig.dpi"])
            written.append(target)
    return written
