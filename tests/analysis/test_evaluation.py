"""The before/after evaluation on synthetic panels where the truth is known, and on the real Heerlen buurten."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from parkstad_analysis.analysis.evaluation import Panel, evaluate, evaluate_panel
from parkstad_analysis.errors import DataFormatError, UnknownNameError

QUARTERS = [f"{year}Q{q}" for year in range(2013, 2025) for q in range(1, 5)][:45]  # 2013Q1–2024Q1, as CBS's
START = "2021Q1"


def synthetic(seed: int, effect: float = 0.0, pre_divergence: float = 0.0, buurten: int = 60,
              targets: int = 8) -> tuple[Panel, list[str], list[str]]:
    """Poisson recipients around buurt levels and a shared trend, counts rounded to 10 as CBS does.

    ``effect`` (per 1,000) is added to the target buurten from the start on; ``pre_divergence``
    (per 1,000 per quarter) makes the targets drift away from the others before the start.
    """
    rng = np.random.default_rng(seed)
    codes = [f"BU0917{i:04d}" for i in range(buurten)]
    inhabitants = rng.uniform(800, 3000, buurten)[:, None] * np.ones(len(QUARTERS))
    level = rng.uniform(20, 80, buurten)[:, None]
    t = np.arange(len(QUARTERS))
    shared = 8 * np.sin(t / 6) - 0.2 * t  # a business cycle and a slow decline, the same everywhere
    rate = level + shared
    target = list(rng.choice(buurten, targets, replace=False))
    begin = QUARTERS.index(START)
    rate[target] += effect * (t >= begin)
    rate[target] += pre_divergence * np.minimum(t - begin, 0)
    recipients = rng.poisson(np.clip(rate, 1, None) * inhabitants / 1000)
    rounded = lambda values: np.round(values / 10) * 10  # noqa: E731
    frame = lambda values: pd.DataFrame(values, index=codes, columns=QUARTERS, dtype=float)  # noqa: E731
    panel = Panel(frame(rounded(recipients)), frame(rounded(inhabitants)))
    chosen = [codes[i] for i in target]
    return panel, chosen, [c for c in codes if c not in chosen]


def test_an_injected_effect_is_recovered():
    """By both estimators: the difference-in-differences and the synthetic control (on fewer panels: it fits once
    per comparison buurt)."""
    for seed in range(10):
        panel, target, others = synthetic(seed, effect=-10)
        result = evaluate_panel(panel, target, others, START, simulations=50, synthetic=seed < 3)
        assert result.estimate == pytest.approx(-10, abs=2), seed
        assert result.rounding_low < result.estimate < result.rounding_high
        assert result.p_value < 0.05
        if result.synthetic is not None:
            assert result.synthetic.estimate == pytest.approx(-10, abs=2.5), seed
            assert result.synthetic.p_value < 0.05 and abs(sum(result.synthetic.weights.values()) - 1) < 0.05


def test_no_effect_gives_large_p_values_in_most_panels():
    large = sum(evaluate_panel(*synthetic(seed), START, placebos=499, simulations=5, synthetic=False).p_value > 0.1
                for seed in range(100))
    assert large >= 85


def test_diverging_pre_trends_are_flagged():
    flagged = [evaluate_panel(*synthetic(seed, pre_divergence=0.8), START, simulations=5, synthetic=False).pre_trend_flag
               for seed in range(10)]
    assert all(flagged)
    parallel = [evaluate_panel(*synthetic(seed), START, simulations=5, synthetic=False).pre_trend_flag
                for seed in range(20)]
    assert sum(parallel) <= 3  # parallel panels are seldom flagged


def test_small_and_incomplete_buurten_are_left_out_and_named():
    panel, target, others = synthetic(1)
    panel.inhabitants.loc[others[0]] = 50.0
    panel.recipients.loc[others[1], "2019Q2"] = np.nan
    result = evaluate_panel(panel, target, others, START, simulations=5)
    assert "minder dan 200 inwoners" in result.left_out[others[0]]
    assert "niet elk kwartaal" in result.left_out[others[1]]
    assert others[0] not in result.comparison_buurten and len(result.comparison_buurten) == len(others) - 2


def test_event_study_is_zero_on_average_before_the_start():
    panel, target, others = synthetic(3, effect=-10)
    events = evaluate_panel(panel, target, others, START, simulations=5).events
    before = events[events["quarter_from_start"] < 0]
    assert len(before) == 12 and before["effect"].mean() == pytest.approx(0, abs=1e-9)
    assert (events["placebo_low"] <= events["placebo_high"]).all()


def test_bad_parameters_are_refused(built):
    from parkstad_analysis.processed import ProcessedStore

    benefits = ProcessedStore(built).load_table("benefits")
    with pytest.raises(UnknownNameError, match="unknown benefit kind 'aow'"):
        evaluate(benefits, "gms", "aow")
    with pytest.raises(UnknownNameError, match="unknown comparison 'land'"):
        evaluate(benefits, "gms", comparison="land")
    with pytest.raises(DataFormatError, match="start '2030Q1'"):
        evaluate(benefits, "gms", start="2030Q1")
    with pytest.raises(DataFormatError, match="needs a buurt or wijk area"):
        evaluate(benefits, "heerlen")


def test_gms_against_the_other_heerlen_buurten(built, shared):
    """The GMS estimate from the processed table equals one computed by hand from the CBS files: per buurt its mean
    rate from the start on minus before, weighted by its inhabitants 15+ before the start, area minus comparison (the
    two-way fixed-effects estimate on this balanced panel); every buurt of Heerlen has one role; the p-value is exact
    over every group of three of the evaluation's buurten; the persistent rounding range is the wider one."""
    import json

    from parkstad_analysis.processed import ProcessedStore

    benefits = ProcessedStore(built).load_table("benefits")
    result = evaluate(benefits, "gms", simulations=50)
    assert result.target == ["BU09173100", "BU09173101", "BU09173102"]
    assert len(result.pre_quarters) == 12 and result.post_quarters[0] == "2021Q1"
    folder = shared / "uitkeringen/bijstand-per-kwartaal"
    rates, weights = {}, {}
    window = result.pre_quarters + result.post_quarters
    for quarter in window:
        name = f"cbs_bijstand_{quarter[:4]}MM{int(quarter[-1]) * 3:02d}.json"
        document = json.loads((folder / name).read_text("utf-8-sig"))
        rows = document["value"].values() if isinstance(document["value"], dict) else document["value"]
        for row in rows:
            code = row["WijkenEnBuurten"].strip()
            if code in result.target + result.comparison_buurten:
                rates.setdefault(code, []).append(1000 * row["Bijstandsuitkering_6"] / row["InwonersVanaf15Jaar_13"])
                weights.setdefault(code, []).append(row["InwonersVanaf15Jaar_13"])
    change = {c: np.mean(r[12:]) - np.mean(r[:12]) for c, r in rates.items()}
    weight = {c: np.mean(w[:12]) for c, w in weights.items()}

    def mean(codes):
        return sum(weight[c] * change[c] for c in codes) / sum(weight[c] for c in codes)

    assert result.estimate == pytest.approx(mean(result.target) - mean(result.comparison_buurten), abs=1e-9)
    assert result.standard_error > 0
    every = set(benefits.loc[(benefits["level"] == "buurt") & (benefits["gemeente_code"] == "GM0917"), "region_code"])
    roles = [*result.target, *result.comparison_buurten, *result.left_out]
    assert len(roles) == len(set(roles)) and set(roles) == every  # each buurt once
    assert result.exact and result.placebos == result.possible == 1540  # C(22, 3): all assignments
    assert result.p_value * result.placebos == pytest.approx(round(result.p_value * result.placebos))
    independent, persistent = result.rounding["independent"], result.rounding["persistent"]
    assert persistent[1] - persistent[0] > independent[1] - independent[0]
    assert (result.rounding_low, result.rounding_high) == persistent
    assert result.trend_explains and result.trend_adjusted > 0  # the pre-start trend carried forward undoes it
    # the synthetic control follows GMS closely before the start (within 2 per 1,000) from comparison buurten only
    assert result.synthetic.pre_rmspe < 2 and set(result.synthetic.weights) <= set(result.comparison_buurten)
    assert 0 < result.synthetic.p_value <= 1 and result.synthetic.estimate < 0


