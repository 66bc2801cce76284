"""In JupyterLab an area and key figures display themselves as Dutch tables."""

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
