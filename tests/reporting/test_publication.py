"""The report as a publication (issue 24): pages that say what they are about and lead to each other, figures a
screen reader can describe, one A4 PDF per area, and interactive maps that work offline in Dutch.

Reads the whole report (``full_run``, built once per session) as a reader would: its HTML, its PDFs, its map pages.
"""

import html
import json
import re

from pypdf import PdfReader

from parkstad_analysis.vocabulary.areas import focus_areas, get_area, load_areas

from conftest import ROOT


def _page_area(stem: str) -> str | None:
    """The title of the area a page is about (``area_profile_gms_2019`` → GMS (…)), ``None`` for a regional page."""
    name = re.sub(r"^(area_profile|trends|evaluation)_|_\d{4}$", "", stem)
    area = load_areas().get(name)
    return area.title if area is not None else None


def test_every_page_names_its_area_describes_its_figures_and_links_its_neighbours(full_run):
    """Identity, alt text and navigation (issue 24): a reader who lands on a page knows what it is about, a screen
    reader hears what each figure shows in Dutch, and every page leads to the area's other pages and the index."""
    from parkstad_analysis.vocabulary.areas import focus_areas, get_area

    pages = {p.stem: p.read_text("utf-8") for p in sorted(full_run.glob("*.html"))}
    for name, text in pages.items():
        title = html.unescape(re.search(r"<title>(.*?)</title>", text, flags=re.S).group(1)).strip()
        area = _page_area(name)
        h1 = re.search(r"<h1[^>]*>(.*?)</h1>", text, flags=re.S)
        heading = html.unescape(re.sub(r"<[^>]+>|¶", "", h1.group(1))).strip() if h1 else ""
        if area:
            assert area in title and area in heading, (name, title, heading)
        assert title not in ("Notebook", "") and heading, name
        for alt in re.findall(r'<img [^>]*alt="([^"]*)"', text):
            alt = html.unescape(alt)
            assert alt and "No description" not in alt and not re.search(r"\.(png|svg)$|_", alt), (name, alt)
            assert re.search(r"\b(Kaart|Grafiek|van|met|de|het)\b", alt), (name, alt)  # Dutch words, not a slug
        assert len(re.findall(r"<img ", text)) == len(re.findall(r'<img [^>]*alt="[^"]+"', text)), name
        if name not in ("index", "woordenlijst"):
            assert 'href="index.html"' in text, name
    index = re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", pages["index"])))
    assert re.search(r"Rapport van \d{1,2} (januari|februari|maart|april|mei|juni|juli|augustus|september|oktober|"
                     r"november|december) 20\d\d", index)  # a date a person reads, not the run id
    assert "uitkeringen per kwartaal t/m 2024Q1 (Heerlen), 2024Q3 (Beekdaelen)" in index  # each gemeente's end
    # the KWB ends in 2024 for every gemeente of today; Nuth's 2017 rows are Beekdaelen's, not a gemeente of their own
    assert "Kerncijfers wijken en buurten t/m 2024;" in index and "2017 (Nuth" not in index
    assert "Bron: CBS, bewerking parkstad-analysis" in index
    assert "Colofon" in index and "make report" in index
    for area in focus_areas():
        own = [name for name in pages if _page_area(name) == get_area(area).title]
        assert own, area
        for name in own:  # each of an area's pages links all its others, and the other areas
            for other in own:
                assert f'href="{other}.html"' in pages[name], (name, other)
            others = {_page_area(n) for n in re.findall(r'href="(\w+)\.html"', pages[name])} - {None}
            assert len(others) == len(focus_areas()), (name, others)


def _pdf_text(path) -> tuple[int, str]:
    reader = PdfReader(path)
    return len(reader.pages), re.sub(r"\s+", " ", " ".join(page.extract_text() for page in reader.pages))


