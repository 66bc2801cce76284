"""Small helpers that keep the notebooks thin: load the data, show and save figures, record key figures.

``record`` shows a key figure as plain text (what nbval compares) and attaches it as
JSON with the metadata ``{"parkstad": "record"}``, so tests and the report can read
the figures a notebook produced from the executed notebook itself.
"""

from __future__ import annotations

import io
import json
import math
from pathlib import Path

import geopandas as gpd
import pandas as pd

from ..config import Settings
from ..figures.style import save
from ..processed import ProcessedStore

RECORD_MIME = "application/vnd.parkstad.record+json"


def load_tables(settings: Settings | None = None) -> dict[str, pd.DataFrame]:
    """The processed region tables the notebooks use, by name (``kwb`` and ``benefits`` are required)."""
    return ProcessedStore(settings).load_tables()


def load_layers(settings: Settings | None = None) -> dict[str, gpd.GeoDataFrame]:
    """The processed boundary layers."""
    return ProcessedStore(settings).load_layers()


def _plain(value: object) -> object:
    if isinstance(value, float):
        return None if math.isnan(value) else round(value, 6)
    if hasattr(value, "item"):
        return _plain(value.item())
    return value


def record(**figures: object) -> None:
    """Show key figures as ``name = value`` lines and attach them for tests and reports.

    Values are rounded to 6 decimals so that the text nbval compares is stable.
    """
    from IPython.display import display

    values = {name: _plain(value) for name, value in figures.items()}
    text = "\n".join(f"{name} = {_format(value)}" for name, value in values.items())
    display({"text/plain": text, RECORD_MIME: values}, raw=True, metadata={"parkstad": "record"})


def _format(value: object) -> str:
    if isinstance(value, float):
        return f"{value:,.2f}"
    return str(value)  # whole numbers as they are: years must not read 2,019


def show(drawing, name: str | None = None, figure_dir: str | Path | None = None) -> None:
    """Display a map or chart inline (PNG) and, when ``figure_dir`` is set, save it as PNG, SVG and PDF.

    ``drawing`` is a Figure, an Axes, or what a drawing function returned (anything with ``.figure``).
    """
    from IPython.display import Image, display

    fig = getattr(drawing, "figure", drawing)
    if figure_dir and name:
        save(fig, Path(figure_dir) / name)
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=110, metadata={"Software": None})
    display(Image(buffer.getvalue(), format="png"))


def recorded(notebook_path: str | Path) -> dict[str, object]:
    """Every figure :func:`record` attached in an executed notebook (later cells win)."""
    document = json.loads(Path(notebook_path).read_text("utf-8"))
    found: dict[str, object] = {}
    for cell in document.get("cells", []):
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            if RECORD_MIME in data:
                found.update(data[RECORD_MIME])
    return found
