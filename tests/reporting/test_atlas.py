"""Any region is an area, the atlas of every gemeente, wijk and buurt, and Nederland as benchmark.

Figures checked by hand in ../shared/cbs: Nederland's bijstand 2019Q4 is 414.440 of 14.678.960 inhabitants 15+
(84692NED.csv, row NL01 "2019 december"): 28,23 per 1.000; its inhabitants 2024 are 17.942.942 (KWB 2024, NL00).
"""

from __future__ import annotations

import re

import pytest

from parkstad_analysis.analysis.benchmarks import national_figure
from parkstad_analysis.analysis.catalogue import AmbiguousAreaError
from parkstad_analysis.analysis.overview import overview
from parkstad_analysis.errors import UnknownNameError
from parkstad_analysis.processed import ProcessedStore
from parkstad_analysis.reporting.atlas import run_atlas
from parkstad_analysis.reporting.publish import made_with
from parkstad_analysis.reporting.report import run_report
from parkstad_analysis.vocabulary.areas import get_area

from conftest import project_with_notebooks


@pytest.fixture
def on_built(built, monkeypatch):
    """Code and name lookups read the built project's region names, as a researcher's session does."""
    monkeypatch.setenv("PARKSTAD_HOME", str(built.root))
    return built


def test_any_region_is_an_area_by_code_or_name(on_built):
    buurt = get_area("BU09280102")
    assert (buurt.name, buurt.title, buurt.level, buurt.codes, buurt.gemeente) == (
        "bu09280102", "Rolduckerveld", "buurt", ("BU09280102",), "GM0928")
    wijk = get_area("wk089902")
    assert (wijk.level, wijk.gemeente, wijk.title) == ("wijk", "GM0899", "Brunssum-Noord")
    assert get_area("GM0928").name == "kerkrade"  # a gemeente's code is the gemeente's own area
    assert get_area("Rolduckerveld").name == "rolduckerveld"  # areas.toml's focus area comes first
    assert get_area("Schaesberg Centrum").codes == ("BU08820008",)  # a name, in any case and spacing


def test_a_name_several_regions_carry_asks_which_one(on_built):
    with pytest.raises(AmbiguousAreaError) as error:
        get_area("Heerlen-Centrum")
    assert "BU09173300, buurt in Heerlen" in str(error.value) and "WK091733, wijk in Heerlen" in str(error.value)
    with pytest.raises(AmbiguousAreaError, match=r"Verspreide huizen \(BU09172300, buurt in Heerlen\)"):
        get_area("verspreide huizen")


def test_a_typo_offers_the_closest_regions(on_built):
    with pytest.raises(UnknownNameError) as error:
        get_area("Roldukerveld")
    assert str(error.value).startswith("unknown area 'Roldukerveld'; expected one of: Rolduckerveld (BU09280102, "
                                       "buurt in Kerkrade)")


def test_nederland_is_computed_as_the_regions_are(built):
    tables = ProcessedStore(built).figure_tables()
    bijstand = national_figure(tables, "bijstand_per_1000", "2019Q4")
    assert bijstand.value == pytest.approx(1000 * 414_440 / 14_678_960)
    assert national_figure(tables, "aantal_inwoners", 2024).value == 17_942_942
    long = overview(tables, ["heerlen_noord", "gms"], 2019, "2019Q4").set_index(["area", "key"])
    assert long.at[("nederland", "bijstand_per_1000"), "value"] == pytest.approx(bijstand.value)
    assert long.at[("nederland", "aantal_inwoners"), "period"] == "2024"  # the nearest year the files give it


