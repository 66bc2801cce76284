"""CBS region codes: parsing, levels and the Parkstad gemeenten per year.

CBS codes are ``GM`` + 4 digits (gemeente), ``WK`` + 6 digits (wijk: the
gemeente's 4 digits and a 2-digit wijk number) and ``BU`` + 8 digits (buurt:
the wijk's 6 digits and a 2-digit buurt number). OData tables pad them with
spaces to 10 characters (``"GM0917    "``).
"""

from __future__ import annotations

import re

import pandas as pd

from .errors import DataFormatError

LEVELS = {"GM": "gemeente", "WK": "wijk", "BU": "buurt"}
_CODE_RE = re.compile(r"^(GM\d{4}|WK\d{4}[0-9A-Z]{2}|BU\d{4}[0-9A-Z]{4})$")

#: Parkstad Limburg gemeenten from 2019 on (Beekdaelen formed 1 January 2019).
PARKSTAD_2019 = {
    "GM0899": "Brunssum",
    "GM0917": "Heerlen",
    "GM0928": "Kerkrade",
    "GM0882": "Landgraaf",
    "GM0965": "Simpelveld",
    "GM0986": "Voerendaal",
    "GM1954": "Beekdaelen",
}
#: The three gemeenten that merged into Beekdaelen on 1 January 2019.
BEEKDAELEN_PREDECESSORS = {"GM0951": "Nuth", "GM0881": "Onderbanken", "GM0962": "Schinnen"}


def parkstad_gemeenten(year: int) -> dict[str, str]:
    """Return the Parkstad gemeenten (code → name) in the boundaries of ``year``.

    Parameters
    ----------
    year : int
        Boundary year; before 2019 Nuth, Onderbanken and Schinnen replace Beekdaelen.

    Examples
    --------
    >>> sorted(parkstad_gemeenten(2018))[:3]
    ['GM0881', 'GM0882', 'GM0899']
    """
    if year >= 2019:
        return dict(PARKSTAD_2019)
    earlier = {code: name for code, name in PARKSTAD_2019.items() if code != "GM1954"}
    return earlier | BEEKDAELEN_PREDECESSORS


def all_parkstad_codes() -> set[str]:
    """Gemeente codes that belonged to Parkstad in any year."""
    return set(PARKSTAD_2019) | set(BEEKDAELEN_PREDECESSORS)


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
    bad = codes[~codes.str.fullmatch(_CODE_RE.pattern[1:-1]).fillna(False)]
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


def wijk_of(codes: pd.Series) -> pd.Series:
    """The wijk code of each buurt code; missing for gemeenten, itself for wijken."""
    wijk = "WK" + codes.str[2:8]
    return wijk.where(codes.str[:2].isin(["WK", "BU"]))
