"""Charts: a quarterly axis ticks once a year, numbers on axes have decimal commas, and each keeps its data."""

import pandas as pd

from parkstad_analysis.figures import charts
from parkstad_analysis.figures.style import alt_text, plotted_data


def _series() -> pd.DataFrame:
    periods = [f"{year}Q{q}" for year in range(2013, 2025) for q in range(1, 5)][2:-3]  # 2013Q3 … 2024Q1
    return pd.DataFrame({"period": periods, "title": "Heerlen-Noord", "value": [60.3 + i / 10 for i in range(len(periods))],
                         "lower": 59.0, "upper": 66.0})


def test_a_quarterly_axis_ticks_each_year_at_its_first_quarter():
    ticks, labels = charts.yearly_ticks(_series()["period"].tolist())
    assert labels == [str(year) for year in range(2014, 2025)]  # 2013 starts in Q3: no half-year label
    assert all(_series()["period"].iloc[i].endswith("Q1") for i in ticks)
    assert charts.yearly_ticks(["2018", "2019"]) == ([0, 1], ["2018", "2019"])  # years keep every label


def test_a_trend_chart_writes_dutch_numbers_and_keeps_its_series():
    ax = charts.trend(_series(), "Personen met bijstand — Heerlen-Noord", "per 1.000 inwoners 15+")
    ax.figure.canvas.draw()
    assert [t.get_text() for t in ax.get_xticklabels()][:2] == ["2014", "2015"]
    assert any("," in t.get_text() or t.get_text().isdigit() for t in ax.get_yticklabels())
    assert not any("." in t.get_text() for t in ax.get_yticklabels())  # no decimal points on the axis
    data = plotted_data(ax.figure).frame
    assert len(data) == len(_series()) and data["Periode"].iloc[0] == "2013Q3"
    assert alt_text(ax.figure).startswith("Grafiek: Personen met bijstand — Heerlen-Noord. Heerlen-Noord van 60,3 in "
                                          "2013Q3 naar")
