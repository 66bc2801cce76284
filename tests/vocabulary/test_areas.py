"""Focus areas and aggregation, checked against sums done by hand from the source files."""

import pandas as pd
import pytest

from parkstad_analysis.analysis.aggregate import rate, sum_counts, weighted_percentage
from parkstad_analysis.analysis.indicators import benefit_rates, participation
from parkstad_analysis.errors import ConfigError, UnknownNameError
from parkstad_analysis.processed import ProcessedStore
from parkstad_analysis.vocabulary import areas
from parkstad_analysis.vocabulary.areas import get_area


@pytest.fixture(scope="module")
def source_2019(shared):
    """Heerlen 2019 straight from the StatLine CSV, keyed by code."""
    return pd.read_csv(shared / "kwb/heerlen_kwb_2019_statline.csv").set_index("regiocode_derived")


@pytest.fixture(scope="module")
def odata_2019(shared):
    """Heerlen's inhabitants 2019 straight from CBS's own table 84583NED (the OData CSV), keyed by code."""
    frame = pd.read_csv(shared / "bevolking/aantal_inwoners_heerlen_2019.csv", sep=";", encoding="utf-8-sig", dtype=str)
    return frame.assign(code=frame["WijkenEnBuurten"].str.strip()).set_index("code")["AantalInwoners_5"].astype(int)


@pytest.fixture(scope="module")
def kwb(built):
    return ProcessedStore(built).load_table("kwb")


@pytest.fixture(scope="module")
def benefits(built):
    return ProcessedStore(built).load_table("benefits")


def test_gms_inhabitants_2019_are_the_sum_of_its_buurten(kwb, odata_2019, source_2019):
    # CBS's own table wins over the StatLine export, which gives 3,890 (each buurt 5 lower or equal)
    by_hand = sum(odata_2019[c] for c in ("BU09173100", "BU09173101", "BU09173102"))
    result = sum_counts(kwb[kwb["year"] == 2019], get_area("gms"), "aantal_inwoners").iloc[0]
    assert result["value"] == by_hand == 3900
    assert sum(source_2019.at[c, "Bevolking_Aantal_inwoners"] for c in ("BU09173100", "BU09173101", "BU09173102")) == 3890
    assert (result["lower"], result["upper"]) == (by_hand - 3 * 2.5, by_hand + 3 * 2.5)  # three counts rounded to 5
    assert result["coverage"] == 1.0


def test_hoensbroek_and_heerlen_noord_from_their_wijken(kwb, odata_2019):
    hoensbroek = sum(odata_2019[f"WK0917{n}"] for n in range(10, 15))
    noord = hoensbroek + sum(odata_2019[f"WK0917{n}"] for n in (20, 21, 22, 23, 24, 30, 31, 32))
    year = kwb[kwb["year"] == 2019]
    assert sum_counts(year, get_area("hoensbroek"), "aantal_inwoners")["value"].item() == hoensbroek == 18895
    assert sum_counts(year, get_area("heerlen_noord"), "aantal_inwoners")["value"].item() == noord == 53205
    assert abs(noord - 56_000) / 56_000 < 0.06  # the programme's "about 56,000"


def test_rate_is_not_the_mean_of_percentages():
    # Two buurten: a small one at 50 % and a large one at 10 %. The mean of percentages is 30 %,
    # the rate of the area is (50 + 100) / (100 + 1000) = 13.6 %.
    table = pd.DataFrame({
        "region_code": ["BU09173100", "BU09173101"], "level": ["buurt", "buurt"], "year": [2019, 2019],
        "bijstand": pd.array([50, 100], dtype="Float64"), "inwoners": pd.array([100, 1000], dtype="Float64"),
        "pct": pd.array([50.0, 10.0], dtype="Float64"),
    })
    area = areas.Area(name="two", title="two", level="buurt", codes=("BU09173100", "BU09173101"), boundaries=(2019, 2019),
                      gemeente="GM0917", definition="", source="")
    assert table["pct"].mean() == 30
    assert rate(table, area, "bijstand", "inwoners", per=100)["value"].item() == pytest.approx(150 / 1100 * 100)
    assert weighted_percentage(table, area, "pct", "inwoners")["value"].item() == pytest.approx(150 / 1100 * 100)


def test_missing_buurt_is_coverage_not_zero():
    table = pd.DataFrame({
        "region_code": ["BU09173100", "BU09173101", "BU09173102"], "level": ["buurt"] * 3, "year": [2019] * 3,
        "bijstand": pd.array([50, None, 30], dtype="Float64"), "inwoners": pd.array([1000, 3000, 1000], dtype="Float64"),
    })
    result = rate(table, get_area("gms"), "bijstand", "inwoners", per=1000).iloc[0]
    assert result["value"] == pytest.approx(80 / 2000 * 1000)  # the secret buurt is left out, not counted as 0
    assert result["coverage"] == pytest.approx(2000 / 5000)
    assert result["regions_missing"] == 1


