"""Boundary readers on the real files and on a wijk- en buurtkaart GeoPackage made here."""

import geopandas as gpd
import pytest
from shapely.geometry import box

from parkstad_analysis.errors import DataFormatError
from parkstad_analysis.readers import geometry as geo
from parkstad_analysis.vocabulary.regions import all_parkstad_codes

PARKSTAD = all_parkstad_codes()


def test_heerlen_geojson_2023(shared):
    frame = geo.read_geojson(shared / "geometry/heerlen_buurten_2023.geojson", 2023, PARKSTAD)
    assert len(frame) == 57 and frame.crs.to_epsg() == 28992
    assert set(frame["level"]) == {"buurt"} and set(frame["gemeente_code"]) == {"GM0917"}
    assert frame.geometry.is_valid.all()
    # RD New puts Heerlen near x=195 km, y=320 km; the whole gemeente covers about 45 km²
    x, y = frame.union_all().centroid.coords[0]
    assert 190_000 < x < 200_000 and 315_000 < y < 330_000
    assert frame.area.sum() / 1e6 == pytest.approx(45.5, rel=0.03)
    gms = frame[frame["region_code"].isin(["BU09173100", "BU09173101", "BU09173102"])]
    assert sorted(gms["region_name"]) == ["Grasbroek", "Musschemig", "Schandelen"]


def test_topojson_2014_gets_crs_and_holds_rolduckerveld(shared):
    frame = geo.read_topojson(shared / "geometry/nl_buurten_2014_q1e3.topojson", 2014, PARKSTAD)
    assert frame.crs.to_epsg() == 28992
    rolduckerveld = frame[frame["region_code"] == "BU09280102"]
    assert rolduckerveld["region_name"].tolist() == ["Rolduckerveld"]
    assert set(frame["gemeente_code"]) == {"GM0899", "GM0917", "GM0928", "GM0882", "GM0965", "GM0986",
                                           "GM0951", "GM0881", "GM0962"}  # 2014: before Beekdaelen
    x, y = rolduckerveld.geometry.iloc[0].centroid.coords[0]
    assert 200_000 < x < 210_000 and 315_000 < y < 325_000  # Kerkrade, east of Heerlen


def test_topojson_wijken_2014_brunssum_noord(shared):
    frame = geo.read_topojson(shared / "geometry/nl_wijken_2014_q1e3.topojson", 2014, PARKSTAD)
    assert "WK089902" in set(frame["region_code"]) and set(frame["level"]) == {"wijk"}


def _kaart(path, upper: bool):
    """A small wijk- en buurtkaart in the official layout (RD New, water flag)."""
    def cols(**kw):
        return {(k.upper() if upper else k): v for k, v in kw.items()}
    buurten = gpd.GeoDataFrame(
        cols(buurtcode=["BU09173100", "BU09173101", "BU00140000"], buurtnaam=["Musschemig", "Grasbroek", "Binnenstad"],
             gemeentecode=["GM0917", "GM0917", "GM0014"], water=["NEE", "NEE", "NEE"]),
        geometry=[box(195000, 322000, 196000, 323000), box(196000, 322000, 197000, 323000), box(0, 0, 1, 1)],
        crs="EPSG:28992")
    water = gpd.GeoDataFrame(cols(buurtcode=["BU09173100"], buurtnaam=["Musschemig"], gemeentecode=["GM0917"],
                                  water=["JA"]), geometry=[box(195000, 321000, 195500, 321500)], crs="EPSG:28992")
    buurten = gpd.GeoDataFrame(gpd.pd.concat([buurten, water], ignore_index=True), crs="EPSG:28992")
    wijken = gpd.GeoDataFrame(cols(wijkcode=["WK091731"], wijknaam=["GMS"], water=["NEE"]),
                              geometry=[box(195000, 322000, 197000, 323000)], crs="EPSG:28992")
    gemeenten = gpd.GeoDataFrame(cols(gemeentecode=["GM0917"], gemeentenaam=["Heerlen"], water=["NEE"]),
                                 geometry=[box(190000, 315000, 200000, 330000)], crs="EPSG:28992")
    for name, frame in (("buurten", buurten), ("wijken", wijken), ("gemeenten", gemeenten)):
        frame.to_file(path, layer=name, driver="GPKG")
    return path


@pytest.mark.parametrize("upper", [False, True], ids=["lower-case columns", "upper-case columns"])
def test_wijkbuurtkaart_geopackage(tmp_path, upper):
    path = _kaart(tmp_path / "wijkenbuurten_2023_v1.gpkg", upper)
    layers = geo.read_wijkbuurtkaart(path, 2023, PARKSTAD)
    assert set(layers) == {"buurt", "wijk", "gemeente"}
    buurten = layers["buurt"]
    assert buurten["region_code"].tolist() == ["BU09173100", "BU09173101"]  # water part and Groningen dropped
    assert buurten["boundary_year"].tolist() == [2023, 2023]
    assert layers["wijk"]["region_name"].tolist() == ["GMS"]


