"""Did a target area move? Difference-in-differences of a benefit rate against comparison buurten.

For a target area, a benefit kind and a start quarter, the rate per 1,000 inhabitants
aged 15+ of the target's buurten together is compared with that of comparison buurten
together, quarter by quarter:

* the estimate is the change of the gap (target minus comparison) from the quarters
  before the start (at most ``PRE_QUARTERS``) to the quarters from the start on;
* the event study is that gap per quarter, minus its mean before the start;
* inference is by permutation: the same estimate for many placebo groups of comparison
  buurten (as many buurten as the target, drawn from the comparison set, the rest of
  the set serving as their comparison), giving the target's rank and a two-sided p-value;
* CBS rounds the counts to 10: the true counts are drawn uniformly within their
  rounding interval many times, and the spread of the estimate is reported;
* buurten with fewer than ``MIN_INHABITANTS`` inhabitants aged 15+ on average before the
  start, or with a quarter missing in the window, are left out, and listed.

It shows whether the target moved differently from similar places; it does not prove
that the projects caused it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import combinations
from math import comb

import numpy as np
import pandas as pd

from ..dutch import dutch_list
from ..errors import DataFormatError, NoFiguresError, UnknownNameError
from ..vocabulary.areas import Area, as_area, focus_areas, get_area
from ..vocabulary.regions import gemeente_names

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
PLACEBOS = 999
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
    """The result for one target area: estimate, rounding interval, permutation p-value, event study, caveats."""

    area: str
    kind: str
    start: str
    comparison: str
    target: list[str]
    comparison_buurten: list[str]
    left_out: dict[str, str]
    estimate: float
    rounding_low: float
    rounding_high: float
    p_value: float
    rank: int
    placebos: int
    pre_slope: float
    pre_drift: float
    pre_trend_flag: bool
    events: pd.DataFrame = field(repr=False)
    pre_quarters: list[str] = field(default_factory=list)
    post_quarters: list[str] = field(default_factory=list)


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


def _gaps(r_target, p_target, r_comp, p_comp) -> np.ndarray:
    """Rate gaps (per 1,000) of target minus comparison; arrays (..., quarters)."""
    return 1000 * (r_target / p_target - r_comp / p_comp)


def _did(gaps: np.ndarray, n_pre: int) -> np.ndarray:
    return gaps[..., n_pre:].mean(axis=-1) - gaps[..., :n_pre].mean(axis=-1)


def _slope(values: np.ndarray) -> tuple[float, float]:
    """OLS slope per quarter and its standard error."""
    x = np.arange(len(values), dtype=float)
    x -= x.mean()
    slope = float((x * (values - values.mean())).sum() / (x * x).sum())
    residuals = values - values.mean() - slope * x
    dof = max(len(values) - 2, 1)
    return slope, float(np.sqrt((residuals ** 2).sum() / dof / (x * x).sum()))


def _placebo_groups(n_comparison: int, size: int, rng: np.random.Generator, count: int) -> np.ndarray:
    """Membership (groups × comparison buurten) of placebo groups of ``size`` buurten, every group when few."""
    size = max(1, min(size, n_comparison // 2))
    if comb(n_comparison, size) <= count:
        chosen = list(combinations(range(n_comparison), size))
    else:
        chosen = {tuple(sorted(rng.choice(n_comparison, size, replace=False))) for _ in range(count * 2)}
        chosen = sorted(chosen)[:count] if len(chosen) > count else sorted(chosen)
    groups = np.zeros((len(chosen), n_comparison), dtype=bool)
    for row, members in enumerate(chosen):
        groups[row, list(members)] = True
    return groups


def _matched(panel: Panel, target: list[str], candidates: list[str], pre: list[str]) -> list[str]:
    """The half of the candidates (at least five) closest to the target in pre-start level and slope of the rate."""
    rates = 1000 * panel.recipients.loc[:, pre] / panel.inhabitants.loc[:, pre]
    pooled = 1000 * panel.recipients.loc[target, pre].sum() / panel.inhabitants.loc[target, pre].sum()
    features = pd.DataFrame({"level": rates.mean(axis=1), "slope": rates.apply(lambda r: _slope(r.to_numpy())[0], axis=1)})
    goal = np.array([pooled.mean(), _slope(pooled.to_numpy())[0]])
    spread = features.loc[candidates].std().replace(0, 1).to_numpy()
    distance = (((features.loc[candidates].to_numpy() - goal) / spread) ** 2).sum(axis=1)
    keep = max(5, len(candidates) // 2)
    return [candidates[i] for i in np.argsort(distance, kind="stable")[:keep]]


def _placebo_test(rc: np.ndarray, pc: np.ndarray, size: int, n_pre: int, estimate: float, rng: np.random.Generator,
                  count: int) -> tuple[float, int, np.ndarray, int]:
    """Two-sided permutation test: the estimate for placebo groups of comparison buurten (``rc``, ``pc``: their
    counts), each against the rest of the set. Returns the p-value, the target's rank, the placebos' event
    studies and how many placebos there were."""
    groups = _placebo_groups(len(rc), size, rng, count).astype(float)
    group_r, group_p = groups @ rc, groups @ pc
    gaps = _gaps(group_r, group_p, rc.sum(0) - group_r, pc.sum(0) - group_p)
    events = gaps - gaps[:, :n_pre].mean(axis=1, keepdims=True)
    did = _did(gaps, n_pre)
    larger = int((np.abs(did) >= abs(estimate) - 1e-12).sum())
    rank = 1 + int((np.abs(did) > abs(estimate)).sum())
    return (1 + larger) / (1 + len(did)), rank, events, len(did)


def _rounding_range(r: np.ndarray, p: np.ndarray, n_target: int, n_pre: int, rng: np.random.Generator,
                    simulations: int) -> tuple[float, float]:
    """The 95 % range of the estimate when each published count ``c`` (rounded to 10) is a true count drawn
    uniformly from ``[c - 5, c + 5)``; the first ``n_target`` rows are the target's buurten."""
    half = ROUNDING / 2
    draws = []
    for _ in range(simulations):
        true_r = np.clip(r + rng.uniform(-half, half, r.shape), 0, None)
        true_p = np.clip(p + rng.uniform(-half, half, p.shape), 1, None)
        gaps = _gaps(true_r[:n_target].sum(0), true_p[:n_target].sum(0), true_r[n_target:].sum(0),
                     true_p[n_target:].sum(0))
        draws.append(float(_did(gaps, n_pre)))
    low, high = np.percentile(draws, [2.5, 97.5])
    return float(low), float(high)


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
    others = [c for c in every if c not in _focus_buurten(every)]
    result = evaluate_panel(panel, target, others, start, comparison=comparison, seed=seed, placebos=placebos,
                            simulations=simulations)
    result.area, result.kind = area.name, kind
    return result


