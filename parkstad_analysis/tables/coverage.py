"""What each dataset of a build covers: gemeenten, levels and periods, and whether it is a partial table.

A copy of a CBS table can be cut short without saying so: a scraper that read one
page of the feed (exactly 10,000 rows, IDs 0 to 9999), a file saved for one
gemeente, a table that stops before the periods it was registered for. The build
records for every dataset what it holds and names a partial one, so that a region
absent from it stays missing (never zero, never "fully covered") and a reader of
the data overview sees why.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pandas as pd

from ..config import Scope
from ..dutch import dutch_list, nl_number
from ..fetch.registry import Dataset
from ..vocabulary.indicators import period_column
from ..vocabulary.regions import gemeente_names, parkstad_gemeenten

#: Row counts at which a service stops answering: CBS's ODataApi returns at most 10,000 rows per request (its
#: ODataFeed pages on with ``odata.nextLink``), so a copy of exactly that many rows is the first page of its table.
SERVICE_CAPS = (10_000,)
TABLE = "dataset_coverage"
COLUMNS = ["dataset_id", "table", "files", "rows_read", "rows_kept", "periods", "levels", "gemeenten",
           "missing_gemeenten", "partial", "reasons", "declared_period", "period_note"]


@dataclass(frozen=True)
class RawExtent:
    """What one raw file held before any row was cut to the scope."""

    file: str
    rows: int
    first_id: int | None = None
    last_id: int | None = None
    consecutive: bool = False

    @property
    def at_cap(self) -> bool:
        """True when the file holds exactly as many rows as a service returns at most (see :data:`SERVICE_CAPS`)."""
        return self.rows in SERVICE_CAPS


def raw_extent(rows: pd.DataFrame, file: str) -> RawExtent:
    """The extent of a raw file: its row count and, where it has CBS's ``ID`` column, whether the IDs run 0, 1, …"""
    if "ID" not in rows.columns or not len(rows):
        return RawExtent(file, len(rows))
    ids = pd.to_numeric(rows["ID"], errors="coerce")
    if ids.isna().any():
        return RawExtent(file, len(rows))
    ids = ids.astype("int64")
    consecutive = bool(ids.iloc[0] == 0 and (ids.diff().iloc[1:] == 1).all())
    return RawExtent(file, len(rows), int(ids.iloc[0]), int(ids.iloc[-1]), consecutive)


def declared_periods(period: str) -> tuple[str, str] | None:
    """The first and last period a registry entry declares (``"2019Q1-2024Q3"``, ``"2016-2020"``, ``"2023"``), or
    ``None`` when it is none of these shapes."""
    match = re.fullmatch(r"(\d{4}(?:Q[1-4])?)(?:\s*-\s*(\d{4}(?:Q[1-4])?))?", period.strip())
    if match is None:
        return None
    return match.group(1), match.group(2) or match.group(1)


def _quarters(first: str, last: str) -> list[str]:
    """Every quarter from ``first`` to ``last`` (``2019Q1``); a bare year runs from its Q1 or to its Q4."""
    start = first if "Q" in first else f"{first}Q1"
    end = last if "Q" in last else f"{last}Q4"
    return [str(p) for p in pd.period_range(start, end, freq="Q")]


def _years(first: str, last: str) -> list[str]:
    return [str(y) for y in range(int(first[:4]), int(last[:4]) + 1)]


def _span(values: list[str]) -> str:
    """``2019Q1–2024Q3 (23)``: the first and last of sorted periods and how many there are."""
    if not values:
        return "–"
    return values[0] if len(values) == 1 else f"{values[0]}–{values[-1]} ({len(values)})"


def _runs(values: list[str]) -> str:
    """Sorted periods as consecutive runs: ``2013Q1–2022Q4 en 2024Q1`` (years or quarters)."""
    frequency = "Q" if "Q" in values[0] else "Y"
    periods = [pd.Period(v, freq=frequency) for v in values]
    runs, start = [], 0
    for i in range(1, len(periods) + 1):
        if i == len(periods) or periods[i] != periods[i - 1] + 1:
            runs.append(values[start] if start == i - 1 else f"{values[start]}–{values[i - 1]}")
            start = i
    return dutch_list(runs)