def test_region_without_a_row_lowers_coverage(kwb):
    # Parkstad in 2018: the offline KWB has only Heerlen, so 1 of the 9 gemeenten of 2018 is covered
    result = sum_counts(kwb[kwb["year"] == 2018], get_area("parkstad"), "aantal_inwoners").iloc[0]
    assert result["regions_missing"] == 8 and result["coverage"] == pytest.approx(1 / 9)


def test_bijstand_rate_of_gms_by_hand(benefits, shared):
    import json

    rows = json.loads((shared / "uitkeringen/bijstand-per-kwartaal/cbs_bijstand_2024MM03.json").read_text("utf-8-sig"))
    rows = {r["WijkenEnBuurten"].strip(): r for r in rows["value"].values()} if isinstance(rows["value"], dict) else {
        r["WijkenEnBuurten"].strip(): r for r in rows["value"]}
    codes = ("BU09173100", "BU09173101", "BU09173102")
    num = sum(rows[c]["Bijstandsuitkering_6"] for c in codes)
    den = sum(rows[c]["InwonersVanaf15Jaar_13"] for c in codes)
    result = benefit_rates(benefits[benefits["period"] == "2024Q1"], get_area("gms"))
    bijstand = result[result["kind"] == "bijstand"].iloc[0]
    assert bijstand["value"] == pytest.approx(1000 * num / den)
    assert bijstand["lower"] < bijstand["value"] < bijstand["upper"]


def test_participation_weighted_by_population_15_75(kwb, built, source_2019):
    education = ProcessedStore(built).load_table("education")
    result = participation(kwb[kwb["year"] == 2019], get_area("gms"), education).iloc[0]
    edu = education.set_index("region_code")["bevolking_15_tot_75_jaar"]
    codes = ("BU09173100", "BU09173101", "BU09173102")
    by_hand = sum(source_2019.at[c, "Arbeid_Netto_arbeidsparticipatie"] * edu[c] for c in codes) / sum(edu[c] for c in codes)
    assert result["value"] == pytest.approx(by_hand)


def test_unknown_area_lists_valid_names():
    # with built data the closest regions come first (code and level), then the areas; without, the areas alone
    closest_first = (r"unknown area 'Heerlen-Zuid'; expected one of: (Heerlen \(GM0917, gemeente\), .*)?heerlen, "
                     r"heerlen_noord, .* \(and \d+ more\)$")
    with pytest.raises(UnknownNameError, match=closest_first):
        get_area("Heerlen-Zuid")
    assert get_area("Heerlen-Noord").name == "heerlen_noord"


def test_unknown_indicator_is_named(kwb):
    with pytest.raises(UnknownNameError, match="unknown indicator 'werkloosheid'"):
        sum_counts(kwb, get_area("gms"), "werkloosheid")


def test_area_codes_are_in_the_boundaries_of_their_years(built):
    layers = ProcessedStore(built).load_layers()
    assert set(get_area("rolduckerveld").codes_for(2014)) <= set(layers["buurten_2014"]["region_code"])
    buurten_2023 = set(layers["buurten_2023"]["region_code"])
    assert set(get_area("gms").codes_for(2023)) <= buurten_2023
    assert not set(get_area("rolduckerveld").codes_for(2023)) & buurten_2023  # the 2023 layer holds Heerlen only


def test_parkstad_before_2019_uses_the_old_gemeenten():
    parkstad = get_area("parkstad")
    assert "GM1954" in parkstad.codes_for(2019) and "GM1954" not in parkstad.codes_for(2018)
    assert {"GM0951", "GM0881", "GM0962"} <= set(parkstad.codes_for(2018))


def test_area_without_figures_gives_empty_result_with_columns(benefits):
    result = rate(benefits, get_area("rolduckerveld"), "bijstand_ontvangers", "inwoners_15_plus")
    assert result.empty and {"value", "coverage", "period"} <= set(result.columns)


def test_build_refuses_an_area_code_no_cbs_list_holds(built):
    from parkstad_analysis.tables.names import check_area_codes, layer_codes

    names = layer_codes(ProcessedStore(built).load_layers())
    check_area_codes(names, built.scope)  # the shipped areas.toml passes
    typo = areas.parse_areas({"gms_typo": {
        "title": "GMS met typefout", "level": "buurt", "codes": ["BU09173100", "BU09173109"], "boundaries": [2016, 2024],
        "gemeente": "GM0917", "definition": "test", "source": "test"}}, "areas.toml")
    with pytest.raises(ConfigError, match=r"area 'gms_typo' \(buurt, boundaries 2016-2024\): BU09173109$"):
        check_area_codes(names, built.scope, typo)
