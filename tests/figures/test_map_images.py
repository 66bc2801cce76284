"""Image regression for two reference maps (pytest-mpl), drawn from made-up buurten and values.

The reference images are made from synthetic data so that no CBS-derived picture is
committed and a change in CBS figures cannot move them: they change only when the
map style or drawing code changes. Refresh after an intended change with
``pytest tests/test_map_images.py --mpl-generate-path=tests/baseline``.
"""

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import box

from parkstad_analysis.figures import maps

CODES = [f"BU09173{w}0{b}" for w in (1, 2, 3) for b in range(4)]  # wijken 31-33 of Heerlen, four buurten each


def _layers():
    cells = [box(195000 + 600 * (i % 4), 322000 + 600 * (i // 4), 195600 + 600 * (i % 4), 322600 + 600 * (i // 4))
             for i in range(len(CODES))]
    frame = gpd.GeoDataFrame({
        "region_code": CODES, "region_name": [f"Buurt {chr(65 + i)}" for i in range(len(CODES))], "level": "buurt",
        "gemeente_code": "GM0917", "boundary_year": 2019}, geometry=cells, crs="EPSG:28992")
    return {"buurten_2019": frame}


def _tables():
    participation = [55, 61, None, 66, 58, 49, 63, 70, 52, 60, 57, 64]
    buurten = pd.DataFrame({
        "region_code": CODES, "region_name": [f"Buurt {chr(65 + i)}" for i in range(len(CODES))], "level": "buurt",
        "gemeente_code": "GM0917", "year": 2019,
        "nettoarbeidsparticipatie": pd.array(participation, dtype="Float64"),
        "aantal_inwoners": pd.array([1000 + 100 * i for i in range(len(CODES))], dtype="Float64"),
    })
    gemeente = pd.DataFrame({"region_code": ["GM0917"], "region_name": ["Heerlen"], "level": ["gemeente"],
                             "gemeente_code": ["GM0917"], "year": [2019],
                             "nettoarbeidsparticipatie": pd.array([59.0], dtype="Float64"),
                             "aantal_inwoners": pd.array([20000.0], dtype="Float64")})
    return {"kwb": pd.concat([gemeente, buurten], ignore_index=True)}


@pytest.mark.mpl_image_compare(baseline_dir="baseline", tolerance=2, savefig_kwargs={"dpi": 80})
def test_reference_map_gms_with_missing_buurt():
    drawing = maps.choropleth(_tables(), _layers(), "gms", "nettoarbeidsparticipatie", 2019)
    assert drawing.missing == ["BU09173102"]
    return drawing.figure


@pytest.mark.mpl_image_compare(baseline_dir="baseline", tolerance=2, savefig_kwargs={"dpi": 80})
def test_reference_map_gemeente_difference_from_reference():
    drawing = maps.choropleth(_tables(), _layers(), "heerlen", "nettoarbeidsparticipatie", 2019, reference="heerlen", k=4)
    assert drawing.values.dropna().round(1).tolist()[:2] == [-4.0, 2.0]
    return drawing.figure