def test_the_estimator_reproduces_kessler_and_roth_on_the_organ_donation_panel():
    """California's switch to active-choice organ-donor registration (2011Q3), as in Huntington-Klein, The Effect,
    chapter 18: the published two-way fixed-effects estimate, -0,0225, and its standard error clustered by state as
    fixest computes it (0,0061); the closed form the randomisation inference uses gives the same estimate."""
    from causaldata import organ_donations

    from parkstad_analysis.analysis import did

    frame = organ_donations.load_pandas().data
    quarters = ["Q42010", "Q12011", "Q22011", "Q32011", "Q42011", "Q12012"]
    wide = frame.pivot(index="State", columns="Quarter", values="Rate")[quarters]
    treated = (wide.index == "California")
    data = did.PanelData(list(wide.index), quarters, wide.to_numpy(float), np.ones(len(wide)), treated, 3)
    estimate, error, events = did.twfe(data)
    assert round(estimate, 4) == -0.0225 and round(error, 4) == 0.0061
    assert did.weighted_did(data.rates, data.weights, treated, 3) == pytest.approx(estimate, abs=1e-12)
    assert sorted(events["quarter_from_start"]) == [-3, -2, 0, 1, 2]  # every quarter but the reference one


def test_a_trend_that_continues_is_named_and_one_the_other_way_is_not():
    """A gap that was already moving before the start, in the direction of the "effect", is named as what may
    explain all of it; a gap that moved the other way before the start is not (carried forward, the effect grows)."""
    continuing = [evaluate_panel(*synthetic(seed, pre_divergence=-0.8), START, simulations=5, synthetic=False)
                  for seed in range(5)]
    assert all(r.estimate < 0 and r.pre_drift < 0 and r.trend_explains for r in continuing)
    against = [evaluate_panel(*synthetic(seed, effect=-10, pre_divergence=0.3), START, simulations=5, synthetic=False)
               for seed in range(5)]
    assert all(r.pre_drift > 0 and not r.trend_explains and r.trend_adjusted < r.estimate for r in against)
