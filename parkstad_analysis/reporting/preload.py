"""What the report's fork server imports once, so that every worker, and every kernel forked from a worker, starts
with it loaded.

Importing this module is its job: about 5 s of imports (the notebooks' stack, papermill,
nbconvert and ipykernel) and the first use of the page templates. The runner names it as
the fork server's preload (:func:`.runner.start_fork_server`); nothing else imports it.
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

kernel_state.import_heavy()
blocks.load_templates()
pages.load_exporter()
