"""The vocabulary files drive the code: each is checked against its model, and errors name file, key and expectation."""

import pytest

from parkstad_analysis.errors import ConfigError
from parkstad_analysis.fetch import load_registry
from parkstad_analysis.processed.schema import region_table_schema
from parkstad_analysis.vocabulary.areas import focus_areas, get_area, load_areas, parse_areas
from parkstad_analysis.vocabulary.indicators import load_vocabulary, table_indicators
from parkstad_analysis.vocabulary.regions import current_gemeenten, parkstad_gemeenten, successor

GOOD = {"title": "Test", "level": "buurt", "codes": ["BU09173101"], "boundaries": [2016, 2024], "gemeente": "GM0917",
        "definition": "d", "source": "s"}


def test_focus_areas_come_from_areas_toml_in_their_stated_order():
    assert focus_areas() == ["heerlen_noord", "gms", "hoensbroek", "rolduckerveld", "brunssum_noord"]
    assert all(load_areas()[name].focus for name in focus_areas())
    assert get_area("heerlen").focus is None and get_area("parkstad").focus is None


def test_gemeenten_live_in_one_place():
    assert current_gemeenten() == {"GM0899": "Brunssum", "GM0917": "Heerlen", "GM0928": "Kerkrade",
                                   "GM0882": "Landgraaf", "GM0965": "Simpelveld", "GM0986": "Voerendaal",
                                   "GM1954": "Beekdaelen"}
    assert set(parkstad_gemeenten(2018)) - set(parkstad_gemeenten(2019)) == {"GM0951", "GM0881", "GM0962"}
    assert successor("GM0951") == "GM1954" and successor("GM0917") == "GM0917"
    assert get_area("parkstad").codes_for(2018) == tuple(parkstad_gemeenten(2018))


@pytest.mark.parametrize(("change", "message"), [
    ({"level": "planet"}, "area 'test' has level 'planet'; expected one of 'buurt', 'wijk' or 'gemeente'"),
    ({"codes": ["BU0917310"]}, "code 'BU0917310' is not a buurt code"),
    ({"codes": ["WK091731"]}, "code 'WK091731' is not a buurt code"),
    ({"codes": ["BU09283101"]}, "code 'BU09283101' does not lie in gemeente GM0917"),
    ({"boundaries": [2024, 2016]}, r"boundaries \[2024, 2016\] run backwards"),
    ({"colour": "red"}, "area 'test' has unknown key 'colour'; expected only title, level"),
    ({"gemeente": "GM9999"}, "area 'test' is not valid: gemeente 'GM9999' is not in gemeenten.toml"),
])
def test_a_bad_area_is_refused_naming_file_key_and_expectation(change, message):
    with pytest.raises(ConfigError, match=f"^my/areas.toml: .*{message}"):
        parse_areas({"test": {**GOOD, **change}}, "my/areas.toml")


def test_an_area_may_not_shadow_a_gemeente():
    with pytest.raises(ConfigError, match="area 'heerlen' has the name of gemeente Heerlen"):
        parse_areas({"heerlen": GOOD}, "areas.toml")
    assert parse_areas({"test": GOOD}, "areas.toml")["test"].codes == ("BU09173101",)


def test_registry_refuses_unknown_keys_and_shapes(tmp_path):
    path = tmp_path / "registry.toml"
    path.write_text("[kwb_2019]\ntitle = 'x'\nsource = 'odata'\ntable_id = '84583NED'\nformat = 'odata-json'\n"
                    "feeds = 'kwb'\nperiod = 2019\ntabel = 'typo'\n")
    with pytest.raises(ConfigError, match="registry.toml: dataset 'kwb_2019' has unknown key 'tabel'"):
        load_registry(path)
    path.write_text("[kwb_2019]\ntitle = 'x'\nsource = 'odata'\ntable_id = '84583NED'\nformat = 'xlsx'\n"
                    "feeds = 'kwb'\nperiod = 2019\n")
    with pytest.raises(ConfigError, match="dataset 'kwb_2019' has format 'xlsx'; expected one of 'odata-json'"):
        load_registry(path)
    path.write_text("[kwb_2019]\ntitle = 'x'\nsource = 'odata'\nformat = 'odata-json'\nfeeds = 'kwb'\nperiod = 2019\n")
    with pytest.raises(ConfigError, match="dataset 'kwb_2019' has source 'odata' but no table_id"):
        load_registry(path)


def test_schemas_are_generated_from_the_vocabulary():
    vocabulary = load_vocabulary()
    schema = region_table_schema("income")
    assert list(schema.columns)[5:] == table_indicators("income") == [
        "gemiddeld_inkomen_per_inwoner", "k_40_huishoudens_met_laagste_inkomen", "k_20_huishoudens_met_hoogste_inkomen"]
    assert schema.strict is True
    assert all(vocabulary.indicators[i].weight in vocabulary.indicators for i in vocabulary.indicators
               if vocabulary.indicators[i].weight)
    assert vocabulary.rates["bijstand_per_1000"].numerator == "bijstand_ontvangers"


def test_unknown_indicators_are_answered_by_meaning_then_spelling():
    from parkstad_analysis.errors import UnknownNameError
    from parkstad_analysis.vocabulary.indicators import load_vocabulary

    for asked, first in (("inkomen", "gemiddeld_inkomen_per_inwoner"), ("gemidd_inkomen", "gemiddeld_inkomen_per_inwoner"),
                         ("Bijstand", "bijstand_pct")):
        with pytest.raises(UnknownNameError) as error:
            load_vocabulary().get(asked)
        assert str(error.value).split("expected one of: ")[1].startswith(first), str(error.value)
