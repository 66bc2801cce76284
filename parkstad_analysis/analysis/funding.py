"""The Regio Deal projects of the press release of 17 December 2020, and their analysis.

The projects table (:mod:`parkstad_analysis.tables.projects`) is typed from the
press release: facts (names, places, euros), not prose.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..dutch import dutch_list
from ..errors import UnknownNameError
from ..vocabulary.areas import Area, as_area, get_area, split_areas
from ..vocabulary.regions import gemeente_names
from .aggregate import rate, sum_counts
from .indicators import known_inhabitants

__all__ = [
    "BASE_QUARTER", "RELEASE_CONTRIBUTION_EUR", "RELEASE_TOTAL_COST_EUR", "SPLIT_RULE", "area_allocation",
    "co_financing", "participation_sources", "per_project", "ranking", "reach", "recipients_trend", "totals_by",
    "totals_by_area", "with_total"
]

#: Totals stated in (or implied by) the press release.
RELEASE_CONTRIBUTION_EUR = 501_030
RELEASE_TOTAL_COST_EUR = 2_226_344  # "ruim 2,2 miljoen"


def reach(areas: str) -> str:
    """Where a project works, as a reader says it: ``heel Parkstad``, or its focus areas and their gemeente."""
    names = split_areas(areas)
    if names == ["parkstad"]:
        return "heel Parkstad"
    by_gemeente: dict[str, list[str]] = {}
    for name in names:
        area = get_area(name)
        by_gemeente.setdefault(gemeente_names().get(area.gemeente, ""), []).append(area.title)
    return "; ".join(f"{dutch_list(titles)} in {gemeente}" if gemeente else dutch_list(titles)
                     for gemeente, titles in by_gemeente.items())


def _shares(table: pd.DataFrame) -> pd.DataFrame:
    """The Regio Deal's share of the total cost, as a fraction and as a percentage (what a page shows)."""
    table["contribution_share"] = table["regio_deal_contribution_eur"] / table["total_cost_eur"]
    table["contribution_pct"] = 100 * table["contribution_share"]
    return table


def co_financing(projects: pd.DataFrame) -> pd.DataFrame:
    """Per project: target group, reach, contribution, total cost, contribution share (and %) and co-financing."""
    out = projects[["project_id", "project", "gemeente", "track", "target_group", "total_cost_eur",
                    "regio_deal_contribution_eur"]].copy()
    out.insert(5, "reach", projects["areas"].map(reach))
    out = _shares(out)
    out["co_financing_eur"] = out["total_cost_eur"] - out["regio_deal_contribution_eur"]
    return out


def totals_by(projects: pd.DataFrame, column: str) -> pd.DataFrame:
    """Sum of contributions and total cost per ``gemeente`` or ``track``, with the share (and %) of each."""
    if column not in ("gemeente", "track"):
        raise UnknownNameError("grouping", column, ["gemeente", "track"])
    grouped = projects.groupby(column)[["regio_deal_contribution_eur", "total_cost_eur"]].sum()
    grouped["projects"] = projects.groupby(column).size()
    grouped = _shares(grouped)
    return grouped.sort_values("regio_deal_contribution_eur", ascending=False).reset_index()


def with_total(table: pd.DataFrame, label_column: str, label: str = "Totaal") -> pd.DataFrame:
    """The table with a totals row at the bottom, as a programme office publishes it.

    Money columns (``*_eur``) and ``projects`` are summed; the Regio Deal's share is recomputed
    from the sums (€ 501.030 of € 2.226.344 is 22,5 %, not a sum or mean of the rows' shares);
    other columns are left blank (``""``) in that row.
    """
    summed = [c for c in table.columns if c.endswith("_eur") or c == "projects"]
    # blank, not missing: a page would show "." (a missing figure) where a total has no meaning
    total: dict[str, object] = dict.fromkeys(table.columns, "")
    total |= {column: table[column].sum() for column in summed} | {label_column: label}
    if {"regio_deal_contribution_eur", "total_cost_eur"} <= set(summed):
        total["contribution_share"] = total["regio_deal_contribution_eur"] / total["total_cost_eur"]
        total["contribution_pct"] = 100 * total["contribution_share"]
    return pd.concat([table.astype({c: object for c in table.columns if c not in total or total[c] == ""}),
                      pd.DataFrame([total])], ignore_index=True)