def test_every_area_has_one_a4_pdf_with_its_key_figures_and_periods(full_run):
    """Per area one PDF a municipality can attach to a memo: A4, its pages numbered through, the area's name, its
    inhabitants as the profile's card gives them with their year, the maps' and charts' source lines, the colophon;
    linked from the index and from each of the area's pages."""
    index = (full_run / "index.html").read_text("utf-8")
    for area in focus_areas():
        title = get_area(area).title
        pdf = full_run / f"{area}.pdf"
        assert pdf.is_file(), area
        assert f'href="{area}.pdf"' in index
        for page in full_run.glob(f"*_{area}*.html"):
            assert f'href="{area}.pdf"' in page.read_text("utf-8"), page.name
        reader = PdfReader(pdf)
        width, height = (float(v) for v in reader.pages[0].mediabox.upper_right)
        assert (round(width / 72 * 25.4), round(height / 72 * 25.4)) == (210, 297)  # A4 portrait, in mm
        pages, text = _pdf_text(pdf)
        assert 4 <= pages <= 16, (area, pages)  # a memo's attachment: every map once, no interactive copies
        assert f"pagina {pages} van {pages}" in text  # numbered through the whole document
        assert title.split(" (")[0] in text and "Kerncijfers" in text
        inhabitants = _card(full_run, area, "Inwoners")
        assert inhabitants in text, (area, inhabitants)  # the card's value with its year, as on the page
        assert "Bron: CBS" in text and "Zo te citeren" in text and "make report" in text
        assert "beweeg over" not in text.lower() and "Interactieve kaart" not in text  # screen-only words stay off


def _card(run_dir, area: str, label: str) -> str:
    """A key-figure card of the area's profile as the page shows it: ``3.900 aantal 2019``."""
    page = next(run_dir.glob(f"area_profile_{area}_*.html")).read_text("utf-8")
    card = re.search(rf'<div class="ps-label">{label}</div>\s*<div><span class="ps-value">([^<]+)</span> '
                     rf'<span class="ps-unit">([^<]*)</span></div>\s*<div class="ps-meta">(\d{{4}}(?:Q\d)?)', page)
    assert card, (area, label)
    return f"{html.unescape(card.group(1))} {html.unescape(card.group(2))} {card.group(3)}"


def test_the_print_stylesheet_keeps_paper_to_the_static_figures(full_run):
    """Printed from a browser, a page shows no navigation, interactive maps or download links, and keeps its
    sources: the rules are in every page's head."""
    page = next(full_run.glob("area_profile_*.html")).read_text("utf-8")
    rules = page[page.index("@media print {"):]
    rules = rules[:rules.index("\n}\n")]
    for hidden in (".ps-nav", ".ps-interactive", ".ps-downloads"):
        assert hidden in rules.split("display: none")[0], hidden
    assert "@page { size: A4" in page and "counter(pages)" in page


def test_a_stand_alone_map_is_dutch_offline_and_leads_back(full_run):
    """The interactive map's own page: a title, a link back to its report page and the index, a Dutch toolbar
    without anything that needs the internet, plotly from the run folder, and a value on hover for every region
    drawn (also those around the area)."""
    maps = sorted(full_run.glob("figures/area_profile_*/*_interactief.html"))
    assert maps
    for path in maps:
        text = path.read_text("utf-8")
        title = re.search(r"<title>(.*?)</title>", text).group(1)
        assert title.startswith("Interactieve kaart: ") and len(title) > 25, path.name
        job = path.parent.name
        assert f'href="../../{job}.html"' in text and 'href="../../index.html"' in text, path.name
        assert '<html lang="nl">' in text and "cdn" not in text.lower() and "../../assets/plotly.min.js" in text
        assert '"Inzoomen"' in text and '"locale":"nl-parkstad"' in text.replace(" ", "")
        assert "sendDataToCloud" not in text and "lasso2d" not in text
        figure = json.loads(re.search(r"Plotly\.newPlot\(\s*\"[^\"]+\",\s*(\[.*?\]),\s*\{", text, flags=re.S)
                            .group(1))
        hovers = [trace.get("text", "") for trace in figure if trace.get("fill") == "toself"]
        assert hovers and all(re.search(r": (\d|geen gegevens)", hover) for hover in hovers), path.name


