"""Each real file in ../shared/cbs read by its reader, values checked against the source."""

import json

import pandas as pd
import pytest

from parkstad_analysis.readers.excel import read_excel_csv
from parkstad_analysis.readers.odata import read_data_properties, read_odata_csv, read_odata_typed_json
from parkstad_analysis.readers.statline import read_statline_csv, read_statline_sqlite, sqlite_tables
from parkstad_analysis.tables.benefits import benefits_from_typed
from parkstad_analysis.tables.cars import cars_from_excel
from parkstad_analysis.tables.education import education_from_csv
from parkstad_analysis.tables.income import income_from_excel
from parkstad_analysis.tables.kwb import kwb_from_statline, kwb_from_stripped
from parkstad_analysis.tables.tidy import tidy


def _row(frame, code, **where):
    selected = frame[frame["region_code"] == code]
    for column, value in where.items():
        selected = selected[selected[column] == value]
    assert len(selected) == 1, (code, where)
    return selected.iloc[0]


@pytest.fixture(scope="module")
def heerlen_buurten(shared):
    return json.loads((shared / "geometry/heerlen_buurtcodes_2023.json").read_text("utf-8"))


def test_statline_csv_2019_heerlen_inhabitants(shared, heerlen_buurten):
    path = shared / "kwb/heerlen_kwb_2019_statline.csv"
    frame = kwb_from_statline(read_statline_csv(path), 2019, str(path), heerlen_buurten)
    assert len(frame) == 81
    assert frame["level"].value_counts().to_dict() == {"buurt": 57, "wijk": 23, "gemeente": 1}
    heerlen = _row(frame, "GM0917")
    assert heerlen["aantal_inwoners"] == 86832
    assert heerlen["region_name"] == "Heerlen"
    assert _row(frame, "BU09171001")["aantal_inwoners"] == 465  # Terschuren in this table version
    assert frame["nettoarbeidsparticipatie"].notna().sum() > 60


def test_statline_sqlite_names_resolve_to_the_same_codes(shared, heerlen_buurten):
    path = shared / "kwb/heerlen_kwb_2016_2020_statline.sqlite"
    assert sqlite_tables(path)[0] == "Kerncijfers_wijken_en_buurten_2016_pp"
    for year in (2016, 2019):
        named = read_statline_sqlite(path, f"Kerncijfers_wijken_en_buurten_{year}_pp")
        assert "regiocode_derived" not in named.columns and "Wijk_Buurt" in named.columns  # BOM stripped
        from_names = kwb_from_statline(named, year, str(path), heerlen_buurten)
        coded = pd.read_csv(shared / f"kwb/heerlen_kwb_{year}_statline.csv", usecols=["regiocode_derived"])
        assert from_names["region_code"].tolist() == coded["regiocode_derived"].tolist()
    assert _row(from_names, "BU09174200")["region_name"] == "Beitel"  # named "De Beitel" in 2023


def test_odata_csv_semicolon_with_bom_and_padding(shared):
    rows = read_odata_csv(shared / "bevolking/aantal_inwoners_heerlen_2019.csv")
    assert rows.columns[0] == "ID"
    frame = tidy(rows, where="x", codes=rows["WijkenEnBuurten"], indicators={"AantalInwoners_5": "n"}, year=2019)
    assert _row(frame, "GM0917")["n"] == 86832
    assert _row(frame, "BU09171001")["n"] == 470


def test_odata_csv_comma_with_dimension_codes(shared):
    path = shared / "bevolking/opleidings_niveau_heerlen_2019.csv"
    frame = education_from_csv(read_odata_csv(path), 2019, str(path))
    heerlen = _row(frame, "GM0917")
    assert (heerlen["onderwijsniveau_laag"], heerlen["onderwijsniveau_middelbaar"], heerlen["onderwijsniveau_hoog"]) == (
        24640, 27760, 14540)
    assert heerlen["bevolking_15_tot_75_jaar"] == 24640 + 27760 + 14540


def test_benefits_combined_file_heerlen_bijstand_2022_q3(shared):
    path = shared / "uitkeringen/cbs_uitkering_combined.json"
    frame = benefits_from_typed(read_odata_typed_json(path), str(path))
    assert frame["period"].nunique() == 45 and frame["period"].min() == "2013Q1" and frame["period"].max() == "2024Q1"
    heerlen = _row(frame, "GM0917", period="2022Q3")
    assert heerlen["bijstand_ontvangers"] == 3990 and heerlen["bijstand_pct"] == 5
    assert heerlen["inwoners_15_plus"] == 75860
    assert frame.groupby("period").size().eq(81).all()


