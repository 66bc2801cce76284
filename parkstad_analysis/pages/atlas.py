"""What the atlas says: a page for one gemeente, wijk or buurt, and the index's list and table of them all.

:mod:`parkstad_analysis.reporting.atlas` runs these over every region (processes, Dask, the pointer);
this module only knows what a page and the index hold. The figures are the profile's own
(:mod:`parkstad_analysis.analysis.atlas`).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from ..analysis.catalogue import gemeente_name, plain_text
from ..atomic import write_text
from ..config import Settings
from ..dutch import SIGNS, dutch_list, nl_number
from ..errors import DataFormatError
from ..processed import ProcessedStore
from .templates import render

_LEVEL_WORD = {"gemeente": "gemeente", "wijk": "wijk", "buurt": "buurt"}
_CHILDREN = {"gemeente": "Wijken van {name}", "wijk": "Buurten van {name}"}


class AtlasPages:
    """One process's renderer: the data, the figures of the areas above and the outlines, loaded once.

    Parameters
    ----------
    settings : Settings
        The project whose processed data the pages show.
    generation : str
        The processed generation to read (pinned by the run).
    year : int or None
        The profile year (default the latest KWB year).
    version : str
        The version of parkstad-analysis that made the pages, for the citation line.
    """

    def __init__(self, settings: Settings, generation: str, year: int | None, version: str):
        self.version = version
        from ..analysis.atlas import AtlasFigures
        from ..analysis.catalogue import Catalogue, used_codes
        from ..figures.atlas import Outlines
        from ..research import Data

        store = ProcessedStore(settings, generation)
        self.data = Data(store)
        self.catalogue = Catalogue(self.data["region_names"], settings.scope.gemeenten(), used_codes(store))
        year = year or int(self.data["kwb"]["year"].max())
        self.figures = AtlasFigures(self.data, self.catalogue, year)
        try:
            self.outlines = Outlines(self.data.layers)
        except DataFormatError:  # a scope whose layers do not hold Parkstad's gemeenten (the national one): no maps
            self.outlines = None
        self.focus = _focus_membership()
        from ..analysis.benchmarks import national_series

        self.national = national_series(self.data, benchmarks=self.figures.benchmarks)  # the same line on every page

    def render(self, code: str, folder: Path) -> dict:
        """Write one region's page (``folder/pages/<code>.html``) and figures (``folder/figures``); return its
        overview row for the index."""
        from ..analysis.indicators import benefit_rates
        from ..figures.atlas import benefit_lines, locator
        from ..figures.style import png_bytes
        from .blocks import figures_html, table_html

        region = self.catalogue.regions[code]
        area = self.catalogue.area(region)
        figures = self.figures.key_figures(area)
        parents = self.figures.parents(region)
        comparison = self.figures.comparison(area, figures, parents)
        columns = {"label": ("Cijfer", None), "period": ("Periode", None), area.name: (region.name, 1),
                   **{p.name: (p.title, 1) for p in parents}, "nederland": ("Nederland", 1)}
        sources = "; ".join(dict.fromkeys(s for part in comparison["sources"] for s in part.split("; ") if s))
        table = table_html(comparison, columns, caption=f"{region.name} naast {_compared_with(parents)}",
                           source=(sources or "CBS") + "; bewerking parkstad-analysis",
                           footnotes=["Elk cijfer in de periode van het gebied zelf; een cijfer van een groter gebied "
                                      "dat maar een deel van zijn buurten heeft, staat er niet."])
        fig, map_note = locator(self.outlines, region) if self.outlines is not None else (
            None, "geen kaart: de grenzen van deze indeling zijn niet verwerkt")
        if fig is not None:
            (folder / "figures" / f"{code}.png").write_bytes(png_bytes(fig, dpi=90))
            _close(fig)
        trend = None
        benefits = self.data.get("benefits")
        own = benefit_rates(benefits, area, kinds=["bijstand"]) if benefits is not None else None
        if own is not None and own["value"].notna().any():
            gemeente = next((p for p in parents if p.level == "gemeente"), None)
            lines = {region.name: own.dropna(subset=["value"])}
            if gemeente is not None:
                lines[gemeente.title] = benefit_rates(benefits, gemeente, kinds=["bijstand"]).dropna(subset=["value"])
            lines["Nederland"] = self.national
            fig = benefit_lines(lines)
            (folder / "figures" / f"{code}_bijstand.png").write_bytes(png_bytes(fig, dpi=100))
            _close(fig)
            first, last = lines[region.name]["period"].iloc[[0, -1]]
            trend = {"alt": f"Lijngrafiek: personen met bijstand per 1.000 inwoners van 15 jaar en ouder per kwartaal, "
                            f"{first} tot en met {last}, van {dutch_list(list(lines))}.",
                     "caption": f"Personen met bijstand per 1.000 inwoners 15+, {first}–{last}. Nederland: de inwoners "
                                "van Nederland (NL01), berekend zoals de buurten. Bron: CBS, uitkeringsontvangers per "
                                "wijk en buurt; bewerking parkstad-analysis."}
        gemeente_region = self.catalogue.regions.get(region.gemeente)
        html = render("atlas/page.html.j2", region=region, level_word=_LEVEL_WORD[region.level],
                      gemeente=gemeente_region if region.level != "gemeente" else None,
                      parents=[{"word": p.level, "name": p.title, "href": f"{p.codes[0]}.html"} for p in parents
                               if p.codes[0] in self.catalogue.regions and len(p.codes) == 1],
                      year=self.figures.year, quarter=self.figures.quarter, map_note=map_note,
                      has_map=fig is not None,
                      key_figures=figures_html(figures, "Kerncijfers") if figures else "",
                      compared_with=_compared_with(parents), comparison=table, trend=trend,
                      children=self._children(region), children_title=_CHILDREN.get(region.level, "").format(
                          name=region.name),
                      focus=self.focus.get(code, []) if (folder.parent / "latest").is_dir() else [],
                      citation=f"Atlas Parkstad Limburg, {region.name} ({region.code}). Bron: CBS, bewerking "
                               f"parkstad-analysis {self.version}.")
        write_text(folder / "pages" / f"{code}.html", html)
        return self.figures.overview_row(region, figures)

    def _children(self, region) -> list:
        if region.level == "buurt":
            return []
        prefix = ("WK" + region.code[2:6]) if region.level == "gemeente" else ("BU" + region.code[2:8])
        current = {r.code for r in self.catalogue.current()}
        return [r for code, r in sorted(self.catalogue.regions.items()) if code.startswith(prefix) and code in current]


def _focus_membership() -> dict[str, list[str]]:
    """Region code → the focus areas it is part of (named as the pages name them)."""
    from ..vocabulary.areas import focus_areas, get_area

    found: dict[str, list[str]] = {}
    for name in focus_areas():
        area = get_area(name)
        for code in area.codes:
            found.setdefault(code, []).append(area.title)
    return found


def _compared_with(parents) -> str:
    return dutch_list([p.title for p in parents] + ["Nederland"])


def _close(fig) -> None:
    import matplotlib.pyplot as plt

    plt.close(fig)


def index_groups(regions) -> list[dict]:
    """The index's list: per gemeente its wijken and buurten, each with the text the search matches."""
    groups: dict[str, dict] = {}
    for region in regions:
        group = groups.setdefault(region.gemeente, {"code": region.gemeente, "name": gemeente_name(region.gemeente),
                                                    "entries": []})
        group["entries"].append({"code": region.code, "name": region.name, "level": region.level,
                                 "search": plain_text(f"{region.name} {region.code} {group['name']} {region.level}")})
    return sorted(groups.values(), key=lambda g: g["name"])


