"""A researcher's own CBS tables: read as they are, registered with `parkstad add`, their coverage stated.

The real files are the national benefit tables and KWB 2024 in ../shared/cbs, as a third party's scraper saved
them (first 10,000 rows each, names where codes belong, "2023 maart", spaced codes in 2021, Nederland's rows).
"""

from __future__ import annotations

import shutil

import pandas as pd
import pytest

from parkstad_analysis.config import Scope, Settings
from parkstad_analysis.errors import ChecksumError, ConfigError, UnknownNameError
from parkstad_analysis.fetch import fetch, get_dataset, load_registry
from parkstad_analysis.fetch.registry import Dataset
from parkstad_analysis.own_data import add
from parkstad_analysis.processed import ProcessedStore
from parkstad_analysis.tables.benefits import read_benefit_file
from parkstad_analysis.tables.build import build
from parkstad_analysis.tables.coverage import dataset_coverage, raw_extent

from cbs_server import CbsStandIn

NATIONAL = "uitkeringen/nl_per_kwartaal_2019_2024_first10000rows"
#: A scraped benefit table in miniature, as the scraper writes it: BOM, ';', padded names, names in
#: WijkenEnBuurten, codes in Codering_3 (with inner spaces, as in 2021), Dutch months, counts as floats.
SCRAPED = (
    "\ufeffID;WijkenEnBuurten;Perioden;Gemeentenaam_1;SoortRegio_2;Codering_3;Bijstandsuitkering_6;"
    "Bijstandsuitkering_10;InwonersVanaf15Jaar_13\n"
    "0;Totaal;2021 maart;          ;        ;NL00      ;430210.0;;\n"
    "1;Nederland;2021 maart;          ;        ;NL01      ;430000.0;3.0;14900000.0\n"
    "2;Beekdaelen;2021 maart;Beekdaelen;Gemeente;GM    1954;510.0;2.0;30000.0\n"
    "3;Wijk 00 Nuth;2021 maart;Beekdaelen;Wijk    ;WK  195400;120.0;2.0;6000.0\n"
    "4;Nuth-Centrum;2021 juni;Beekdaelen;Buurt   ;BU19540001;;;1200.0\n"
)


def test_a_scraped_table_is_read_as_it_is(tmp_path):
    path = tmp_path / "scrape.csv"
    path.write_text(SCRAPED, "utf-8")
    frame = read_benefit_file(path).set_index("region_code")
    assert list(frame.index) == ["NL00", "NL01", "GM1954", "WK195400", "BU19540001"]  # spaces gone, codes kept
    assert list(frame["region_name"]) == ["Totaal", "Nederland", "Beekdaelen", "Wijk 00 Nuth", "Nuth-Centrum"]
    assert list(frame["period"]) == ["2021Q1"] * 4 + ["2021Q2"]  # "2021 maart" is the first quarter's end
    assert list(frame["level"]) == ["land", "land", "gemeente", "wijk", "buurt"]
    assert frame["gemeente_code"].isna().tolist() == [True, True, False, False, False]  # Nederland is no gemeente's
    assert frame.at["GM1954", "bijstand_ontvangers"] == 510 and frame.at["NL01", "inwoners_15_plus"] == 14_900_000
    assert pd.isna(frame.at["BU19540001", "bijstand_ontvangers"])  # empty is missing, not zero


def test_names_where_codes_belong_without_a_code_column_are_refused(tmp_path):
    path = tmp_path / "names_only.csv"
    path.write_text("ID;WijkenEnBuurten;Perioden;Bijstandsuitkering_6\n0;Heerlen;2023 maart;100\n", "utf-8")
    with pytest.raises(Exception, match=r"names_only.csv: column 'WijkenEnBuurten' holds 'Heerlen'.*Codering"):
        read_benefit_file(path)


