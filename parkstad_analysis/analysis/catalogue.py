"""Every gemeente, wijk and buurt of the built data as an area: found by CBS code or by name.

``areas.toml`` names the composite focus areas; any single region of the processed
tables is an area too, under its code (``BU09280102``, ``WK089902``, ``GM0928``) or
its name (``Rolduckerveld``). A name that several regions carry (buurt names repeat
across gemeenten, and a wijk often shares its name with a buurt) is refused with the
candidates to choose from; a typo gets the closest names.
"""

from __future__ import annotations

import difflib
import functools
import unicodedata
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache

import pandas as pd

from ..config import Settings
from ..errors import UnknownNameError
from ..vocabulary.areas import Area, gemeente_area, load_areas
from ..vocabulary.regions import CODE_PATTERN, gemeenten

_LEVEL_WORD = {"buurt": "Buurt", "wijk": "Wijk", "gemeente": "Gemeente"}


class AmbiguousAreaError(UnknownNameError):
    """A name several regions carry: the message lists each with its code, level and gemeente."""

    def __init__(self, name: str, candidates: list[str]):
        self.kind, self.name, self.valid = "area", name, candidates
        KeyError.__init__(self, f"area {name!r} is ambiguous: {len(candidates)} regions carry that name; name one by "
                                f"its code: {'; '.join(candidates)}")


@dataclass(frozen=True)
class Region:
    """One region of the built data: its latest name, level, gemeente and the years its code is used."""

    code: str
    name: str
    level: str
    gemeente: str
    first_year: int
    last_year: int

    def describe(self) -> str:
        """``Rolduckerveld (BU09280102, buurt in Kerkrade)``."""
        where = f" in {gemeente_name(self.gemeente)}" if self.level != "gemeente" else ""
        return f"{self.name} ({self.code}, {self.level}{where})"


def gemeente_name(code: str) -> str:
    """A gemeente's name by code (its code when it is not a Parkstad gemeente)."""
    entry = gemeenten().get(code)
    return entry.name if entry else code


def plain_text(text: str) -> str:
    """Lower case without accents or punctuation: what a typed name is compared by."""
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return " ".join("".join(c if c.isalnum() else " " for c in text.lower()).split())


