"""Executed notebooks → the reader's HTML page, through the project's nbconvert template (code hidden, figures embedded)."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from ..atomic import write_text

TEMPLATES = Path(__file__).resolve().parent / "templates"


@cache
def _exporter():
    from nbconvert import HTMLExporter

    return HTMLExporter(template_name="parkstad", extra_template_basedirs=[str(TEMPLATES)], language_code="nl",
                        exclude_input=True, exclude_input_prompt=True, exclude_output_prompt=True)


def load_exporter() -> None:
    """Load the page template and compile it (once per process; a fork server does it for its workers)."""
    from nbformat.v4 import new_notebook

    _exporter().from_notebook_node(new_notebook())


def notebook_to_html(notebook, target: Path) -> Path:
    """Write the reader's page of an executed notebook (a path, or the notebook itself), atomically."""
    import nbformat

    node = nbformat.read(notebook, as_version=4) if isinstance(notebook, str | Path) else notebook
    body, _ = _exporter().from_notebook_node(node)
    return write_text(target, body)
