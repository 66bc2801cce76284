"""Analysis: pure functions on the tidy tables of ``data/processed``.

* :mod:`.aggregate` — sums and rates over an area's regions, with rounding bounds and coverage;
* :mod:`.indicators` — participation, benefit rates, age and income for areas, and the comparison table;
* :mod:`.region_values` — one indicator per region for one period (what a map colours);
* :mod:`.funding` — the Regio Deal projects of December 2020 and their money.

Analysis never draws and never reads files by name: tables come in as arguments.
"""