def test_the_real_2021_table_with_spaced_codes_gives_beekdaelen_and_nederland(shared):
    frame = read_benefit_file(shared / NATIONAL / "85042NED.csv", Scope("parkstad")).set_index(["region_code", "period"])
    assert frame.at[("GM1954", "2021Q1"), "bijstand_ontvangers"] == 510  # the file: "GM    1954";…;510.0
    assert frame.at[("GM1954", "2021Q1"), "region_name"] == "Beekdaelen"
    assert frame.at[("NL01", "2021Q1"), "region_name"] == "Nederland"
    gemeenten = set(frame.reset_index()["gemeente_code"].dropna())
    assert gemeenten == {"GM1954"}  # the first 10,000 rows stop near "Be…": of Parkstad only Beekdaelen


def test_a_truncated_table_is_recorded_partial():
    rows = pd.DataFrame({"ID": range(10_000)})
    extent = raw_extent(rows, "x.csv")
    assert (extent.rows, extent.first_id, extent.last_id, extent.consecutive, extent.at_cap) == (10_000, 0, 9_999,
                                                                                                True, True)
    assert not raw_extent(rows.iloc[:9_999], "x.csv").at_cap


def _dataset(period: str) -> Dataset:
    return Dataset(id="own", title="own", source="file", format="odata-csv", feeds="benefits", period=period,
                   file="own.csv", sha256="0" * 64)


def test_a_registered_period_the_data_does_not_match_is_reported():
    quarters = [str(p) for p in pd.period_range("2013Q1", "2024Q1", freq="Q")]
    frame = pd.DataFrame({"region_code": "GM0917", "level": "gemeente", "gemeente_code": "GM0917", "period": quarters})
    row = dataset_coverage(_dataset("2023"), "benefits", frame, [], Scope.parse("GM0917"))
    assert row["periods"] == "2013Q1–2024Q1 (45)" and not row["partial"]
    assert row["period_note"] == ("geregistreerd als 2023, de data bevat 2013Q1–2024Q1 (45); 41 daarvan buiten de "
                                  "registratie: 2013Q1–2022Q4 en 2024Q1")
    short = dataset_coverage(_dataset("2023Q1-2024Q4"), "benefits", frame, [], Scope.parse("GM0917,GM0928"))
    assert short["partial"] and "perioden ontbreken: 2024Q2–2024Q4" in short["reasons"]
    assert "geen rijen voor Kerkrade" in short["reasons"] and short["missing_gemeenten"] == "Kerkrade"


def test_fetch_by_cbs_table_id_resolves_to_its_dataset(project):
    [result] = fetch(["85586NED"], project, progress=False)
    assert (result.dataset_id, result.asked, result.status) == ("uitkeringen_2023", "85586NED", "fetched")
    with pytest.raises(UnknownNameError) as error:
        get_dataset("85586NED")
    assert str(error.value).startswith("unknown dataset '85586NED'; expected one of: uitkeringen_2023, "
                                       "uitkeringen_nl_2019_2024_first10000rows")


def test_a_file_dropped_into_the_mirror_is_named_not_read(tmp_path, shared):
    mirror = tmp_path / "mirror"
    (mirror / "kwb").mkdir(parents=True)
    shutil.copyfile(shared / "kwb/nl_kwb_2024_85984NED_first10000rows.csv",
                    mirror / "kwb/nl_kwb_2024_85984NED_first10000rows.csv")
    (mirror / "kwb/mijn_tabel.csv").write_text("ID;WijkenEnBuurten\n", "utf-8")
    results = fetch(settings=Settings(root=tmp_path / "project", mirror=mirror), progress=False)
    assert [(r.dataset_id, r.status) for r in results] == [("kwb_2024_first10000rows", "fetched"),
                                                           ("kwb/mijn_tabel.csv", "ignored")]
    assert "parkstad add" in results[1].note


