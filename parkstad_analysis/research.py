"""One import for a researcher in JupyterLab, and for the project's own notebooks: ``import parkstad_analysis as pa``.

::

    import parkstad_analysis as pa

    data = pa.load()                        # the processed tables of data/processed (one generation)
    gms = pa.area("gms")                    # an Area: shown as a Dutch table in JupyterLab
    figures = pa.profile.key_figures(data, gms, 2019, "2019Q4")
    pa.show_key_figures(figures)
    pa.show(pa.maps.choropleth(data, data.layers, gms, "bijstand_per_1000", "2019Q4"))

An area is looked up once, here, and passed inward as an :class:`Area`. What a page shows
(``show``, ``show_table``, ``show_note``, ``show_key_figures``, ``record``) comes from
:mod:`parkstad_analysis.pages`; the figures from :mod:`parkstad_analysis.analysis` and the
maps and charts from :mod:`parkstad_analysis.figures`.
"""

from __future__ import annotations

from functools import cached_property

import geopandas as gpd
import pandas as pd

from .analysis import funding, indicators, profile, profile_maps
from .analysis.evaluation import Evaluation, evaluate
from .analysis.profile import AreaFigure, KeyFigures
from .analysis.region_values import mappable_indicators
from .config import Settings
from .errors import NoFiguresError
from .fetch.registry import Dataset, load_registry
from .figures import charts, interactive, maps
from .figures.layers import BoundaryYearWarning
from .figures.overview import locator_map, projects_map
from .figures.style import own_figure_png
from .pages import data_overview
from .pages import evaluation as evaluation_text
from .pages import funding as funding_text
from .pages import profile as profile_text
from .pages.blocks import figures_html, note_html
from .pages.display import area_html, figures_html_table
from .pages.show import record, show, show_interactive, show_key_figures, show_note, show_table
from .pages.templates import styled
from .processed import FIGURE_EXTRAS, ProcessedStore
from .tables.names import latest_names
from .vocabulary.areas import Area, as_area, focus_areas, load_areas

__all__ = [
    "Area", "AreaFigure", "BoundaryYearWarning", "Data", "Evaluation", "area", "areas", "charts", "data_overview",
    "evaluate", "evaluation_text", "funding", "funding_text", "indicators", "interactive", "load", "locator_map",
    "mappable_indicators", "maps", "profile", "profile_maps", "profile_text", "projects_map", "record", "registry",
    "show", "show_interactive", "show_key_figures", "show_note", "show_table",
]



class Data(dict):
    """The processed tables of one generation, by name (``data["kwb"]``), with the boundary layers and the store.

    A plain ``dict`` of tables to every analysis and figure function; :attr:`layers` are read on first use.
    """

    def __init__(self, store: ProcessedStore):
        super().__init__(store.figure_tables())
        self.store = store

    @cached_property
    def layers(self) -> dict[str, gpd.GeoDataFrame]:
        """The processed boundary layers (EPSG:28992), by name."""
        return self.store.load_layers()

    def region_tables(self) -> dict[str, pd.DataFrame]:
        """Only the region tables (``kwb``, ``benefits``, ``education``, …), without names and provenance."""
        return {name: frame for name, frame in self.items() if name not in FIGURE_EXTRAS}

    def table(self, name: str) -> pd.DataFrame:
        """Any processed table by name (``projects``, ``comparisons``, …), read from the same generation."""
        return self[name] if name in self else self.store.load_table(name)

    def region_names(self) -> pd.Series:
        """Region code → the latest name the sources give it."""
        return latest_names(self["region_names"])

    def __repr__(self) -> str:
        return f"Data(generation={self.store.generation!r}, tables={sorted(self)})"


def load(settings: Settings | None = None) -> Data:
    """The processed data, as ``parkstad build`` wrote it (``$PARKSTAD_HOME``, else the project folder).

    Parameters
    ----------
    settings : Settings, optional
        Folders and mirror; default :meth:`Settings.from_env`.

    Returns
    -------
    Data
        The region tables (``kwb``, ``benefits``, …) with region names and provenance, and their layers.
    """
    return Data(ProcessedStore(settings))


def area(name: Area | str) -> Area:
    """A focus area, gemeente or ``parkstad`` by name (``"gms"``, ``"Heerlen-Noord"``), or any gemeente, wijk or
    buurt of the built data by CBS code or name (``"BU09280102"``, ``"Rolduckerveld"``); an unknown name raises an
    error listing the closest ones, a name several regions carry one listing them with their codes."""
    return as_area(name)


def registry() -> dict[str, Dataset]:
    """Every registered dataset (``registry.toml``), by id."""
    return load_registry()


def areas(focus_only: bool = False) -> list[Area]:
    """Every area (focus areas, each Parkstad gemeente and Parkstad), or the Regio Deal focus areas only."""
    return [as_area(name) for name in focus_areas()] if focus_only else list(load_areas().values())


def _key_figures_html(figures: KeyFigures) -> str:
    return styled(figures_html(figures, "Kerncijfers"))


def _evaluation_html(result: Evaluation) -> str:
    return styled(note_html(evaluation_text.summary(result)))


def _note_instead_of_traceback(shell, kind, error, tb, tb_offset=None) -> None:
    """An expected situation (no figures for this area) as a Dutch note in the cell; the cell still counts as
    failed, so a Lab's *Run All* and papermill stop there instead of failing in every later cell."""
    from IPython.display import HTML, display

    display(HTML(styled(note_html(error.note, "warning"))))


def _register_rich_display() -> None:
    """In IPython: what the package returns shows itself as the report shows it, in Dutch.

    An area and one key figure as small tables, a profile's key figures as the report's cards, an evaluation as its
    summary, and a chart of :mod:`~parkstad_analysis.figures.charts` as its picture (maps do so themselves).
    """
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover - IPython comes with the notebooks' stack
        return
    shell = get_ipython()
    if shell is None:
        return
    shell.set_custom_exc((NoFiguresError,), _note_instead_of_traceback)
    html = shell.display_formatter.formatters["text/html"]
    html.for_type(Area, area_html)
    html.for_type(AreaFigure, lambda figure: figures_html_table([figure]))
    html.for_type(KeyFigures, _key_figures_html)
    html.for_type(Evaluation, _evaluation_html)
    shell.display_formatter.formatters["image/png"].for_type_by_name("matplotlib.axes._axes", "Axes",
                                                                     lambda ax: own_figure_png(ax.figure))


_register_rich_display()
