"""Shared fixtures: the real CBS files in ../shared/cbs and throw-away project folders."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from parkstad_analysis.config import Settings
from parkstad_analysis.fetch import fetch
from parkstad_analysis.tables.build import build

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "cbs"


@pytest.fixture(scope="session")
def shared() -> Path:
    """The offline copy of real CBS data (read-only)."""
    if not SHARED.is_dir():
        if os.environ.get("CI"):  # in CI the real data must be there: a skip would hide every real-data test
            pytest.fail(f"{SHARED} not present; CI runs with ../shared beside the checkout")
        pytest.skip(f"{SHARED} not present: the real-data tests need ../shared/cbs beside the checkout")
    return SHARED


@pytest.fixture
def project(tmp_path: Path, shared: Path) -> Settings:
    """An empty project folder that takes its data from the shared mirror."""
    return Settings(root=tmp_path / "project", mirror=shared)


@pytest.fixture(scope="session")
def built(tmp_path_factory: pytest.TempPathFactory, shared: Path) -> Settings:
    """A project with every mirror dataset fetched and built once for the session."""
    settings = Settings(root=tmp_path_factory.mktemp("built"), mirror=shared)
    fetch(settings=settings, progress=False)
    build(settings)
    return settings


def tree_state(folder: Path) -> dict[str, bytes]:
    """Relative path → bytes of every file below ``folder`` (to prove nothing changed)."""
    if not folder.exists():
        return {}
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


#: Fixtures that need a full fetch and build of the mirror: their tests belong to the slow tier.
BUILD_FIXTURES = {"built", "base", "reporting", "good_run"}
SLOW_MODULES = {"test_corrupt_inputs", "test_nbval_mutation", "test_report"}


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark what needs a full build, runs notebooks or builds by itself as ``slow`` (``make test-fast`` leaves it out)."""
    for item in items:
        module = item.path.stem
        if (BUILD_FIXTURES & set(getattr(item, "fixturenames", ())) or module in SLOW_MODULES
                or item.path.suffix == ".ipynb"):
            item.add_marker(pytest.mark.slow)
