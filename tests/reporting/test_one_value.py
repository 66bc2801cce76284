"""One figure, one value: every indicator × area × period the report shows in more than one place is the same there.

The report is built whole (every page), then read as a researcher reads it: the page's tables and key-figure
cards, every CSV and every workbook sheet. Each figure found is keyed by (indicator, area, period) and the test
fails when one key shows two values, naming the places.
"""

import html
import re
from collections import defaultdict
from pathlib import Path

import pandas as pd

from parkstad_analysis.vocabulary.areas import load_areas

#: Headers of the definitions table that name an indicator with its period ("Inwoners 2019").
DEFINITION_HEADERS = {"Inwoners": "Inwoners", "Bijstand per 1.000 inwoners 15+": "Personen met bijstand"}


def _csv(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, sep=";", encoding="utf-8-sig", dtype=str, keep_default_na=False)


def _page_area(stem: str) -> str | None:
    """The title of the area a page or table folder is about (``area_profile_gms_2019`` → GMS (…))."""
    name = re.sub(r"^(area_profile|trends|evaluation)_|_\d{4}$", "", stem)
    area = load_areas().get(name)
    return area.title if area is not None else None


def _plain(text: str) -> str:
    """A number as a page writes it (``53.205``, ``59,7``, ".") as the CSV writes it (``53205``, ``59,7``, "")."""
    text = html.unescape(text).strip()
    if text == ".":
        return ""
    if re.fullmatch(r"-?\d{1,3}(\.\d{3})+(,\d+)?", text):
        return text.replace(".", "")
    return text


def _indicator(header: str) -> str:
    return re.sub(r"\s*\([^)]*\)$", "", header).strip()


def csv_figures(run_dir: Path) -> list[tuple[tuple[str, str, str], str, str]]:
    """(indicator, area, period), value, where: every figure in the run's CSVs whose table says all three."""
    found = []
    for path in sorted(run_dir.glob("tables/*/*.csv")):
        table, where = _csv(path), path.relative_to(run_dir).as_posix()
        area = _page_area(path.parent.name)
        columns = list(table.columns)
        if {"Gebied", "Indicator", "Periode", "Waarde"} <= set(columns):  # the index's long table
            found += [((r.Indicator, r.Gebied, r.Periode), r.Waarde, where) for r in table.itertuples()]
        elif columns[:2] == ["Indicator", "Periode"]:  # a profile's comparison: one column per area
            for row in table.to_dict("records"):
                found += [((_indicator(row["Indicator"]), title, row["Periode"]), row[title], where)
                          for title in columns[2:] if title != "Noot"]
        elif columns[0] == "Indicator" and area and all(re.fullmatch(r"\d{4}", c) for c in columns[1:-1]):
            for row in table.to_dict("records"):  # a trends page's figures per year: one column per year
                found += [((_indicator(row["Indicator"]), area, year), row[year], where) for year in columns[1:-1]]
        elif columns[0] == "Afbakening":
            for row in table.to_dict("records"):
                for header in columns[2:]:
                    label, period = header.rsplit(" ", 1)
                    found.append(((DEFINITION_HEADERS[label], row["Afbakening"], period), row[header], where))
        elif columns[:2] == ["Jaar", "Inwoners"] and area:
            found += [(("Inwoners", area, r.Jaar), r.Inwoners, where) for r in table.itertuples()]
        elif columns[:2] == ["Jaar", "Netto arbeidsparticipatie (%)"] and area:
            found += [(("Netto arbeidsparticipatie", area, row["Jaar"]), row[columns[1]], where)
                      for row in table.to_dict("records")]
        elif columns[0] == "Kwartaal" and area in columns and path.stem == "per_kwartaal":
            found += [(("Personen met bijstand", area, row["Kwartaal"]), row[area], where)
                      for row in table.to_dict("records")]
        elif {"Gebieden", "Inwoners", "Jaar inwoners"} <= set(columns):  # funding per recipient and inhabitant
            found += [(("Inwoners", row["Gebieden"], row["Jaar inwoners"]), row["Inwoners"], where)
                      for row in table.to_dict("records") if " en " not in row["Gebieden"]]
    for path in sorted(run_dir.glob("figures/*/*_trend_bijstand.csv")):  # the data behind the trend charts
        table, where = _csv(path), path.relative_to(run_dir).as_posix()
        found += [(("Personen met bijstand", row["Reeks"], row["Periode"]), row["Waarde (per 1.000 inwoners 15+)"],
                   where) for row in table.to_dict("records")]
    return found


