"""Reporting: notebooks run over a parameter matrix into a report folder.

* :mod:`.plan` — the notebooks, their parameters (read from their ``parameters`` cells) and the matrix;
* :mod:`.runner` — runs the jobs (a local process pool) and reports each outcome;
* :mod:`.pages` — executed notebooks → reader's HTML through the project's nbconvert template;
* :mod:`.publish` — index, manifest and the ``latest`` pointer of a report folder;
* :mod:`.report` — ``parkstad report``: plan, run, publish;
* :mod:`.notebook_helpers` — what the notebooks import: load tables, show and save figures, record key figures;
* :mod:`.stored_outputs` — keeps the committed notebooks' outputs to the key figures nbval compares.
"""
