"""The vocabulary: the TOML files in ``parkstad_analysis/data`` and the validated models read from them.

Each file has one declared model; a file that does not match it is refused with
an error naming the file, the key and the value that was expected:

* ``gemeenten.toml`` → :mod:`.regions` (gemeente codes and names, mergers);
* ``indicators.toml`` → :mod:`.indicators` (names, titles, units, tables, rates);
* ``areas.toml`` → :mod:`.areas` (the focus areas as sets of CBS codes);
* ``registry.toml`` → :mod:`parkstad_analysis.fetch.registry` (the datasets).
"""
