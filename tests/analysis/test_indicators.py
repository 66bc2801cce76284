"""Indicators for areas: participation, benefits per quarter, age, income, comparison."""

import pandas as pd
import pytest

from parkstad_analysis.analysis import indicators, profile
from parkstad_analysis.errors import FetchError
from parkstad_analysis.processed import load_table
from parkstad_analysis.vocabulary.areas import get_area


@pytest.fixture(scope="module")
def tables(built):
    return {n: load_table(n, built) for n in ("kwb", "benefits", "education", "income", "region_names", "provenance")}


def test_press_release_participation_is_a_built_table_with_its_words(built, shared):
    table = load_table("press_release_participation", built).set_index("gemeente_code")
    assert table["nettoarbeidsparticipatie"].to_dict() == {"GM0928": 61.9, "GM0917": 62.5, "GM0965": 66.4, "GM0986": 68.3}
    release = next((shared.parent / "seeds").glob("*.txt")).read_text("utf-8")
    for row in table.itertuples():  # every figure is in the press release, written as it is there
        assert f"({str(row.nettoarbeidsparticipatie).replace('.', ',')}%)" in release
        assert row.reference_period == "not stated"


def test_heerlen_participation_is_the_published_gemeente_figure(tables):
    result = indicators.participation(tables["kwb"], get_area("heerlen"), tables["education"]).set_index("year")
    # the KWB gemeente row (59 % in 2018 and 2019); the press release's 62.5 % for 2020 comes from
    # another CBS source, which is why both are kept side by side rather than mixed
    assert result.at[2019, "value"] == 59 and result.at[2018, "value"] == 59


def test_benefit_rates_every_quarter_for_every_kind(tables):
    result = indicators.benefit_rates(tables["benefits"], get_area("hoensbroek"))
    assert set(result["kind"]) == {"bijstand", "ww", "ao", "aow"}
    assert result["period"].nunique() == 45
    wide = indicators.benefit_rates_with_gemeente(tables["benefits"], get_area("hoensbroek"))
    heerlen_2022q3 = wide.set_index("period").at["2022Q3", "heerlen"]
    assert heerlen_2022q3 == pytest.approx(1000 * 3990 / 75860)


def test_age_share_and_income(tables):
    age = indicators.age_shares(tables["kwb"][tables["kwb"]["year"] == 2019], get_area("heerlen")).iloc[0]
    kwb = tables["kwb"].set_index(["region_code", "year"])
    assert age["value"] == pytest.approx(100 * kwb.at[("GM0917", 2019), "k_15_tot_25_jaar"] / 86832)
    income = indicators.income(tables["income"], tables["kwb"], get_area("gms"))
    gms_income = income[income["indicator"] == "gemiddeld_inkomen_per_inwoner"].iloc[0]
    assert gms_income["value"] == pytest.approx(22.9) and gms_income["represented_by"] == "WK091731"
    # wijk 31 also holds Hoppersgraaf, which GMS leaves out: the figure says whose it is
    assert "Schandelen-Grasbroek (WK091731)" in gms_income["stand_in"] and "groter dan het gebied" in gms_income["stand_in"]


def test_comparison_table_area_gemeente_parkstad(tables):
    table = profile.comparison(tables, "gms", 2019, "2019Q4").set_index("label")
    assert list(table.columns[2:5]) == ["gms", "heerlen", "parkstad"]
    assert table.at["Inwoners", "gms"] == 3900 and table.at["Inwoners", "period"] == "2019"
    assert table.at["Inwoners", "heerlen"] == 86832
    # Parkstad 2019 from the renamed KWB file: all seven gemeenten, so it is shown
    assert table.at["Inwoners", "parkstad"] == 86832 + 28103 + 45642 + 37591 + 10516 + 12452 + 35727
    assert "CBS 84583NED (Kerncijfers wijken en buurten 2019)" in table.at["Inwoners", "sources"]
    bijstand = table.loc["Personen met bijstand"]
    assert bijstand["period"] == "2019Q4" and pd.isna(bijstand["parkstad"])  # benefits cover Heerlen only
    assert table.at["Inwoners", "coverage_gms"] == 1.0


