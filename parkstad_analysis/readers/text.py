"""Text and JSON files as CBS ships them: byte-order marks, Windows encodings, truncation, duplicate keys."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pandas as pd

from ..errors import DataFormatError


def read_text(path: Path) -> str:
    """A whole text file as UTF-8 (BOM dropped) or Windows-1252, with ``\\n`` line ends.

    Raises
    ------
    DataFormatError
        For a missing file, a file that does not end with a line break (cut off inside a row)
        or one in neither encoding.
    """
    if not path.is_file():
        raise DataFormatError(f"{path}: file not found")
    raw = path.read_bytes()
    if raw and not raw.endswith(b"\n"):  # CBS exports end every line, the last one too
        raise DataFormatError(f"{path}: ends without a line break, inside a row; the file looks truncated")
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return raw.decode(encoding).replace("\r\n", "\n")
        except UnicodeDecodeError:
            continue
    raise DataFormatError(f"{path}: neither UTF-8 nor Windows-1252 text")


def check_complete(text: str, sep: str, path: Path) -> None:
    """A CSV whose last row has fewer fields than its header was cut off (pandas would pad it silently)."""
    rows = [r for r in csv.reader(io.StringIO(text), delimiter=sep) if any(c.strip() for c in r)]
    if len(rows) >= 2 and len(rows[-1]) < len(rows[0]):
        raise DataFormatError(f"{path}: the last row has {len(rows[-1])} of {len(rows[0])} fields; "
                              "the file looks truncated")


def require_columns(frame: pd.DataFrame, required: tuple[str, ...], path: Path | str) -> None:
    """Refuse a frame that lacks a column, naming the file and what was found."""
    missing = [c for c in required if c not in frame.columns]
    if missing:
        shown = ", ".join(map(str, list(frame.columns)[:8]))
        raise DataFormatError(f"{path}: required column(s) {', '.join(missing)} absent; found {shown} …")


def read_csv_text(text: str, path: Path, sep: str = ",") -> pd.DataFrame:
    """Parse CSV text into text columns (no value guessing); a parser error names the file."""
    try:
        return pd.read_csv(io.StringIO(text), sep=sep, dtype=str, keep_default_na=False)
    except (pd.errors.ParserError, csv.Error) as exc:
        raise DataFormatError(f"{path}: not a readable CSV ({exc})") from exc


def read_plain_csv(path: str | Path) -> pd.DataFrame:
    """A plain comma-separated file with a header row, all cells as text (BOM and truncation checked)."""
    path = Path(path)
    text = read_text(path)
    check_complete(text, ",", path)
    return read_csv_text(text, path)


def read_json(path: str | Path) -> object:
    """Load a JSON file, with or without a UTF-8 byte-order mark.

    Raises
    ------
    DataFormatError
        For a missing file, corrupt/truncated JSON (naming the position) or a key written twice.
    """
    path = Path(path)
    if not path.is_file():
        raise DataFormatError(f"{path}: file not found")

    def no_duplicates(pairs: list[tuple[str, object]]) -> dict:
        keys = [k for k, _ in pairs]
        if len(keys) != len(set(keys)):
            repeated = next(k for k in keys if keys.count(k) > 1)
            raise DataFormatError(f"{path}: key {repeated!r} appears twice in one JSON object")
        return dict(pairs)

    try:
        return json.loads(path.read_bytes().decode("utf-8-sig"), object_pairs_hook=no_duplicates)
    except UnicodeDecodeError as exc:
        raise DataFormatError(f"{path}: not UTF-8 text ({exc})") from exc
    except json.JSONDecodeError as exc:
        raise DataFormatError(f"{path}: corrupt or truncated JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}") from exc
