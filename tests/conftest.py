"""Shared fixtures: the real CBS files in ../shared/cbs and throw-away project folders."""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from pathlib import Path

import pytest

from parkstad_analysis.config import Settings
from parkstad_analysis.fetch import fetch
from parkstad_analysis.tables.build import build

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "cbs"


#: User-level folders where a hand-made set-up lives (a kernel registered with --user, a matplotlibrc, IPython
#: start-up files). The suite runs with each pointed at an empty folder, so what a user did by hand can neither
#: make a test pass nor be changed by one.
USER_FOLDERS = ("JUPYTER_DATA_DIR", "JUPYTER_CONFIG_DIR", "JUPYTER_RUNTIME_DIR", "IPYTHONDIR", "MPLCONFIGDIR")
#: Extra search paths a user may have set; they are dropped for the same reason.
USER_SEARCH_PATHS = ("JUPYTER_PATH", "JUPYTER_CONFIG_PATH")


def pytest_configure(config: pytest.Config) -> None:
    """Run the whole session, its kernels and subprocesses included, as on a machine nobody set up by hand."""
    home = Path(tempfile.mkdtemp(prefix="parkstad-test-user-"))
    config.stash[_USER_HOME] = home
    for name in USER_FOLDERS:
        (home / name.lower()).mkdir()
        os.environ[name] = str(home / name.lower())
    for name in USER_SEARCH_PATHS:
        os.environ.pop(name, None)


def pytest_unconfigure(config: pytest.Config) -> None:
    home = config.stash.get(_USER_HOME, None)
    if home is not None:
        shutil.rmtree(home, ignore_errors=True)


_USER_HOME = pytest.StashKey[Path]()


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


def project_with_notebooks(built: Settings, root: Path, own_data: bool = False) -> Settings:
    """A project folder with the repository's notebooks beside the session's data.

    With ``own_data`` the project gets its own copy of the processed generations (on the session's
    fetched raw data), for tests that break, lock or rebuild them; otherwise it shares the session's.
    """
    root.mkdir(parents=True, exist_ok=True)
    if own_data:
        (root / "data").mkdir()
        (root / "data/raw").symlink_to(built.raw_dir)
        shutil.copytree(built.processed_dir, root / "data/processed", symlinks=True)
    else:
        (root / "data").symlink_to(built.root / "data")
    shutil.copytree(ROOT / "notebooks", root / "notebooks")
    return Settings(root=root, mirror=built.mirror)


@pytest.fixture(scope="session")
def full_run(built, tmp_path_factory):
    """The report of every focus area and every notebook, as `make report` builds it: its run folder (read by the
    tests of one value per figure and of the publication)."""
    from parkstad_analysis.reporting.report import run_report

    settings = project_with_notebooks(built, tmp_path_factory.mktemp("full_report") / "project")
    return run_report(settings, jobs=2, progress=False).run_dir


def wait_for(condition, seconds: float, what: str, step: float = 0.05):
    """Poll ``condition`` until it returns something true (returned), or fail after ``seconds`` naming ``what``."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if found := condition():
            return found
        time.sleep(step)
    raise AssertionError(f"waited {seconds} s for {what}")


def tree_state(folder: Path) -> dict[str, bytes]:
    """Relative path → bytes of every file below ``folder`` (to prove nothing changed)."""
    if not folder.exists():
        return {}
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


#: Fixtures that need a full fetch and build of the mirror: their tests belong to the slow tier.
BUILD_FIXTURES = {"built", "base", "reporting", "good_run", "full_run"}
SLOW_MODULES = {"test_corrupt_inputs", "test_nbval_mutation", "test_report"}


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark what needs a full build, runs notebooks or builds by itself as ``slow`` (``make test-fast`` leaves it out)."""
    for item in items:
        module = item.path.stem
        if (BUILD_FIXTURES & set(getattr(item, "fixturenames", ())) or module in SLOW_MODULES
                or item.path.suffix == ".ipynb"):
            item.add_marker(pytest.mark.slow)