def overview_table(rows: list[dict]) -> str:
    """The sortable table of every region's overview figures (numbers as pages write them, sorted by value)."""
    from ..analysis.atlas import OVERVIEW

    headers = [{"text": "Gebied", "numeric": False}, {"text": "Code", "numeric": False},
               {"text": "Niveau", "numeric": False}, {"text": "Gemeente", "numeric": False}]
    headers += [{"text": title, "numeric": True} for _, title, _ in OVERVIEW]
    periods = {key: common_period(rows, key) for key, _, _ in OVERVIEW}
    for header, (key, _, _) in zip(headers[4:], OVERVIEW, strict=True):
        header["text"] += f", {periods[key]}" if periods[key] else ""
    body = []
    for row in rows:
        cells = [{"text": row["name"], "value": row["name"], "href": f"pages/{row['code']}.html"},
                 {"text": row["code"], "value": row["code"]}, {"text": row["level"], "value": row["level"]},
                 {"text": gemeente_name(row["gemeente"]), "value": gemeente_name(row["gemeente"])}]
        for key, _, _ in OVERVIEW:
            value = row[key]
            text = nl_number(value, row[f"{key}_decimals"])
            if row[f"{key}_period"] and row[f"{key}_period"] != periods[key] and not np.isnan(value):
                text += f" ({row[f'{key}_period']})"
            cells.append({"text": text, "value": "" if np.isnan(value) else f"{value:.6g}", "numeric": True})
        body.append({"cells": cells, "search": plain_text(f"{row['name']} {row['code']} {gemeente_name(row['gemeente'])}")})
    return render("atlas/overview.html.j2", headers=headers, rows=body, signs=SIGNS,
                  source="CBS, Kerncijfers wijken en buurten en uitkeringsontvangers per wijk en buurt; bewerking "
                         "parkstad-analysis")


def common_period(rows: list[dict], key: str) -> str:
    """The period most regions have a figure for (named in the column's header)."""
    periods = [r[f"{key}_period"] for r in rows if r[f"{key}_period"]]
    return max(set(periods), key=periods.count) if periods else ""
