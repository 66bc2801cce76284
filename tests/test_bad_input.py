"""Each kind of bad input gives one clear error naming the file, column or value."""

import shutil

import pandas as pd
import pytest

from parkstad_analysis.errors import DataFormatError
from parkstad_analysis.readers.excel import read_excel_csv
from parkstad_analysis.readers.odata import read_data_properties, read_odata_csv, read_odata_typed_json
from parkstad_analysis.readers.statline import read_statline_sqlite
from parkstad_analysis.readers.values import quarter_period
from parkstad_analysis.tables.benefits import benefits_from_typed
from parkstad_analysis.tables.education import education_from_csv
from parkstad_analysis.tables.income import income_from_excel
from parkstad_analysis.tables.tidy import tidy
from parkstad_analysis.vocabulary.regions import clean_code


def test_missing_file_is_named(tmp_path):
    with pytest.raises(DataFormatError, match="nope.json: file not found"):
        read_odata_typed_json(tmp_path / "nope.json")
    with pytest.raises(DataFormatError, match="nope.csv: file not found"):
        read_odata_csv(tmp_path / "nope.csv")


@pytest.mark.parametrize("cut", [0.5, 0.99])
def test_truncated_json_names_file_and_position(shared, tmp_path, cut):
    source = (shared / "uitkeringen/bijstand-per-kwartaal/cbs_bijstand_2022MM09.json").read_bytes()
    path = tmp_path / "cut.json"
    path.write_bytes(source[: int(len(source) * cut)])
    with pytest.raises(DataFormatError, match=r"cut.json: corrupt or truncated JSON at line \d+, column \d+"):
        read_odata_typed_json(path)


def test_wrong_format_csv_given_to_json_reader(shared):
    with pytest.raises(DataFormatError, match="aantal_inwoners_heerlen_2019.csv: corrupt or truncated JSON"):
        read_odata_typed_json(shared / "bevolking/aantal_inwoners_heerlen_2019.csv")


def test_json_that_is_not_odata(tmp_path):
    path = tmp_path / "list.json"
    path.write_text("[1, 2, 3]")
    with pytest.raises(DataFormatError, match="list.json: expected an OData document with a 'value' member"):
        read_odata_typed_json(path)


def test_required_column_absent(shared, tmp_path):
    frame = pd.read_csv(shared / "bevolking/aantal_inwoners_heerlen_2019.csv", sep=";", dtype=str, encoding="utf-8-sig")
    path = tmp_path / "no_region.csv"
    frame.drop(columns="WijkenEnBuurten").to_csv(path, sep=";", index=False)
    with pytest.raises(DataFormatError, match="no_region.csv: required column.*WijkenEnBuurten absent"):
        read_odata_csv(path)


def test_benefits_without_period_column(shared):
    rows = read_odata_typed_json(shared / "uitkeringen/cbs_uitkering_combined.json").drop(columns="Perioden")
    with pytest.raises(DataFormatError, match="combined: required column 'Perioden' absent"):
        benefits_from_typed(rows, "combined")


def test_region_code_that_does_not_parse():
    rows = pd.DataFrame({"code": ["GM0917", "WK09171"], "v": ["1", "2"]})
    with pytest.raises(DataFormatError, match=r"t.csv, column 'code'.*'WK09171' does not parse.*WK\+6"):
        tidy(rows, where="t.csv, column 'code'", codes=rows["code"], indicators={"v": "v"}, year=2019)
    with pytest.raises(DataFormatError, match="'XX12' does not parse"):
        clean_code("XX12")


def test_value_that_is_not_a_number_names_column_and_value():
    rows = pd.DataFrame({"code": ["GM0917"], "v": ["12,3,4"]})
    with pytest.raises(DataFormatError, match=r"f.csv, column 'v': value '12,3,4'"):
        tidy(rows, where="f.csv", codes=rows["code"], indicators={"v": "v"}, year=2019)


def test_duplicate_region_rows(shared):
    rows = read_odata_csv(shared / "bevolking/aantal_inwoners_heerlen_2019.csv")
    doubled = pd.concat([rows, rows.iloc[[0]]])
    with pytest.raises(DataFormatError, match=r"inw.csv: 2 rows share region and period, e.g. \['GM0917', '2019'\]"):
        tidy(doubled, where="inw.csv", codes=doubled["WijkenEnBuurten"], indicators={"AantalInwoners_5": "n"},
                 year=2019)


def test_unknown_dimension_code(shared):
    rows = read_odata_csv(shared / "bevolking/opleidings_niveau_heerlen_2019.csv")
    rows.loc[0, "Opleidingsniveau"] = "9999999"
    with pytest.raises(DataFormatError, match=r"opl.csv: column 'Opleidingsniveau' has unknown code\(s\) \['9999999'\]"):
        education_from_csv(rows, 2019, "opl.csv")


def test_period_that_is_not_a_quarter():
    with pytest.raises(DataFormatError, match="p.json, column 'Perioden': period '2022JJ00' is not a quarter"):
        quarter_period(pd.Series(["2022MM09", "2022JJ00"]), "p.json, column 'Perioden'")


def test_excel_csv_without_codes(tmp_path):
    path = tmp_path / "plain.csv"
    path.write_text("a;b\n1;2\n")
    with pytest.raises(DataFormatError, match="plain.csv: no row holds a GM or WK code"):
        read_excel_csv(path)


def test_excel_csv_missing_value_column(shared, tmp_path):
    rows = read_excel_csv(shared / "inkomen/kvk2020-wb2023.csv")
    rows = rows.drop(columns=[c for c in rows.columns if "laagste" in c.lower()])
    with pytest.raises(DataFormatError, match="kvk.csv: no column header contains '40% and laagste'"):
        income_from_excel(rows, 2020, "kvk.csv")


def test_data_properties_that_are_not(tmp_path, shared):
    path = tmp_path / "DataProperties.json"
    shutil.copy(shared / "kwb/85984NED_2024/TableInfos.json", path)
    with pytest.raises(DataFormatError, match="DataProperties.json: expected a DataProperties list"):
        read_data_properties(path)


def test_sqlite_table_that_does_not_exist(shared):
    with pytest.raises(DataFormatError, match="no table 'kwb_2030'; tables are Kerncijfers_wijken_en_buurten_2016_pp"):
        read_statline_sqlite(shared / "kwb/heerlen_kwb_2016_2020_statline.sqlite", "kwb_2030")
