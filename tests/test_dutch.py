"""One Dutch notation for every number the project shows: pages, maps, charts."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import pandas as pd

from parkstad_analysis.dutch import MISSING, decimals_for, dutch_list, euros, nl_number
from parkstad_analysis.figures.style import dutch_axis


def test_numbers_are_written_as_cbs_writes_them():
    assert nl_number(53205) == "53.205"
    assert nl_number(58.8349, 1) == "58,8"
    assert nl_number(-1.05, 2) == "-1,05"
    assert nl_number(-0.04, 1) == "0,0" and nl_number(-0.4) == "0" and nl_number(-0.06, 1) == "-0,1"  # no "-0,0"
    assert nl_number(1234567.891, 2) == "1.234.567,89"
    assert euros(150000) == "150.000"
    assert [nl_number(v) for v in (None, float("nan"), pd.NA)] == [MISSING] * 3
    assert nl_number("2019Q4") == "2019Q4"  # text stays text
    assert decimals_for("aantal") == 0 and decimals_for("%") == 1
    assert dutch_list(["Kerkrade"]) == "Kerkrade" and dutch_list(["a", "b", "c"]) == "a, b en c"


def test_chart_axes_write_numbers_as_the_pages_do():
    fig, ax = plt.subplots()
    ax.plot([0, 1], [-7.5, 7.5])
    ax.set_yticks([-7.5, -5, -2.5, 0, 2.5, 5, 7.5])
    dutch_axis(ax.yaxis)
    fig.canvas.draw()
    assert [t.get_text() for t in ax.get_yticklabels()] == ["-7,5", "-5,0", "-2,5", "0,0", "2,5", "5,0", "7,5"]
    ax.set_yticks([0, 1000, 2000])
    fig.canvas.draw()
    assert [t.get_text() for t in ax.get_yticklabels()] == ["0", "1.000", "2.000"]
    plt.close(fig)