def _expected_gemeenten(scope: Scope, years: list[int]) -> dict[str, str]:
    """Code → name of the gemeenten the scope holds in the data's years (none listed for the national scope)."""
    if scope.national:
        return {}
    if scope.name == "parkstad":
        return {code: name for year in years for code, name in parkstad_gemeenten(year).items()}
    return {code: gemeente_names().get(code, code) for code in sorted(scope.codes)}


def dataset_coverage(dataset: Dataset, table: str, frame: pd.DataFrame, extents: list[RawExtent],
                     scope: Scope) -> dict:
    """One row of :data:`TABLE`: what a dataset's tidy rows (in scope, benchmarks included) cover.

    Parameters
    ----------
    dataset : Dataset
        Its registry entry (the declared period).
    table : str
        The processed table it feeds.
    frame : DataFrame
        Its tidy rows after the cut to the scope.
    extents : list of RawExtent
        What its raw files held before the cut (empty when the reader did not record them).
    scope : Scope
        The build's scope: a gemeente of it without a single row is missing.

    Returns
    -------
    dict
        The columns of :data:`COLUMNS`; ``reasons`` says in Dutch why the copy is partial.
    """
    column = period_column(frame) if len(frame) else "year"
    periods = sorted(frame[column].dropna().astype(str).unique()) if len(frame) else []
    years = sorted({int(p[:4]) for p in periods})
    levels = [level for level in ("gemeente", "wijk", "buurt", "land", "landsdeel", "provincie")
              if len(frame) and (frame["level"] == level).any()]
    present = set(frame["gemeente_code"].dropna()) if len(frame) else set()
    expected = _expected_gemeenten(scope, years)
    missing = [name for code, name in expected.items() if code not in present]
    names = gemeente_names()
    reasons = []
    capped = [e for e in extents if e.at_cap]
    if capped:
        ids = " (ID 0 t/m " + nl_number(capped[0].last_id) + ")" if capped[0].consecutive else ""
        reasons.append(f"eerste {nl_number(capped[0].rows)} rijen van de tabel{ids}"
                       + (f" in {len(capped)} van de {len(extents)} bestanden" if len(extents) > 1 else ""))
    if missing:
        reasons.append("geen rijen voor " + dutch_list(missing))
    period_note = ""
    declared = declared_periods(dataset.period)
    if declared is not None and periods:
        quarterly = column == "period"
        wanted = _quarters(*declared) if quarterly else _years(*declared)
        absent = [p for p in wanted if p not in periods]
        extra = [p for p in periods if p not in wanted]
        if absent:
            reasons.append(f"perioden ontbreken: {_runs(absent)}")
        if extra:
            period_note = (f"geregistreerd als {dataset.period}, de data bevat {_span(periods)}; "
                           f"{len(extra)} daarvan buiten de registratie: {_runs(extra)}")
    return {
        "dataset_id": dataset.id, "table": table, "files": len(extents) or pd.NA,
        "rows_read": sum(e.rows for e in extents) if extents else pd.NA, "rows_kept": len(frame),
        "periods": _span(periods), "levels": ", ".join(levels),
        "gemeenten": _gemeenten_text(present, names),
        "missing_gemeenten": ", ".join(missing), "partial": bool(reasons), "reasons": "; ".join(reasons),
        "declared_period": dataset.period, "period_note": period_note,
    }


def _gemeenten_text(present: set[str], names: dict[str, str]) -> str:
    """The gemeenten a dataset holds: by name where known (Parkstad's), the others counted."""
    named = sorted(names[c] for c in present if c in names)
    others = len([c for c in present if c not in names])
    if not others:
        return ", ".join(named)
    rest = f"{others} andere gemeente{'n' if others != 1 else ''}"
    return dutch_list([*named, rest]) if named else rest


def coverage_table(rows: list[dict]) -> pd.DataFrame:
    """The build's :data:`TABLE`, one row per dataset read, in build order."""
    frame = pd.DataFrame.from_records(rows, columns=COLUMNS)
    for name in ("files", "rows_read", "rows_kept"):
        frame[name] = frame[name].astype("Int64")
    return frame
