from pathlib import Path

import pytest

from parkstad_analysis.config import MIRROR_ENV, Settings
from parkstad_analysis.errors import ConfigError


def test_paths_hang_below_root(tmp_path):
    settings = Settings(root=tmp_path, mirror=None)
    assert settings.raw_dir == tmp_path / "data" / "raw"
    assert settings.processed_dir == tmp_path / "data" / "processed"
    assert settings.reports_dir == tmp_path / "reports"


def test_shared_folder_beside_root_is_the_default_mirror(tmp_path, monkeypatch):
    monkeypatch.delenv(MIRROR_ENV, raising=False)
    (tmp_path / "shared" / "cbs").mkdir(parents=True)
    (tmp_path / "repo").mkdir()
    assert Settings.from_env(root=tmp_path / "repo").mirror == (tmp_path / "shared" / "cbs").resolve()


def test_no_shared_folder_means_no_mirror(tmp_path, monkeypatch):
    monkeypatch.delenv(MIRROR_ENV, raising=False)
    assert Settings.from_env(root=tmp_path).mirror is None


def test_environment_variable_wins_over_shared(tmp_path, monkeypatch):
    (tmp_path / "shared" / "cbs").mkdir(parents=True)
    other = tmp_path / "elsewhere"
    other.mkdir()
    monkeypatch.setenv(MIRROR_ENV, str(other))
    assert Settings.from_env(root=tmp_path / "repo").mirror == other.resolve()


def test_environment_variable_none_switches_mirror_off(tmp_path, monkeypatch):
    (tmp_path / "shared" / "cbs").mkdir(parents=True)
    monkeypatch.setenv(MIRROR_ENV, "none")
    assert Settings.from_env(root=tmp_path / "repo").mirror is None


def test_explicit_argument_wins_over_environment(tmp_path, monkeypatch):
    monkeypatch.setenv(MIRROR_ENV, "none")
    assert Settings.from_env(root=tmp_path, mirror=tmp_path).mirror == tmp_path.resolve()


def test_mirror_that_does_not_exist_is_an_error_naming_the_setting(tmp_path, monkeypatch):
    monkeypatch.setenv(MIRROR_ENV, str(tmp_path / "missing"))
    with pytest.raises(ConfigError, match=f"{MIRROR_ENV}=.*missing.*existing folder"):
        Settings.from_env(root=tmp_path)
    with pytest.raises(ConfigError, match="--mirror"):
        Settings(root=tmp_path, mirror=None).with_mirror(Path(tmp_path / "nope"))
