"""Executed notebooks → the reader's HTML page, through the project's nbconvert template (code hidden, figures embedded)."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from ..atomic import write_text
from ..pages.templates import TEMPLATES as PAGE_TEMPLATES
from ..pages.templates import without_block_style

TEMPLATES = Path(__file__).resolve().parent / "templates"


@cache
def _exporter():
    from nbconvert import HTMLExporter

    # page.css lives with the other page templates (the index and the dictionary include it too)
    return HTMLExporter(template_name="parkstad", extra_template_basedirs=[str(TEMPLATES)],
                        extra_template_paths=[str(PAGE_TEMPLATES)], language_code="nl",
                        exclude_input=True, exclude_input_prompt=True, exclude_output_prompt=True)


def load_exporter() -> None:
    """Load the page template and compile it (once per process; a fork server does it for its workers)."""
    from nbformat.v4 import new_notebook

    _exporter().from_notebook_node(new_notebook())


def write_page(executed, task) -> None:
    """After a notebook ran in a worker: its page, at the path the report gave the task (``task.extra["page"]``)."""
    notebook_to_html(executed, Path(task.extra["page"]))


def notebook_to_html(notebook, target: Path) -> Path:
    """Write the reader's page of an executed notebook (a path, or the notebook itself), atomically."""
    import nbformat

    node = nbformat.read(notebook, as_version=4) if isinstance(notebook, str | Path) else notebook
    body, _ = _exporter().from_notebook_node(node)
    return write_text(target, without_block_style(body))  # the page's head holds the blocks' style once