class Catalogue:
    """The regions of a processed generation, to find an area by code or name.

    Parameters
    ----------
    names : DataFrame
        The ``region_names`` table (code, name, year, source).
    used : DataFrame, optional
        Rows of a region table (``region_code``, ``region_name``, ``year``): the years a code is in use there count
        too (a code list of 2024 may lack a gemeente whose 2024 figures the KWB has).
    scope : set of str, optional
        Gemeente codes to keep (``Scope.gemeenten()``); ``None`` keeps every region (the national scope).
    """

    def __init__(self, names: pd.DataFrame, scope: set[str] | frozenset[str] | None,
                 used: pd.DataFrame | None = None):
        frames = [names[["region_code", "region_name", "year"]].assign(_listed=True)]
        if used is not None:  # a code the region tables hold in a year is in use that year, named or not there
            frames.append(used[["region_code", "region_name", "year"]].assign(_listed=False))
        names = pd.concat(frames, ignore_index=True)
        names = names[names["region_code"].astype(str).str.fullmatch(CODE_PATTERN)]
        if scope is not None:
            names = names[("GM" + names["region_code"].str[2:6]).isin(scope)]
        ordered = names.dropna(subset=["year"]).sort_values("year", kind="stable")
        span = ordered.groupby("region_code")["year"].agg(["min", "max"])
        # a name from the code lists first (CBS's own titles); a region table's ("Wijk 02 Brunssum-Noord") only
        # where the lists have none
        listed = ordered.dropna(subset=["region_name"])
        latest = listed[listed["_listed"]].groupby("region_code")["region_name"].last()
        latest = latest.combine_first(listed.groupby("region_code")["region_name"].last())
        self.regions = {code: Region(code, str(latest.get(code, code)),
                                     {"BU": "buurt", "WK": "wijk", "GM": "gemeente"}[code[:2]],
                                     "GM" + code[2:6], int(span.at[code, "min"]), int(span.at[code, "max"]))
                        for code in span.index}

    def current(self, year: int | None = None) -> list[Region]:
        """The regions whose code is in use in ``year`` (default: the newest division of each level, a code last
        seen one year before it included, since files of different years list different parts of the country: the
        national KWB 2024 here holds only the first 10.000 rows, the gemeente list is of 2023): per gemeente the
        gemeente, then each wijk followed by its buurten, in code order."""
        if year is None:
            newest = {level: max(r.last_year for r in self.regions.values() if r.level == level)
                      for level in {r.level for r in self.regions.values()}}
            found = [r for r in self.regions.values() if r.last_year >= newest[r.level] - 1]
        else:
            found = [r for r in self.regions.values() if r.first_year <= year <= r.last_year]
        order = {"gemeente": 0, "wijk": 1, "buurt": 2}
        return sorted(found, key=lambda r: (r.gemeente, r.code[2:8] if r.level != "gemeente" else "",
                                            order[r.level], r.code))

    def find(self, text: str) -> Region:
        """The region a code or name means.

        Raises
        ------
        AmbiguousAreaError
            When several regions carry the name (each listed with its code).
        UnknownNameError
            For neither a known code nor a name, listing the closest names with their codes.
        """
        code = "".join(text.split()).upper()
        if code in self.regions:
            return self.regions[code]
        wanted = plain_text(text)
        matches = [r for r in self.regions.values() if plain_text(r.name) == wanted]
        if len(matches) > 1:  # a name of a region that is gone (merged away) yields to the one in use
            matches = [r for r in matches if r.last_year == max(m.last_year for m in matches)]
        if len(matches) == 1:
            return matches[0]
        if matches:
            raise AmbiguousAreaError(text, [r.describe() for r in sorted(matches, key=lambda r: r.code)])
        by_name = {}
        for region in self.regions.values():
            by_name.setdefault(plain_text(region.name), []).append(region)
        close = difflib.get_close_matches(wanted, list(by_name), n=6, cutoff=0.6)
        contained = [n for n in by_name if wanted and wanted in n.split() and n not in close]
        suggestions = [r.describe() for n in [*close, *contained][:8] for r in by_name[n]]
        raise UnknownNameError("area", text, [*suggestions, *sorted(load_areas())], first=suggestions[:8])

    def area(self, region: Region) -> Area:
        """A region as an :class:`Area` (a gemeente as the gemeente's own area)."""
        if region.level == "gemeente" and region.code in gemeenten():
            return gemeente_area(region.code)
        gemeente = gemeente_name(region.gemeente)
        return Area(name=region.code.lower(), title=region.name, level=region.level, codes=(region.code,),
                    boundaries=(region.first_year, region.last_year), gemeente=region.gemeente,
                    definition=f"{_LEVEL_WORD[region.level]} {region.name} ({region.code}) in gemeente {gemeente}, "
                               f"volgens de CBS-indeling van {region.first_year} tot en met {region.last_year}.",
                    source="CBS-wijk- en buurtindeling")


#: The project whose regions a name is looked up in while a command works on one (see :func:`regions_of`). Process-
#: wide, not a context variable: a report's threads (its index and workbook) look names up too.
_PROJECT: list[Settings] = []


@contextmanager
def regions_of(settings: Settings) -> Iterator[None]:
    """Look region codes and names up in ``settings``' project while the block runs (a report or atlas of another
    project than ``$PARKSTAD_HOME``'s)."""
    _PROJECT.append(settings)
    try:
        yield
    finally:
        _PROJECT.pop()


def looked_up_in_project(function: Callable) -> Callable:
    """Run ``function(settings, …)`` with region names looked up in that project (:func:`regions_of`)."""

    @functools.wraps(function)
    def wrapper(settings: Settings | None = None, *args, **kwargs):
        settings = settings or Settings.from_env()
        with regions_of(settings):
            return function(settings, *args, **kwargs)

    return wrapper


@cache
def _catalogue_of(folder: str, settings: Settings | None) -> Catalogue:
    from ..processed import NAMES_TABLE, ProcessedStore

    store = ProcessedStore(settings)
    if not store.has_table(NAMES_TABLE):
        return Catalogue(pd.DataFrame(columns=["region_code", "region_name", "year", "source"]), set())
    return Catalogue(store.load_table(NAMES_TABLE), store.settings.scope.gemeenten(), used_codes(store))


def used_codes(store) -> pd.DataFrame | None:
    """The codes, names and years of the KWB table: which regions are in use in which year."""
    if not store.has_table("kwb"):
        return None
    return store.load_table("kwb", columns=["region_code", "region_name", "year"])


def catalogue() -> Catalogue:
    """The regions of the current processed generation of the project in use (:func:`regions_of`, else
    ``$PARKSTAD_HOME``'s), in its scope."""
    from ..processed import ProcessedStore

    settings = _PROJECT[-1] if _PROJECT else None
    return _catalogue_of(str(ProcessedStore(settings).folder), settings)


def region_area(text: str) -> Area:
    """The area of the region a code or name means (see :meth:`Catalogue.find`)."""
    found = catalogue()
    return found.area(found.find(text))
