"""The Regio Deal projects typed from the press release and their analysis."""

import pandas as pd
import pytest

from parkstad_analysis.analysis import funding
from parkstad_analysis.errors import DataFormatError, UnknownNameError
from parkstad_analysis.pages.funding import participation_explanation
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


def test_tables_carry_a_totals_row_percentages_target_groups_and_reach(projects):
    table = funding.with_total(funding.co_financing(projects), "project")
    total = table.iloc[-1]
    assert total["project"] == "Totaal" and len(table) == 6
    assert total["regio_deal_contribution_eur"] == 501_030 and total["total_cost_eur"] == 2_226_344
    assert total["contribution_pct"] == pytest.approx(100 * 501_030 / 2_226_344)  # 22,5 %: from the sums
    assert round(total["contribution_pct"], 1) == 22.5
    rows = table.iloc[:-1].set_index("project_id")
    assert rows.at[3, "contribution_pct"] == pytest.approx(100 / 6)
    assert rows.at[3, "target_group"] == "werkloze jongeren tot 27 jaar"
    assert rows.at[3, "reach"] == "Hoensbroek en GMS (Grasbroek, Musschemig, Schandelen) in Heerlen"
    assert rows.at[2, "reach"] == "heel Parkstad"
    by_track = funding.with_total(funding.totals_by(projects, "track"), "track").set_index("track")
    assert by_track.at["Totaal", "projects"] == 5 and by_track.at["Totaal", "regio_deal_contribution_eur"] == 501_030


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


def _quarter(shared, name, codes):
    """Bijstand recipients and inhabitants 15+ of some regions, summed by hand from one per-quarter file."""
    import json

    document = json.loads((shared / "uitkeringen/bijstand-per-kwartaal" / name).read_text("utf-8-sig"))
    rows = document["value"].values() if isinstance(document["value"], dict) else document["value"]
    chosen = [r for r in rows if r["WijkenEnBuurten"].strip() in codes]
    return sum(r["Bijstandsuitkering_6"] for r in chosen), sum(r["InwonersVanaf15Jaar_13"] for r in chosen)


GMS = ("BU09173100", "BU09173101", "BU09173102")
HOENSBROEK = tuple(f"WK0917{n}" for n in range(10, 15))


def test_split_project_is_shared_by_inhabitants_15_plus_at_the_start(projects, built, shared):
    benefits = ProcessedStore(built).load_table("benefits")
    allocation = funding.area_allocation(projects, benefits)
    werk = allocation[allocation["project_id"] == 3].set_index("area")
    (_, hoensbroek), (_, gms) = _quarter(shared, "cbs_bijstand_2020MM12.json", HOENSBROEK), \
        _quarter(shared, "cbs_bijstand_2020MM12.json", GMS)
    assert werk["share"].to_dict() == pytest.approx({"hoensbroek": hoensbroek / (hoensbroek + gms),
                                                     "gms": gms / (hoensbroek + gms)})
    assert set(werk["split_rule"]) == {"naar inwoners van 15 jaar en ouder (2020Q4)"}
    assert werk["contribution_eur"].sum() == pytest.approx(150_000)
    assert funding.totals_by_area(projects, benefits)["contribution_eur"].sum() == pytest.approx(501_030)


def test_money_per_recipient_at_the_start_of_the_projects(projects, built, shared):
    kwb, benefits = ProcessedStore(built).load_table("kwb"), ProcessedStore(built).load_table("benefits")
    table = funding.per_project(projects, kwb, benefits).set_index("project_id")
    recipients, _ = _quarter(shared, "cbs_bijstand_2020MM12.json", GMS)
    assert recipients == 200
    woow = table.loc[1]
    assert woow["quarter"] == "2020Q4" and woow["bijstand_recipients"] == 200
    assert round(woow["eur_per_bijstand_recipient"]) == 289 == round(57_880 / 200)
    # Werk in de Wijk: one amount per recipient for the project as a whole (Hoensbroek and GMS together)
    both = _quarter(shared, "cbs_bijstand_2020MM12.json", HOENSBROEK + GMS)[0]
    assert table.loc[3, "eur_per_bijstand_recipient"] == pytest.approx(150_000 / both)
    brunssum = table.loc[4]
    assert brunssum["inhabitants_year"] == "2024" and brunssum["eur_per_inhabitant"] == pytest.approx(131_950 / 6370)
    assert "geen bijstandscijfers voor Brunssum-Noord in 2020Q4" in brunssum["note"]
    assert table.loc[5, "inhabitants_year"] == "2017" and table.loc[5, "inhabitants"] == 2605  # Rolduckerveld
    assert pd.isna(table.loc[2, "bijstand_recipients"])  # only Heerlen in the benefit table: not all of Parkstad


def test_recipients_after_the_start_as_an_index(projects, built, shared):
    trend = funding.recipients_trend(projects, ProcessedStore(built).load_table("benefits"))
    woow = trend[trend["project_id"] == 1].set_index("period")
    later, _ = _quarter(shared, "cbs_bijstand_2024MM03.json", GMS)
    assert woow.at["2020Q4", "index"] == 100 and woow.at["2024Q1", "index"] == pytest.approx(100 * later / 200)
    # three GMS buurten, each count rounded to 10 by CBS: up to 15 off in both quarters
    assert woow.at["2024Q1", "index_lower"] == pytest.approx(100 * (later - 15) / 215)
    assert woow.at["2024Q1", "index_upper"] == pytest.approx(100 * (later + 15) / 185)
    assert woow.at["2020Q4", "index_lower"] == woow.at["2020Q4", "index_upper"] == 100
    assert trend[trend["project_id"] == 4][["index", "index_lower", "index_upper"]].isna().all().all()  # no figures
    werk = trend[trend["project_id"] == 3].set_index("period")
    known = werk.dropna(subset=["index"])
    assert (known["index_lower"] <= known["index"]).all() and (known["index"] <= known["index_upper"]).all()
    # quarters that only Beekdaelen's national table has (to 2024Q3) stay missing for Heerlen's projects, never zero
    assert werk.loc[["2024Q2", "2024Q3"], ["bijstand_recipients", "index"]].isna().all().all()
    assert known.index.max() == "2024Q1"


def test_participation_sources_say_which_gemeenten_lack_a_kwb_figure(built):
    store = ProcessedStore(built)
    press_release = store.load_table("press_release_participation")
    figures = funding.participation_sources(store.load_table("kwb"), press_release)
    explanation = participation_explanation(figures, press_release)
    heerlen = figures[figures["gemeente"] == "Heerlen"].set_index("source")["value"]
    assert heerlen.to_dict() == {"persbericht dec. 2020": 62.5, "KWB 2018": 59.0, "KWB 2019": 59.0}
    # offline only Heerlen's KWB rows carry the figure: the page says so instead of showing bare bars
    assert "Voor Kerkrade, Simpelveld en Voerendaal staat geen KWB-cijfer" in explanation


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
