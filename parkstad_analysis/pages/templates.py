"""The one jinja environment over ``pages/templates``: blocks in notebooks, the report's index and dictionary, and the
blocks' stylesheet (``blocks.css``), which every page includes and a block shown in JupyterLab carries along."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from ..dutch import SIGNS, nl_number

TEMPLATES = Path(__file__).resolve().parent / "templates"


@cache
def _environment():
    import jinja2

    environment = jinja2.Environment(loader=jinja2.FileSystemLoader(str(TEMPLATES)), autoescape=True)
    environment.filters["nl"] = nl_number
    environment.globals["signs"] = SIGNS  # CBS's verklaring van tekens, under every table and page
    return environment


def render(template: str, **context: object) -> str:
    """Render a template of ``pages/templates`` (HTML-escaped), e.g. ``blocks/table.html.j2``."""
    return _environment().get_template(template).render(**context)


@cache
def block_style() -> str:
    """The blocks' stylesheet as one ``<style>`` element, for a block shown outside the report (JupyterLab).

    The report's pages carry the same rules in their head; :func:`without_block_style` takes these copies out.
    """
    return f'<style data-parkstad="blocks">\n{(TEMPLATES / "blocks.css").read_text("utf-8")}</style>\n'


def styled(html: str) -> str:
    """A block with the blocks' stylesheet in front: styled wherever it is shown (JupyterLab, a rich display); the
    report's page takes the copy out again (:func:`without_block_style`)."""
    return block_style() + html


def without_block_style(html: str) -> str:
    """A page's HTML without the copies of :func:`block_style` its blocks carried from the notebook."""
    return html.replace(block_style(), "")


def compile_templates() -> None:
    """Compile every template now (a process that forks others does it once for all of them)."""
    environment = _environment()
    for name in environment.list_templates():
        environment.get_template(name)
