"""The classes of a map: which class each region falls in, its colour and its Dutch label.

Classes are computed with mapclassify (quantiles, natural breaks, equal intervals, or bounds given); a map of too few
regions to class on their own is classed with every region of the same level in its gemeenten
(:func:`gemeente_pool`), and a difference to a reference area gets symmetric classes on a diverging palette.
"""

from __future__ import annotations

import warnings
from typing import TYPE_CHECKING

import geopandas as gpd
import mapclassify
import matplotlib as mpl
import numpy as np
import pandas as pd

from ..analysis.region_values import IndicatorValues
from ..dutch import nl_number
from ..errors import DataFormatError, UnknownNameError
from ..vocabulary.regions import gemeente_names
from .classes import CLASSIFICATIONS
from .layers import MapLayer
from .style import DIVERGING, SEQUENTIAL

if TYPE_CHECKING:
    from .maps import MapScene

__all__ = ["CLASSIFICATION_WORDS", "FEW_REGIONS", "class_labels", "class_members", "classify", "gemeente_pool",
           "map_classes"]

_SCHEMES = {"quantiles": mapclassify.Quantiles, "natural_breaks": mapclassify.FisherJenks,
            "equal_interval": mapclassify.EqualInterval}



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
    if method == "user" and not breaks:
        raise DataFormatError("classification 'user' needs breaks, e.g. breaks=[40, 60, 80]")
    k = max(1, min(k, len(np.unique(values))))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # mapclassify warns about numba and duplicate quantiles
        if method == "user":
            return mapclassify.UserDefined(values, bins=sorted(breaks))
        return _SCHEMES[method](values, k=k)


def class_labels(classifier, low: float, unit: str, decimals: int = 1) -> list[str]:
    """'lower – upper unit' for every class (the first class starts at the data minimum)."""
    edges = [low, *classifier.bins]
    return [f"{nl_number(edges[i], decimals)} – {nl_number(edges[i + 1], decimals)}{(' ' + unit) if unit else ''}"
            for i in range(len(classifier.bins))]


def _diverging_classes(values: np.ndarray, k: int, palette: str):
    """Symmetric equal-interval classes around zero, coloured from a diverging palette."""
    k = k + 1 if k % 2 else k  # even: zero is a class edge
    reach = float(np.nanmax(np.abs(values))) or 1.0
    edges = np.linspace(-reach, reach, k + 1)[1:]
    classes = mapclassify.UserDefined(values, bins=list(edges))
    cmap = mpl.colormaps[palette]
    colours = [mpl.colors.to_hex(cmap(0.08 + 0.84 * i / (k - 1))) for i in range(k)]
    return classes, colours[: len(classes.bins)]


def _sequential_classes(values: np.ndarray, method: str, k: int, breaks: list[float] | None, palette: str):
    classes = classify(values, method, k, breaks)
    n = len(classes.bins)  # mapclassify may merge classes when values repeat
    cmap = mpl.colormaps[palette]
    return classes, [mpl.colors.to_hex(cmap(0.1 + 0.85 * i / max(n - 1, 1))) for i in range(n)]


def _decimals(values: np.ndarray) -> int:
    return 0 if np.allclose(values, np.round(values)) and np.nanmax(np.abs(values)) >= 10 else 1


#: A map with at most this many regions with a value is classed with the other regions of its gemeenten: classes
#: fitted on four buurten hold one buurt each and say nothing.
FEW_REGIONS = 6
#: The classification's words in a legend.
CLASSIFICATION_WORDS = {"quantiles": "kwantielen", "natural_breaks": "natuurlijke grenzen (Fisher-Jenks)",
                        "equal_interval": "gelijke intervallen", "user": "eigen klassengrenzen"}


def gemeente_pool(chosen: MapLayer, shown: gpd.GeoDataFrame, data: IndicatorValues) -> tuple[pd.Series | None, str]:
    """The values of every region of the layer in the shown regions' gemeenten (by code), when the map itself has too
    few, and what they are in words ("55 buurten van Heerlen")."""
    own = shown["value"].dropna()
    if len(own) > FEW_REGIONS:
        return None, ""
    gemeenten = set(shown["gemeente_code"].dropna())
    codes = chosen.frame.loc[chosen.frame["gemeente_code"].isin(gemeenten), "region_code"]
    pool = data.values.reindex(codes).dropna()
    if len(pool) <= len(own):
        return None, ""
    names = sorted({gemeente_names().get(code, code) for code in gemeenten})
    level = {"buurt": "buurten", "wijk": "wijken"}.get(str(shown["level"].iloc[0]), "gebieden")
    return pool.astype(float), f"{len(pool)} {level} van {' en '.join(names)}"


def map_classes(scene: MapScene, classification: str = "quantiles", k: int = 5, breaks: list[float] | None = None,
                reference: str | None = None, palette: str | None = None) -> tuple[object, list[str], list[str]]:
    """The classes of the scene's values (a mapclassify classifier), a colour per class and a Dutch label per class.

    Values of a difference to a ``reference`` area get symmetric classes on a diverging palette.
    """
    values = scene.shown.loc[scene.shown["value"].notna(), "value"].to_numpy()
    if reference:
        classes, colours = _diverging_classes(values, k, palette or DIVERGING)
    else:
        fitted = scene.pool.to_numpy(float) if scene.pool is not None and classification != "user" else values
        classes, colours = _sequential_classes(fitted, classification, k, breaks, palette or SEQUENTIAL)
        if fitted is not values:  # classes of the gemeente; ``yb`` stays the class of each region shown
            classes.yb = np.asarray(classes.find_bin(values))
            values = fitted
    low = -float(np.nanmax(np.abs(values))) if reference else values.min()  # diverging classes are symmetric
    return classes, colours, class_labels(classes, low, "", _decimals(values))  # the unit heads the legend


def class_members(scene: MapScene, classes, labels: list[str]) -> pd.DataFrame:
    """Per region shown with a value: its class's label and, when the classes are the gemeente's
    (:func:`gemeente_pool`), the other regions of the gemeente in that class, so that a reader sees what a class
    means; indexed by region code, columns ``class`` and ``others``."""
    shown = scene.shown[scene.shown["value"].notna()]
    result = pd.DataFrame({"class": [labels[i] for i in classes.yb], "others": ""}, index=shown["region_code"])
    if scene.pool is None:
        return result
    names = scene.chosen.frame.drop_duplicates("region_code").set_index("region_code")["region_name"]
    pool_class = pd.Series(np.asarray(classes.find_bin(scene.pool.to_numpy(float))), index=scene.pool.index)
    for code, wanted in zip(result.index, classes.yb, strict=True):
        others = [str(names.get(c, c)) for c in pool_class.index[pool_class == wanted] if c not in result.index]
        result.loc[code, "others"] = (", ".join(others[:6]) + (f" en {len(others) - 6} andere" if len(others) > 6
                                                               else "")) or "geen"
    return result
