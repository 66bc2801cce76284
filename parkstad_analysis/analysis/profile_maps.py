"""Which maps a profile draws: the indicators, each in the period and at the level that agrees with its card.

A map that is mostly hatched says nothing, and a map of another year than the card above it contradicts it;
:func:`map_choices` chooses per indicator the period and level (buurt or wijk) that have figures and match the
card, and names the indicators without any.
"""

from __future__ import annotations

from typing import NamedTuple

import pandas as pd

from ..vocabulary.areas import Area, as_area
from ..vocabulary.indicators import load_vocabulary, nearest_first
from .profile import PROFILE, best_figure

__all__ = ["MAPPED_SHARE", "MAP_CANDIDATES", "MapChoice", "map_choices", "surroundings_for"]

#: What a profile maps when no indicators are asked for, in order of preference: rates, shares and means, never a
#: count (a choropleth of inhabitants mostly shows how large each buurt is; density says where people live).
MAP_CANDIDATES = ("bijstand_per_1000", "nettoarbeidsparticipatie", "gemiddeld_inkomen_per_inwoner",
                  "huish_onder_of_rond_sociaal_minimum", "bevolkingsdichtheid")


def surroundings_for(area: Area) -> str:
    """What a profile map colours around the area: the other buurten of its wijk for a buurt area, else its own."""
    return "wijk" if area.level == "buurt" else "area"


#: A KWB map is drawn per buurt when at least this share of the buurten around the area has a value in its year.
MAPPED_SHARE = 0.5


class MapChoice(NamedTuple):
    """One map a profile draws: the indicator, its period and the level of the regions coloured."""

    indicator: str
    period: str
    level: str = "buurt"


def _share_with(kwb: pd.DataFrame, codes: set[str], indicator: str, year: int, level: str) -> float:
    """The share of the ``level`` regions among ``codes`` with a value of ``indicator`` in ``year`` (0 without rows)."""
    rows = kwb.loc[(kwb["year"] == year) & kwb["region_code"].isin(codes) & kwb["level"].eq(level), indicator]
    return float(rows.notna().mean()) if len(rows) else 0.0


def _card_year(tables: dict[str, pd.DataFrame], area: Area, indicator: str, year: int, quarter: str) -> int:
    """The year of the area's card for a KWB indicator (a profile figure may come from a nearer year with
    figures); the profile's year for any other indicator or a card from another table."""
    if indicator not in {key for key, *_ in PROFILE}:
        return year
    figure = best_figure(tables, area, indicator, year, quarter)
    years = set(tables["kwb"]["year"].dropna().astype(int))
    return int(figure.period) if figure is not None and figure.period.isdigit() and int(figure.period) in years \
        else year


def map_choices(tables: dict[str, pd.DataFrame], area: Area | str, indicators: list[str] | None, year: int,
                quarter: str, maximum: int = 3) -> tuple[list[MapChoice], list[tuple[str, str]]]:
    """The maps a profile can draw with values, and those it cannot (to name once, not to draw empty).

    A benefit rate is mapped in the profile's quarter. A KWB indicator is mapped in the year of the area's card
    (so map and card show the same year): per buurt when at least half (:data:`MAPPED_SHARE`) of the buurten
    around the area have it, else per wijk when the area is made of wijken and most of them have it (the card
    is then computed from the same wijk rows), else per buurt in the nearest year in which most buurten have it.
    Without ``indicators`` the first ``maximum`` of :data:`MAP_CANDIDATES` that have values are chosen.

    Returns
    -------
    tuple of lists
        :class:`MapChoice` per map to draw, and ``[(indicator, period asked), …]`` without values.
    """
    area = as_area(area)
    rates = load_vocabulary().rates
    kwb = tables["kwb"]
    buurten = _surrounding_codes(tables, area, "BU")
    wijken = _surrounding_codes(tables, area, "WK") if area.level != "buurt" else set()
    chosen, missing = [], []
    for indicator in indicators or MAP_CANDIDATES:
        if indicator in rates:
            table = tables[rates[indicator].table]
            rows = table[(table["period"] == quarter) & table["region_code"].isin(buurten)]
            has = rows[rates[indicator].numerator].notna().any()
            (chosen.append(MapChoice(indicator, quarter)) if has else missing.append((indicator, quarter)))
        else:
            card = _card_year(tables, area, indicator, year, quarter)
            years = nearest_first(kwb["year"].dropna().unique(), card)
            shares = {y: _share_with(kwb, buurten, indicator, y, "buurt") for y in years}
            if shares[card] >= MAPPED_SHARE:
                chosen.append(MapChoice(indicator, str(card)))
            elif wijken and _share_with(kwb, wijken, indicator, card, "wijk") >= MAPPED_SHARE:
                chosen.append(MapChoice(indicator, str(card), "wijk"))
            # the nearest year in which most buurten have the figure (a map mostly hatched says nothing), else any
            elif (found := next((y for y in years if shares[y] >= MAPPED_SHARE),
                                next((y for y in years if shares[y]), None))) is not None:
                chosen.append(MapChoice(indicator, str(found)))
            else:
                missing.append((indicator, str(year)))
        if not indicators and len(chosen) == maximum:
            break
    return chosen, missing


def _surrounding_codes(tables: dict[str, pd.DataFrame], area: Area, prefix: str = "BU") -> set[str]:
    """Buurt (``BU``) or wijk (``WK``) codes a profile map of the area colours (its own, or those of its wijken)."""
    names = tables.get("region_names")
    known = set(names["region_code"]) if names is not None else set(tables["kwb"]["region_code"])
    if area.level == "buurt":
        wijken = {c[2:8] for c in area.codes}
        return {c for c in known if c.startswith(prefix) and c[2:8] in wijken}
    width = 6 if area.level == "wijk" else 4
    prefixes = {c[2:2 + width] for c in area.codes_for(None)}
    return {c for c in known if c.startswith(prefix) and c[2:2 + width] in prefixes}