def test_a_card_that_shows_its_wijks_figure_has_it_in_the_wijks_column_too(on_built):
    """Kakert (BU08820001) has no KWB figure for households in the lowest 40 % of incomes; its card shows its wijk's
    from the wijk-level income table 2020 (kvk2020-wb2023.csv: WK088200 Schaesberg 41,8; GM0882 Landgraaf 42,5)."""
    from parkstad_analysis.analysis.atlas import AtlasFigures
    from parkstad_analysis.analysis.catalogue import Catalogue, used_codes
    from parkstad_analysis.config import Settings

    store = ProcessedStore(on_built)
    tables = store.figure_tables()
    catalogue = Catalogue(tables["region_names"], Settings.from_env().scope.gemeenten(), used_codes(store))
    atlas = AtlasFigures(tables, catalogue, 2024)
    kakert = catalogue.regions["BU08820001"]
    area, parents = catalogue.area(kakert), atlas.parents(kakert)
    figures = atlas.key_figures(area)
    row = atlas.comparison(area, figures, parents).set_index("key").loc["k_40_huishoudens_met_laagste_inkomen"]
    assert row["period"] == "2020" and "cijfer van de wijk" in next(
        f.note for f in figures if f.key == "k_40_huishoudens_met_laagste_inkomen")
    assert (row[area.name], row["wk088200"], row["landgraaf"]) == (41.8, 41.8, 42.5)


def test_report_takes_cbs_codes_as_areas(built, tmp_path):
    settings = project_with_notebooks(built, tmp_path / "project")
    result = run_report(settings, areas=["BU09280102", "WK089902", "GM0928"], notebooks=["area_profile"], jobs=2,
                        progress=False)
    assert result.status == "success", [r.error for r in result.results if not r.ok]
    assert sorted(r.name for r in result.results) == ["area_profile_bu09280102_2019", "area_profile_kerkrade_2019",
                                                      "area_profile_wk089902_2019"]
    page = (result.run_dir / "area_profile_bu09280102_2019.html").read_text("utf-8")
    assert "Rolduckerveld" in page and "2.605" in page  # inhabitants 2017 (the nearest year with them), as its card


def test_the_atlas_has_a_page_for_every_region_and_an_index_that_finds_them(built, tmp_path):
    settings = project_with_notebooks(built, tmp_path / "project")
    result = run_atlas(settings, jobs=2)
    assert (result.pages, result.counts) == (257, {"gemeente": 7, "wijk": 49, "buurt": 201})
    atlas = settings.reports_dir / "atlas"
    assert atlas.resolve() == result.folder and len(list((atlas / "pages").glob("*.html"))) == 257
    index = (atlas / "index.html").read_text("utf-8")
    assert len(re.findall(r"<li class=\"(gemeente|wijk|buurt)\" data-search=", index)) == 257
    assert "<script src=" not in index and "https://" not in index  # offline: nothing from a CDN
    page = (atlas / "pages" / "BU09280102.html").read_text("utf-8")
    assert "<h1>Rolduckerveld</h1>" in page and "Nederland</th>" in page and "17.942.942" in page
    version = re.escape(made_with())  # cited as the report is: the maker by name, then its version
    assert re.search(rf"Rolduckerveld \(BU09280102\)\. Bron: CBS, bewerking parkstad-analysis {version}\.", page)
    assert re.search(rf"Bron: CBS, bewerking parkstad-analysis {version}\.", index)
    heerlen = (atlas / "pages" / "BU09171000.html").read_text("utf-8")  # a Heerlen buurt: benefits, so a trend
    assert "BU09171000_bijstand.png" in heerlen and (atlas / "figures" / "BU09171000_bijstand.png").stat().st_size
    beekdaelen = (atlas / "pages" / "GM1954.html").read_text("utf-8")
    assert "Beekdaelen" in beekdaelen and "GM1954_bijstand.png" in beekdaelen  # its series from the national tables
    _search_in_a_browser(atlas / "index.html")


def _search_in_a_browser(index) -> None:
    """Type part of a name into the index's search in headless Chromium: only the matching regions stay."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.by import By

    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for argument in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"):
        options.add_argument(argument)
    driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
    try:
        driver.get(index.as_uri())
        driver.find_element(By.ID, "zoek").send_keys("roldu")
        shown = [li.text for li in driver.find_elements(By.CSS_SELECTOR, "li[data-search]") if li.is_displayed()]
        assert shown == ["Rolduckerveld buurt BU09280102"], shown
        assert driver.find_element(By.ID, "aantal").text == "1 van de 257 gebieden"
        search = driver.find_element(By.ID, "zoek")
        search.clear()
        search.send_keys("BU0917")  # a code's start: Heerlen's buurten
        shown = [li for li in driver.find_elements(By.CSS_SELECTOR, "li[data-search]") if li.is_displayed()]
        assert len(shown) > 40 and all("BU0917" in li.text for li in shown)
    finally:
        driver.quit()
