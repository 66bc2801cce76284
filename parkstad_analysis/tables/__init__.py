"""Tables: one module per processed table, each saying which dataset shapes feed it and how they are cleaned.

* :mod:`.kwb` — Kerncijfers wijken en buurten, region × year;
* :mod:`.benefits` — benefit recipients per quarter;
* :mod:`.population`, :mod:`.education`, :mod:`.income`, :mod:`.cars` — the smaller tables;
* :mod:`.names` — region names and the name lookups StatLine exports need;
* :mod:`.geometry` — boundary layers;
* :mod:`.crosscheck` — datasets that repeat others, compared with the built tables;
* :mod:`.quality` — rows and missing shares per table, and indicator metadata;
* :mod:`.schema` — the declared schemas, generated from the indicator vocabulary;
* :mod:`.build` — ``parkstad build``: runs them all and hands the result to :mod:`parkstad_analysis.processed`.

Tables never write files: that is the processed store's job.
"""
