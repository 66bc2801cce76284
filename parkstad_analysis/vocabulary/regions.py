"""CBS region codes (parsing, levels) and the Parkstad gemeenten per year, from ``gemeenten.toml``.

CBS codes are ``GM`` + 4 digits (gemeente), ``WK`` + 6 (wijk: the gemeente's 4
digits and a 2-character wijk number) and ``BU`` + 8 (buurt: the wijk's 6 and a
2-character buurt number). OData tables pad them with spaces (``"GM0917    "``).
"""

from __future__ import annotations

import re
from functools import cache

import pandas as pd
import pydantic

from ..errors import ConfigError, DataFormatError
from .toml_files import Strict, packaged_text, read_toml, validate

LEVELS = {"GM": "gemeente", "WK": "wijk", "BU": "buurt"}
#: One CBS region code; Amsterdam's wijken carry letters (``WK0363AA``).
CODE_PATTERN = r"(GM\d{4}|WK\d{4}[0-9A-Z]{2}|BU\d{4}[0-9A-Z]{4})"
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
    """Trim a column of region codes; the error names ``where`` and the bad value."""
    codes = values.astype("string").str.strip().str.upper()
    bad = codes[~codes.str.fullmatch(CODE_PATTERN).fillna(False)]
    if len(bad):
        first = values.loc[bad.index[0]]
        raise DataFormatError(
            f"{where}: region code {first!r} does not parse "
            f"(expected GM+4, WK+6 or BU+8 digits; {len(bad)} bad value(s))"
        )
    return codes.astype(str)


def level_of(codes: pd.Series) -> pd.Series:
    """``gemeente``, ``wijk`` or ``buurt`` for each (clean) code."""
    return codes.str[:2].map(LEVELS)


def gemeente_of(codes: pd.Series) -> pd.Series:
    """The gemeente code (``GM`` + 4 digits) each clean code belongs to."""
    return "GM" + codes.str[2:6]
