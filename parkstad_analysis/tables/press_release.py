"""The press release's participation figures: four gemeenten, as the press release of 17 December 2020 gives them.

Typed into ``parkstad_analysis/data/press_release_participation.csv`` with the words they
come from. The release names neither the CBS table nor the year the figures describe,
so they are kept apart from the KWB's netto arbeidsparticipatie and shown beside it.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import pandas as pd
import pandera.errors
import pandera.pandas as pa

from ..errors import DataFormatError
from ..vocabulary.regions import current_gemeenten
from .context import BuildContext

TABLE = "press_release_participation"
FILE = "press_release_participation.csv"

SCHEMA = pa.DataFrameSchema(
    {
        "gemeente_code": pa.Column(str, pa.Check.isin(list(current_gemeenten())), unique=True),
        "gemeente": pa.Column(str, pa.Check.isin(list(current_gemeenten().values()))),
        "nettoarbeidsparticipatie": pa.Column(float, pa.Check.in_range(0, 100)),
        "published": pa.Column(str, pa.Check.str_matches(r"^\d{4}-\d{2}-\d{2}$")),
        "reference_period": pa.Column(str),
        "source": pa.Column(str, pa.Check.str_length(min_value=10)),
    },
    checks=pa.Check(lambda df: df["gemeente_code"].map(current_gemeenten()) == df["gemeente"],
                    error="gemeente and gemeente_code name different gemeenten"),
    strict=True,
)


def load_press_release_participation(path: str | Path | None = None) -> pd.DataFrame:
    """Read and check the participation table typed from the press release.

    Raises
    ------
    DataFormatError
        Naming the file and the column that fails.
    """
    path = Path(path) if path else Path(str(resources.files("parkstad_analysis").joinpath(f"data/{FILE}")))
    if not path.is_file():
        raise DataFormatError(f"{path}: file not found")
    frame = pd.read_csv(path, dtype={"gemeente_code": str, "published": str}, keep_default_na=False)
    try:
        return SCHEMA.validate(frame, lazy=True)
    except pandera.errors.SchemaErrors as exc:
        first = exc.failure_cases.iloc[0]
        raise DataFormatError(f"{path}: column {first['column']!r} fails {first['check']} "
                              f"(e.g. {first['failure_case']!r})") from exc


def build_press_release_participation(context: BuildContext) -> pd.DataFrame:
    """The press release's participation table for the processed store."""
    return load_press_release_participation()