def test_wijkbuurtkaart_inside_the_cbs_zip(tmp_path):
    import zipfile

    gpkg = _kaart(tmp_path / "wijkenbuurten_2023_v1.gpkg", upper=False)
    archive = tmp_path / "wijkbuurtkaart_2023_v1.zip"
    with zipfile.ZipFile(archive, "w") as handle:
        handle.write(gpkg, arcname="WijkBuurtkaart_2023_v1/wijkenbuurten_2023_v1.gpkg")
    assert len(geo.read_wijkbuurtkaart(archive, 2023, PARKSTAD)["buurt"]) == 2


def test_geojson_without_crs_that_is_not_lon_lat_is_refused(tmp_path):
    path = tmp_path / "rd.geojson"
    path.write_text('{"type":"FeatureCollection","crs":{"type":"name","properties":{"name":"EPSG:3035"}},'
                    '"features":[{"type":"Feature","properties":{"statcode":"BU09173100"},'
                    '"geometry":{"type":"Point","coordinates":[4000000,3000000]}}]}')
    with pytest.raises(DataFormatError, match="rd.geojson: unexpected CRS"):
        geo.read_geojson(path, 2023)


def test_layer_without_code_column_names_what_it_expected(tmp_path):
    path = tmp_path / "nocode.geojson"
    path.write_text('{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"naam":"x"},'
                    '"geometry":{"type":"Point","coordinates":[5.9,50.9]}}]}')
    with pytest.raises(DataFormatError, match="nocode.geojson: no region code column; expected one of buurtcode"):
        geo.read_geojson(path, 2023)


def _kaart_shapefiles(folder, year: int):
    """A wijk- en buurtkaart as CBS shipped it in 2018-2022: a zip of shapefiles, water flagged H2O."""
    import zipfile

    buurten = gpd.GeoDataFrame(
        {"BU_CODE": ["BU09173100", "BU09173100", "BU09173101"], "BU_NAAM": ["Musschemig", "Musschemig", "Grasbroek"],
         "GM_CODE": ["GM0917"] * 3, "H2O": ["NEE", "JA", "NEE"]},
        geometry=[box(195000, 322000, 196000, 323000), box(195000, 321000, 195500, 321500),
                  box(196000, 322000, 197000, 323000)], crs="EPSG:28992")
    wijken = gpd.GeoDataFrame({"WK_CODE": ["WK091731"], "WK_NAAM": ["GMS"], "H2O": ["NEE"]},
                              geometry=[box(195000, 322000, 197000, 323000)], crs="EPSG:28992")
    archive = folder / f"wijkbuurtkaart_{year}_v3.zip"
    with zipfile.ZipFile(archive, "w") as handle:
        for stem, frame in ((f"buurt_{year}_v3", buurten), (f"wijk_{year}_v3", wijken)):
            frame.to_file(folder / f"{stem}.shp")
            for suffix in (".shp", ".shx", ".dbf", ".prj", ".cpg"):
                if (folder / f"{stem}{suffix}").exists():
                    handle.write(folder / f"{stem}{suffix}", arcname=f"WijkBuurtkaart_{year}_v3/{stem}{suffix}")
    return archive


def test_wijkbuurtkaart_as_a_zip_of_shapefiles_with_h2o_keeps_land_only(tmp_path):
    layers = geo.read_wijkbuurtkaart(_kaart_shapefiles(tmp_path, 2019), 2019)
    assert set(layers) == {"buurt", "wijk"}
    buurten = layers["buurt"]
    assert sorted(buurten["region_code"]) == ["BU09173100", "BU09173101"]  # the water part of Musschemig is gone
    assert buurten.area.sum() == pytest.approx(2_000_000)
    assert layers["wijk"]["region_name"].tolist() == ["GMS"]


def test_wijkbuurtkaart_layer_names_of_other_years(tmp_path):
    path = tmp_path / "wijkenbuurten_2021_v3.gpkg"
    frame = gpd.GeoDataFrame({"buurtcode": ["BU09173100"], "buurtnaam": ["Musschemig"], "water": ["NEE"]},
                             geometry=[box(195000, 322000, 196000, 323000)], crs="EPSG:28992")
    frame.to_file(path, layer="cbs_buurten_2021", driver="GPKG")
    frame.rename(columns={"buurtcode": "wijkcode", "buurtnaam": "wijknaam"}).assign(wijkcode="WK091731").to_file(
        path, layer="cbs_wijken_2021", driver="GPKG")
    assert geo.wijkbuurtkaart_layers(path) == {"buurt": (str(path), "cbs_buurten_2021"), "wijk": (str(path), "cbs_wijken_2021")}
    assert geo.read_wijkbuurtkaart(path, 2021)["buurt"]["region_code"].tolist() == ["BU09173100"]
