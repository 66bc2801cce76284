"""Analysis: pure functions on the tidy tables of ``data/processed``.

* :mod:`.aggregate` — sums and rates over an area's regions, with rounding bounds and coverage;
* :mod:`.indicators` — participation, benefit rates, age and income for areas;
* :mod:`.region_values` — one indicator per region for one period (what a map colours);
* :mod:`.profile` — an area's key figures, each with its own period, coverage and source, and its comparison;
* :mod:`.profile_maps` — which maps a profile draws, each in the period and at the level of its card;
* :mod:`.overview` — the key figures of every focus area, gemeente and Parkstad side by side;
* :mod:`.provenance` — which datasets a figure was computed from;
* :mod:`.funding` — the Regio Deal projects of December 2020 and their money;
* :mod:`.evaluation` — difference-in-differences of benefit rates against comparison buurten;
* :mod:`.did` — its estimators: two-way fixed effects (pyfixest), randomisation inference, rounding, pre-trends.

Analysis never draws, never writes page text and never reads files by name: tables come in as arguments,
and an area as an :class:`~parkstad_analysis.vocabulary.areas.Area` (or its name).
"""
