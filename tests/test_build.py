"""The whole build on the real mirror: tables, schemas, geometry, quality, atomicity."""

import json
import shutil

import pytest

from parkstad_analysis.errors import DataFormatError, FetchError
from parkstad_analysis.fetch import fetch, sha256_of
from parkstad_analysis.processed import ProcessedStore
from parkstad_analysis.processed.schema import validate_region_table
from parkstad_analysis.tables.build import build

from conftest import tree_state


def _read(settings, table):
    return ProcessedStore(settings).load_table(table)


def test_processed_tables_hold_the_source_figures(built):
    kwb = _read(built, "kwb").set_index(["region_code", "year"])
    assert kwb.at[("GM0917", 2019), "aantal_inwoners"] == 86832
    assert kwb.at[("GM0917", 2024), "aantal_inwoners"] == 87461
    assert kwb.at[("BU09173101", 2019), "region_name"] == "Grasbroek"
    benefits = _read(built, "benefits").set_index(["region_code", "period"])
    assert benefits.at[("GM0917", "2022Q3"), "bijstand_ontvangers"] == 3990
    assert benefits.at[("BU09173101", "2022Q3"), "region_name"] == "Grasbroek"  # name filled from other sources
    income = _read(built, "income")
    assert income["gemeente_code"].nunique() == 7 and len(income) == 7 + 49


def test_every_table_passes_its_schema_and_is_parkstad_only(built):
    for table in ("kwb", "benefits", "population", "education", "income", "cars"):
        frame = _read(built, table)
        validate_region_table(frame, table)
        assert frame["gemeente_code"].isin(["GM0899", "GM0917", "GM0928", "GM0882", "GM0965", "GM0986",
                                            "GM1954"]).all(), table


def test_geometry_layers_in_rd_new(built):
    layers = ProcessedStore(built).load_layers()
    assert {"buurten_2023", "buurten_2014", "wijken_2014", "gemeenten_2014", "buurt_labels_2014"} <= set(layers)
    buurten = layers["buurten_2014"]
    assert buurten.crs.to_epsg() == 28992 and buurten["region_code"].is_unique
    assert "BU09280102" in set(buurten["region_code"])
    assert set(layers["gemeenten_2014"]["region_name"]) >= {"Heerlen", "Kerkrade", "Nuth"}


def test_quality_summary_counts_rows_and_missing(built):
    quality = ProcessedStore(built).load_quality()
    kwb_2019 = quality[(quality["table"] == "kwb") & (quality["period"] == "2019")]
    assert kwb_2019.groupby("level")["rows"].first().to_dict() == {"buurt": 57, "gemeente": 1, "wijk": 23}
    participation = kwb_2019[kwb_2019["indicator"] == "nettoarbeidsparticipatie"].set_index("level")
    assert participation.at["gemeente", "missing_share"] == 0
    kwb = _read(built, "kwb")
    buurt_2019 = kwb[(kwb["level"] == "buurt") & (kwb["year"] == 2019)]
    assert participation.at["buurt", "missing_share"] == pytest.approx(
        buurt_2019["nettoarbeidsparticipatie"].isna().mean(), abs=1e-4)


def test_indicator_metadata_has_units(built):
    meta = _read(built, "indicators").set_index(["table", "indicator"])
    assert meta.at[("kwb", "nettoarbeidsparticipatie"), "unit"] == "%"
    assert meta.at[("benefits", "bijstand_ontvangers"), "kind"] == "count"


def test_build_without_raw_data_says_fetch_first(project):
    with pytest.raises(FetchError, match="no fetched datasets; run `parkstad fetch` first"):
        build(project)


def test_failed_build_leaves_processed_and_raw_as_they_were(project, shared, tmp_path):
    fetch(["kwb_2019", "buurtcodes_heerlen_2023"], project, progress=False)
    build(project)
    processed_before, raw_before = tree_state(project.processed_dir), tree_state(project.raw_dir)
    # a second dataset whose file has a value that is not a number
    mirror = tmp_path / "bad-mirror"
    shutil.copytree(shared / "bevolking", mirror / "bevolking")
    bad = mirror / "bevolking/aantal_inwoners_heerlen_2019.csv"
    bad.chmod(0o644)
    bad.write_text(bad.read_text("utf-8-sig").replace('"86832"', '"86.832 inw"'), "utf-8")
    settings = project.with_mirror(mirror)
    record = settings.raw_dir / "inwoners_heerlen_2019"
    # bypass the registry checksum the way a hand-made mirror would: copy and record it ourselves
    record.mkdir(parents=True)
    shutil.copy(bad, record / bad.name)
    (record / "_source.json").write_text(json.dumps({
        "origin": "mirror", "format": "odata-csv",
        "files": {bad.name: sha256_of(bad)}}))
    raw_before = tree_state(project.raw_dir)
    with pytest.raises(DataFormatError, match=r"aantal_inwoners_heerlen_2019.csv.*AantalInwoners_5.*'86.832 inw'"):
        build(settings)
    assert tree_state(project.processed_dir) == processed_before
    assert tree_state(project.raw_dir) == raw_before
    assert not list(project.root.glob("data/.build-*"))
