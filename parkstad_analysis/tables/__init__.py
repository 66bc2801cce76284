"""Tables: one module per processed table, each saying which dataset shapes feed it and how they are cleaned.

* :mod:`.kwb` — Kerncijfers wijken en buurten, region × year;
* :mod:`.benefits` — benefit recipients per quarter;
* :mod:`.education`, :mod:`.income`, :mod:`.cars` — the smaller tables;
* :mod:`.projects`, :mod:`.press_release` — the press release's projects and participation figures;
* :mod:`.names` — region names and the name lookups StatLine exports need;
* :mod:`.definitions` — CBS's own title, unit and definition of each indicator;
* :mod:`.geometry` — boundary layers;
* :mod:`.tidy` — raw frames to the tidy region shape (codes, levels, CBS markers, declared decimals);
* :mod:`.combine` — one figure from several datasets: authority, provenance, reconciliation;
* :mod:`.quality` — rows and missing shares per table;
* :mod:`.context` — what a build reads: the fetched datasets, checked against their fetch records;
* :mod:`.build` — ``parkstad build``: runs them all and hands the result to :mod:`parkstad_analysis.processed`.

Tables never write files (that is the processed store's job) and never fetch.
"""