def page_figures(run_dir: Path) -> list[tuple[tuple[str, str, str], str, str]]:
    """(indicator, area, period), value, where: the key-figure cards and the index's table, as the pages print them."""
    found = []
    for page in sorted(run_dir.glob("*.html")):
        text = page.read_text("utf-8")
        area = _page_area(page.stem)
        for card in re.findall(r'<div class="ps-card">(.*?)<div class="ps-fsource">', text, flags=re.S):
            label = re.search(r'<div class="ps-label">(.*?)</div>', card).group(1)
            value = re.search(r'<span class="ps-value">(.*?)</span>', card)
            meta = re.search(r'<div class="ps-meta">(.*?)</div>', card).group(1)
            if value and area:
                found.append(((html.unescape(label), area, meta.split(" · ")[0].strip()), _plain(value.group(1)),
                              f"{page.name} (kerncijfer)"))
        if page.name == "index.html":
            found += _index_table(text)
    return found


def _index_table(text: str) -> list:
    """The index's wide table: ``Label (unit), period`` headers, cells ``value (other period) [note]``."""
    table = re.search(r'<figure class="ps-table">.*?<thead>(.*?)</thead>.*?<tbody>(.*?)</tbody>', text, flags=re.S)
    headers = [html.unescape(h) for h in re.findall(r"<th[^>]*>(.*?)</th>", table.group(1))]
    found = []
    for row in re.findall(r"<tr>(.*?)</tr>", table.group(2), flags=re.S):
        cells = [html.unescape(c) for c in re.findall(r"<td[^>]*>(.*?)</td>", row)]
        for header, cell in zip(headers[1:], cells[1:], strict=True):
            label, period = header.rsplit(", ", 1)
            match = re.fullmatch(r"(\S+)(?: \((\w+)\))?(?: \[\d+\])?", cell)
            assert match, (header, cell)
            found.append(((_indicator(label), cells[0], match.group(2) or period), _plain(match.group(1)),
                          "index.html (tabel)"))
    return found


def test_every_figure_has_one_value_on_every_page_and_in_every_download(full_run):
    figures = csv_figures(full_run) + page_figures(full_run)
    places = defaultdict(lambda: defaultdict(list))
    for key, value, where in figures:
        places[key][value].append(where)
    shared = {key: values for key, values in places.items() if sum(len(w) for w in values.values()) > 1}
    differing = {key: dict(values) for key, values in shared.items() if len(values) > 1}
    assert not differing, differing
    # the comparison really spans pages: the index, profiles, trends, evaluations and funding meet in shared keys
    kinds = {re.sub(r"_.*|\.html.*|/.*", "", where) for values in shared.values() for w in values.values()
             for where in w}
    assert {"index", "tables", "area"} <= kinds, kinds
    wheres = {where.split("/")[1] if where.startswith("tables/") else where for values in shared.values()
              for w in values.values() for where in w}
    assert {"overzicht", "funding", "trends_hoensbroek", "evaluation_hoensbroek"} <= wheres, sorted(wheres)
    assert any(where.startswith("figures/trends_") for where in wheres), sorted(wheres)
    assert "trends_rolduckerveld" in wheres  # its trends page holds the KWB years it has (2017 and 2024)
    hoensbroek = places[("Personen met bijstand", "Hoensbroek", "2019Q4")]
    assert list(hoensbroek) == ["57,8"], dict(hoensbroek)  # the wijk sum everywhere; the evaluation says why it differs
    heerlen = places[("Netto arbeidsparticipatie", "Heerlen", "2019")]
    assert list(heerlen) == ["59"], dict(heerlen)  # CBS's own whole-percent figure, not "59,0"


