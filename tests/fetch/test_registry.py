"""The dataset registry against the real mirror."""

import json

import pytest

from parkstad_analysis.errors import UnknownNameError
from parkstad_analysis.fetch import get_dataset, load_registry, sha256_of

REGISTRY = load_registry()


def test_registry_covers_kwb_2016_to_2024_with_distinct_tables():
    kwb = {d.year: d.table_id for d in REGISTRY.values() if d.feeds == "kwb" and d.year}
    assert sorted(kwb) == list(range(2016, 2025))
    assert kwb[2019] == "84583NED" and kwb[2024] == "85984NED"
    assert len(set(kwb.values())) == 9


def test_every_entry_has_licence_and_a_way_to_get_it():
    for dataset in REGISTRY.values():
        assert dataset.licence
        assert dataset.downloadable() or dataset.mirror is not None, dataset.id
        if dataset.source == "odata":
            assert dataset.table_id, dataset.id
        if dataset.source == "url":
            assert dataset.url.startswith("https://"), dataset.id


def test_notes_that_hold_no_cbs_figure_are_never_named_as_cbs():
    from parkstad_analysis.pages.data_overview import AUTHORITY

    notes = REGISTRY["regio_deal_facts"]  # facts from news pages, with their addresses
    assert notes.authority == "not-cbs" and not notes.describe().startswith("CBS")
    assert AUTHORITY[notes.authority].startswith("niet van CBS")
    assert REGISTRY["kwb_2019"].describe() == "CBS 84583NED (Kerncijfers wijken en buurten 2019)"


def test_every_file_in_the_mirror_is_registered(shared):
    registered = set()
    for dataset in REGISTRY.values():
        if dataset.mirror:
            path = shared / dataset.mirror.path
            registered |= {p for p in path.rglob("*") if p.is_file()} if path.is_dir() else {path}
    present = {p for p in shared.rglob("*") if p.is_file() and p.name != "README.md"}
    assert present - registered == set()


@pytest.mark.parametrize("dataset", [d for d in REGISTRY.values() if d.mirror], ids=lambda d: d.id)
def test_mirror_checksums_match_registry(dataset, shared):
    path = shared / dataset.mirror.path
    if not path.exists():  # only the wijk- en buurtkaart may be registered without a copy here, and unpinned
        assert dataset.mirror.sha256 == "unpinned" and dataset.format == "wijkbuurtkaart-zip", dataset.id
        return
    if path.is_dir():
        assert dataset.mirror.members, f"{dataset.id}: a folder needs per-file sums"
        for name, expected in dataset.mirror.members.items():
            assert sha256_of(path / name) == expected, name
    else:
        assert dataset.mirror.sha256 and sha256_of(path) == dataset.mirror.sha256


def test_kwb_2024_table_id_matches_its_table_info(shared):
    info = json.loads((shared / "kwb/85984NED_2024/TableInfos.json").read_text("utf-8-sig"))
    info = info["value"][0] if isinstance(info, dict) else info[0]
    assert info["Identifier"] == REGISTRY["kwb_2024"].table_id
    assert info["Title"] == REGISTRY["kwb_2024"].title


def test_unknown_dataset_lists_the_valid_ids():
    with pytest.raises(UnknownNameError, match="unknown dataset 'kwb_1999'.*kwb_2019"):
        get_dataset("kwb_1999")


def test_a_registry_file_with_errors_is_refused_with_its_name(tmp_path):
    from parkstad_analysis.errors import ConfigError

    broken = tmp_path / "broken.toml"
    broken.write_text("[kwb_2019\ntitle = 'x'\n")
    with pytest.raises(ConfigError, match="broken.toml: not valid TOML"):
        load_registry(broken)
    partial = tmp_path / "partial.toml"
    partial.write_text("[kwb_2019]\ntitle = 'x'\nsource = 'ftp'\nformat = 'csv'\nfeeds = 'kwb'\nperiod = '2019'\n")
    with pytest.raises(ConfigError, match="partial.toml: dataset 'kwb_2019' has source 'ftp'"):
        load_registry(partial)
    partial.write_text("[kwb_2019]\ntitle = 'x'\n")
    with pytest.raises(ConfigError, match="lacks source, format, feeds, period"):
        load_registry(partial)
    # a dataset feeding a table the build does not know would silently drop out of every build
    partial.write_text("[kwb_2019]\ntitle = 'x'\nsource = 'mirror'\nformat = 'csv'\nfeeds = 'kwbb'\nperiod = '2019'\n"
                       "mirror = { path = 'a.csv', format = 'csv', sha256 = '" + "0" * 64 + "' }\n")
    with pytest.raises(ConfigError, match="partial.toml: dataset 'kwb_2019' has feeds 'kwbb'; expected one of 'kwb'"):
        load_registry(partial)
