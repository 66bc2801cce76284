"""Reporting: the notebooks run over a parameter matrix into a report folder.

* :mod:`.plan` — the notebooks, their parameters (read from their ``parameters`` cells) and the matrix;
* :mod:`.report` — ``parkstad report``: plan, run (through :mod:`parkstad_analysis.kernels`), publish;
* :mod:`.preload` — what the report's fork server imports once (named to the kernels, never imported here);
* :mod:`.html` — executed notebooks → the reader's HTML page, through the project's nbconvert template;
* :mod:`.publish` — index, manifest, pointers and pruning of a report folder;
* :mod:`.atlas` — ``parkstad report --atlas``: the atlas's pages (:mod:`parkstad_analysis.pages.atlas`) rendered
  by a pool of processes or Dask, into a folder a pointer names;
* :mod:`.stored_outputs` — keeps the committed notebooks' outputs to the key figures nbval compares.

Reporting never computes figures or writes page prose (that is :mod:`parkstad_analysis.pages`), and knows
nothing of how kernels are started and reused (that is :mod:`parkstad_analysis.kernels`).
"""