#: The quarter the projects started in: the press release is of 17 December 2020.
BASE_QUARTER = "2020Q4"
#: How a project serving several areas is split over them (stated on the page).
SPLIT_RULE = "naar inwoners van 15 jaar en ouder"


def _base(benefits: pd.DataFrame, area: Area | str, quarter: str) -> tuple[float, float]:
    """Bijstand recipients and inhabitants 15+ of an area in one quarter; NaN unless the table covers it all."""
    rows = benefits[benefits["period"] == quarter]
    result = rate(rows, as_area(area), "bijstand_ontvangers", "inwoners_15_plus")
    if result.empty or result["coverage"].iloc[0] < 1.0:
        return float("nan"), float("nan")
    return float(result["numerator"].iloc[0]), float(result["denominator"].iloc[0])


def _inhabitants(kwb: pd.DataFrame, area: Area | str, year: int) -> tuple[float, int | None]:
    """Inhabitants of an area in ``year``, else in the nearest year that covers it fully (earlier wins a tie)."""
    known = known_inhabitants(kwb, as_area(area))
    if not known:
        return float("nan"), None
    chosen = min(known, key=lambda y: (abs(y - year), y > year))
    return known[chosen], chosen


def area_allocation(projects: pd.DataFrame, benefits: pd.DataFrame, quarter: str = BASE_QUARTER) -> pd.DataFrame:
    """Each project's money per focus area it serves.

    A project serving several areas (Werk in de Wijk: Hoensbroek and GMS) is split in
    proportion to the areas' inhabitants aged 15+ in ``quarter`` (:data:`SPLIT_RULE`), the
    quarter its recipients are counted in too; ``share`` and ``split_rule`` record it. Where
    the benefit table does not cover an area, the split is equal and says so.
    """
    records = []
    for project in projects.itertuples():
        names = split_areas(project.areas)
        base = {name: _base(benefits, name, quarter) for name in names}
        known = sum(people for _, people in base.values()) if all(pd.notna(p) for _, p in base.values()) else np.nan
        for name in names:
            if len(names) == 1:
                share, rule = 1.0, ""
            elif pd.notna(known) and known:
                share, rule = base[name][1] / known, f"{SPLIT_RULE} ({quarter})"
            else:
                share, rule = 1 / len(names), "gelijk (geen inwonertallen voor alle gebieden)"
            records.append({"project_id": project.project_id, "project": project.project, "area": name,
                            "area_title": get_area(name).title, "share": share, "share_pct": 100 * share,
                            "split_rule": rule,
                            "contribution_eur": project.regio_deal_contribution_eur * share,
                            "total_cost_eur": project.total_cost_eur * share,
                            "bijstand_recipients": base[name][0], "inhabitants_15_plus": base[name][1]})
    return pd.DataFrame.from_records(records)


def totals_by_area(projects: pd.DataFrame, benefits: pd.DataFrame, quarter: str = BASE_QUARTER) -> pd.DataFrame:
    """Contributions and cost summed per focus area (after :func:`area_allocation`)."""
    allocation = area_allocation(projects, benefits, quarter)
    grouped = allocation.groupby("area")[["contribution_eur", "total_cost_eur"]].sum()
    return grouped.sort_values("contribution_eur", ascending=False).reset_index()