def _accessibility():
    """``tools/accessibility.py`` (a script beside the package, not part of it), imported from its file."""
    import importlib.util
    import sys

    spec = importlib.util.spec_from_file_location("accessibility", ROOT / "tools" / "accessibility.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclass looks its module up there
    spec.loader.exec_module(module)
    return module


def test_every_page_passes_the_accessibility_checker_at_wcag_21_aa(full_run):
    """axe-core in Chromium, WCAG 2.0 and 2.1 levels A and AA, on every page of the report and on a stand-alone
    interactive map: contrast, alt text, link styles, labels, landmarks, language. Each violation is named."""
    checker = _accessibility()
    pages = sorted(full_run.glob("*.html")) + sorted(full_run.glob("figures/area_profile_*/*_interactief.html"))[:1]
    results = checker.check_pages(pages)
    assert len(results) == len(pages) and all(r.passes > 5 for r in results)  # axe ran its rules on each page
    found = [line for result in results if result.violations for line in result.lines()]
    assert not found, "\n".join(found)


def test_a_phone_gets_every_map_and_chart_of_an_area_laid_out_for_it(full_run):
    """At 420 px a map beside its legend, or a chart 9 inches wide, shrinks to unreadable text: every map and chart
    on an area's pages offers a narrow variant (a file of the run: a map upright with its legend below, a chart
    half as wide with a tick every other year) to screens up to 640 px; the interactive map lays itself out again
    below 600 px (legend below, title in short lines)."""
    from PIL import Image

    checked = 0
    for page in sorted(full_run.glob("*.html")):
        if not page.name.startswith(("area_profile_", "trends_", "evaluation_")):
            continue
        text = page.read_text("utf-8")
        pictures = re.findall(r'<picture class="ps-picture">(.*?)</picture>', text, flags=re.S)
        figures = re.findall(r'Downloaden: <a [^>]*href="([^"]+\.png)"', text)
        assert len(pictures) == len(figures), page.name  # one narrow variant per figure
        checked += len(figures)
        for picture, wide in zip(pictures, figures, strict=True):
            narrow = re.search(r'media="\(max-width: 640px\)" srcset="([^"]+)"', picture).group(1)
            alt = html.unescape(re.search(r'<img [^>]*alt="([^"]+)"', picture).group(1))
            assert narrow == wide.replace(".png", "_smal.png") and alt.startswith(("Kaart", "Grafiek")), narrow
            (width, height), (wide_width, _) = Image.open(full_run / narrow).size, Image.open(full_run / wide).size
            assert width <= 0.65 * wide_width, (narrow, width, wide_width)
            if alt.startswith("Kaart"):
                assert height > 1.5 * width, (narrow, width, height)  # upright: the legend below the map
    assert checked >= 20  # 15 maps of five profiles, the trends and the evaluations
    stand_alone = next(full_run.glob("figures/area_profile_*/*_interactief.html")).read_text("utf-8")
    assert "gd.clientWidth < 600" in stand_alone and "narrow_title" in stand_alone


def test_every_figure_has_its_table_as_text_and_the_index_opens_with_the_locator_map(full_run):
    """A text alternative beside every chart and map: the table it draws, folded under it, with the figure's own
    numbers (the CSV's); and the index shows where the focus areas lie before it lists them."""
    import pandas as pd

    for page in sorted(full_run.glob("*.html")):
        text = page.read_text("utf-8")
        figures = len(re.findall(r'Downloaden: <a [^>]*href="[^"]+\.png"', text))
        tables = re.findall(r'<details class="ps-data"><summary>Tabel bij deze figuur: (.*?)</summary>(.*?)</details>',
                            text, flags=re.S)
        assert len(tables) == figures, (page.name, figures, len(tables))
        for _, table in tables:
            csv = re.search(r'href="([^"]+\.csv)"', table).group(1)
            rows = pd.read_csv(full_run / csv, sep=";", encoding="utf-8-sig", dtype=str, keep_default_na=False)
            assert len(re.findall(r"<tr", table)) - 1 == len(rows), (page.name, csv)  # header + one row per value
    index = (full_run / "index.html").read_text("utf-8")
    locator = re.search(r'<figure class="ps-locator"><img src="([^"]+)" alt="([^"]+)"', index)
    assert locator and (full_run / locator.group(1)).is_file() and "focusgebieden" in locator.group(2)
