"""Run inside a warm kernel: the caller's imports done once, and the state restored between two notebooks.

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


def warm_up(modules: list[str]) -> None:
    """Import ``modules`` (a no-op where a fork server already did) and remember the state a fresh kernel starts
    with.

    What is loaded by then is frozen for the garbage collector: the full collections of
    ``%reset`` (two per notebook) and those during a notebook then skip the objects the imports made.
    """
    import gc
    import importlib

    import matplotlib

    for name in modules:
        importlib.import_module(name)
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
