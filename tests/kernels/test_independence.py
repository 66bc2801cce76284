"""kernels/ runs notebooks and knows nothing of Parkstad: no import of the domain, by name or by string."""

import ast
from pathlib import Path

import parkstad_analysis.kernels

DOMAIN = ("vocabulary", "fetch", "readers", "tables", "processed", "analysis", "figures", "pages", "reporting",
          "research", "dutch", "config")


def _mentions(path: Path) -> list[str]:
    tree = ast.parse(path.read_text("utf-8"))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            module = ("." * node.level) + (node.module or "")
            names = [module] + [f"{module}.{a.name}" for a in node.names]
            found += [n for n in names if any(f"..{d}" in n or f"parkstad_analysis.{d}" in n for d in DOMAIN)]
        elif isinstance(node, ast.Import):
            found += [a.name for a in node.names if any(a.name.startswith(f"parkstad_analysis.{d}") for d in DOMAIN)]
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            found += [node.value for d in DOMAIN if f"parkstad_analysis.{d}" in node.value]
    return found


def test_the_kernels_package_imports_nothing_of_the_domain():
    folder = Path(parkstad_analysis.kernels.__file__).parent
    modules = sorted(folder.glob("*.py"))
    assert len(modules) >= 5
    assert {path.name: _mentions(path) for path in modules} == {path.name: [] for path in modules}
