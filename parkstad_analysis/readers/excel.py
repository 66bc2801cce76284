"""CBS tables exported from Excel to CSV: title rows above the header, ``;``, decimal commas, footnotes."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pandas as pd

from ..errors import DataFormatError
from .text import read_text

#: A cell holding a gemeente or wijk code, possibly padded.
REGION_CELL = r"^\s*(GM\d{4}|WK\d{4}[0-9A-Z]{2})\s*$"


def read_excel_csv(path: str | Path, code_pattern: str = REGION_CELL) -> pd.DataFrame:
    """A CBS table exported from Excel to CSV.

    The header is made of the label rows before the first data row; data rows are
    those holding a gemeente or wijk code in some cell. Gemeente/wijk blocks (a
    gemeente row followed by its wijk rows, the gemeente code left blank on wijk
    rows) are resolved into one ``region_code`` column: a wijk code names its
    gemeente itself, so the block needs no tracking.

    Returns
    -------
    DataFrame
        ``region_code`` and the columns named after their header cells (multi-row
        headers are joined with a space), as text.
    """
    path = Path(path)
    rows = list(csv.reader(io.StringIO(read_text(path)), delimiter=";"))
    code_re = re.compile(code_pattern)
    data_idx = [i for i, r in enumerate(rows) if any(code_re.match(c) for c in r)]
    if not data_idx:
        raise DataFormatError(f"{path}: no row holds a GM or WK code; is this a CBS region table?")
    first = data_idx[0]
    width = max(len(rows[i]) for i in data_idx)
    if len(rows[data_idx[-1]]) < len(rows[first]):
        raise DataFormatError(f"{path}: the last data row has {len(rows[data_idx[-1]])} of {len(rows[first])} "
                              "fields; the file looks truncated")
    headers = _headers(rows[:first], width)
    records = []
    for i in data_idx:
        cells = [c.strip() for c in rows[i]] + [""] * (width - len(rows[i]))
        codes = [c for c in cells if code_re.match(c)]
        # a wijk row carries its own code (its gemeente is in it); a gemeente row only the GM code
        region = next((c for c in codes if c.startswith("WK")), None) or codes[0]
        records.append({**dict(zip(headers, cells, strict=True)), "region_code": region})
    return pd.DataFrame.from_records(records)


def _headers(above: list[list[str]], width: int) -> list[str]:
    """Header cells: the non-empty pieces of the label rows above the data joined per column.

    Label rows have more than one filled cell; single-cell rows above them are titles.
    """
    padded = [r + [""] * (width - len(r)) for r in above if any(c.strip() for c in r)]
    label_rows = [r for r in padded if sum(bool(c.strip()) for c in r) > 1]
    headers = []
    for j in range(width):
        pieces = [r[j].strip() for r in label_rows if r[j].strip()]
        headers.append(" ".join(pieces) or f"column_{j}")
    return headers
