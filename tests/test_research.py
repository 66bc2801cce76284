"""The researcher's surface: one import, data loaded once, an area resolved once and passed inward."""

import pytest

import parkstad_analysis as pa
from parkstad_analysis.errors import UnknownNameError
from parkstad_analysis.vocabulary.areas import Area


def test_one_import_loads_the_data_and_passes_an_area_inward(built):
    data = pa.load(built)
    assert {"kwb", "benefits", "region_names", "provenance"} <= set(data)
    # the region tables, without names, provenance and Nederland's rows (the benchmarks)
    assert set(data.region_tables()) == set(data) - {"region_names", "provenance", "kwb_benchmarks",
                                                     "benefits_benchmarks"}
    gms = pa.area("GMS")
    assert isinstance(gms, Area) and gms.name == "gms" and pa.area(gms) is gms
    by_area = {f.key: f.value for f in pa.profile.key_figures(data, gms, 2019, "2019Q4")}
    by_name = {f.key: f.value for f in pa.profile.key_figures(data, "gms", 2019, "2019Q4")}
    assert by_area == by_name and by_area["aantal_inwoners"] == 3900  # CBS 84583NED: 3.900 inhabitants in 2019
    assert data.region_names()["BU09173101"] == "Grasbroek"
    assert "buurten_2023" in data.layers


def test_an_unknown_area_lists_the_valid_names():
    with pytest.raises(UnknownNameError, match="unknown area 'gmx'"):
        pa.area("gmx")


def test_names_outside_the_surface_are_not_there():
    with pytest.raises(AttributeError, match="no attribute 'nonsense'"):
        pa.nonsense  # noqa: B018
    assert "load" in dir(pa) and "show_table" in dir(pa)
