"""Numbers as Dutch readers and CBS write them, one formatter for pages, maps, charts and exports alike.

``53.205`` (a thousands dot), ``58,8`` (a decimal comma), "." for a missing value; counts with no
decimals, shares, rates and means with one. The signs follow CBS's *verklaring van tekens*: "." means the
figure is missing, "–" means nihil (zero), "x" means secret; a Dutch statistics reader reads "–" as zero, so
it is never used for a missing figure (:data:`SIGNS` is the legend every page and export carries).
"""

from __future__ import annotations

import math

#: What a page, map or table shows for a missing value (CBS: "gegevens ontbreken").
MISSING = "."
#: CBS's verklaring van tekens, as far as the pages use it: the legend under tables and pages.
SIGNS = "Verklaring van tekens (CBS): . = gegevens ontbreken; – = nihil (nul); x = geheim."


def nl_number(value: object, decimals: int = 0) -> str:
    """A number in Dutch notation (``53.205``, ``59,7``, ``-1,1``); "." for a missing value; text as it is.

    A value that rounds to zero has no sign (CBS writes 0,0, never -0,0).

    >>> nl_number(53205.0), nl_number(59.6852, 1), nl_number(float("nan")), nl_number(-1.05, 2), nl_number(-0.04, 1)
    ('53.205', '59,7', '.', '-1,05', '0,0')
    """
    if value is None or value is _pandas_na():
        return MISSING
    try:
        number = float(value)
    except (TypeError, ValueError):
        return str(value)
    if math.isnan(number):
        return MISSING
    text = f"{number:,.{decimals}f}"
    if text.startswith("-") and not text.strip("-0.,"):  # -0.0: the sign of a rounded-away value
        text = text[1:]
    return text.replace(",", "\u0001").replace(".", ",").replace("\u0001", ".")


def euros(amount: float) -> str:
    """Whole euros: ``150.000``."""
    return nl_number(amount, 0)


def dutch_list(items: list[str]) -> str:
    """``a``, ``a en b``, ``a, b en c``."""
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} en {items[-1]}"


def decimals_for(unit: str) -> int:
    """Decimals to show for a unit: none for counts, one for shares, rates, means and household sizes."""
    return 0 if unit == "aantal" else 1


def _pandas_na() -> object:
    import pandas as pd  # only once a value is shown: the CLI imports this module without pandas

    return pd.NA