def test_rolduckerveld_profile_has_real_figures(tables):
    figures = {f.key: f for f in profile.key_figures(tables, "rolduckerveld", 2019, "2019Q4")}
    assert (figures["aantal_inwoners"].value, figures["aantal_inwoners"].period) == (2605, "2017")
    assert figures["aantal_inwoners"].note == "niet voor 2019 beschikbaar"
    assert (figures["gemiddeld_inkomen_per_inwoner"].value, figures["gemiddeld_inkomen_per_inwoner"].period) == (17.9, "2017")
    assert figures["huish_onder_of_rond_sociaal_minimum"].value == pytest.approx(16.2)
    assert "CBS 83765NED" in figures["gemiddeld_inkomen_per_inwoner"].sources
    years = profile.inhabitants_by_year(tables, "rolduckerveld").set_index("year")["value"].to_dict()
    assert years == {"2017": 2605, "2024": 2035}
    assert "bijstand_per_1000" not in figures  # no Kerkrade benefit figures offline: left out, not drawn empty


def test_coverage_is_a_share_of_the_population(tables):
    # Heerlen-Noord: 12 of its 13 wijken have a participation figure in 2019; by inhabitants that is 99.9 %
    result = indicators.participation(tables["kwb"][tables["kwb"]["year"] == 2019], get_area("heerlen_noord"),
                                      tables["education"]).iloc[0]
    kwb = tables["kwb"][(tables["kwb"]["year"] == 2019) & tables["kwb"]["region_code"].isin(get_area("heerlen_noord").codes)]
    by_hand = kwb.loc[kwb["nettoarbeidsparticipatie"].notna(), "aantal_inwoners"].sum() / kwb["aantal_inwoners"].sum()
    assert result["regions_missing"] == 1 and result["coverage"] == pytest.approx(by_hand) and by_hand > 0.99


def test_participation_weights_follow_each_year(tables):
    weights, basis = indicators.participation_weights(tables["kwb"][tables["kwb"]["region_code"] == "WK091731"],
                                                      tables["education"])
    education = tables["education"].set_index("region_code").at["WK091731", "bevolking_15_tot_75_jaar"]
    assert set(weights.dropna()) == {education}  # 2018 and 2019 both weighted by the 15-75 population (of 2019)
    assert set(basis) >= {"bevolking 15–75 (2019, CBS onderwijsniveau)"}


def test_table_not_built_says_what_to_run(project):
    with pytest.raises(FetchError, match="kwb.parquet: not built; run `parkstad fetch` and `parkstad build`"):
        load_table("kwb", project)


def test_benefit_rates_for_every_region_with_the_gemeente_alongside(tables):
    table = indicators.benefit_rates_by_region(tables["benefits"], "bijstand")
    heerlen, beekdaelen = (table[table["gemeente_code"] == code] for code in ("GM0917", "GM1954"))
    assert heerlen["period"].nunique() == 45 and heerlen.groupby("period").size().eq(81).all()
    # Beekdaelen from the national tables: 1 gemeente, 7 wijken and 29 buurten in each quarter 2019Q1-2024Q3
    assert beekdaelen["period"].nunique() == 23 and beekdaelen.groupby("period").size().eq(37).all()
    row = table[(table["region_code"] == "WK091712") & (table["period"] == "2022Q3")].iloc[0]
    assert row["rate"] == pytest.approx(1000 * row["recipients"] / row["base"])
    assert row["gemeente_rate"] == pytest.approx(1000 * 3990 / 75860)
    to_aow = indicators.benefit_rates_by_region(tables["benefits"], "ww", base="inwoners_15_tot_aow")
    heerlen = to_aow[(to_aow["region_code"] == "GM0917") & (to_aow["period"] == "2022Q3")].iloc[0]
    assert heerlen["rate"] == pytest.approx(1000 * 780 / 56940)


def test_an_area_is_shown_beside_its_other_documented_definition(tables):
    from parkstad_analysis.analysis.profile import definitions_compared

    # GMS with Hoppersgraaf (BU09173103): 3.900 + 1.060 inhabitants in 2019 (CBS 84583NED); bijstand per 1.000
    # inhabitants 15+ in 2024Q1 summed from the four buurt rows, as every profile figure of a buurt area is
    table = definitions_compared(tables, "gms", 2019, ["2019Q4", "2024Q1"]).set_index("area")
    assert list(table.index) == ["gms", "gms_met_hoppersgraaf"]
    assert table.at["gms", "inhabitants"] == 3_900 and table.at["gms_met_hoppersgraaf", "inhabitants"] == 4_960
    assert round(table.at["gms", "bijstand_per_1000_2024Q1"], 1) == 47.3
    assert round(table.at["gms_met_hoppersgraaf", "bijstand_per_1000_2024Q1"], 1) == 59.3
    molenberg = definitions_compared(tables, "heerlen_noord", 2019, ["2019Q4"]).set_index("area")
    assert molenberg.at["heerlen_noord_met_molenberg", "inhabitants"] == 57_565  # as areas.toml's source says
    assert definitions_compared(tables, "hoensbroek", 2019, ["2019Q4"]).empty
