"""Figures: boundary layers, style, maps and charts.

* :mod:`.style` — palettes, Dutch tick labels, safe text, deterministic saving;
* :mod:`.classes` — the names of the map classifications (light enough for the command line);
* :mod:`.layers` — which boundary layer to draw an area on for a given year;
* :mod:`.labels` — region labels (names or a numbered key), north arrow;
* :mod:`.maps` — choropleths of one indicator for one area (wide, or narrow for a phone);
* :mod:`.map_classes` — a map's classes, colours and legend labels (mapclassify);
* :mod:`.map_table` — a map's source line and the table behind it;
* :mod:`.symbols` — counts as proportional circles;
* :mod:`.surroundings` — what a map draws around its regions: gemeente lines, neighbours, the national border;
* :mod:`.interactive` — the same maps in plotly, offline, class for class;
* :mod:`.overview` — the locator map and the Regio Deal project map;
* :mod:`.charts` — trends over quarters, the funding ranking, participation by source, the event study.

Drawing functions take ``ax=`` (or make their own figure) and return what they drew. Figures never compute
indicators (values come from :mod:`parkstad_analysis.analysis`) and never write pages.
"""
