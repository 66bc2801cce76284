"""The projects table: the five Regio Deal projects of the press release of 17 December 2020.

The facts (names, places, euros) are typed from the press release into
``parkstad_analysis/data/regio_deal_2020_projects.csv``; this module reads and
checks them, and the build writes them to the processed store.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import pandas as pd
import pandera.errors
import pandera.pandas as pa

from ..errors import DataFormatError, UnknownNameError
from ..vocabulary.areas import get_area, split_areas
from ..vocabulary.regions import current_gemeenten
from .context import BuildContext

TABLE = "projects"
PROJECTS_FILE = "regio_deal_2020_projects.csv"

PROJECTS_SCHEMA = pa.DataFrameSchema(
    {
        "project_id": pa.Column(int, unique=True),
        "project": pa.Column(str, pa.Check.str_length(min_value=3)),
        "organisations": pa.Column(str),
        "gemeente": pa.Column(str, pa.Check.isin(list(current_gemeenten().values()))),
        "gemeente_code": pa.Column(str, pa.Check.isin(list(current_gemeenten()))),
        "neighbourhoods": pa.Column(str),
        "areas": pa.Column(str, pa.Check.str_length(min_value=1)),
        "track": pa.Column(str, pa.Check.isin(["wijkgericht", "generiek"])),
        "target_group": pa.Column(str),
        "total_cost_eur": pa.Column(int, pa.Check.gt(0)),
        "regio_deal_contribution_eur": pa.Column(int, pa.Check.ge(0)),
    },
    checks=[
        pa.Check(lambda df: df["regio_deal_contribution_eur"] <= df["total_cost_eur"],
                 error="contribution exceeds total cost"),
        pa.Check(lambda df: df["gemeente_code"].map(current_gemeenten()) == df["gemeente"],
                 error="gemeente and gemeente_code name different gemeenten"),
    ],
    strict=True,
)


def projects_file() -> Path:
    """The committed projects table shipped with the package."""
    return Path(str(resources.files("parkstad_analysis").joinpath(f"data/{PROJECTS_FILE}")))


def load_projects(path: str | Path | None = None) -> pd.DataFrame:
    """Read and check a projects table (default: the one typed from the press release).

    Raises
    ------
    DataFormatError
        Naming the file and the failing column, or an area name that is unknown.
    """
    path = Path(path) if path else projects_file()
    if not path.is_file():
        raise DataFormatError(f"{path}: file not found")
    frame = pd.read_csv(path, dtype={"gemeente_code": str}, keep_default_na=False)
    for column in ("total_cost_eur", "regio_deal_contribution_eur", "project_id"):
        if column in frame.columns:
            frame[column] = pd.to_numeric(frame[column], errors="coerce")
            if frame[column].isna().any():
                raise DataFormatError(f"{path}, column {column!r}: expected whole euros, found "
                                      f"{frame.loc[frame[column].isna(), column].index.tolist()} not numeric")
            frame[column] = frame[column].astype(int)
    try:
        frame = PROJECTS_SCHEMA.validate(frame, lazy=True)
    except pandera.errors.SchemaErrors as exc:
        first = exc.failure_cases.iloc[0]
        raise DataFormatError(f"{path}: column {first['column']!r} fails {first['check']} "
                              f"(e.g. {first['failure_case']!r})") from exc
    for areas in frame["areas"]:
        for name in split_areas(areas):
            try:
                get_area(name)
            except UnknownNameError as exc:
                raise DataFormatError(f"{path}, column 'areas': {exc}") from exc
    return frame


def build_projects(context: BuildContext) -> pd.DataFrame:
    """The projects table for the processed store."""
    return load_projects()
