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
    """After a notebook ran in a worker: its page, at the path the report gave the task (``task.extra["page"]``),
    with the title and navigation the report gave it."""
    notebook_to_html(executed, Path(task.extra["page"]), task.extra.get("title"), task.extra.get("nav"))


def notebook_to_html(notebook, target: Path, title: str | None = None, nav: str | None = None) -> Path:
    """Write the reader's page of an executed notebook (a path, or the notebook itself), atomically.

    ``title`` becomes the page's ``<title>`` and replaces the text of its first heading (the notebook's generic
    "Profiel van een focusgebied" names no area); ``nav`` replaces the plain link back to the index.
    """
    import nbformat

    node = nbformat.read(notebook, as_version=4) if isinstance(notebook, str | Path) else notebook
    resources = {"metadata": {"name": title or "Parkstad-analyse"}, "parkstad_nav": nav or ""}
    body, _ = _exporter().from_notebook_node(node, resources=resources)
    if title:
        body = _retitled(body, title)
    return write_text(target, without_block_style(body))  # the page's head holds the blocks' style once


def _retitled(body: str, title: str) -> str:
    """The page with its first H1's text replaced by ``title`` (its anchor kept)."""
    import html
    import re

    return re.sub(r"(<h1[^>]*>)(.*?)(<a class=\"anchor-link\"[^>]*>[^<]*</a>)?(</h1>)",
                  lambda m: f"{m.group(1)}{html.escape(title)}{m.group(3) or ''}{m.group(4)}", body, count=1,
                  flags=re.S)
