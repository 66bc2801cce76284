"""Difference-in-differences on a buurt panel: the estimate, its inference and how much it can be trusted.

The estimate is a two-way fixed-effects regression of the rate per buurt and quarter on "in the area, from the start
on", with buurt and quarter effects, weighted by each buurt's inhabitants 15+ before the start, and standard errors
clustered by buurt: fitted with **pyfixest**, which follows R's fixest (the estimator applied economists check
against; a test reproduces Kessler and Roth's organ-donation estimate with it). On a balanced panel with weights
fixed per buurt that regression has a closed form, the difference of the weighted mean changes of the two groups
(:func:`weighted_did`); the closed form is what randomisation inference recomputes for every other assignment of the
area's label, and a test checks that it equals pyfixest's coefficient.

* **Randomisation inference**: the area's label is given to every other group of as many buurten among all buurten of
  the evaluation (area and comparison together), exactly when there are at most :data:`EXACT_LIMIT` such groups,
  else to :data:`DRAWS` random ones; the p-value is the share of assignments with an estimate at least as far from
  zero as the area's.
* **Rounding**: CBS rounds counts to tens. The estimate is recomputed with true counts drawn within their rounding
  interval, once with an independent error per buurt and quarter, once with one error per buurt before the start and
  one from the start on (as when a buurt's true count hardly moves); the wider range is the one to show.
* **Pre-trends**: the gap's linear trend before the start, the estimate with that trend carried forward, the trend
  difference that alone would produce the whole estimate, and the estimate for other pre-start windows.
* **A second estimator**: a synthetic control (pysyncon, Abadie and Gardeazabal's method) of the area from the
  comparison buurten, matched on every quarter before the start, with placebo-in-space inference.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from itertools import combinations
from math import comb

import numpy as np
import pandas as pd

__all__ = ["DRAWS", "EXACT_LIMIT", "Assignments", "PanelData", "SyntheticControl", "assignments", "event_gaps", "group_rates",
           "linear_trend", "pre_windows", "rounding_range", "synthetic_control", "twfe", "weighted_did"]

#: Assignments of the area's label enumerated in full up to this many; beyond it, :data:`DRAWS` random ones.
EXACT_LIMIT = 200_000
DRAWS = 9_999


@dataclass
class PanelData:
    """Rates per 1,000 (buurten × quarters) of the evaluation's buurten, their weights and who is in the area."""

    codes: list[str]
    quarters: list[str]
    rates: np.ndarray
    weights: np.ndarray
    treated: np.ndarray
    n_pre: int

    @classmethod
    def from_counts(cls, codes: list[str], quarters: list[str], recipients: np.ndarray, inhabitants: np.ndarray,
                    treated: np.ndarray, n_pre: int) -> PanelData:
        """Rates from counts; each buurt weighted by its mean inhabitants 15+ before the start (fixed weights)."""
        return cls(codes, quarters, 1000 * recipients / inhabitants, inhabitants[:, :n_pre].mean(axis=1),
                   treated.astype(bool), n_pre)