def test_benefits_value_as_object_with_bom(shared):
    path = shared / "uitkeringen/85586NED_TypedDataSet_11112024_142716.json"
    assert path.read_bytes()[:3] == b"\xef\xbb\xbf"
    frame = benefits_from_typed(read_odata_typed_json(path), str(path))
    assert sorted(frame["period"].unique()) == ["2023Q1", "2023Q2", "2023Q3", "2023Q4"]
    assert _row(frame, "GM0917", period="2023Q1")["bijstand_ontvangers"] == 3990
    assert frame["bijstand_ontvangers"].isna().sum() == 8  # null cells stay missing, not zero


def test_each_quarter_file_equals_the_combined_file(shared):
    combined_path = shared / "uitkeringen/cbs_uitkering_combined.json"
    combined = benefits_from_typed(read_odata_typed_json(combined_path), "combined").set_index(["region_code", "period"])
    files = sorted((shared / "uitkeringen/bijstand-per-kwartaal").glob("*.json"))
    assert len(files) == 45
    for path in files:
        quarter = benefits_from_typed(read_odata_typed_json(path), str(path)).set_index(["region_code", "period"])
        pd.testing.assert_frame_equal(quarter, combined.loc[quarter.index], check_like=True)


def test_data_properties_give_stable_names(shared):
    props = read_data_properties(shared / "kwb/85984NED_2024/DataProperties.json").set_index("key")
    assert props.at["Nettoarbeidsparticipatie_78", "name"] == "nettoarbeidsparticipatie"
    assert props.at["Nettoarbeidsparticipatie_78", "unit"] == "%"
    assert props.at["PersonenPerSoortUitkeringBijstand_94", "name"] == "personen_per_soort_uitkering_bijstand"
    assert props.at["k_15Tot25Jaar_9", "name"] == "k_15_tot_25_jaar"
    assert props.at["GemiddeldInkomenPerInwoner_83", "decimals"] == 1
    # keys that collide once the suffix is gone are told apart by their topic groups
    assert props.at["Appartement_54", "name"] == "gemiddelde_elektriciteitslevering_naar_woningtype_appartement"
    assert props.at["Appartement_62", "name"] == "gemiddeld_aardgasverbruik_naar_woningtype_appartement"
    topics = props[props["type"] == "Topic"]
    assert topics["name"].is_unique


def test_kwb_2024_stripped_export(shared):
    folder = shared / "kwb/85984NED_2024"
    frame = kwb_from_stripped(folder, 2024, str(folder))
    assert set(frame["gemeente_code"]) == {"GM0899", "GM0917", "GM0928", "GM0882", "GM0965", "GM0986", "GM1954"}
    assert _row(frame, "GM0917")["aantal_inwoners"] == 87461
    assert _row(frame, "WK091710")["aantal_inwoners"] == 3915
    assert set(frame["level"]) == {"gemeente", "wijk"}


def test_excel_csv_income_with_title_rows_and_decimal_commas(shared):
    path = shared / "inkomen/kvk2020-wb2023.csv"
    frame = income_from_excel(read_excel_csv(path), 2020, str(path))
    heerlen = _row(frame, "GM0917")
    assert heerlen["gemiddeld_inkomen_per_inwoner"] == pytest.approx(24.2)
    assert heerlen["k_40_huishoudens_met_laagste_inkomen"] == pytest.approx(54.5)
    assert heerlen["level"] == "gemeente"
    wijk = _row(frame, "WK091712")
    assert (wijk["gemiddeld_inkomen_per_inwoner"], wijk["k_20_huishoudens_met_hoogste_inkomen"]) == (21.5, 5.6)
    assert pd.isna(_row(frame, "WK091735")["k_40_huishoudens_met_laagste_inkomen"])  # "." in the source


def test_excel_csv_cars_padded_codes_and_alphanumeric_wijken(shared):
    path = shared / "inkomen/gem-autobezit-huishouden_2023_wijk.csv"
    frame = cars_from_excel(read_excel_csv(path), 2023, str(path))
    assert "WK0363AA" in set(frame["region_code"])  # Amsterdam codes its wijken with letters
    assert _row(frame, "WK0363AA")["personenautos_per_huishouden"] == pytest.approx(0.3)
    gem_path = shared / "inkomen/gem-autobezit-huishouden_2023_gem.csv"
    gemeenten = cars_from_excel(read_excel_csv(gem_path), 2023, str(gem_path))
    assert _row(gemeenten, "GM0014")["region_name"] == "Groningen (gemeente)"