def per_project(projects: pd.DataFrame, kwb: pd.DataFrame, benefits: pd.DataFrame, quarter: str = BASE_QUARTER,
                year: int | None = None) -> pd.DataFrame:
    """Contribution per bijstand recipient and per inhabitant aged 15+ of each project as a whole, in one quarter.

    Recipients and inhabitants 15+ both come from the benefit table in ``quarter`` (default
    the start of the projects, 2020Q4), summed over the areas a project serves; where the
    table does not cover all of them (offline: outside Heerlen) they are missing and ``note``
    says why. ``eur_per_inhabitant`` uses all inhabitants from the KWB year nearest to
    ``year`` (default the quarter's year), named in ``inhabitants_year``.
    """
    year = year or int(quarter[:4])
    allocation = area_allocation(projects, benefits, quarter)
    records = []
    for project in projects.itertuples():
        rows = allocation[allocation["project_id"] == project.project_id]
        recipients, people_15 = rows["bijstand_recipients"].sum(min_count=len(rows)), \
            rows["inhabitants_15_plus"].sum(min_count=len(rows))
        inhabitants = [_inhabitants(kwb, name, year) for name in rows["area"]]
        people = sum(count for count, _ in inhabitants) if all(pd.notna(c) for c, _ in inhabitants) else np.nan
        years = sorted({y for _, y in inhabitants if y})
        money = project.regio_deal_contribution_eur
        titles = dutch_list(list(rows["area_title"]))
        note = [] if pd.notna(recipients) else [f"geen bijstandscijfers voor {titles} in {quarter}"]
        records.append({
            "project_id": project.project_id, "project": project.project, "areas": project.areas,
            "area_titles": titles,
            "split_rule": "; ".join(r for r in dict.fromkeys(rows["split_rule"]) if r),
            "contribution_eur": money, "quarter": quarter, "bijstand_recipients": recipients,
            "inhabitants_15_plus": people_15,
            "eur_per_bijstand_recipient": money / recipients if pd.notna(recipients) and recipients else np.nan,
            "eur_per_inhabitant_15_plus": money / people_15 if pd.notna(people_15) and people_15 else np.nan,
            "inhabitants": people, "inhabitants_year": ", ".join(map(str, years)),
            "eur_per_inhabitant": money / people if pd.notna(people) and people else np.nan,
            "note": "; ".join(note),
        })
    return pd.DataFrame.from_records(records)


def recipients_trend(projects: pd.DataFrame, benefits: pd.DataFrame, start: str = BASE_QUARTER) -> pd.DataFrame:
    """Bijstand recipients per quarter from ``start`` on, in the areas each project serves, as an index on ``start``.

    ``index_lower`` and ``index_upper`` bound the index for CBS's rounding of the buurt counts:
    the lowest possible count over the highest possible start and vice versa (the start itself is 100).
    """
    later = benefits[benefits["period"] >= start]
    names = sorted({name for areas in projects["areas"] for name in split_areas(areas)})
    # one pass per area over all quarters: counts with their rounding bounds and how many regions lack one
    sums = {name: sum_counts(later, get_area(name), "bijstand_ontvangers").set_index("period") for name in names}
    records = []
    for project in projects.itertuples():
        served = [sums[name] for name in split_areas(project.areas)]
        for quarter in sorted(later["period"].unique()):
            rows = [area.loc[quarter] for area in served if quarter in area.index]
            complete = len(rows) == len(served) and all(row["regions_missing"] == 0 for row in rows)
            total, low, high = (sum(row[k] for row in rows) if complete else np.nan for k in ("value", "lower", "upper"))
            records.append({"project_id": project.project_id, "project": project.project, "period": quarter,
                            "bijstand_recipients": total, "lower": low, "upper": high})
    trend = pd.DataFrame.from_records(records)
    at_start = trend[trend["period"] == start].set_index("project_id")
    base = trend["project_id"].map(at_start["bijstand_recipients"])
    trend["index"] = 100 * trend["bijstand_recipients"] / base
    trend["index_lower"] = 100 * trend["lower"] / trend["project_id"].map(at_start["upper"])
    trend["index_upper"] = 100 * trend["upper"] / trend["project_id"].map(at_start["lower"])
    trend.loc[(trend["period"] == start) & trend["index"].notna(), ["index_lower", "index_upper"]] = 100.0
    return trend.drop(columns=["lower", "upper"])


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


def participation_sources(kwb: pd.DataFrame, press_release: pd.DataFrame) -> pd.DataFrame:
    """Netto arbeidsparticipatie per gemeente from the KWB (each year it has) beside the press release's figures.

    Returns ``gemeente``, ``source`` (``persbericht dec. 2020`` or ``KWB <year>``), ``value``. The press
    release names neither table nor year, so the two are not mixed (:func:`parkstad_analysis.pages.funding.
    participation_explanation` says why on the page).
    """
    from ..vocabulary.regions import current_gemeenten

    names = current_gemeenten()
    rows = [{"gemeente": r.gemeente, "source": "persbericht dec. 2020", "value": r.nettoarbeidsparticipatie}
            for r in press_release.itertuples()]
    gemeenten = kwb[(kwb["level"] == "gemeente") & kwb["gemeente_code"].isin(names)]
    for row in gemeenten.dropna(subset=["nettoarbeidsparticipatie"]).itertuples():
        rows.append({"gemeente": names[row.gemeente_code], "source": f"KWB {row.year}",
                     "value": float(row.nettoarbeidsparticipatie)})
    return pd.DataFrame.from_records(rows)
