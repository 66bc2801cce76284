"""Did a target area move? Difference-in-differences of a benefit rate against comparison buurten.

For a target area, a benefit kind and a start quarter, the rate per 1,000 inhabitants aged 15+ of each buurt of the
area and of comparison buurten is followed quarter by quarter (:mod:`.did` holds the estimators):

* the estimate is a two-way fixed-effects regression (pyfixest; buurt and quarter effects, buurten weighted by their
  inhabitants 15+ before the start, errors clustered by buurt) over the quarters before the start (at most
  ``PRE_QUARTERS``) and from the start on; the event study gives it per quarter;
* inference is by randomisation: the area's label given to every other group of as many buurten among the area's
  and the comparison's (or to random groups when there are too many), giving a two-sided p-value;
* CBS rounds the counts to 10: the estimate is recomputed with true counts drawn within their rounding interval,
  independently per quarter and persistently per buurt;
* the gap's trend before the start is measured, carried forward, and compared with the estimate;
* buurten with fewer than ``MIN_INHABITANTS`` inhabitants aged 15+ on average before the
  start, or with a quarter missing in the window, are left out, and every buurt of the gemeente has one role.

It shows whether the target moved differently from the comparison; it does not prove that the projects caused it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..dutch import dutch_list
from ..errors import DataFormatError, NoFiguresError, UnknownNameError
from ..vocabulary.areas import Area, as_area, focus_areas, get_area
from ..vocabulary.regions import gemeente_names
from . import did

__all__ = [
    "COMPARISONS", "DEFAULT_START", "DRIFT_FLAG", "KINDS", "MIN_INHABITANTS", "PLACEBOS", "POPULATION", "PRE_QUARTERS",
    "ROUNDING", "SIMULATIONS", "Evaluation", "Panel", "benefit_panel", "evaluate", "evaluate_panel", "target_buurten"
]

#: Benefit kinds and their count column in the benefits table.
KINDS = {"bijstand": "bijstand_ontvangers", "ww": "ww_ontvangers", "ao": "ao_ontvangers"}
POPULATION = "inwoners_15_plus"
#: The first quarter after the press release of 17 December 2020.
DEFAULT_START = "2021Q1"
COMPARISONS = ("gemeente", "matched")
#: Quarters before the start that the estimate compares with (three years).
PRE_QUARTERS = 12
#: Buurten smaller than this (inhabitants 15+, mean before the start) are left out: a few people move the rate a lot.
MIN_INHABITANTS = 200
#: CBS rounds these counts to multiples of this.
ROUNDING = 10
#: Random assignments of the area's label when there are too many to enumerate (see :data:`.did.EXACT_LIMIT`).
PLACEBOS = did.DRAWS
SIMULATIONS = 300
#: A pre-start drift of the gap beyond this (per 1,000, over the pre-start window) with a slope whose 95 % interval
#: excludes zero is flagged: target and comparison did not move in parallel before the start.
DRIFT_FLAG = 2.0


@dataclass
class Panel:
    """Counts per buurt (rows) and quarter (columns) of one benefit kind, with the inhabitants 15+ they are rates of."""

    recipients: pd.DataFrame
    inhabitants: pd.DataFrame

    @property
    def quarters(self) -> list[str]:
        """The quarters, in order."""
        return list(self.recipients.columns)


@dataclass
class Evaluation:
    """The result for one target area: estimate, inference, rounding ranges, pre-trend, event study, roles."""

    area: str
    kind: str
    start: str
    comparison: str
    target: list[str]
    comparison_buurten: list[str]
    #: Every other buurt of the gemeente with why it is neither area nor comparison.
    left_out: dict[str, str]
    estimate: float
    standard_error: float
    #: The rounding range shown: the wider of the two assumptions in :attr:`rounding`.
    rounding_low: float
    rounding_high: float
    p_value: float
    rank: int
    #: How many assignments the p-value is computed over; all possible ones when :attr:`exact`.
    placebos: int
    exact: bool
    possible: int
    pre_slope: float
    pre_slope_error: float
    pre_drift: float
    pre_trend_flag: bool
    #: The estimate with the gap's linear trend before the start carried forward.
    trend_adjusted: float
    #: The difference in trend (per 1,000 per quarter) that alone would produce the whole estimate.
    breakdown_slope: float
    #: ``{"independent": (low, high), "persistent": (low, high)}``: the rounding range under each assumption.
    rounding: dict[str, tuple[float, float]]
    #: The estimate for other pre-start windows: quarters before the start → estimate.
    pre_windows: dict[int, float]
    #: The second estimator: a synthetic control of the area from the comparison buurten (``None`` when not asked).
    synthetic: did.SyntheticControl | None
    events: pd.DataFrame = field(repr=False)
    pre_quarters: list[str] = field(default_factory=list)
    post_quarters: list[str] = field(default_factory=list)

    @property
    def trend_explains(self) -> bool:
        """Whether the whole difference may be the gap's trend before the start continuing: the gap already moved as
        much, in the same direction, before the start, or the estimate with that trend carried forward is less than
        half of it or of the other sign. A trend the other way (the estimate grows when it is carried forward) does
        not explain it."""
        same_way = np.sign(self.pre_drift) == np.sign(self.estimate)
        return bool(same_way and (abs(self.pre_drift) >= abs(self.estimate)
                                  or abs(self.trend_adjusted) < abs(self.estimate) / 2
                                  or np.sign(self.trend_adjusted) != np.sign(self.estimate)))


def benefit_panel(benefits: pd.DataFrame, gemeente: str, kind: str) -> Panel:
    """The buurten of one gemeente as a panel of counts per quarter (``kind``: bijstand, ww or ao).

    Raises
    ------
    UnknownNameError
        For an unknown kind.
    DataFormatError
        When the benefits table holds no buurt of the gemeente.
    """
    if kind not in KINDS:
        raise UnknownNameError("benefit kind", kind, list(KINDS))
    rows = benefits[(benefits["level"] == "buurt") & (benefits["gemeente_code"] == gemeente)]
    if rows.empty:
        names = gemeente_names()
        covered = sorted(names.get(code, code) for code in benefits.loc[benefits["level"] == "buurt", "gemeente_code"]
                         .dropna().unique())
        raise NoFiguresError(f"benefits: no buurt figures for gemeente {gemeente}; fetch its benefit tables first",
                             f"Geen uitkeringscijfers per buurt voor {names.get(gemeente, gemeente)} in de beschikbare "
                             "bestanden; zonder die cijfers is deze vergelijking niet te maken. Per buurt zijn er "
                             f"cijfers voor {dutch_list(covered) if covered else 'geen enkele gemeente'}: kies een gebied "
                             "daarin, of haal de "
                             "uitkeringstabellen van deze gemeente op (parkstad fetch).")
    recipients = rows.pivot_table(index="region_code", columns="period", values=KINDS[kind], aggfunc="first")
    # a buurt without a single figure stays in the panel (all missing), so that the evaluation names it
    recipients = recipients.reindex(sorted(rows["region_code"].unique()))
    inhabitants = rows.pivot_table(index="region_code", columns="period", values=POPULATION, aggfunc="first")
    inhabitants = inhabitants.reindex(index=recipients.index, columns=recipients.columns)
    return Panel(recipients.astype(float), inhabitants.astype(float))


def target_buurten(area: Area, codes: list[str]) -> list[str]:
    """The buurt codes (among ``codes``) that make up the area: its own buurten, or those of its wijken."""
    if area.level == "buurt":
        return [c for c in codes if c in set(area.codes)]
    if area.level == "wijk":
        wijken = {c[2:8] for c in area.codes}
        return [c for c in codes if c[2:8] in wijken]
    raise DataFormatError(f"area {area.name!r}: an evaluation needs a buurt or wijk area, not a {area.level}")


def _focus_buurten(codes: list[str]) -> set[str]:
    found: set[str] = set()
    for name in focus_areas():
        area = get_area(name)
        if area.level in ("buurt", "wijk"):
            found |= set(target_buurten(area, codes))
    return found


def _usable(panel: Panel, window: list[str], pre: list[str]) -> tuple[list[str], dict[str, str]]:
    """Buurten with every quarter of the window and enough inhabitants; the others with the reason."""
    left_out = {}
    recipients, inhabitants = panel.recipients[window], panel.inhabitants[window]
    for code in panel.recipients.index:
        if recipients.loc[code].isna().any() or inhabitants.loc[code].isna().any():
            left_out[code] = "niet elk kwartaal bekend (geheim of niet gepubliceerd)"
        elif inhabitants.loc[code, pre].mean() < MIN_INHABITANTS:
            left_out[code] = f"minder dan {MIN_INHABITANTS} inwoners van 15 jaar en ouder"
    return [c for c in panel.recipients.index if c not in left_out], left_out


def _matched(panel: Panel, target: list[str], candidates: list[str], pre: list[str]) -> list[str]:
    """The half of the candidates (at least five) closest to the target in pre-start level and slope of the rate."""
    rates = 1000 * panel.recipients.loc[:, pre] / panel.inhabitants.loc[:, pre]
    pooled = 1000 * panel.recipients.loc[target, pre].sum() / panel.inhabitants.loc[target, pre].sum()
    slopes = rates.apply(lambda row: did.linear_trend(row.to_numpy())[0], axis=1)
    features = pd.DataFrame({"level": rates.mean(axis=1), "slope": slopes})
    goal = np.array([pooled.mean(), did.linear_trend(pooled.to_numpy())[0]])
    spread = features.loc[candidates].std().replace(0, 1).to_numpy()
    distance = (((features.loc[candidates].to_numpy() - goal) / spread) ** 2).sum(axis=1)
    keep = max(5, len(candidates) // 2)
    return [candidates[i] for i in np.argsort(distance, kind="stable")[:keep]]


def evaluate(benefits: pd.DataFrame, area: Area | str, kind: str = "bijstand", start: str = DEFAULT_START,
             comparison: str = "gemeente", *, seed: int = 2020, placebos: int = PLACEBOS,
             simulations: int = SIMULATIONS) -> Evaluation:
    """Difference-in-differences of one benefit rate for one focus area against comparison buurten.

    Parameters
    ----------
    benefits : DataFrame
        The processed benefits table (buurt counts per quarter).
    area : Area or str
        A buurt or wijk area (``gms``, ``hoensbroek``, ``heerlen_noord``, …).
    kind : {"bijstand", "ww", "ao"}
    start : str
        The first quarter the projects could act in (default 2021Q1).
    comparison : {"gemeente", "matched"}
        The buurten of the same gemeente outside every focus area, or the half of them closest
        to the target in the level and trend of its rate before the start.
    seed, placebos, simulations
        Random seed, number of placebo groups, number of rounding simulations.

    Returns
    -------
    Evaluation

    Raises
    ------
    UnknownNameError, DataFormatError
        For an unknown kind or comparison, a start outside the data, or too few buurten.
    """
    if comparison not in COMPARISONS:
        raise UnknownNameError("comparison", comparison, COMPARISONS)
    area = as_area(area)
    panel = benefit_panel(benefits, area.gemeente, kind)
    every = list(panel.recipients.index)
    target = target_buurten(area, every)
    focus = _focus_buurten(every)
    others = [c for c in every if c not in focus]
    result = evaluate_panel(panel, target, others, start, comparison=comparison, seed=seed, placebos=placebos,
                            simulations=simulations)
    result.area, result.kind = area.name, kind
    # every buurt of the gemeente in one role: those of another focus area are named as such
    for code in every:
        if code not in set(result.target) | set(result.comparison_buurten) | set(result.left_out):
            owners = [get_area(name).title for name in focus_areas() if get_area(name).level in ("buurt", "wijk")
                      and code in target_buurten(get_area(name), [code])]
            result.left_out[code] = (f"hoort bij een ander focusgebied ({dutch_list(owners)})" if owners
                                     else "niet in de vergelijking")
    return result


def evaluate_panel(panel: Panel, target: list[str], others: list[str], start: str = DEFAULT_START, *,
                   comparison: str = "gemeente", seed: int = 2020, placebos: int = PLACEBOS,
                   simulations: int = SIMULATIONS, synthetic: bool = True) -> Evaluation:
    """The evaluation of ``target`` buurten against ``others`` in a panel (see :func:`evaluate`); ``synthetic``
    adds the synthetic control (one fit per comparison buurt for its inference: leave it out where speed matters).

    Buurten without every quarter of the window, or too small, are left out first and listed.
    """
    quarters = panel.quarters
    if start not in quarters or quarters.index(start) < 2:
        raise DataFormatError(f"start {start!r}: expected a quarter at least two quarters after the first in the data "
                              f"({quarters[2] if len(quarters) > 2 else '-'}–{quarters[-1]})")
    begin = quarters.index(start)
    pre, post = quarters[max(0, begin - PRE_QUARTERS):begin], quarters[begin:]
    usable, left_out = _usable(panel, pre + post, pre)
    left_out = {c: why for c, why in left_out.items() if c in set(target) | set(others)}
    kept_target = [c for c in target if c in usable]
    candidates = [c for c in others if c in usable and c not in set(target)]
    if not kept_target:
        raise DataFormatError(f"none of the target buurten has figures for every quarter {pre[0]}–{post[-1]} "
                              f"and at least {MIN_INHABITANTS} inhabitants 15+")
    chosen = _matched(panel, kept_target, candidates, pre) if comparison == "matched" else candidates
    left_out |= {c: "minder gelijkend vóór de start (gelijkende vergelijking)" for c in candidates if c not in chosen}
    if len(chosen) < 4:
        raise DataFormatError(f"{len(chosen)} comparison buurten; at least 4 are needed")
    codes, window, n_pre = kept_target + chosen, pre + post, len(pre)
    recipients = panel.recipients.loc[codes, window].to_numpy()
    inhabitants = panel.inhabitants.loc[codes, window].to_numpy()
    treated = np.arange(len(codes)) < len(kept_target)
    data = did.PanelData.from_counts(codes, window, recipients, inhabitants, treated, n_pre)
    estimate, error, study = did.twfe(data)

    rng = np.random.default_rng(seed)
    drawn = did.assignments(len(codes), len(kept_target), rng, draws=placebos)
    placebo = did.weighted_did(data.rates, data.weights, drawn.members, n_pre)
    beyond = np.abs(placebo) >= abs(estimate) - 1e-9
    # exact: the area's own assignment is among all of them; drawn: it is added to the random ones
    p_value = beyond.mean() if drawn.exact else (1 + beyond.sum()) / (1 + len(placebo))
    rank = 1 + int((np.abs(placebo) > abs(estimate) + 1e-9).sum())
    placebo_events = did.event_gaps(data.rates, data.weights, drawn.members, n_pre)
    rounding = {kind: did.rounding_range(recipients, inhabitants, treated, n_pre, rng, simulations, kind == "persistent",
                                         ROUNDING) for kind in ("independent", "persistent")}
    low, high = max(rounding.values(), key=lambda bounds: bounds[1] - bounds[0])

    target_rate, comparison_rate = did.group_rates(data.rates, data.weights, treated)
    gaps = target_rate - comparison_rate
    events = gaps - gaps[:n_pre].mean()
    slope, slope_error = did.linear_trend(gaps[:n_pre])
    distance = float(np.arange(n_pre, len(window)).mean() - np.arange(n_pre).mean())  # quarters between the halves
    drift = slope * (n_pre - 1)
    flagged = bool(abs(slope) > 1.96 * slope_error and abs(drift) > DRIFT_FLAG)
    windows = did.pre_windows(panel.recipients.loc[codes].to_numpy(), panel.inhabitants.loc[codes].to_numpy(),
                              treated, quarters.index(start))
    table = pd.DataFrame({
        "period": window, "quarter_from_start": np.arange(len(window)) - n_pre,
        "target_rate": target_rate, "comparison_rate": comparison_rate,
        "gap": gaps, "effect": events,
        "placebo_low": np.percentile(placebo_events, 5, axis=0), "placebo_high": np.percentile(placebo_events, 95, axis=0),
    }).merge(study, on="quarter_from_start", how="left")
    return Evaluation(area="", kind="", start=start, comparison=comparison, target=kept_target,
                      comparison_buurten=chosen, left_out=left_out, estimate=estimate, standard_error=error,
                      rounding_low=low, rounding_high=high, p_value=float(p_value), rank=rank, placebos=len(placebo),
                      exact=drawn.exact, possible=drawn.possible, pre_slope=slope, pre_slope_error=slope_error,
                      pre_drift=float(drift), pre_trend_flag=flagged, trend_adjusted=float(estimate - slope * distance),
                      breakdown_slope=float(estimate / distance), rounding=rounding, pre_windows=windows,
                      synthetic=did.synthetic_control(data) if synthetic else None, events=table, pre_quarters=pre,
                      post_quarters=post)
