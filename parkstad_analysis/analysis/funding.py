"""The Regio Deal projects of the press release of 17 December 2020, and their analysis.

The projects table (:mod:`parkstad_analysis.tables.projects`) is typed from the
press release: facts (names, places, euros), not prose.
"""

from __future__ import annotations

import pandas as pd

from ..errors import UnknownNameError
from ..vocabulary.areas import get_area, split_areas
from .aggregate import rate
from .indicators import known_inhabitants

#: Totals stated in (or implied by) the press release.
RELEASE_CONTRIBUTION_EUR = 501_030
RELEASE_TOTAL_COST_EUR = 2_226_344  # "ruim 2,2 miljoen"


def co_financing(projects: pd.DataFrame) -> pd.DataFrame:
    """Per project: contribution, total cost, contribution share and co-financing by others."""
    out = projects[["project_id", "project", "gemeente", "track", "total_cost_eur", "regio_deal_contribution_eur"]].copy()
    out["contribution_share"] = out["regio_deal_contribution_eur"] / out["total_cost_eur"]
    out["co_financing_eur"] = out["total_cost_eur"] - out["regio_deal_contribution_eur"]
    return out


def totals_by(projects: pd.DataFrame, column: str) -> pd.DataFrame:
    """Sum of contributions and total cost per ``gemeente`` or ``track``."""
    if column not in ("gemeente", "track"):
        raise UnknownNameError("grouping", column, ["gemeente", "track"])
    grouped = projects.groupby(column)[["regio_deal_contribution_eur", "total_cost_eur"]].sum()
    grouped["projects"] = projects.groupby(column).size()
    grouped["contribution_share"] = grouped["regio_deal_contribution_eur"] / grouped["total_cost_eur"]
    return grouped.sort_values("regio_deal_contribution_eur", ascending=False).reset_index()


def area_allocation(projects: pd.DataFrame, kwb: pd.DataFrame, year: int = 2019) -> pd.DataFrame:
    """Each project's money per focus area it serves.

    A project serving several areas (Werk in de Wijk: Hoensbroek and GMS) is split
    in proportion to the areas' inhabitants in ``year``; ``share`` records the split,
    ``inhabitants`` and ``inhabitants_year`` the figures it used.
    """
    people = {n: _inhabitants(kwb, n, year) for n in {n for a in projects["areas"] for n in split_areas(a)}}
    records = []
    for project in projects.itertuples():
        names = split_areas(project.areas)
        known = sum(people[n][0] for n in names if pd.notna(people[n][0]))
        for name in names:
            count = people[name][0]
            share = 1.0 if len(names) == 1 else (count / known if known and pd.notna(count) else 1 / len(names))
            records.append({"project_id": project.project_id, "project": project.project, "area": name,
                            "share": share, "contribution_eur": project.regio_deal_contribution_eur * share,
                            "total_cost_eur": project.total_cost_eur * share,
                            "inhabitants": count, "inhabitants_year": people[name][1]})
    return pd.DataFrame.from_records(records)


def totals_by_area(projects: pd.DataFrame, kwb: pd.DataFrame, year: int = 2019) -> pd.DataFrame:
    """Contributions and cost summed per focus area (after :func:`area_allocation`)."""
    allocation = area_allocation(projects, kwb, year)
    grouped = allocation.groupby("area")[["contribution_eur", "total_cost_eur"]].sum()
    return grouped.sort_values("contribution_eur", ascending=False).reset_index()


def _inhabitants(kwb: pd.DataFrame, area_name: str, year: int) -> tuple[float, int | None]:
    """Inhabitants of an area in ``year``, else in the nearest later (then earlier) year that covers it fully."""
    known = known_inhabitants(kwb, get_area(area_name))
    if not known:
        return float("nan"), None
    chosen = min(known, key=lambda y: (y < year, abs(y - year)))
    return known[chosen], chosen


def per_capita(projects: pd.DataFrame, kwb: pd.DataFrame, benefits: pd.DataFrame, year: int = 2019,
               quarter: str | None = None) -> pd.DataFrame:
    """Contribution per inhabitant and per bijstand recipient of the area each project serves.

    Parameters
    ----------
    year : int
        KWB year for inhabitants; where the area has no figures that year (Brunssum-Noord
        has wijk figures only in the 2024 KWB offline) the nearest later year is used and
        named in ``inhabitants_year``.
    quarter : str, optional
        Benefit quarter (default: latest). Recipients are known only where the benefit
        table covers the area (offline: Heerlen); elsewhere ``NaN`` with ``note``.
    """
    quarter = quarter or benefits["period"].max()
    in_quarter = benefits[benefits["period"] == quarter]
    records = []
    for row in area_allocation(projects, kwb, year).itertuples():
        people, used_year = row.inhabitants, row.inhabitants_year
        used_year = None if pd.isna(used_year) else int(used_year)
        recipients = rate(in_quarter, get_area(row.area), "bijstand_ontvangers", "inwoners_15_plus")
        full = len(recipients) and recipients["coverage"].iloc[0] == 1.0
        count = float(recipients["numerator"].iloc[0]) if full else float("nan")
        note = [] if full else [f"no bijstand figures for {row.area} in {quarter}"]
        if used_year is None:
            note.append(f"no inhabitants for {row.area}")
        records.append({
            "project_id": row.project_id, "project": row.project, "area": row.area, "share": row.share,
            "contribution_eur": row.contribution_eur, "inhabitants": people, "inhabitants_year": used_year,
            "eur_per_inhabitant": row.contribution_eur / people if pd.notna(people) and people else float("nan"),
            "bijstand_recipients": count, "bijstand_quarter": quarter,
            "eur_per_bijstand_recipient": row.contribution_eur / count if count else float("nan"),
            "note": "; ".join(note),
        })
    return pd.DataFrame.from_records(records)


def ranking(projects: pd.DataFrame, by: str = "regio_deal_contribution_eur") -> pd.DataFrame:
    """Projects ranked by a money column, ready for a bar chart (label, value, share of all)."""
    table = co_financing(projects)
    if by not in table.columns:
        raise UnknownNameError("ranking column", by, [c for c in table.columns if c.endswith(("_eur", "_share"))])
    table = table.sort_values(by, ascending=False).reset_index(drop=True)
    table["rank"] = range(1, len(table) + 1)
    table["label"] = table["project"].str.split(" – ").str[0].str.strip("'")
    table["share_of_all"] = table[by] / table[by].sum()
    return table[["rank", "label", "project", "gemeente", "track", by, "share_of_all", "contribution_share"]]