def test_add_a_scraped_folder_then_build_gives_beekdaelen_its_series(tmp_path, shared):
    settings = Settings(root=tmp_path / "project", mirror=None)  # no mirror: the package cannot deliver these bytes
    own = settings.root / "eigen" / "uitkeringen"
    shutil.copytree(shared / NATIONAL, own)
    added = add(str(own), settings)
    entry = load_registry(root=settings.root)["eigen_uitkeringen"]
    assert (entry.source, entry.feeds, entry.format, entry.period, entry.file) == (
        "file", "benefits", "odata-csv-folder", "2019Q1-2024Q3", "eigen/uitkeringen")
    assert set(entry.members) == {f"{t}NED.csv" for t in (84692, 84897, 85042, 85317, 85586, 86003)}
    assert added.coverage["partial"] and "eerste 10.000 rijen" in added.coverage["reasons"]
    assert added.coverage["gemeenten"] == "Beekdaelen" and added.coverage["rows_read"] == 60_000
    assert add(str(own), settings).already == ["eigen_uitkeringen"]  # the same bytes are not registered twice

    [fetched] = fetch(["eigen_uitkeringen"], settings, progress=False)
    assert (fetched.status, fetched.origin) == ("fetched", "file")
    report = build(settings)
    [coverage] = report.coverage.to_dict("records")
    assert coverage["partial"] and "geen rijen voor Brunssum, Heerlen, Kerkrade" in coverage["reasons"]
    store = ProcessedStore(settings)
    benefits = store.load_table("benefits")
    series = benefits[benefits["region_code"] == "GM1954"].set_index("period")["bijstand_ontvangers"]
    assert (len(series), series["2019Q1"], series["2024Q3"]) == (23, 510, 470)  # checked in the CSVs by hand
    assert benefits["region_name"].notna().all()  # every region named from the table's own dimension
    assert not benefits["gemeente_code"].isin(["GM0917", "GM0928"]).any()  # absent: missing, never zero rows
    nederland = store.load_table("benefits_benchmarks").set_index(["region_code", "period"])
    assert nederland.at[("NL01", "2023Q1"), "bijstand_ontvangers"] == 399_840  # 85586NED.csv, row ID 4
    assert nederland.at[("NL01", "2023Q1"), "inwoners_15_plus"] == 15_113_270


def test_an_own_file_changed_after_it_was_added_is_refused(tmp_path):
    settings = Settings(root=tmp_path / "project", mirror=None)
    path = settings.root / "own.csv"
    path.parent.mkdir(parents=True)
    path.write_text(SCRAPED, "utf-8")
    add(str(path), settings, dataset_id="mijn_uitkeringen")
    path.write_text(SCRAPED.replace("510.0", "610.0"), "utf-8")
    with pytest.raises(ChecksumError, match=r"own.csv: sha256 .* recorded when it was added as 'mijn_uitkeringen'"):
        fetch(["mijn_uitkeringen"], settings, progress=False)
    assert not (settings.raw_dir / "mijn_uitkeringen").exists()


def test_a_project_entry_may_not_take_a_package_id(tmp_path):
    (tmp_path / "parkstad.toml").write_text('[kwb_2019]\ntitle = "x"\nsource = "file"\nformat = "odata-csv"\n'
                                            'feeds = "kwb"\nperiod = "2019"\nfile = "x.csv"\nsha256 = "' + "0" * 64
                                            + '"\n', "utf-8")
    with pytest.raises(ConfigError, match=r"parkstad.toml: dataset id\(s\) \['kwb_2019'\] are already registered"):
        load_registry(root=tmp_path)


def test_add_a_cbs_table_id_asks_cbs_and_registers_it_for_download(tmp_path):
    from cbs_server import TABLES

    with CbsStandIn() as server:
        TABLES["86165NED"] = {**TABLES["85039NED"], "title": "Kerncijfers wijken en buurten 2025"}
        try:
            settings = Settings(root=tmp_path, mirror=None, cbs_url=server.url)
            added = add("86165NED", settings)
            assert (added.dataset.source, added.dataset.feeds, added.dataset.period) == ("odata", "kwb", "2025")
            [result] = fetch(["86165NED"], settings, progress=False)
            assert (result.dataset_id, result.origin) == ("eigen_86165ned", "cbs-odata")
        finally:
            del TABLES["86165NED"]
    assert add("85586NED", settings).already == ["uitkeringen_2023"]  # a registered table is not added again
