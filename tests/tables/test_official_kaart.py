"""With the official wijk- en buurtkaart in the mirror, every map of every area is drawn on it and says so.

The kaart is made here, in CBS's GeoPackage layout inside its zip, from the boundary layers the session built (no
CBS file is changed or committed): Heerlen's 2023 buurten and the other gemeenten's approximated buurten, given the
kaart's columns. Built beside the mirror's own files, it must replace the approximations everywhere, win over the
municipal GeoJSON for the same buurten and year (compared, never merged), and be named in each map's source line.
"""

import warnings
import zipfile

import geopandas as gpd
import pandas as pd
import pytest

from parkstad_analysis.config import Settings
from parkstad_analysis.fetch import fetch
from parkstad_analysis.figures import maps
from parkstad_analysis.figures.layers import BoundaryYearWarning, best_layer
from parkstad_analysis.processed import ProcessedStore
from parkstad_analysis.tables.build import build
from parkstad_analysis.vocabulary.areas import focus_areas, get_area

GEMEENTEN = ("GM0917", "GM0928", "GM0899")  # Heerlen, Kerkrade, Brunssum


def _official_kaart(layers: dict[str, gpd.GeoDataFrame], target) -> None:
    """A wijkbuurtkaart_2023_v1.zip as CBS ships it: one GeoPackage with buurten, wijken and gemeenten layers."""
    heerlen = layers["buurten_2023"]
    others = layers["buurten_2014"][layers["buurten_2014"]["gemeente_code"].isin(GEMEENTEN[1:])]
    buurten = pd.concat([heerlen, others[~others.geometry.is_empty]], ignore_index=True)
    wijken = layers["wijken_2016"][layers["wijken_2016"]["gemeente_code"].isin(GEMEENTEN)]
    gemeenten = layers["gemeenten_2016"][layers["gemeenten_2016"]["gemeente_code"].isin(GEMEENTEN)]
    gpkg = target.parent / "wijkenbuurten_2023_v1.gpkg"
    for name, frame, code, label in (("buurten", buurten, "buurtcode", "buurtnaam"),
                                     ("wijken", wijken, "wijkcode", "wijknaam"),
                                     ("gemeenten", gemeenten, "gemeentecode", "gemeentenaam")):
        official = gpd.GeoDataFrame({code: frame["region_code"].to_numpy(), label: frame["region_name"].to_numpy(),
                                     "gemeentecode": frame["gemeente_code"].to_numpy(), "water": "NEE"},
                                    geometry=frame.geometry.to_numpy(), crs=frame.crs)
        official.to_file(gpkg, layer=name, driver="GPKG")
    with zipfile.ZipFile(target, "w") as archive:
        archive.write(gpkg, arcname="WijkBuurtkaart_2023_v1/wijkenbuurten_2023_v1.gpkg")
    gpkg.unlink()


@pytest.fixture(scope="module")
def with_kaart(built, shared, tmp_path_factory):
    """A project whose mirror is the shared one plus the official kaart of 2023, fetched and built."""
    root = tmp_path_factory.mktemp("kaart")
    mirror = root / "mirror"
    mirror.mkdir()
    for entry in shared.iterdir():
        if entry.name != "geometry":
            (mirror / entry.name).symlink_to(entry)
    (mirror / "geometry").mkdir()
    for entry in (shared / "geometry").iterdir():
        (mirror / "geometry" / entry.name).symlink_to(entry)
    _official_kaart(ProcessedStore(built).load_layers(), mirror / "geometry/wijkbuurtkaart_2023_v1.zip")
    settings = Settings(root=root / "project", mirror=mirror)
    results = fetch(settings=settings, progress=False)
    assert any(r.dataset_id == "wijkbuurtkaart_2023" and "accepted on first use" in r.note for r in results)
    return settings, build(settings)


@pytest.mark.slow
def test_every_area_is_drawn_on_the_official_kaart_and_says_so(with_kaart):
    settings, report = with_kaart
    store = ProcessedStore(settings)
    layers = store.load_layers()
    tables = store.figure_tables()
    for name in focus_areas():
        area = get_area(name)
        chosen = best_layer(area, layers, 2023)
        assert chosen.name == "buurten_2023" and not chosen.coarse, (name, chosen.name)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", BoundaryYearWarning)
            drawing = maps.choropleth(tables, layers, area, "aantal_inwoners", 2024)
        texts = [t.get_text() for t in drawing.figure.texts]
        assert any("CBS wijk- en buurtkaart 2023" in t for t in texts), (name, texts)
        assert not any("benaderd" in t for t in texts), name
    # Heerlen's buurten of 2023 come from two files: the kaart's outline is kept, the GeoJSON's compared with it
    compared = report.boundary_comparisons.set_index("layer")
    assert compared.loc["buurten_2023", "kept"] == "wijkbuurtkaart_2023"
    assert compared.loc["buurten_2023", "other"] == "buurten_heerlen_2023"
    assert compared.loc["buurten_2023", "regions"] >= 50 and compared.loc["buurten_2023", "differing"] == 0
    heerlen = layers["buurten_2023"][layers["buurten_2023"]["gemeente_code"] == "GM0917"]
    assert set(heerlen["boundary_source"]) == {"CBS wijk- en buurtkaart 2023"}  # one outline per buurt, not merged
