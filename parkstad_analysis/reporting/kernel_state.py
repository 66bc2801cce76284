"""Run inside a report kernel: the heavy imports done once, and the state restored between two notebooks.

A warm kernel runs many notebooks one after another. Before each one the user namespace
is emptied (``%reset -f``) and :func:`restore` puts back what a notebook may change and a
fresh kernel would not have: open figures, matplotlib settings, warning filters, the working
folder, environment variables and the cell counter.
"""

from __future__ import annotations

import os
import sys
import warnings

_saved: dict = {}

#: Imported before the first notebook: what every report notebook needs (about 2.5 s in a fresh kernel).
HEAVY = ("pandas", "geopandas", "matplotlib.pyplot", "mapclassify", "plotly.graph_objects", "pyogrio",
         "parkstad_analysis.analysis.profile", "parkstad_analysis.figures.maps", "parkstad_analysis.figures.charts",
         "parkstad_analysis.figures.interactive", "parkstad_analysis.reporting.notebook_helpers")


def import_heavy() -> None:
    """Import what every report notebook needs (a no-op where a fork server already did)."""
    import importlib

    for name in HEAVY:
        importlib.import_module(name)


def warm_up() -> None:
    """Import the heavy modules and remember the state a fresh kernel starts with.

    What is loaded by then is frozen for the garbage collector: the full collections of
    ``%reset`` (two per notebook) and those during a notebook then skip the hundreds of
    thousands of objects the imports made (about 0.4 s per notebook).
    """
    import gc

    import matplotlib

    import_heavy()
    _saved.update(rc=dict(matplotlib.rcParams), filters=list(warnings.filters), cwd=os.getcwd(),
                  environ=dict(os.environ), modules=set(sys.modules), path=list(sys.path))
    gc.freeze()


def restore() -> None:
    """Undo what the last notebook changed outside its (already emptied) namespace."""
    import matplotlib
    import matplotlib.pyplot as plt
    from IPython import get_ipython

    plt.close("all")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # restoring deprecated keys as they were is not a use of them
        matplotlib.rcParams.update(_saved["rc"])
    warnings.filters[:] = _saved["filters"]
    os.chdir(_saved["cwd"])
    for key in set(os.environ) - set(_saved["environ"]):
        del os.environ[key]
    os.environ.update(_saved["environ"])
    sys.path[:] = _saved["path"]
    shell = get_ipython()
    if shell is not None:
        # the reset runs as the notebook's first cell (its count already taken): the notebook's own cells
        # are numbered from 1 on pages and in errors, as in a fresh kernel
        shell.execution_count = 1
