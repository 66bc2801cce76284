"""The Regio Deal projects typed from the press release and their analysis."""

import pandas as pd
import pytest

from parkstad_analysis.analysis import funding
from parkstad_analysis.errors import DataFormatError, UnknownNameError
from parkstad_analysis.processed import ProcessedStore
from parkstad_analysis.tables.projects import load_projects, projects_file

PROJECTS = projects_file()


@pytest.fixture(scope="module")
def projects():
    return load_projects(PROJECTS)


def test_sums_match_the_press_release(projects):
    assert len(projects) == 5
    assert projects["regio_deal_contribution_eur"].sum() == funding.RELEASE_CONTRIBUTION_EUR == 501_030
    assert projects["total_cost_eur"].sum() == funding.RELEASE_TOTAL_COST_EUR == 2_226_344


def test_each_project_as_in_the_release(projects):
    money = projects.set_index("project")[["total_cost_eur", "regio_deal_contribution_eur"]]
    assert money.loc["Werk in de Wijk"].tolist() == [900_000, 150_000]
    assert money.loc["Wijkbedrijf Brunssum-Noord"].tolist() == [403_900, 131_950]
    assert money.loc["Leren locatie Holz"].tolist() == [415_200, 91_200]


def test_co_financing_and_totals(projects):
    shares = funding.co_financing(projects).set_index("project_id")
    assert shares.at[3, "contribution_share"] == pytest.approx(150_000 / 900_000)
    by_gemeente = funding.totals_by(projects, "gemeente").set_index("gemeente")
    assert by_gemeente.at["Heerlen", "regio_deal_contribution_eur"] == 57_880 + 70_000 + 150_000
    by_track = funding.totals_by(projects, "track").set_index("track")
    assert by_track.at["generiek", "regio_deal_contribution_eur"] == 70_000
    assert by_track["regio_deal_contribution_eur"].sum() == 501_030


def test_split_project_is_shared_by_inhabitants(projects, built):
    kwb = ProcessedStore(built).load_table("kwb")
    allocation = funding.area_allocation(projects, kwb, 2019)
    werk = allocation[allocation["project_id"] == 3].set_index("area")
    assert werk["share"].to_dict() == pytest.approx({"hoensbroek": 18880 / (18880 + 3890), "gms": 3890 / (18880 + 3890)})
    assert werk["contribution_eur"].sum() == pytest.approx(150_000)
    assert funding.totals_by_area(projects, kwb)["contribution_eur"].sum() == pytest.approx(501_030)


def test_per_capita_states_its_years_and_gaps(projects, built):
    kwb, benefits = ProcessedStore(built).load_table("kwb"), ProcessedStore(built).load_table("benefits")
    table = funding.per_capita(projects, kwb, benefits, 2019).set_index(["project_id", "area"])
    woow = table.loc[(1, "gms")]
    assert woow["inhabitants"] == 3890 and woow["inhabitants_year"] == 2019
    assert woow["eur_per_inhabitant"] == pytest.approx(57_880 / 3890)
    assert woow["eur_per_bijstand_recipient"] == pytest.approx(57_880 / woow["bijstand_recipients"])
    brunssum = table.loc[(4, "brunssum_noord")]
    assert brunssum["inhabitants_year"] == 2024 and brunssum["eur_per_inhabitant"] == pytest.approx(131_950 / 6370)
    assert "no bijstand figures for brunssum_noord" in brunssum["note"]
    assert pd.isna(table.loc[(5, "rolduckerveld"), "eur_per_inhabitant"])  # no Kerkrade buurt figures offline
    parkstad = table.loc[(2, "parkstad")]
    assert pd.isna(parkstad["bijstand_recipients"])  # only Heerlen in the benefit table: not all of Parkstad


def test_ranking_is_chart_ready(projects):
    ranked = funding.ranking(projects)
    assert ranked["rank"].tolist() == [1, 2, 3, 4, 5]
    assert ranked["label"].iloc[0] == "Werk in de Wijk" and ranked["label"].iloc[-1] == "Woow"
    assert ranked["share_of_all"].sum() == pytest.approx(1)
    with pytest.raises(UnknownNameError, match="unknown ranking column 'euros'"):
        funding.ranking(projects, "euros")


def test_bad_projects_file_names_column(tmp_path):
    frame = pd.read_csv(PROJECTS, dtype=str, keep_default_na=False)
    bad = frame.assign(track=frame["track"].replace("generiek", "algemeen"))
    path = tmp_path / "projects.csv"
    bad.to_csv(path, index=False)
    with pytest.raises(DataFormatError, match="projects.csv: column 'track' fails"):
        load_projects(path)
    frame.assign(areas=frame["areas"].replace("gms", "gmx")).to_csv(path, index=False)
    with pytest.raises(DataFormatError, match="projects.csv, column 'areas': unknown area 'gmx'"):
        load_projects(path)
    frame.assign(total_cost_eur=frame["total_cost_eur"].replace("900000", "negen ton")).to_csv(path, index=False)
    with pytest.raises(DataFormatError, match="projects.csv, column 'total_cost_eur': expected whole euros"):
        load_projects(path)
