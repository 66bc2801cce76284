"""CBS region codes (parsing, levels) and the Parkstad gemeenten per year, from ``gemeenten.toml``.

CBS codes are ``GM`` + 4 digits (gemeente), ``WK`` + 6 (wijk: the gemeente's 4
digits and a 2-character wijk number) and ``BU`` + 8 (buurt: the wijk's 6 and a
2-character buurt number). OData tables pad them with spaces (``"GM0917    "``), and
some saved copies hold spaces inside them (``"GM    1954"``); both are read as the code.

Above the gemeenten, CBS tables hold rows for the country and its parts: ``NL00``
(Nederland; in the benefit tables "Totaal", residents and those abroad), ``NL01``
(residents of Nederland), ``NL98`` (abroad), ``LD01``–``LD04`` (landsdelen) and
``PV20``–``PV31`` (provinces; Limburg is ``PV31``). They are benchmarks, not regions
of the scope: their level is ``land``, ``landsdeel`` or ``provincie`` and they belong
to no gemeente.
"""

from __future__ import annotations

import re
from functools import cache

import pandas as pd
import pydantic

from ..errors import ConfigError, DataFormatError
from .toml_files import Strict, packaged_text, read_toml, validate

LEVELS = {"GM": "gemeente", "WK": "wijk", "BU": "buurt"}
#: The levels above the gemeente, by code prefix: rows a table holds as benchmarks (see the module's docstring).
BENCHMARK_LEVELS = {"NL": "land", "LD": "landsdeel", "PV": "provincie"}
#: One CBS region code; Amsterdam's wijken carry letters (``WK0363AA``).
CODE_PATTERN = r"(GM\d{4}|WK\d{4}[0-9A-Z]{2}|BU\d{4}[0-9A-Z]{4})"
#: The code of a country, landsdeel or province row.
BENCHMARK_PATTERN = r"(NL\d{2}|LD\d{2}|PV\d{2})"
GEMEENTE_PATTERN = r"GM\d{4}"
_CODE_RE = re.compile(f"^{CODE_PATTERN}$")


class Gemeente(Strict):
    """One entry of ``gemeenten.toml``."""

    name: str
    since: int | None = None
    until: int | None = None
    merged_into: str | None = pydantic.Field(default=None, pattern=f"^{GEMEENTE_PATTERN}$")

    def exists_in(self, year: int) -> bool:
        """True when the gemeente existed on 1 January of ``year``."""
        return (self.since is None or year >= self.since) and (self.until is None or year <= self.until)


@cache
def gemeenten() -> dict[str, Gemeente]:
    """Every gemeente that was ever part of Parkstad, code → entry, in file order."""
    text, where = packaged_text("gemeenten.toml")
    entries = {}
    for code, entry in read_toml(text, where).items():
        if not re.fullmatch(GEMEENTE_PATTERN, code):
            raise ConfigError(f"{where}: key {code!r} is not a gemeente code (GM + 4 digits)")
        entries[code] = validate(Gemeente, entry, where, f"gemeente {code!r}")
    for code, entry in entries.items():
        if entry.merged_into and entry.merged_into not in entries:
            raise ConfigError(f"{where}: gemeente {code!r} merged into {entry.merged_into!r}, which is not listed")
    return entries


def parkstad_gemeenten(year: int) -> dict[str, str]:
    """The Parkstad gemeenten (code → name) in the boundaries of ``year``.

    Examples
    --------
    >>> sorted(parkstad_gemeenten(2018))[:3]
    ['GM0881', 'GM0882', 'GM0899']
    """
    return {code: g.name for code, g in gemeenten().items() if g.exists_in(year)}


def current_gemeenten() -> dict[str, str]:
    """The Parkstad gemeenten of today (code → name)."""
    return {code: g.name for code, g in gemeenten().items() if g.until is None}


def all_parkstad_codes() -> set[str]:
    """Gemeente codes that belonged to Parkstad in any year."""
    return set(gemeenten())


def gemeente_names() -> dict[str, str]:
    """Code → name of every gemeente that was ever part of Parkstad."""
    return {code: g.name for code, g in gemeenten().items()}


def successor(code: str) -> str:
    """The gemeente of today a (possibly merged) gemeente code belongs to (``GM0951`` Nuth → ``GM1954``)."""
    entry = gemeenten().get(code)
    while entry is not None and entry.merged_into:
        code, entry = entry.merged_into, gemeenten().get(entry.merged_into)
    return code


def clean_code(value: object) -> str:
    """Trim and upper-case one region code and check its form.

    Raises
    ------
    DataFormatError
        If the value is not a GM/WK/BU code of the right length.
    """
    code = str(value).strip().upper()
    if not _CODE_RE.match(code):
        raise DataFormatError(f"region code {value!r} does not parse: expected GM+4, WK+6 or BU+8 digits")
    return code


def clean_codes(values: pd.Series, where: str = "") -> pd.Series:
    """Region codes without padding or inner spaces (``"GM    1954"`` is ``GM1954``), upper-cased and checked.

    Gemeente, wijk and buurt codes and the benchmark codes above them (``NL00``, ``LD01``, ``PV31``) are accepted;
    the error names ``where`` and the first bad value.
    """
    codes = values.astype("string").str.replace(r"\s+", "", regex=True).str.upper()
    bad = codes[~codes.str.fullmatch(f"{CODE_PATTERN}|{BENCHMARK_PATTERN}").fillna(False)]
    if len(bad):
        first = values.loc[bad.index[0]]
        raise DataFormatError(
            f"{where}: region code {first!r} does not parse "
            f"(expected GM+4, WK+6 or BU+8 digits, or NL/LD/PV+2; {len(bad)} bad value(s))"
        )
    return codes.astype(str)


def level_of(codes: pd.Series) -> pd.Series:
    """``gemeente``, ``wijk`` or ``buurt`` for each (clean) code; ``land``, ``landsdeel`` or ``provincie`` above."""
    return codes.str[:2].map(LEVELS | BENCHMARK_LEVELS)


def is_benchmark(codes: pd.Series) -> pd.Series:
    """True for the codes of a country, landsdeel or province row (``NL00``, ``LD01``, ``PV31``)."""
    return codes.astype("string").str.replace(r"\s+", "", regex=True).str.upper().str[:2].isin(
        list(BENCHMARK_LEVELS)).fillna(False)


def gemeente_of(codes: pd.Series) -> pd.Series:
    """The gemeente code (``GM`` + 4 digits) each clean code belongs to; missing for a benchmark row."""
    return ("GM" + codes.str[2:6]).where(~is_benchmark(codes))
