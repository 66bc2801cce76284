"""The committed notebooks are thin and clean; nbtools notices when they are not."""

import nbformat
import pytest

from parkstad_analysis.reporting import stored_outputs as nbtools

from conftest import ROOT

NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_committed_notebooks_pass_the_check(path):
    assert nbtools.check(path) == []
    notebook = nbformat.read(path, as_version=4)
    assert any(nbtools.CHECK_MARK in c.source and c.outputs for c in notebook.cells)


def test_check_finds_stray_outputs_paths_and_parameters(tmp_path):
    notebook = nbformat.read(ROOT / "notebooks/02_area_profile.ipynb", as_version=4)
    plain = next(c for c in notebook.cells if c.cell_type == "code" and nbtools.CHECK_MARK not in c.source
                 and "parameters" not in c.metadata.get("tags", []))
    plain.outputs = [nbformat.v4.new_output("stream", text="saved to /work/main/reports at 0x7f3a2b1c9d40\n")]
    notebook.cells[1].metadata["tags"] = []
    path = tmp_path / "dirty.ipynb"
    nbformat.write(notebook, path)
    problems = "\n".join(nbtools.check(path))
    assert "0 cells tagged 'parameters'" in problems
    assert "has outputs but is not a key-figure cell" in problems
    assert "holds a path, address or timestamp" in problems
    nbtools.strip(notebook)
    assert not plain.outputs and notebook.metadata["language_info"] == {"name": "python"}


def test_command_line_usage(capsys):
    assert nbtools.main(["frobnicate"]) == 2
    assert nbtools.main(["check", *map(str, NOTEBOOKS)]) == 0
