"""Maps on the real data: what the figure holds, not just that it was drawn."""

import warnings

import numpy as np
import pytest
from matplotlib.patches import Patch

from parkstad_analysis.errors import DataFormatError, UnknownNameError
from parkstad_analysis.figures import maps, surroundings, symbols
from parkstad_analysis.figures.layers import BoundaryYearWarning
from parkstad_analysis.figures.overview import locator_map, projects_map
from parkstad_analysis.figures.style import plotted_data, save
from parkstad_analysis.processed import ProcessedStore, check_crs
from parkstad_analysis.tables.projects import load_projects


@pytest.fixture(scope="module")
def tables(built):
    return {n: ProcessedStore(built).load_table(n) for n in ("kwb", "benefits", "education", "income")}


@pytest.fixture(scope="module")
def layers(built):
    return ProcessedStore(built).load_layers()


def _draw(tables, layers, *args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", BoundaryYearWarning)
        return maps.choropleth(tables, layers, *args, **kwargs)


def _legend(drawing):
    legend = drawing.legend_ax.get_legend()
    return legend, [t.get_text() for t in legend.get_texts()]


def test_gms_bijstand_map(tables, layers):
    with pytest.warns(BoundaryYearWarning, match="statistiek 2024 getekend op grenzen 2023"):
        drawing = maps.choropleth(tables, layers, "gms", "bijstand_per_1000")
    info = drawing
    assert info.crs == "EPSG:28992" and info.layer == "buurten_2023" and not info.coarse
    assert info.period == "2024Q1" and info.regions == ["BU09173100", "BU09173101", "BU09173102"]
    # values are the buurt rates from the benefit table
    benefits = tables["benefits"].set_index(["region_code", "period"])
    grasbroek = benefits.loc[("BU09173101", "2024Q1")]
    assert info.values["BU09173101"] == pytest.approx(1000 * grasbroek["bijstand_ontvangers"] / grasbroek["inwoners_15_plus"])
    # the legend has one entry per class with the classifier's bounds (three buurten are classed with all of
    # Heerlen's, so five classes), the classes' basis, then the outlines
    legend, texts = _legend(drawing)
    bins = info.classifier.bins
    assert len(bins) == 5
    pool = maps.map_scene(tables, layers, "gms", "bijstand_per_1000").pool
    assert texts[: len(bins)] == maps.class_labels(info.classifier, pool.min(), "", 1)
    assert texts[len(bins)] == "indeling: kwantielen"  # the classification is stated, and whose values it classes
    assert texts[len(bins) + 1].startswith("klassen uit alle")
    assert texts[len(bins) - 1].endswith(f"{bins[-1]:.1f}".replace(".", ","))
    assert legend.get_title().get_text() == "per 1.000 inwoners 15+"
    assert not any("geen gegevens" in t for t in texts)  # nothing missing, so no missing patch
    # every buurt of the area is labelled by name on the map
    map_ax = drawing.ax
    assert info.labels == "names"
    assert {"Grasbroek", "Musschemig", "Schandelen"} <= {t.get_text() for t in map_ax.texts}
    # focus buurten, context buurten, gemeente outline and focus outline are all drawn
    assert len(map_ax.collections) >= 4
    assert any(isinstance(a, maps.ScaleBar) for a in map_ax.artists)


def test_heerlen_noord_map_has_missing_patch_and_numbered_key(tables, layers):
    drawing = _draw(tables, layers, "heerlen_noord", "bijstand_per_1000", classification="natural_breaks", k=5)
    info = drawing
    assert info.missing, "Heerlen-Noord has a buurt without figures"
    legend, texts = _legend(drawing)
    missing = [h for h, t in zip(legend.legend_handles, texts, strict=True) if t.startswith("geen gegevens")]
    assert len(missing) == 1 and isinstance(missing[0], Patch) and missing[0].get_hatch() == "////"
    assert info.labels == "numbered key"
    key = "\n".join(t.get_text() for t in drawing.legend_ax.texts)
    numbers = [int(line.split()[0]) for line in key.splitlines() if line.strip()[:1].isdigit()]
    assert sorted(numbers) == list(range(1, len(info.regions) + 1)) == list(range(1, 34))
    assert "Meezenbroek" in key and "Grasbroek" in key


def test_participation_2019_classes(tables, layers):
    drawing = _draw(tables, layers, "hoensbroek", "nettoarbeidsparticipatie", 2019, classification="user", breaks=[55, 60, 65])
    info = drawing
    assert list(info.classifier.bins[:3]) == [55, 60, 65]
    assert "statistiek 2019 getekend op grenzen 2023" in info.notes
    values = info.values.dropna()
    assert values.between(40, 80).all() and len(values) == 9


def test_rolduckerveld_uses_coarse_2014_set_and_says_there_is_no_data(tables, layers):
    drawing = _draw(tables, layers, "rolduckerveld", "bijstand_per_1000")
    info = drawing
    assert info.layer == "buurten_2014" and info.coarse
    assert info.missing == ["BU09280102"]
    texts = [t.get_text() for ax in drawing.figure.axes for t in ax.texts] + [t.get_text() for t in drawing.figure.texts]
    assert any(t.startswith("Geen gegevens voor personen met bijstand") for t in texts)
    assert any("buurtgrenzen benaderd: CBS-buurten 2014" in t for t in texts)  # the approximation says so
    assert "Rolduckerveld" in [t.get_text() for t in drawing.ax.texts]


def test_difference_from_gemeente_is_diverging_and_centred(tables, layers):
    drawing = _draw(tables, layers, "heerlen_noord", "bijstand_per_1000", reference="heerlen", k=4)
    info = drawing
    values = info.values.dropna()
    heerlen = tables["benefits"].set_index(["region_code", "period"]).loc[("GM0917", "2024Q1")]
    raw = drawing.values + 1000 * heerlen["bijstand_ontvangers"] / heerlen["inwoners_15_plus"]
    assert raw.dropna().min() >= 0
    bins = info.classifier.bins
    assert np.isclose(bins[len(bins) // 2 - 1], 0)  # zero is a class edge
    assert (values < 0).any() and (values > 0).any()
    assert "t.o.v. Heerlen" in _legend(drawing)[0].get_title().get_text().replace("\n", " ")


def test_bad_input(tables, layers):
    with pytest.raises(UnknownNameError, match=r"unknown indicator 'werkloosheid'; expected one of: .* \(and \d+ more\)$"):
        _draw(tables, layers, "gms", "werkloosheid")
    with pytest.raises(UnknownNameError, match="unknown area 'Heerlen-Zuid'"):
        _draw(tables, layers, "Heerlen-Zuid", "bijstand_per_1000")
    # 47 quarters: Beekdaelen's (from the national tables) run to 2024Q3
    closest_first = r"unknown period for bijstand_per_1000 '2030Q1'; expected one of: .*2024Q1.* \(and 42 more\)"
    with pytest.raises(UnknownNameError, match=closest_first):
        _draw(tables, layers, "gms", "bijstand_per_1000", "2030Q1")
    with pytest.raises(UnknownNameError, match="unknown classification 'jenks'"):
        _draw(tables, layers, "gms", "bijstand_per_1000", classification="jenks")
    with pytest.raises(DataFormatError, match="classification 'user' needs breaks"):
        _draw(tables, layers, "gms", "bijstand_per_1000", classification="user")


def test_geometry_without_or_with_other_crs_is_refused(layers):
    no_crs = layers["buurten_2023"].set_crs(None, allow_override=True)
    with pytest.raises(DataFormatError, match="x.gpkg: geometry has no CRS; expected EPSG:28992"):
        check_crs(no_crs, "x.gpkg")
    with pytest.raises(DataFormatError, match="geometry is in EPSG:4326; expected EPSG:28992"):
        check_crs(layers["buurten_2023"].to_crs(4326), "y.gpkg")


def test_locator_and_project_maps(layers):
    locator = locator_map(layers)
    labels = [t.get_text() for t in locator.ax.get_legend().get_texts()]
    assert labels == ["Heerlen-Noord", "GMS (Grasbroek, Musschemig, Schandelen)", "Hoensbroek", "Rolduckerveld",
                      "Brunssum-Noord"]
    assert {"Heerlen", "Kerkrade", "Beekdaelen"} <= {t.get_text() for t in locator.ax.texts}
    projects = projects_map(load_projects(), layers)
    assert projects.placed == [1, 3, 4, 5] and projects.generic == [2]
    annotations = [t.get_text() for t in projects.ax.texts]
    assert "Werk in de Wijk\n€ 150.000" in annotations


def test_the_project_map_splits_a_project_as_the_funding_table_does(tables, layers):
    from parkstad_analysis.analysis.funding import area_allocation
    from parkstad_analysis.figures.style import plotted_data

    allocation = area_allocation(load_projects(), tables["benefits"], "2020Q4")
    drawing = projects_map(load_projects(), layers, allocation=allocation)
    annotations = [t.get_text() for t in drawing.ax.texts]
    werk = allocation[allocation["project"] == "Werk in de Wijk"].set_index("area")["contribution_eur"]
    assert round(werk.sum()) == 150_000 and len(werk) == 2
    for amount in werk:  # one circle per area with its part, labelled as the table labels it
        assert f"Werk in de Wijk (deel)\n€ {round(amount):,}".replace(",", ".") in annotations
    assert "Werk in de Wijk\n€ 150.000" not in annotations
    legend = [t.get_text() for t in drawing.ax.get_legend().get_texts()]
    assert legend == ["€ 50.000", "€ 100.000", "€ 150.000"]  # what a circle's size means
    data = plotted_data(drawing.figure).frame
    assert data["Bijdrage op de kaart (€)"].sum() == pytest.approx(501_030 - 70_000)  # Sprincplank: all of Parkstad
    assert "heel Parkstad (niet op de kaart)" in set(data["Gebied"])


def test_saved_files_are_identical_for_identical_maps(tables, layers, tmp_path):
    first = save(_draw(tables, layers, "gms", "bijstand_per_1000").figure, tmp_path / "a" / "gms")
    second = save(_draw(tables, layers, "gms", "bijstand_per_1000").figure, tmp_path / "b" / "gms")
    assert [p.suffix for p in first] == [".png", ".svg", ".pdf"]
    for one, two in zip(first, second, strict=True):
        assert one.read_bytes() == two.read_bytes(), one.name
    assert b"CreationDate" not in first[2].read_bytes()
    assert not list(tmp_path.rglob("*.partial"))


def test_every_focus_area_lies_inside_its_gemeente_on_the_locator_map(layers):
    from parkstad_analysis.figures.layers import area_shape, gemeenten_layer
    from parkstad_analysis.vocabulary.areas import focus_areas, get_area
    from parkstad_analysis.vocabulary.regions import successor

    gemeenten = gemeenten_layer(layers).set_index("gemeente_code").geometry
    assert "GM1954" in gemeenten.index  # Beekdaelen composed from Nuth, Onderbanken and Schinnen
    for name in focus_areas():
        area = get_area(name)
        shape = area_shape(area, layers).union_all()
        inside = shape.intersection(gemeenten[successor(area.gemeente)]).area / shape.area
        assert inside > 0.97, (name, inside)  # generalised wijk outlines of 2016 against detailed buurten of 2023


def test_dollar_signs_in_names_are_text_not_mathtext(tables, layers, tmp_path):
    """A CBS or user name holding ``$…$`` is drawn as written: matplotlib must not parse it as mathtext."""
    import matplotlib.pyplot as plt

    hostile = {name: frame.copy() for name, frame in layers.items()}
    for frame in hostile.values():
        frame["region_name"] = frame["region_name"].where(frame["region_code"] != "BU09173101", "Grasbroek $\\frac{x$")
    fig, ax = plt.subplots()  # axes made outside the package's style, as a user in JupyterLab would
    drawing = _draw(tables, hostile, "gms", "bijstand_per_1000", ax=ax, title="Bijstand in $GMS")
    written = save(drawing.ax.figure, tmp_path / "hostile", formats=("png", "svg"))
    assert [p.stat().st_size > 0 for p in written] == [True, True]
    texts = [t.get_text() for t in drawing.ax.figure.findobj(lambda o: hasattr(o, "get_text"))]
    assert any("Grasbroek $\\frac{x$" in t for t in texts)
    plt.close(fig)


def test_interactive_map_colours_each_buurt_in_its_static_class(tables, layers):
    """The interactive map draws regions largest first; each must still carry its own class, as on the static map."""
    from parkstad_analysis.figures.interactive import explore

    scene = maps.map_scene(tables, layers, "rolduckerveld", "gemiddeld_inkomen_per_inwoner", 2017, surroundings="wijk")
    classes, _, labels = maps.map_classes(scene)
    coloured = scene.shown[scene.shown["value"].notna()]
    expected = {code: labels[c] for code, c in zip(coloured["region_code"], classes.yb, strict=True)}
    figure = explore(tables, layers, "rolduckerveld", "gemiddeld_inkomen_per_inwoner", 2017, surroundings="wijk")
    drawn = {trace.text.split("(")[1].split(")")[0]: trace.name for trace in figure.data
             if trace.name in labels and trace.text}
    assert drawn == expected
    assert len(set(expected.values())) > 1  # more than one class, or the check proves nothing


def test_a_map_shows_itself_in_a_notebook_and_warns_at_the_callers_line(tables, layers):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        drawing = maps.choropleth(tables, layers, "rolduckerveld", "gemiddeld_inkomen_per_inwoner", 2017)
    assert [w.filename for w in caught if w.category is BoundaryYearWarning] == [__file__]  # this line, not the package
    png = drawing._repr_png_()  # what JupyterLab shows for a map as a cell's last line
    assert png.startswith(b"\x89PNG") and len(png) > 10_000
    assert repr(drawing) == ("<kaart gemiddeld_inkomen_per_inwoner 2017 van rolduckerveld: 1 gebieden, 0 zonder cijfer, "
                             "grenzen 2014 (buurten_2014)>")


def test_an_indicator_name_is_found_by_meaning(tables, layers):
    with pytest.raises(UnknownNameError, match=r"unknown indicator 'inkomen'; expected one of: gemiddeld_inkomen_per_inwoner, "):
        maps.choropleth(tables, layers, "hoensbroek", "inkomen")


def test_a_buurt_drawn_around_the_area_is_explained_in_the_legend(tables, layers):
    _, texts = _legend(_draw(tables, layers, "gms", "bijstand_per_1000", "2019Q4", surroundings="wijk"))
    legend = " ".join(text.replace("\n", " ") for text in texts)
    assert "buiten het focusgebied: Hoppersgraaf" in legend
    assert "afbakening GMS met Hoppersgraaf" in legend  # the definition that does count it
    _, texts = _legend(_draw(tables, layers, "gms", "bijstand_per_1000", "2019Q4", surroundings="area"))
    assert not any("buiten het focusgebied" in text for text in texts)


@pytest.mark.parametrize("gemeente", ["GM0928", "GM0899"])  # Kerkrade, Brunssum: buurten only on the 2014 grid
def test_approximated_buurten_tile_their_wijken_and_gemeente_lines_lie_on_gemeente_boundaries(layers, gemeente):
    buurten, wijken = layers["buurten_2014"], layers["wijken_2016"].set_index("region_code")
    ours = buurten[buurten["gemeente_code"] == gemeente]
    assert ours["boundary_source"].str.startswith("buurtgrenzen benaderd").all()  # and the map's source says so
    for wijk, part in ours.groupby("WK" + ours["region_code"].str[2:8]):
        outline, union = wijken.geometry[wijk], part.union_all()
        assert union.symmetric_difference(outline).area / outline.area < 1e-6, wijk  # no gap, nothing outside
        assert (part.geometry.area.sum() - union.area) / outline.area < 1e-6, wijk  # no overlap
    lines = surroundings.gemeente_lines(ours).union_all()
    boundary = layers["gemeenten_2016"].set_index("gemeente_code").geometry[gemeente].boundary
    assert lines.length > 0 and lines.difference(boundary.buffer(2 * surroundings.SLIVER)).length / lines.length < 0.001


@pytest.mark.parametrize(("area", "indicator", "period", "gemeente"),
                         [("gms", "bijstand_per_1000", "2019Q4", "Heerlen"),
                          ("rolduckerveld", "huish_onder_of_rond_sociaal_minimum", 2017, "Kerkrade")])
def test_a_map_of_few_buurten_is_classed_with_its_gemeente(tables, layers, area, indicator, period, gemeente):
    """Four GMS buurten in five quantile classes said nothing ("35,7 – 38,9" for one buurt): the classes are the
    gemeente's, every class holds several of its buurten, and the legend says so."""
    scene = maps.map_scene(tables, layers, area, indicator, period)
    assert scene.pool is not None and len(scene.pool) > 10
    classes, _, labels = maps.map_classes(scene)
    per_class = np.bincount(classes.find_bin(scene.pool), minlength=len(labels))
    assert (per_class >= 2).all(), per_class
    shown = scene.shown["value"].dropna().to_numpy()
    assert list(classes.yb) == list(classes.find_bin(shown))  # each buurt shown in its class of the gemeente
    drawing = _draw(tables, layers, area, indicator, period)
    _, texts = _legend(drawing)
    assert any(t.replace("\n", " ").startswith("klassen uit alle") and gemeente in t for t in texts), texts
    # the table behind the map says each buurt's class and which other buurten of the gemeente share it
    table = plotted_data(drawing.ax.figure).frame.set_index("Code")
    others = next(c for c in table.columns if c.startswith("Ook in deze klasse, van de") and gemeente in c)
    names = scene.chosen.frame.set_index("region_code")["region_name"]
    for code, (label, listed) in table[["Klasse", others]].iterrows():
        if np.isnan(scene.shown.set_index("region_code").at[code, "value"]):
            continue
        wanted = labels.index(label)
        fellows = [names[c] for c in scene.pool.index[classes.find_bin(scene.pool.to_numpy()) == wanted]
                   if c not in table.index]
        assert listed.split(" en ")[0].split(", ")[0] in fellows or listed == "geen", (code, listed, fellows)


def test_profile_maps_are_of_rates_in_a_year_most_buurten_have(tables):
    from parkstad_analysis.analysis import profile_maps
    from parkstad_analysis.vocabulary.indicators import load_vocabulary

    indicators = load_vocabulary().indicators
    for area in ("heerlen_noord", "rolduckerveld", "brunssum_noord", "gms"):
        chosen, _ = profile_maps.map_choices(tables, area, None, 2019, "2019Q4")
        assert all(indicators[c.indicator].kind != "count" for c in chosen if c.indicator in indicators), chosen
        for choice in chosen:
            if "Q" in choice.period:
                continue
            # not mostly hatched: Heerlen-Noord's income of 2018 had 6 of 33 buurten, and is drawn per wijk instead
            prefix = "WK" if choice.level == "wijk" else "BU"
            codes = profile_maps._surrounding_codes(tables, profile_maps.as_area(area), prefix)
            share = profile_maps._share_with(tables["kwb"], codes, choice.indicator, int(choice.period), choice.level)
            assert share >= profile_maps.MAPPED_SHARE, (area, choice, share)


def test_a_profile_map_shows_the_year_and_coverage_of_its_card(tables, layers):
    """Heerlen-Noord's income card reads 2018 from its wijken (dekking 99 %), when most of its buurten are secret:
    the map is drawn per wijk in 2018, says so, and colours the wijken the card counts."""
    from parkstad_analysis.analysis import profile, profile_maps

    card = next(f for f in profile.key_figures(tables, "heerlen_noord", 2019, "2019Q4")
                if f.key == "gemiddeld_inkomen_per_inwoner")
    chosen, _ = profile_maps.map_choices(tables, "heerlen_noord", ["gemiddeld_inkomen_per_inwoner"], 2019, "2019Q4")
    assert chosen == [profile_maps.MapChoice("gemiddeld_inkomen_per_inwoner", card.period, "wijk")]
    drawing = maps.choropleth(tables, layers, "heerlen_noord", "gemiddeld_inkomen_per_inwoner", card.period,
                              level="wijk")
    assert drawing.layer.startswith("wijken_") and all(code.startswith("WK") for code in drawing.regions)
    assert len(drawing.regions) == 13 and len(drawing.missing) == 2  # two small wijken without an income figure
    assert any(note.startswith("per wijk getekend: ") and "van de 33 buurten" in note for note in drawing.notes), \
        drawing.notes
    # the wijken coloured are those the card is computed from: their inhabitants make up the card's coverage
    kwb = tables["kwb"][(tables["kwb"]["year"] == int(card.period)) & tables["kwb"]["region_code"].isin(drawing.regions)]
    with_value = kwb.loc[kwb["gemiddeld_inkomen_per_inwoner"].notna(), "aantal_inwoners"].sum()
    assert round(with_value / kwb["aantal_inwoners"].sum(), 2) == round(card.coverage, 2)
    with pytest.raises(DataFormatError, match="level='wijk'"):
        maps.choropleth(tables, layers, "gms", "gemiddeld_inkomen_per_inwoner", card.period, level="wijk")


def test_approximated_buurten_are_polygons_mostly_in_one_piece(layers):
    """Open ground goes to a buurt it touches, so few buurten have a detached part: their area outside each buurt's
    largest part stays small (the grid shapes cut to a wijk can still fall apart)."""
    buurten = layers["buurten_2014"]
    ours = buurten[buurten["gemeente_code"].isin(["GM0899", "GM0928"]) & ~buurten.geometry.is_empty]
    assert set(ours.geom_type) <= {"Polygon", "MultiPolygon"}
    largest = ours.geometry.apply(lambda shape: max(part.area for part in getattr(shape, "geoms", [shape])))
    assert (ours.geometry.area - largest).sum() / ours.geometry.area.sum() < 0.05


def test_a_count_is_drawn_as_sized_circles_not_colours(tables, layers):
    drawing = _draw(tables, layers, "heerlen_noord", "aantal_inwoners", 2019)
    assert drawing.classifier is None  # no colour classes for a count
    legend, texts = _legend(drawing)
    assert legend.get_title().get_text().replace("\n", " ") == "aantal inwoners: oppervlak van de cirkel"
    sizes = [int(t.replace(".", "")) for t in texts if t.replace(".", "").isdigit()]
    assert len(sizes) == 3 and sizes == sorted(sizes)
    from matplotlib.collections import PathCollection

    [circles] = [c for c in drawing.ax.collections if isinstance(c, PathCollection) and len(c.get_sizes()) > 1]
    values = drawing.values.dropna()
    assert len(circles.get_sizes()) == len(values)  # one circle per buurt with a count
    assert max(circles.get_sizes()) == pytest.approx(symbols.LARGEST_SYMBOL)  # area ∝ count, largest at full size


def test_the_national_border_is_marked_where_the_map_shows_it(tables, layers):
    border = layers["landsgrens"].geometry.iloc[0]
    parkstad = layers["gemeenten_2016"].union_all()
    assert 30_000 < border.length < 70_000  # Parkstad borders Germany for some 45 km, not all around
    assert border.difference(parkstad.boundary.buffer(30)).length < 0.01 * border.length  # on Parkstad's outline
    _, texts = _legend(_draw(tables, layers, "rolduckerveld", "gemiddeld_inkomen_per_inwoner", 2017,
                             surroundings="wijk"))
    assert "landsgrens" in texts  # Kerkrade lies on the border
    _, texts = _legend(_draw(tables, layers, "gms", "bijstand_per_1000", "2019Q4"))
    assert "landsgrens" not in texts  # not in view from Heerlen's centre


def test_a_narrow_maps_legend_ends_above_its_source_line(tables, layers):
    """On a phone the legend sits under the map; GMS's has four notes and ran into the source line at 7,9 inches."""
    drawing = _draw(tables, layers, "gms", "bijstand_per_1000", "2019Q4", surroundings="wijk", layout="narrow")
    fig = drawing.ax.figure
    fig.draw_without_rendering()
    legend = drawing.legend_ax.get_legend().get_window_extent()
    source = next(t for t in fig.texts if t.get_text().startswith("Bron:")).get_window_extent()
    assert legend.y0 > source.y1  # nothing overlaps
    assert fig.get_size_inches()[1] > maps.NARROW_FIGSIZE[1]  # the figure grew for it, the map kept its size
    assert drawing.ax.get_window_extent().height == pytest.approx(0.50 * maps.NARROW_FIGSIZE[1] * fig.dpi, rel=0.02)