def test_every_page_table_is_its_csv_and_every_sheet_is_its_csv(full_run):
    import openpyxl

    for page in sorted(full_run.glob("*.html")):
        text = page.read_text("utf-8")
        for block in re.findall(r'<figure class="ps-table">(.*?)</figure>', text, flags=re.S):
            link = re.search(r'href="(tables/[^"]+\.csv)"', block)
            if link is None or page.name == "index.html":  # the index's wide table is checked figure by figure
                continue
            rows = [[_plain(re.sub(r"<[^>]+>", "", c)) for c in re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", row, flags=re.S)]
                    for row in re.findall(r"<tr[^>]*>(.*?)</tr>", block, flags=re.S)]
            table = _csv(full_run / link.group(1))
            assert rows[0] == list(table.columns), (page.name, link.group(1))
            assert rows[1:] == table.values.tolist(), (page.name, link.group(1))
    workbook = openpyxl.load_workbook(full_run / "parkstad_tabellen.xlsx")
    for sheet_name, _, _, _, csv in list(workbook["Overzicht"].values)[1:]:
        table = _csv(full_run / csv)
        cells = [list(row) for row in workbook[sheet_name].iter_rows(min_row=4, max_row=3 + len(table))]
        assert [[_as_csv_text(cell) for cell in row] for row in cells] == table.values.tolist(), sheet_name
        for column in zip(*cells, strict=True):  # one type a column: 2019 beside 2019Q4 is text, not a number
            kinds = {"number" if isinstance(c.value, int | float) else "text" for c in column if c.value is not None}
            assert len(kinds) <= 1, (sheet_name, column[0].column_letter, kinds)


def _as_csv_text(cell) -> str:
    """A sheet's cell as its CSV writes it: the number with the decimals its format shows, or the text."""
    if cell.value is None:
        return ""
    if isinstance(cell.value, int | float):
        places = len(cell.number_format.split(".")[1]) if "." in cell.number_format else 0
        return f"{cell.value:.{places}f}".replace(".", ",")
    return str(cell.value)


def test_every_figure_links_its_files_and_the_data_behind_it(full_run):
    """A map or chart on a page is followed by links to its PNG, SVG and the table it draws (CSV with sidecar)."""
    for page in sorted(full_run.glob("*.html")):
        text = page.read_text("utf-8")
        for line in re.findall(r'<p class="ps-downloads">(.*?)</p>', text, flags=re.S):
            links = re.findall(r'href="([^"]+)"', line)
            assert [Path(link).suffix for link in links] == [".png", ".svg", ".csv"], (page.name, links)
            for link in links:
                assert (full_run / link).is_file(), (page.name, link)
            assert (full_run / links[2]).with_name(Path(links[2]).stem + ".csv-metadata.json").is_file()
        if page.name != "index.html":  # the index shows thumbnails that lead to the pages
            assert len(re.findall(r"<img ", text)) == len(re.findall(r'class="ps-downloads"', text)), page.name
    werk = _csv(full_run / "figures/funding/regio_deal_projects.csv")
    assert sorted(werk.loc[werk["Project"] == "Werk in de Wijk", "Bijdrage op de kaart (€)"]) == ["124335", "25665"]
    gms = _csv(full_run / "figures/area_profile_gms_2019/gms_bijstand_per_1000.csv")
    hoppersgraaf = gms[gms["Naam"] == "Hoppersgraaf"]  # drawn on the map, not part of GMS: the data says so
    assert hoppersgraaf["Deel van het focusgebied"].str.startswith("nee").all() and len(hoppersgraaf) == 1


def test_no_page_is_empty_and_the_index_says_what_the_data_cannot_show(full_run):
    for page in sorted(full_run.glob("*.html")):
        text = page.read_text("utf-8")
        assert '<figure class="ps-table">' in text or "<img " in text, page.name  # more than notes
    rolduckerveld = _csv(full_run / "tables/trends_rolduckerveld/per_jaar.csv")
    assert list(rolduckerveld.columns) == ["Indicator", "2017", "2024", "Noot"]  # the KWB years it has
    index = html.unescape(re.sub(r"<[^>]+>", " ", (full_run / "index.html").read_text("utf-8")))
    index = re.sub(r"\s+", " ", index)
    assert "Wat de beschikbare cijfers per focusgebied niet laten zien" in index
    assert ("Rolduckerveld Netto arbeidsparticipatie de bestanden van dit rapport hebben dit cijfer per buurt of wijk "
            "alleen voor Heerlen (2018–2019)") in index
    trends = re.sub(r"<style.*?</style>", "", (full_run / "trends_rolduckerveld.html").read_text("utf-8"), flags=re.S)
    # why, in a reader's words: the gemeenten whose benefits per buurt the files hold (Beekdaelen's from the national
    # tables, which stop before Kerkrade)
    assert "offline" not in trends and "alleen voor Beekdaelen en Heerlen" in trends


def test_the_data_overview_and_the_woordenlijst_speak_to_a_reader(full_run):
    import tomllib

    from parkstad_analysis.fetch.registry import load_registry

    def visible(name: str) -> str:
        text = re.sub(r"<style.*?</style>|<script.*?</script>", "", (full_run / name).read_text("utf-8"), flags=re.S)
        return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", text)))

    overview = visible("data_overview.html")
    for word in ("registry.toml", "data/raw", "data/processed", "spiegelmap", "reconciliation", "quantised",
                 "facts from", "third party", *load_registry()):  # no file names, English or dataset ids
        assert not re.search(rf"(?<![\w-]){re.escape(word)}(?![\w-])", overview), word
    assert "Kerncijfers wijken en buurten" in overview and "lokale kopie van de CBS-bestanden" in overview
    woordenlijst = visible("woordenlijst.html")
    assert "Inwoners aantal Aantal inwoners De bevolking van Nederland op 1 januari" in woordenlijst
    terms = tomllib.loads((Path(__file__).parents[2] / "parkstad_analysis/data/terms.toml").read_text("utf-8"))["term"]
    for term in ("focusgebied", "dekking", "afronding", "verschil", "placebo", "spoor", "cofinanciering"):
        assert f"{terms[term]['title']} {terms[term]['definition']}" in woordenlijst, term
