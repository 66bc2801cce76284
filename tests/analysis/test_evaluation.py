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
    for seed in range(10):
        panel, target, others = synthetic(seed, effect=-10)
        result = evaluate_panel(panel, target, others, START, simulations=50)
        assert result.estimate == pytest.approx(-10, abs=2), seed
        assert result.rounding_low < result.estimate < result.rounding_high
        assert result.p_value < 0.05


def test_no_effect_gives_large_p_values_in_most_panels():
    large = sum(evaluate_panel(*synthetic(seed), START, placebos=499, simulations=5).p_value > 0.1
                for seed in range(100))
    assert large >= 85


def test_diverging_pre_trends_are_flagged():
    flagged = [evaluate_panel(*synthetic(seed, pre_divergence=0.8), START, simulations=5).pre_trend_flag
               for seed in range(10)]
    assert all(flagged)
    parallel = [evaluate_panel(*synthetic(seed), START, simulations=5).pre_trend_flag for seed in range(20)]
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
    """The GMS estimate from the processed table equals one computed by hand from the CBS files."""
    import json

    from parkstad_analysis.processed import ProcessedStore

    result = evaluate(ProcessedStore(built).load_table("benefits"), "gms", simulations=20)
    assert result.target == ["BU09173100", "BU09173101", "BU09173102"]
    assert len(result.pre_quarters) == 12 and result.post_quarters[0] == "2021Q1"
    folder = shared / "uitkeringen/bijstand-per-kwartaal"
    gaps = []
    for quarter in result.pre_quarters + result.post_quarters:
        name = f"cbs_bijstand_{quarter[:4]}MM{int(quarter[-1]) * 3:02d}.json"
        document = json.loads((folder / name).read_text("utf-8-sig"))
        rows = document["value"].values() if isinstance(document["value"], dict) else document["value"]
        by_code = {r["WijkenEnBuurten"].strip(): r for r in rows}

        def rate(codes, by_code=by_code):
            return 1000 * sum(by_code[c]["Bijstandsuitkering_6"] for c in codes) / sum(
                by_code[c]["InwonersVanaf15Jaar_13"] for c in codes)

        gaps.append(rate(result.target) - rate(result.comparison_buurten))
    by_hand = np.mean(gaps[12:]) - np.mean(gaps[:12])
    assert result.estimate == pytest.approx(by_hand, abs=1e-9)
