"""Figures: boundary layers, style, maps and charts.

* :mod:`.style` — palettes, Dutch number formatting, safe text, deterministic saving;
* :mod:`.layers` — which boundary layer to draw an area on for a given year;
* :mod:`.labels` — region labels (names or a numbered key), north arrow;
* :mod:`.maps` — choropleths of one indicator for one area;
* :mod:`.overview` — the locator map and the Regio Deal project map;
* :mod:`.charts` — trends over quarters and the funding ranking.

Drawing functions take ``ax=`` (or make their own figure) and return what they drew.
Figures never compute indicators: values come from :mod:`parkstad_analysis.analysis`.
"""
