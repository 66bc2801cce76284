"""Focus areas as sets of CBS codes (``areas.toml``), plus one area per Parkstad gemeente.

An area is a set of codes of one level (buurt, wijk or gemeente) in one
gemeente, with a definition and its source. Every Parkstad gemeente of
``gemeenten.toml`` is an area too (``heerlen``, ``kerkrade``, …), and
``parkstad`` is all of them in the boundaries of the year asked.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from typing import Literal

import pydantic

from ..errors import ConfigError
from .regions import CODE_PATTERN, GEMEENTE_PATTERN, gemeenten, parkstad_gemeenten
from .toml_files import Strict, packaged_text, read_toml, validate

_PREFIX = {"buurt": "BU", "wijk": "WK", "gemeente": "GM"}


class AreaEntry(Strict):
    """One entry of ``areas.toml``."""

    title: str
    level: Literal["buurt", "wijk", "gemeente"]
    codes: tuple[str, ...] = ()
    all_gemeenten: bool = False
    boundaries: tuple[int, int]
    gemeente: str = pydantic.Field(pattern=f"^({GEMEENTE_PATTERN})?$")
    definition: str
    source: str
    focus: int | None = pydantic.Field(default=None, ge=1)
    alternative_of: str | None = None

    @pydantic.model_validator(mode="after")
    def _codes_fit_the_level(self) -> AreaEntry:
        if not self.codes and not self.all_gemeenten:
            raise ValueError("an area needs codes (or all_gemeenten = true)")
        if self.gemeente and self.gemeente not in gemeenten():
            raise ValueError(f"gemeente {self.gemeente!r} is not in gemeenten.toml")
        for code in self.codes:
            if not re.fullmatch(CODE_PATTERN, code) or not code.startswith(_PREFIX[self.level]):
                raise ValueError(f"code {code!r} is not a {self.level} code ({_PREFIX[self.level]} + digits)")
            if self.gemeente and code[2:6] != self.gemeente[2:6]:
                raise ValueError(f"code {code!r} does not lie in gemeente {self.gemeente}")
        if self.boundaries[0] > self.boundaries[1]:
            raise ValueError(f"boundaries {list(self.boundaries)} run backwards")
        return self


@dataclass(frozen=True)
class Area:
    """A focus area, gemeente or Parkstad: CBS codes of one level, with its definition and source."""

    name: str
    title: str
    level: str
    codes: tuple[str, ...]
    boundaries: tuple[int, int]
    gemeente: str
    definition: str
    source: str
    focus: int | None = None
    all_gemeenten: bool = False
    #: For a gemeente formed by a merger: the gemeenten it was before ``boundaries[0]``.
    predecessors: tuple[str, ...] = ()
    #: The focus area this is another documented definition of (see :func:`alternatives`).
    alternative_of: str | None = None

    def codes_for(self, year: int | None = None) -> tuple[str, ...]:
        """Codes of the area in the boundaries of ``year``.

        Parkstad's gemeenten changed in 2019; Beekdaelen before 2019 is Nuth, Onderbanken and
        Schinnen together (see :meth:`composition_note`).
        """
        if self.all_gemeenten and year is not None:
            return tuple(parkstad_gemeenten(year))
        if self.predecessors and year is not None and year < self.boundaries[0]:
            return self.predecessors
        return self.codes

    def composition_note(self, year: int | None) -> str:
        """What the area is made of in ``year`` when that differs from today (a merger), else ''."""
        if self.predecessors and year is not None and year < self.boundaries[0]:
            names = [gemeenten()[code].name for code in self.predecessors]
            return f"{', '.join(names[:-1])} en {names[-1]} samen ({self.title} bestaat sinds {self.boundaries[0]})"
        return ""

    @property
    def wijken(self) -> tuple[str, ...]:
        """The wijk codes the area lies in (itself for wijk areas)."""
        if self.level == "gemeente":
            return ()
        return tuple(dict.fromkeys("WK" + c[2:8] for c in self.codes))


#: An area's key: it becomes part of page, figure and pointer names, so a plain name only.
AREA_NAME = re.compile(r"[a-z][a-z0-9_]*")


@cache
def load_areas() -> dict[str, Area]:
    """Every area of ``areas.toml`` plus one area per gemeente of ``gemeenten.toml``.

    Raises
    ------
    ConfigError
        For an entry that does not match the model (bad code, level, boundaries, unknown key)
        or a name that would shadow a gemeente.
    """
    text, where = packaged_text("areas.toml")
    return parse_areas(read_toml(text, where), where)


def parse_areas(document: dict, where: str) -> dict[str, Area]:
    """Areas from a parsed ``areas.toml``, checked against :class:`AreaEntry`, plus the gemeente areas.

    Raises
    ------
    ConfigError
        Naming the file, the area and the key at fault.
    """
    builtin = _gemeente_areas()
    areas = {}
    for name, entry_document in document.items():
        if not AREA_NAME.fullmatch(name):  # it names files and folders of a report: never a path
            raise ConfigError(f"{where}: area key {name!r}: expected a plain name of lowercase letters, digits and "
                              "underscores, starting with a letter (such as 'heerlen_noord')")
        if name in builtin:
            raise ConfigError(f"{where}: area {name!r} has the name of gemeente {builtin[name].title}; choose another name")
        if not isinstance(entry_document, dict):
            raise ConfigError(f"{where}: area {name!r} must be a table of keys, found {entry_document!r}")
        entry = validate(AreaEntry, entry_document, where, f"area {name!r}")
        codes = tuple(parkstad_gemeenten(entry.boundaries[1])) if entry.all_gemeenten else entry.codes
        areas[name] = Area(name=name, title=entry.title, level=entry.level, codes=codes, boundaries=entry.boundaries,
                           gemeente=entry.gemeente, definition=entry.definition, source=entry.source,
                           focus=entry.focus, all_gemeenten=entry.all_gemeenten, alternative_of=entry.alternative_of)
    for area in areas.values():
        if area.alternative_of is not None and area.alternative_of not in areas:
            raise ConfigError(f"{where}: area {area.name!r} is an alternative_of {area.alternative_of!r}, which is not "
                              f"an area of this file (expected one of {', '.join(sorted(areas))})")
    return areas | builtin


def _gemeente_areas() -> dict[str, Area]:
    areas = {}
    for code, entry in gemeenten().items():
        name = entry.name.lower()
        merged = tuple(c for c, other in gemeenten().items() if other.merged_into == code)
        areas[name] = Area(name=name, title=entry.name, level="gemeente", codes=(code,),
                           boundaries=(entry.since or 2014, entry.until or 2024), gemeente=code,
                           definition=f"Gemeente {entry.name} ({code}).", source="CBS-gemeentelijke indeling",
                           predecessors=merged)
    return areas


def get_area(name: str) -> Area:
    """One area by name: a focus area, gemeente or ``parkstad`` of ``areas.toml``, else any gemeente, wijk or buurt
    of the built data by CBS code or name (:mod:`parkstad_analysis.analysis.catalogue`).

    Raises
    ------
    UnknownNameError
        For a name that is none of these, closest first; a name several regions carry lists them with their codes.
    """
    areas = load_areas()
    key = name.strip().lower().replace("-", "_").replace(" ", "_")
    if key in areas:
        return areas[key]
    # Any region of the built data: it is data, not vocabulary, so it is looked up only here, at the edge
    from ..analysis.catalogue import region_area

    return region_area(name)


def as_area(area: Area | str) -> Area:
    """``area`` itself, or the area of that name: functions that take an area accept either, and look up a name
    once, at the edge."""
    return area if isinstance(area, Area) else get_area(area)


def alternatives(area: Area) -> list[Area]:
    """The other documented definitions of an area (GMS with Hoppersgraaf, Heerlen-Noord with Molenberg)."""
    return [other for other in load_areas().values() if other.alternative_of == area.name]


def focus_areas() -> list[str]:
    """The Regio Deal focus areas (not the gemeenten or Parkstad), in their order in ``areas.toml``."""
    focus = [area for area in load_areas().values() if area.focus is not None]
    return [area.name for area in sorted(focus, key=lambda a: a.focus)]


def gemeente_area(code: str) -> Area:
    """The area of one gemeente, by code."""
    return next(a for a in load_areas().values() if a.level == "gemeente" and a.codes == (code,))


def comparison_areas(area: Area) -> list[Area]:
    """The area, its gemeente and Parkstad: the usual comparison."""
    result = [area]
    if area.gemeente and area.level != "gemeente":
        result.append(gemeente_area(area.gemeente))
    if area.name != "parkstad":
        result.append(load_areas()["parkstad"])
    return result


def split_areas(value: str) -> list[str]:
    """An area list as written in a table cell: ``"hoensbroek; gms"`` → ``["hoensbroek", "gms"]``."""
    return [part.strip() for part in value.split(";") if part.strip()]
