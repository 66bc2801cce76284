"""The indicator vocabulary (``indicators.toml``): names, titles, units, tables, how each aggregates.

Read once per process. The processed-table schemas are generated from it
(:func:`table_indicators`), so a table holds exactly the indicators declared for it.
"""

from __future__ import annotations

from functools import cache
from typing import Literal

import pydantic

from ..errors import ConfigError, UnknownNameError
from .toml_files import Strict, packaged_text, read_toml, validate

KINDS = ("count", "percentage", "mean", "other")
#: Columns of every tidy region table that are not indicators.
ID_COLUMNS = ("region_code", "region_name", "level", "gemeente_code", "year", "period")
#: The processed tables indicators can belong to.
TABLES = ("kwb", "benefits", "education", "income", "cars")


def period_column(table) -> str:
    """The column a region table is timed by: ``period`` for quarterly tables, else ``year``."""
    return "period" if "period" in table.columns else "year"


def nearest_first(years, year: int) -> list[int]:
    """``years`` as whole years, the nearest to ``year`` first; of two as near, the later."""
    return sorted((int(y) for y in years), key=lambda y: (abs(y - year), -y))


class Indicator(Strict):
    """One indicator: its stable name, title, unit, tables and aggregation rule."""

    name: str = ""
    title: str
    unit: str
    kind: Literal["count", "percentage", "mean", "other"]
    tables: tuple[Literal["kwb", "benefits", "education", "income", "cars"], ...]
    decimals: int | None = pydantic.Field(default=None, ge=0, le=6)
    weight: str | None = None
    odata: tuple[str, ...] = ()
    statline: tuple[str, ...] = ()


class Rate(Strict):
    """A rate drawn per region: ``per`` × numerator / denominator, both counts of one table."""

    name: str = ""
    title: str
    table: Literal["kwb", "benefits", "education", "income", "cars"]
    numerator: str
    denominator: str
    per: float = pydantic.Field(gt=0)
    unit: str
    #: CBS's own percentage of the same rate (from the exact counts), where the table publishes one.
    published: str | None = None


class Table(Strict):
    """A processed region table: what it is and how CBS rounds its counts below gemeente level."""

    title: str
    rounding: int = pydantic.Field(ge=0)


class Vocabulary(Strict):
    """Every known table, indicator and rate, plus the key maps of tables whose keys collide."""

    tables: dict[str, Table]
    indicators: dict[str, Indicator]
    rates: dict[str, Rate]
    odata_keys: dict[str, dict[str, tuple[str, ...]]]
    dimension_codes: dict[str, dict[str, str]]

    def get(self, name: str) -> Indicator:
        """One indicator by name; unknown names raise an error listing the closest valid ones."""
        try:
            return self.indicators[name]
        except KeyError:
            raise UnknownNameError("indicator", name, sorted(self.indicators), self.descriptions()) from None

    def descriptions(self) -> dict[str, str]:
        """Name → title and unit of every indicator and rate: what an unknown name is matched against by meaning."""
        return {name: f"{self.title(name)} ({self.unit(name)})" for name in [*self.indicators, *self.rates]}

    def statline_aliases(self) -> dict[str, str]:
        """StatLine export header → stable indicator name."""
        return {header: ind.name for ind in self.indicators.values() for header in ind.statline}

    def odata_aliases(self) -> dict[str, str]:
        """OData key base (without suffix) → stable indicator name, for keys that were renamed between years."""
        return {key: ind.name for ind in self.indicators.values() for key in ind.odata}

    def rounding(self, indicator: str) -> int | None:
        """The rounding base of an indicator's counts below gemeente level (that of its first table)."""
        known = self.indicators.get(indicator)
        return self.tables[known.tables[0]].rounding if known else None

    def title(self, name: str) -> str:
        """Title of an indicator or rate, or the name itself when it is not in the vocabulary."""
        if name in self.rates:
            return self.rates[name].title
        return self.indicators[name].title if name in self.indicators else name

    def unit(self, name: str) -> str:
        """Unit of an indicator or rate ('' when unknown)."""
        if name in self.rates:
            return self.rates[name].unit
        return self.indicators[name].unit if name in self.indicators else ""


@cache
def load_vocabulary() -> Vocabulary:
    """Read and check ``data/indicators.toml`` (cached).

    Raises
    ------
    ConfigError
        For an entry that does not match the model, or a weight, numerator or
        denominator that names no declared indicator.
    """
    text, where = packaged_text("indicators.toml")
    raw = read_toml(text, where)
    unknown = sorted(set(raw) - {"table", "indicator", "rate", "odata_keys", "dimension_codes"})
    if unknown:
        raise ConfigError(f"{where}: unknown section(s) {unknown}; expected table, indicator, rate, odata_keys, "
                          "dimension_codes")
    tables = {name: validate(Table, entry, where, f"table {name!r}") for name, entry in raw.get("table", {}).items()}
    if sorted(tables) != sorted(TABLES):
        raise ConfigError(f"{where}: [table.*] must describe exactly {', '.join(TABLES)}; found {', '.join(tables)}")
    indicators = {name: validate(Indicator, {**entry, "name": name}, where, f"indicator {name!r}")
                  for name, entry in raw.get("indicator", {}).items()}
    rates = {name: validate(Rate, {**entry, "name": name}, where, f"rate {name!r}")
             for name, entry in raw.get("rate", {}).items()}
    for name, entry in indicators.items():
        if entry.weight and entry.weight not in indicators:
            raise ConfigError(f"{where}: indicator {name!r} has weight {entry.weight!r}, which is not a declared indicator")
    for name, rate in rates.items():
        for role in ("numerator", "denominator", "published"):
            column = getattr(rate, role)
            if column is None:
                continue
            if column not in indicators or rate.table not in indicators[column].tables:
                raise ConfigError(f"{where}: rate {name!r} has {role} {column!r}, which is not an indicator of {rate.table!r}")
    return Vocabulary(tables=tables, indicators=indicators, rates=rates, odata_keys=raw.get("odata_keys", {}),
                      dimension_codes=raw.get("dimension_codes", {}))


def table_indicators(table: str) -> list[str]:
    """The indicator columns of a processed table, in vocabulary order."""
    return [name for name, ind in load_vocabulary().indicators.items() if table in ind.tables]
