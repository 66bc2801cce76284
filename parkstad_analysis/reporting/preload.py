"""What the report's fork server imports once, so that every worker, and every kernel forked from a worker, starts
with it loaded.

Importing this module is its job: about 4 s of imports (the notebooks' stack, papermill,
nbconvert and ipykernel) and the first use of what every kernel would otherwise load on its
own: the page templates, plotly's table of validators (0.3 s), pyarrow's dataset reader and
Pillow's image plugins. Only what lives in memory is warmed here, nothing that keeps a file
or database open (matplotlib's fonts, PROJ's database): a descriptor inherited by two forked
kernels would share one read position between them. The runner names this module as the
fork server's preload (:func:`.runner.start_fork_server`); nothing else imports it.
"""

from __future__ import annotations

import sys

# jsonschema (under nbformat) imports rfc3987_syntax when installed, which builds a grammar for 2 s at import;
# it only checks IRI formats, which no notebook schema uses
sys.modules.setdefault("rfc3987_syntax", None)

import ipykernel.kernelapp  # noqa: E402,F401
import papermill  # noqa: E402,F401
from papermill.iorw import load_notebook_node  # noqa: E402,F401

from . import blocks, kernel_state, pages, runner, warm_kernel  # noqa: E402,F401


def _first_use() -> None:
    import PIL.Image
    import plotly.graph_objects as go
    import pyarrow.dataset  # noqa: F401  (what pandas.read_parquet imports on its first call)

    PIL.Image.preinit()
    figure = go.Figure(go.Scatter(x=[0, 1], y=[0, 1], fill="toself", mode="lines", hoverinfo="text", text=["a"]))
    figure.update_layout(title={"text": "a"}, xaxis={"visible": False}, yaxis={"visible": False, "scaleanchor": "x"})
    figure.to_json()


kernel_state.import_heavy()
blocks.load_templates()
pages.load_exporter()
_first_use()
