"""In JupyterLab what the package returns displays itself as the report shows it, in Dutch."""

import pytest

import parkstad_analysis as pa


def test_an_area_and_key_figures_show_as_dutch_tables():
    from parkstad_analysis.analysis.profile import AreaFigure
    from parkstad_analysis.pages.display import area_html, figures_html_table

    html = area_html(pa.area("hoensbroek"))
    assert "Hoensbroek" in html and "5 wijken" in html and "Afbakening" in html
    figure = AreaFigure(key="aantal_inwoners", label="Inwoners", unit="aantal", area="hoensbroek", value=18895.0,
                        lower=18895.0, upper=18895.0, period="2019", coverage=1.0, sources="CBS 84583NED")
    row = figures_html_table([figure])
    assert "18.895" in row and "100%" in row and "CBS 84583NED" in row


def test_key_figures_and_notes_carry_the_report_style_into_jupyterlab():
    from IPython.core.interactiveshell import InteractiveShell
    from traitlets.config import Config

    from parkstad_analysis import research
    from parkstad_analysis.analysis.profile import AreaFigure, KeyFigures
    from parkstad_analysis.pages.templates import block_style, without_block_style

    config = Config()
    config.HistoryManager.hist_file = ":memory:"  # nothing written into IPython's folder at exit
    shell = InteractiveShell.instance(config=config)
    try:
        research._register_rich_display()
        figure = AreaFigure(key="aantal_inwoners", label="Inwoners", unit="aantal", area="hoensbroek", value=18895.0,
                            lower=18895.0, upper=18895.0, period="2019", coverage=1.0, sources="CBS 84583NED")
        shown, _ = shell.display_formatter.format(KeyFigures([figure]))
    finally:
        InteractiveShell.clear_instance()
    html = shown["text/html"]
    assert html.startswith(block_style()) and ".ps-card {" in html  # styled where Lab shows it
    assert 'class="ps-card"' in html and "18.895" in html and "2019" in html
    assert without_block_style(html).count("<style") == 0  # a report page keeps its one copy in the head


def test_an_evaluation_without_benefits_per_buurt_says_so_in_dutch():
    import pandas as pd

    from parkstad_analysis.errors import NoFiguresError

    benefits = pd.DataFrame({"level": ["buurt"], "gemeente_code": ["GM0917"], "region_code": ["BU09170000"],
                             "period": ["2019Q4"], "bijstand_ontvangers": [10.0], "inwoners_15_plus": [100.0]})
    with pytest.raises(NoFiguresError, match="GM0928") as raised:  # the message for a log names the code
        pa.evaluate(benefits, "rolduckerveld")
    assert raised.value.note.startswith("Geen uitkeringscijfers per buurt voor Kerkrade")
    assert "cijfers voor Heerlen" in raised.value.note