def twfe(data: PanelData) -> tuple[float, float, pd.DataFrame]:
    """The two-way fixed-effects estimate with its buurt-clustered standard error (CRV1, as fixest), and the event
    study: one coefficient per quarter relative to the last quarter before the start, with its 95 % interval."""
    import pyfixest as pf

    n, t = data.rates.shape
    frame = pd.DataFrame({"buurt": np.repeat(data.codes, t), "quarter": np.tile(data.quarters, n),
                          "rate": data.rates.ravel(), "weight": np.repeat(data.weights, t),
                          "group": np.repeat(data.treated.astype(int), t),
                          "relative": np.tile(np.arange(t) - data.n_pre, n)})
    frame["treated"] = frame["group"] * (frame["relative"] >= 0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # pyfixest's notes on its defaults
        model = pf.feols("rate ~ treated | buurt + quarter", data=frame, weights="weight", vcov={"CRV1": "buurt"})
        events = pf.feols("rate ~ i(relative, group, ref=-1) | buurt + quarter", data=frame, weights="weight",
                          vcov={"CRV1": "buurt"})
    table = events.tidy().reset_index()
    table["quarter_from_start"] = table["Coefficient"].str.extract(r"relative::(-?\d+)").astype(int)
    study = table[["quarter_from_start", "Estimate", "2.5%", "97.5%"]].rename(
        columns={"Estimate": "event_estimate", "2.5%": "event_low", "97.5%": "event_high"})
    return float(model.coef()["treated"]), float(model.se()["treated"]), study


def weighted_did(rates: np.ndarray, weights: np.ndarray, members: np.ndarray, n_pre: int) -> np.ndarray:
    """The two-way fixed-effects estimate in closed form for one or many assignments of the area's label.

    ``members`` is boolean (assignments × buurten) or one assignment (buurten,). Each buurt's change is its mean rate
    from the start on minus its mean before; the estimate is the weighted mean change of the members minus that of
    the others, which is what the weighted regression with buurt and quarter effects gives on a balanced panel.
    """
    change = rates[:, n_pre:].mean(axis=1) - rates[:, :n_pre].mean(axis=1)
    groups = np.atleast_2d(members).astype(float)
    inside = (groups @ (weights * change)) / (groups @ weights)
    outside = ((1 - groups) @ (weights * change)) / ((1 - groups) @ weights)
    result = inside - outside
    return result if np.ndim(members) > 1 else result[0]


def group_rates(rates: np.ndarray, weights: np.ndarray, members: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per quarter, the weighted mean rate of the members and that of the others; each of shape
    (assignments, quarters), or (quarters,) for one assignment."""
    groups = np.atleast_2d(members).astype(float)
    weighted = weights[:, None] * rates
    inside = (groups @ weighted) / (groups @ weights)[:, None]
    outside = ((1 - groups) @ weighted) / ((1 - groups) @ weights)[:, None]
    return (inside, outside) if np.ndim(members) > 1 else (inside[0], outside[0])


def event_gaps(rates: np.ndarray, weights: np.ndarray, members: np.ndarray, n_pre: int) -> np.ndarray:
    """Per quarter, the weighted mean rate of the members minus that of the others, minus its mean before the start
    (whose mean from the start on is :func:`weighted_did`); shape (assignments, quarters) or (quarters,)."""
    inside, outside = group_rates(rates, weights, members)
    gaps = inside - outside
    return gaps - gaps[..., :n_pre].mean(axis=-1, keepdims=True)


@dataclass
class Assignments:
    """The groups the area's label is given to in randomisation inference."""

    members: np.ndarray
    exact: bool
    possible: int


def assignments(n: int, size: int, rng: np.random.Generator, limit: int = EXACT_LIMIT, draws: int = DRAWS
                ) -> Assignments:
    """Every group of ``size`` among ``n`` buurten when there are at most ``limit``, else ``draws`` random groups
    (with the possible number, for the page to state)."""
    possible = comb(n, size)
    if possible <= limit:
        chosen = np.zeros((possible, n), dtype=bool)
        for row, group in enumerate(combinations(range(n), size)):
            chosen[row, list(group)] = True
        return Assignments(chosen, True, possible)
    chosen = np.zeros((draws, n), dtype=bool)
    for row in range(draws):
        chosen[row, rng.choice(n, size, replace=False)] = True
    return Assignments(chosen, False, possible)


def rounding_range(recipients: np.ndarray, inhabitants: np.ndarray, treated: np.ndarray, n_pre: int,
                   rng: np.random.Generator, simulations: int, persistent: bool, rounding: float = 10
                   ) -> tuple[float, float]:
    """The 95 % range of the estimate when each published count ``c`` (rounded to ``rounding``) is a true count in
    ``[c - rounding/2, c + rounding/2)``: drawn per buurt and quarter, or (``persistent``) once per buurt before the
    start and once from the start on, as when a buurt's true count hardly moves within each period. Independent
    errors average out over the quarters; persistent ones do not (an error the same in every quarter would cancel
    in the difference, so the persistent case keeps one per period)."""
    half = rounding / 2
    n, t = recipients.shape
    phase = (np.arange(t) >= n_pre).astype(int)  # 0 before the start, 1 from it on

    def error() -> np.ndarray:
        return rng.uniform(-half, half, (n, 2))[:, phase] if persistent else rng.uniform(-half, half, (n, t))

    estimates = []
    for _ in range(simulations):
        true_r = np.clip(recipients + error(), 0, None)
        true_p = np.clip(inhabitants + error(), 1, None)
        data = PanelData.from_counts([], [], true_r, true_p, treated, n_pre)
        estimates.append(weighted_did(data.rates, data.weights, treated, n_pre))
    low, high = np.percentile(estimates, [2.5, 97.5])
    return float(low), float(high)


def linear_trend(values: np.ndarray) -> tuple[float, float]:
    """OLS slope per quarter and its standard error."""
    x = np.arange(len(values), dtype=float)
    x -= x.mean()
    slope = float((x * (values - values.mean())).sum() / (x * x).sum())
    residuals = values - values.mean() - slope * x
    return slope, float(np.sqrt((residuals ** 2).sum() / max(len(values) - 2, 1) / (x * x).sum()))


def pre_windows(recipients: np.ndarray, inhabitants: np.ndarray, treated: np.ndarray, begin: int,
                lengths: tuple[int, ...] = (4, 8, 12, 16, 20)) -> dict[int, float]:
    """The estimate with each pre-start window (quarters before the start) the data allow: how much the result
    depends on the years it is compared with. ``begin`` is the start's column."""
    found = {}
    for length in lengths:
        columns = slice(begin - length, None)
        if length <= begin and not (np.isnan(recipients[:, columns]).any() or np.isnan(inhabitants[:, columns]).any()):
            data = PanelData.from_counts([], [], recipients[:, columns], inhabitants[:, columns], treated, length)
            found[length] = float(weighted_did(data.rates, data.weights, treated, length))
    return found


@dataclass
class SyntheticControl:
    """The area against a weighted mix of comparison buurten that followed it before the start (a second estimator
    beside the difference-in-differences), with placebo-in-space inference."""

    #: Mean gap (area minus its synthetic control) from the start on, minus the mean gap before it.
    estimate: float
    #: Root mean squared gap before the start: how closely the mix followed the area (per 1,000).
    pre_rmspe: float
    #: Share of the comparison buurten (each as if it were the area, against the others) whose ratio of gaps after to
    #: before the start is at least the area's, counting the area itself (Abadie, Diamond and Hainmueller).
    p_value: float
    #: Comparison buurt → weight in the mix (weights of at least 1 %).
    weights: dict[str, float]
    #: The synthetic control's rate per quarter.
    path: np.ndarray


def _synthetic_fit(outcome: np.ndarray, donors: np.ndarray, n_pre: int) -> tuple[np.ndarray, np.ndarray]:
    """pysyncon's synthetic control of one series on donor series (quarters × donors), matched on every quarter
    before the start with equal importance; returns the weights and the gap per quarter."""
    from pysyncon import Synth

    quarters = [str(i) for i in range(n_pre)]
    before = pd.DataFrame(donors[:n_pre], index=quarters)
    target = pd.Series(outcome[:n_pre], index=quarters, name="area")
    model = Synth()
    model.fit(X0=before, X1=target, Z0=before, Z1=target, custom_V=np.ones(n_pre))
    weights = np.asarray(model.W, dtype=float)
    return weights, outcome - donors @ weights


def synthetic_control(data: PanelData) -> SyntheticControl:
    """The area (its buurten's weighted mean rate) against a synthetic control of the comparison buurten, with a
    placebo for every comparison buurt (it against the others)."""
    area, _ = group_rates(data.rates, data.weights, data.treated)
    donors = data.rates[~data.treated].T
    n_pre = data.n_pre

    def ratio(gap: np.ndarray) -> float:
        before = np.sqrt(np.mean(gap[:n_pre] ** 2))
        return float(np.sqrt(np.mean(gap[n_pre:] ** 2)) / max(before, 1e-9))

    weights, gap = _synthetic_fit(area, donors, n_pre)
    placebo = [ratio(_synthetic_fit(donors[:, j], np.delete(donors, j, axis=1), n_pre)[1])
               for j in range(donors.shape[1])]
    own = ratio(gap)
    codes = [code for code, treated in zip(data.codes, data.treated, strict=True) if not treated]
    return SyntheticControl(float(gap[n_pre:].mean() - gap[:n_pre].mean()), float(np.sqrt(np.mean(gap[:n_pre] ** 2))),
                            (1 + sum(r >= own for r in placebo)) / (1 + len(placebo)),
                            {c: float(w) for c, w in zip(codes, weights, strict=True) if w >= 0.01},
                            donors @ weights)
