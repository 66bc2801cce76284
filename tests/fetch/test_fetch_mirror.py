"""fetch from the local mirror: copies, checksums, caching, write-once, atomicity."""

import hashlib
import os
import shutil
import stat

import pytest

from parkstad_analysis.errors import ChecksumError, FetchError, UnknownNameError
from parkstad_analysis.fetch import default_datasets, fetch, raw_dataset, sha256_of, verify_raw

from conftest import tree_state


def test_fetch_copies_file_with_its_record(project, shared):
    [result] = fetch(["kwb_2019_statline"], project, progress=False)
    assert (result.status, result.origin) == ("fetched", "mirror")
    raw = raw_dataset("kwb_2019_statline", project)
    assert raw.format == "statline-csv"
    assert raw.path().read_bytes() == (shared / "kwb/heerlen_kwb_2019_statline.csv").read_bytes()
    assert not raw.path().stat().st_mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH), "raw files are read-only"


def test_fetch_folder_dataset_copies_every_member(project):
    fetch(["uitkeringen_per_kwartaal"], project, progress=False)
    raw = raw_dataset("uitkeringen_per_kwartaal", project)
    assert len(raw.files) == 45 and "cbs_bijstand_2022MM09.json" in raw.files
    verify_raw(raw)


def test_second_fetch_is_served_from_cache_without_touching_files(project):
    fetch(["kwb_2018_statline"], project, progress=False)
    before = os.stat(raw_dataset("kwb_2018_statline", project).path()).st_mtime_ns
    [again] = fetch(["kwb_2018_statline"], project, progress=False)
    assert again.status == "cached"
    assert os.stat(raw_dataset("kwb_2018_statline", project).path()).st_mtime_ns == before


def test_default_datasets_are_those_the_mirror_holds(project):
    ids = default_datasets(project)
    assert "kwb_2019_statline" in ids and "uitkeringen_wijk_buurt" in ids and "kwb_2017_buurten" in ids
    assert "kwb_2022" not in ids and "wijkbuurtkaart_2023" not in ids


def test_checksum_mismatch_leaves_nothing_behind(project, shared, tmp_path):
    mirror = tmp_path / "mirror"
    shutil.copytree(shared / "kwb", mirror / "kwb")
    target = mirror / "kwb/heerlen_kwb_2017_statline.csv"
    target.chmod(0o644)
    target.write_bytes(target.read_bytes().replace(b"Heerlen", b"Heerlem", 1))
    settings = project.with_mirror(mirror)
    with pytest.raises(ChecksumError, match="heerlen_kwb_2017_statline.csv: sha256 .* differs from the registry"):
        fetch(["kwb_2017_statline"], settings, progress=False)
    assert tree_state(settings.raw_dir) == {}


def test_changed_raw_file_is_detected(project):
    fetch(["inwoners_heerlen_2019"], project, progress=False)
    raw = raw_dataset("inwoners_heerlen_2019", project)
    path = raw.path()
    path.chmod(0o644)
    path.write_text(path.read_text("utf-8-sig").replace("86832", "86833"), "utf-8")
    with pytest.raises(ChecksumError, match="aantal_inwoners_heerlen_2019.csv: sha256 .* recorded at fetch time"):
        verify_raw(raw)


def test_mirror_only_dataset_without_mirror_is_a_clear_error(project):
    with pytest.raises(FetchError, match="'uitkeringen_per_kwartaal' exists only in a mirror.*PARKSTAD_CBS_MIRROR"):
        fetch(["uitkeringen_per_kwartaal"], project.with_mirror(None), progress=False)
    assert list(project.raw_dir.iterdir()) == []


def test_unknown_dataset_is_refused_before_anything_is_fetched(project):
    with pytest.raises(UnknownNameError, match="unknown dataset 'kwb_2099'"):
        fetch(["kwb_2019_statline", "kwb_2099"], project, progress=False)
    assert raw_dataset("kwb_2019_statline", project) is None


def test_registry_sum_is_the_sum_of_the_copied_file(project, shared):
    fetch(["buurten_heerlen_2023"], project, progress=False)
    raw = raw_dataset("buurten_heerlen_2023", project)
    assert raw.files == {"heerlen_buurten_2023.geojson": sha256_of(shared / "geometry/heerlen_buurten_2023.geojson")}


def test_an_unpinned_kaart_is_accepted_on_first_use_only(project, tmp_path):
    """The wijk- en buurtkaart's sum cannot be in the registry in advance: the first copy is taken and its sum
    recorded; a mirror that later holds other bytes is refused, and the first copy stays."""
    mirror = tmp_path / "mirror"
    (mirror / "geometry").mkdir(parents=True)
    kaart = mirror / "geometry/wijkbuurtkaart_2023_v1.zip"
    kaart.write_bytes(b"first release")
    settings = project.with_mirror(mirror)
    [first] = fetch(["wijkbuurtkaart_2023"], settings, progress=False)
    assert first.status == "fetched" and "accepted on first use" in first.note
    recorded = raw_dataset("wijkbuurtkaart_2023", settings).files
    assert list(recorded.values()) == [hashlib.sha256(b"first release").hexdigest()]
    [again] = fetch(["wijkbuurtkaart_2023"], settings, progress=False)
    assert again.status == "cached"
    kaart.write_bytes(b"second release")
    with pytest.raises(ChecksumError, match="wijkbuurtkaart_2023_v1.zip: sha256 .* differs from .* first fetched"):
        fetch(["wijkbuurtkaart_2023"], settings, progress=False)
    assert raw_dataset("wijkbuurtkaart_2023", settings).files == recorded  # the first copy is kept
