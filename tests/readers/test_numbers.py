"""A '.' or ',' in a figure: thousands separator or decimal separator? The column's decimals decide, in every CSV shape."""

import pandas as pd
import pytest

from parkstad_analysis.errors import DataFormatError
from parkstad_analysis.readers.excel import read_excel_csv
from parkstad_analysis.readers.odata import read_odata_csv
from parkstad_analysis.readers.statline import read_statline_csv
from parkstad_analysis.readers.text import read_plain_csv
from parkstad_analysis.readers.values import to_number
from parkstad_analysis.tables.kwb import kwb_from_odata_csv, kwb_from_renamed, kwb_from_statline
from parkstad_analysis.tables.tidy import tidy

WRITTEN = {"86.832": 86832, "86,832": 86832, "1.560": 1560, "1.234.567": 1234567}


def _odata_csv(tmp_path, value: str, sep: str) -> pd.DataFrame:
    path = tmp_path / "inwoners.csv"
    path.write_text(f'"ID"{sep}"WijkenEnBuurten"{sep}"AantalInwoners_5"\n"0"{sep}"GM0917    "{sep}"{value}"\n', "utf-8")
    return kwb_from_odata_csv(read_odata_csv(path), 2019, str(path))


@pytest.mark.parametrize("sep", [";", ","])
@pytest.mark.parametrize(("written", "meant"), WRITTEN.items())
def test_odata_csv(tmp_path, written, meant, sep):
    assert _odata_csv(tmp_path, written, sep)["aantal_inwoners"].item() == meant


@pytest.mark.parametrize(("written", "meant"), WRITTEN.items())
def test_statline_csv(tmp_path, written, meant):
    path = tmp_path / "statline.csv"
    path.write_text(f'regiocode_derived,Wijk_Buurt,Bevolking_Aantal_inwoners\nGM0917,Heerlen,"{written}"\n', "utf-8")
    frame = kwb_from_statline(read_statline_csv(path), 2019, str(path), {})
    assert frame["aantal_inwoners"].item() == meant


@pytest.mark.parametrize(("written", "meant"), WRITTEN.items())
def test_excel_born_csv(tmp_path, written, meant):
    path = tmp_path / "excel.csv"
    path.write_text(f"Inwoners per gemeente;;\nGemeentecode;Gemeentenaam;Aantal inwoners\nGM0917;Heerlen;{written}\n", "utf-8")
    rows = read_excel_csv(path)
    frame = tidy(rows, where=str(path), codes=rows["region_code"], indicators={"Aantal inwoners": "aantal_inwoners"},
                 year=2019)
    assert frame["aantal_inwoners"].item() == meant


@pytest.mark.parametrize(("written", "meant"), WRITTEN.items())
def test_renamed_csv(tmp_path, written, meant):
    path = tmp_path / "renamed.csv"
    path.write_text(f'unique_id,population\nGM0917,"{written}"\n', "utf-8")
    frame = kwb_from_renamed(read_plain_csv(path), {"unique_id": "WijkenEnBuurten", "population": "aantal_inwoners"}, 2019,
                             str(path))
    assert frame["aantal_inwoners"].item() == meant


def test_two_buurten_written_with_thousands_dots_add_up(tmp_path):
    # the case that once built with exit 0 and a buurt sum of 82,344.49
    path = tmp_path / "buurten.csv"
    path.write_text('"ID";"WijkenEnBuurten";"AantalInwoners_5"\n"0";"BU09171101";"1.560"\n"1";"BU09173202";"2.930"\n'
                    '"2";"BU09173203";"77854"\n', "utf-8")
    frame = kwb_from_odata_csv(read_odata_csv(path), 2019, str(path))
    assert frame["aantal_inwoners"].sum() == 1560 + 2930 + 77854


def test_an_ambiguous_value_without_known_decimals_is_refused_with_file_column_row_and_value():
    with pytest.raises(DataFormatError, match=r"f.csv, column 'c': value '86.832' \(row 1\) is ambiguous"):
        to_number(pd.Series(["1", "86.832"]), "f.csv, column 'c'")


def test_a_fraction_in_a_whole_number_column_is_refused():
    with pytest.raises(DataFormatError, match=r"value '86.8' \(row 0\) has a fraction, but the column is published as whole"):
        to_number(pd.Series(["86.8"]), "f.csv, column 'c'", decimals=0)


def test_decimals_decide_when_known():
    assert to_number(pd.Series(["86.832"]), "x", decimals=3).item() == pytest.approx(86.832)
    assert to_number(pd.Series(["1.234,5", "1,234.5", "22,9", "3890.0"]), "x", decimals=1).tolist() == [1234.5, 1234.5, 22.9,
                                                                                                       3890.0]
