"""The whole build on the real mirror: tables, schemas, geometry, quality, atomicity."""

import json
import shutil

import pandas as pd
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
    for table in ("kwb", "benefits", "education", "income", "cars"):
        frame = _read(built, table)
        validate_region_table(frame, table)
        # Parkstad's gemeenten of each year: the 2017 buurten still lie in Nuth, Onderbanken and Schinnen
        assert frame["gemeente_code"].isin(["GM0899", "GM0917", "GM0928", "GM0882", "GM0965", "GM0986",
                                            "GM1954", "GM0951", "GM0881", "GM0962"]).all(), table


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
    # Heerlen's wijken and buurten (StatLine export, OData CSV) and all 7 Parkstad gemeenten (the renamed KWB file)
    assert kwb_2019.groupby("level")["rows"].first().to_dict() == {"buurt": 57, "gemeente": 7, "wijk": 23}
    participation = kwb_2019[kwb_2019["indicator"] == "nettoarbeidsparticipatie"].set_index("level")
    assert participation.at["gemeente", "missing_share"] == pytest.approx(6 / 7, abs=1e-4)  # the renamed file has none
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
    fetch(["kwb_2019_statline", "buurtcodes_heerlen_2023"], project, progress=False)
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
    assert not list(project.root.glob("data/processed/generations/.staging-*"))


def _by_code(path, column, sep=",", code="regiocode_derived"):
    frame = pd.read_csv(path, sep=sep, dtype=str, encoding="utf-8-sig")
    return frame.assign(_code=frame[code].str.strip()).set_index("_code")[column].astype(float)


def test_reconciliation_lists_every_difference_between_statline_export_and_cbs_table(built, shared):
    reconciliation = _read(built, "reconciliation")
    odata = _by_code(shared / "bevolking/aantal_inwoners_heerlen_2019.csv", "AantalInwoners_5", ";", "WijkenEnBuurten")
    statline = _by_code(shared / "kwb/heerlen_kwb_2019_statline.csv", "Bevolking_Aantal_inwoners")
    by_hand = {code for code in odata.index if odata[code] != statline[code]}
    found = reconciliation[(reconciliation["dataset_id_a"] == "inwoners_heerlen_2019")
                           & (reconciliation["dataset_id_b"] == "kwb_2019_statline")]
    assert set(found["region_code"]) == by_hand and len(by_hand) == 27
    assert (found["value_b"] - found["value_a"] == found["difference"]).all()
    assert (found["relation"] == "independent").all()
    comparisons = _read(built, "comparisons").set_index(["dataset_id_a", "dataset_id_b"])
    # 2017: the third party's OData subset and the StatLine export agree on every figure they share
    assert comparisons.loc[("kwb_2017_buurten", "kwb_2017_statline"), ["compared", "differing"]].tolist() == [480, 0]
    # the CSVs written from the SQLite file are a consistency check, never counted as independent agreement
    for year in range(2016, 2021):
        row = comparisons.loc[(f"kwb_{year}_statline", "kwb_heerlen_2016_2020_sqlite")]
        assert row["relation"] == "same origin" and row["differing"] == 0


def test_level_sums_show_how_far_the_buurten_fall_short(built):
    sums = _read(built, "level_sums")
    row = sums[(sums["dataset_id"] == "kwb_2019_statline") & (sums["indicator"] == "aantal_inwoners")].iloc[0]
    assert (row["gemeente_value"], row["wijk_sum"], row["buurt_sum"]) == (86832, 86790, 86745)
    odata = sums[(sums["dataset_id"] == "inwoners_heerlen_2019") & (sums["indicator"] == "aantal_inwoners")].iloc[0]
    assert (odata["wijk_sum"] - odata["gemeente_value"], odata["buurt_sum"] - odata["gemeente_value"]) == (8, -2)


def test_every_figure_names_its_dataset(built):
    provenance = _read(built, "provenance")
    kwb = _read(built, "kwb")
    inhabitants = provenance[(provenance["table"] == "kwb") & (provenance["indicator"] == "aantal_inwoners")]
    assert len(inhabitants) == kwb["aantal_inwoners"].notna().sum()  # one source per figure
    of_2019 = inhabitants[(inhabitants["year"] == 2019) & inhabitants["region_code"].str.startswith(("WK0917", "BU0917"))]
    assert set(of_2019["dataset_id"]) == {"inwoners_heerlen_2019"}  # CBS's own table wins over the StatLine export


def test_two_copies_of_one_export_that_differ_refuse_the_build(project, shared):
    fetch(["kwb_2019_statline", "kwb_heerlen_2016_2020_sqlite", "buurtcodes_heerlen_2023"], project, progress=False)
    raw = project.raw_dir / "kwb_2019_statline"
    path = raw / "heerlen_kwb_2019_statline.csv"
    for target in (path, raw / "_source.json"):
        target.chmod(0o644)
    path.write_text(path.read_text("utf-8").replace(",86832.0,", ",86833.0,", 1), "utf-8")
    record = json.loads((raw / "_source.json").read_text("utf-8"))
    record["files"][path.name] = sha256_of(path)
    (raw / "_source.json").write_text(json.dumps(record), "utf-8")
    with pytest.raises(DataFormatError, match="kwb_heerlen_2016_2020_sqlite gives aantal_inwoners of GM0917 .* but "
                                              "kwb_2019_statline, of the same origin, as 86833"):
        build(project)


def test_a_raw_copy_from_an_older_registry_is_refused(project, shared):
    fetch(["kwb_2019_statline"], project, progress=False)
    (project.raw_dir / "kwb_2019_statline").rename(project.raw_dir / "kwb_2019")  # as the registry before 2026-11 named it
    with pytest.raises(DataFormatError, match="kwb_2019 was fetched as 'statline-csv', which is not a shape of 'kwb_2019'"):
        build(project)
    with pytest.raises(FetchError, match="kwb_2019 was fetched as 'statline-csv'.*remove that folder and fetch again"):
        fetch(["kwb_2019"], project, progress=False)


def test_the_build_reads_every_feed_the_registry_allows(project, monkeypatch):
    from parkstad_analysis.fetch.registry import FEEDS
    from parkstad_analysis.tables import context

    asked: set[str] = set()
    real = context.datasets_feeding

    def noting(table, registry=None):  # the real lookup, noting which feeds the build asks for
        asked.add(table)
        return real(table, registry)

    monkeypatch.setattr(context, "datasets_feeding", noting)
    fetch(["kwb_2019_statline"], project, progress=False)
    build(project)
    assert asked == set(FEEDS) - {"context", "none"}  # kept in data/raw only: read by pages, or not at all
