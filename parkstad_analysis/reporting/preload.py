"""What the report's fork server imports once, so that every worker, and every kernel forked from a worker, starts
with it loaded.

Importing this module is its job: the notebooks' stack (:data:`.report.KERNEL_MODULES`),
papermill, nbconvert and ipykernel, and the first use of what every kernel would otherwise load
on its own: the page templates, plotly's table of validators, pyarrow's dataset reader and
Pillow's image plugins (``make benchmark`` prints what the imports cost). Only what lives in
memory is warmed here, nothing that keeps a file or database open (matplotlib's fonts, PROJ's
database): a descriptor inherited by two forked kernels would share one read position between
them. The report names this module as the fork server's preload; nothing else imports it.
"""

from __future__ import annotations

import importlib
import sys

# jsonschema (under nbformat) imports rfc3987_syntax when installed, which builds a grammar for seconds at import;
# it only checks IRI formats, which no notebook schema uses
sys.modules.setdefault("rfc3987_syntax", None)

import ipykernel.kernelapp  # noqa: E402,F401
import papermill  # noqa: E402,F401
from papermill.iorw import load_notebook_node  # noqa: E402,F401

from ..kernels import fork, pool, state, warm  # noqa: E402,F401
from ..pages import templates  # noqa: E402
from . import html  # noqa: E402
from .report import KERNEL_MODULES  # noqa: E402


def _first_use() -> None:
    import PIL.Image
    import plotly.graph_objects as go
    import pyarrow.dataset  # noqa: F401  (what pandas.read_parquet imports on its first call)

    PIL.Image.preinit()
    figure = go.Figure(go.Scatter(x=[0, 1], y=[0, 1], fill="toself", mode="lines", hoverinfo="text", text=["a"]))
    figure.update_layout(title={"text": "a"}, xaxis={"visible": False}, yaxis={"visible": False, "scaleanchor": "x"})
    figure.to_json()


for _name in KERNEL_MODULES:
    importlib.import_module(_name)
templates.compile_templates()
html.load_exporter()
_first_use()
