"""What a map says about its data in words and numbers: its source line, and the table behind it (per region its
code, name, role, value, period, source and how the value was made), which a report writes as CSV."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from .labels import region_names
from .layers import boundary_source
from .style import PlottedData

if TYPE_CHECKING:
    from .maps import MapScene

__all__ = ["BASIS_WORDS", "map_data", "map_source"]


def map_source(scene: MapScene) -> str:
    """The source line of a map: the statistics' datasets and the boundaries'."""
    return (f"Bron: {scene.data.sources(scene.shown['region_code'].tolist()) or 'CBS'}; "
            f"grenzen: {boundary_source(scene.shown)}")



#: How a rate per region was made (``IndicatorValues.basis``), in a reader's words.
BASIS_WORDS = {"aantallen": "berekend uit de aantallen (door CBS afgerond op tientallen)",
               "gepubliceerd percentage": "uit het percentage dat CBS publiceert (nauwkeuriger dan de afgeronde "
                                          "aantallen)"}


def map_data(scene: MapScene, classes: pd.DataFrame | None = None) -> PlottedData:
    """The table behind a map: per region coloured its code, name, whether it is part of the focus area, the value
    as the map colours it, the period, and the source and how the value was made (CBS's own or from counts).

    With ``classes`` (:func:`~.map_classes.class_members`), each region's class and, when the classes are the
    gemeente's, which other regions of the gemeente share it."""
    shown = scene.shown
    inside = shown["region_code"].isin(set(scene.outline["region_code"]))
    codes = shown["region_code"].tolist()
    basis = scene.data.basis.reindex(codes).fillna("").map(lambda b: BASIS_WORDS.get(b, b)).tolist() \
        if scene.data.basis is not None else [""] * len(codes)
    value_header = f"{scene.data.title} ({scene.unit})"
    frame = pd.DataFrame({
        "Code": codes, "Naam": region_names(shown).tolist(),
        "Deel van het focusgebied": np.where(inside, "ja", f"nee: omgeving, niet in {scene.focus.title}"),
        value_header: shown["value"].to_numpy(float), "Periode": scene.data.period,
        "Bron": [scene.data.sources([code]) or "CBS" for code in codes], "Berekening": basis,
    })
    if classes is not None:
        frame.insert(4, "Klasse", classes["class"].reindex(codes).fillna("geen gegevens").to_numpy())
        if scene.pool is not None:  # classes of the gemeente: who else is in each one
            frame.insert(5, f"Ook in deze klasse, van de {scene.pool_words}", classes["others"].reindex(codes).fillna("")
                         .to_numpy())
    values = scene.data.values.reindex(codes)
    decimals = 0 if len(values.dropna()) and np.allclose(values.dropna(), values.dropna().round()) else 1
    return PlottedData(frame, {column: None for column in frame.columns} | {value_header: decimals},
                       f"{scene.data.title} per gebied, {scene.focus.title} ({scene.data.period})", map_source(scene),
                       list(scene.chosen.notes))