def evaluate_panel(panel: Panel, target: list[str], others: list[str], start: str = DEFAULT_START, *,
                   comparison: str = "gemeente", seed: int = 2020, placebos: int = PLACEBOS,
                   simulations: int = SIMULATIONS) -> Evaluation:
    """The evaluation of ``target`` buurten against ``others`` in a panel (see :func:`evaluate`).

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
    if len(chosen) < 4:
        raise DataFormatError(f"{len(chosen)} comparison buurten; at least 4 are needed")
    window = pre + post
    r = panel.recipients.loc[:, window].to_numpy()
    p = panel.inhabitants.loc[:, window].to_numpy()
    index = {code: i for i, code in enumerate(panel.recipients.index)}
    t_rows, c_rows = [index[c] for c in kept_target], [index[c] for c in chosen]
    gaps = _gaps(r[t_rows].sum(0), p[t_rows].sum(0), r[c_rows].sum(0), p[c_rows].sum(0))
    n_pre = len(pre)
    estimate = float(_did(gaps, n_pre))
    events = gaps - gaps[:n_pre].mean()

    rng = np.random.default_rng(seed)
    p_value, rank, placebo_events, count = _placebo_test(r[c_rows], p[c_rows], len(t_rows), n_pre, estimate, rng,
                                                         placebos)
    low, high = _rounding_range(r[t_rows + c_rows], p[t_rows + c_rows], len(t_rows), n_pre, rng, simulations)

    slope, error = _slope(gaps[:n_pre])
    drift = slope * (n_pre - 1)
    flagged = bool(abs(slope) > 1.96 * error and abs(drift) > DRIFT_FLAG)
    offsets = np.arange(len(window)) - n_pre
    table = pd.DataFrame({
        "period": window, "quarter_from_start": offsets,
        "target_rate": 1000 * r[t_rows].sum(0) / p[t_rows].sum(0),
        "comparison_rate": 1000 * r[c_rows].sum(0) / p[c_rows].sum(0),
        "gap": gaps, "effect": events,
        "placebo_low": np.percentile(placebo_events, 5, axis=0), "placebo_high": np.percentile(placebo_events, 95, axis=0),
    })
    return Evaluation(area="", kind="", start=start, comparison=comparison, target=kept_target,
                      comparison_buurten=chosen, left_out=left_out, estimate=estimate, rounding_low=float(low),
                      rounding_high=float(high), p_value=float(p_value), rank=rank, placebos=count,
                      pre_slope=slope, pre_drift=float(drift), pre_trend_flag=flagged, events=table,
                      pre_quarters=pre, post_quarters=post)
