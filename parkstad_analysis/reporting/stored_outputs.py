"""Keep the committed notebooks' outputs to the key-figure cells that nbval checks.

A cell whose source contains ``# NBVAL_CHECK_OUTPUT`` keeps the output of the
default run (``pytest --nbval-lax`` compares it); every other output is stripped,
execution counts are cleared and run metadata is dropped, so diffs stay clean.

    python -m parkstad_analysis.reporting.stored_outputs update notebooks/*.ipynb   # re-run and store key outputs
    python -m parkstad_analysis.reporting.stored_outputs check notebooks/*.ipynb    # what make test verifies
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import nbformat

from ..atomic import atomic_path

CHECK_MARK = "# NBVAL_CHECK_OUTPUT"
# machine paths, memory addresses and timestamps must never reach a committed output
_UNSTABLE = re.compile(r"(/work/|/root/|/tmp/|/home/|0x[0-9a-f]{6,}|\d{4}-\d{2}-\d{2}T\d{2}:\d{2})")


def strip(notebook: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """Drop outputs except in check cells, execution counts and run metadata (in place, returned)."""
    notebook.metadata.pop("papermill", None)
    notebook.metadata["language_info"] = {"name": "python"}  # the kernel adds its exact version otherwise
    for cell in notebook.cells:
        cell.metadata.pop("papermill", None)
        cell.metadata.pop("execution", None)
        if cell.cell_type != "code":
            continue
        if CHECK_MARK not in cell.source:
            cell.outputs = []
            cell.execution_count = None
        # a key cell keeps its count from the fresh top-to-bottom run: nbval skips "unrun" cells
        for output in cell.outputs:
            output.get("metadata", {}).pop("execution", None)
    return notebook


def update(path: Path) -> None:
    """Execute a notebook with its defaults, strip it, and write it back atomically."""
    from nbclient import NotebookClient

    notebook = nbformat.read(path, as_version=4)
    NotebookClient(notebook, timeout=900, kernel_name="python3",
                   resources={"metadata": {"path": str(path.parent)}}).execute()
    strip(notebook)
    with atomic_path(path) as partial:
        nbformat.write(notebook, partial)


def check(path: Path) -> list[str]:
    """Problems of a committed notebook: stray outputs, missing key outputs, unstable text."""
    notebook = nbformat.read(path, as_version=4)
    problems = []
    parameters = [c for c in notebook.cells if "parameters" in c.metadata.get("tags", [])]
    if len(parameters) != 1:
        problems.append(f"{path}: {len(parameters)} cells tagged 'parameters'; expected exactly one")
    if not notebook.cells or notebook.cells[0].cell_type != "markdown" or not notebook.cells[0].source.startswith("# "):
        problems.append(f"{path}: the first cell must be a markdown title and purpose")
    for number, cell in enumerate(notebook.cells):
        if cell.cell_type != "code":
            continue
        if CHECK_MARK not in cell.source and cell.outputs:
            problems.append(f"{path}: cell {number} has outputs but is not a key-figure cell")
        if CHECK_MARK in cell.source and not cell.outputs:
            problems.append(f"{path}: key-figure cell {number} has no stored output; run `make nbval-update`")
        text = nbformat.writes(nbformat.from_dict({"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5,
                                                   "outputs": cell.outputs}))
        if _UNSTABLE.search(text):
            problems.append(f"{path}: cell {number} output holds a path, address or timestamp")
    return problems


def main(argv: list[str] | None = None) -> int:
    """``update`` or ``check`` the notebooks named on the command line."""
    args = argv if argv is not None else sys.argv[1:]
    if len(args) < 2 or args[0] not in ("update", "check"):
        print("usage: python -m parkstad_analysis.reporting.stored_outputs {update|check} NOTEBOOK...", file=sys.stderr)
        return 2
    problems = []
    for name in args[1:]:
        path = Path(name)
        if args[0] == "update":
            update(path)
            print(f"updated {path}")
        problems += check(path)
    for problem in problems:
        print(problem, file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
