"""The indicator vocabulary: names, titles, units, how each aggregates.

Read from ``data/indicators.toml`` once per process.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache
from importlib import resources

from .errors import UnknownNameError

KINDS = ("count", "percentage", "mean", "other")
#: Columns of every tidy region table that are not indicators.
ID_COLUMNS = ("region_code", "region_name", "level", "gemeente_code", "year", "period")
#: Map classifications (mapclassify): quantiles, Fisher-Jenks natural breaks, equal interval, user breaks.
CLASSIFICATIONS = ("quantiles", "natural_breaks", "equal_interval", "user")
#: Rates drawn per region: name → (table, numerator, denominator, factor, unit, title).
DERIVED_RATES = {
    f"{kind}_per_1000": ("benefits", f"{kind}_ontvangers", "inwoners_15_plus", 1000, "per 1.000 inwoners 15+", title)
    for kind, title in (("bijstand", "Personen met bijstand"), ("ww", "Personen met een WW-uitkering"),
                        ("ao", "Personen met een AO-uitkering"), ("aow", "Personen met AOW"))
}


@dataclass(frozen=True)
class Indicator:
    """One indicator: its stable name, title, unit and aggregation rule."""

    name: str
    title: str
    unit: str
    kind: str
    weight: str | None = None
    rounded: int | None = None
    statline: tuple[str, ...] = ()


@dataclass(frozen=True)
class Catalog:
    """Every known indicator plus the key maps of tables whose keys collide."""

    indicators: dict[str, Indicator]
    odata_keys: dict[str, dict[str, list[str]]]
    dimension_codes: dict[str, dict[str, str]]

    def get(self, name: str) -> Indicator:
        """One indicator by name; unknown names raise an error listing the valid ones."""
        try:
            return self.indicators[name]
        except KeyError:
            raise UnknownNameError("indicator", name, sorted(self.indicators)) from None

    def statline_aliases(self) -> dict[str, str]:
        """StatLine export header → stable indicator name."""
        return {header: ind.name for ind in self.indicators.values() for header in ind.statline}

    def title(self, name: str) -> str:
        """Title of an indicator, or the name itself when it is not in the catalog."""
        return self.indicators[name].title if name in self.indicators else name


@cache
def load_catalog() -> Catalog:
    """Read ``data/indicators.toml`` (cached)."""
    text = resources.files("parkstad_analysis").joinpath("data/indicators.toml").read_text("utf-8")
    raw = tomllib.loads(text)
    indicators = {}
    for name, entry in raw["indicator"].items():
        if entry.get("kind") not in KINDS:
            raise ValueError(f"indicators.toml: {name}.kind must be one of {KINDS}")
        indicators[name] = Indicator(
            name=name,
            title=entry["title"],
            unit=entry["unit"],
            kind=entry["kind"],
            weight=entry.get("weight"),
            rounded=entry.get("rounded"),
            statline=tuple(entry.get("statline", ())),
        )
    return Catalog(indicators, raw.get("odata_keys", {}), raw.get("dimension_codes", {}))
