"""The dataset registry (``registry.toml``): every dataset the package uses, one validated entry each."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Literal

import pydantic

from ..errors import ConfigError, UnknownNameError
from ..vocabulary.toml_files import Strict, packaged_text, read_toml, read_toml_file, validate

LICENCE = "CBS, CC BY 4.0"
SOURCES = ("odata", "url", "mirror")
#: The file shapes the readers know (the ``format`` of an entry and of its mirror copy).
FORMATS = (
    "odata-json", "odata-stripped-json", "odata-typed-json", "odata-typed-json-folder", "odata-csv",
    "statline-csv", "statline-sqlite", "excel-csv", "renamed-csv", "csv", "markdown", "json-code-names",
    "csv-code-names", "geojson", "topojson", "wijkbuurtkaart-zip",
)
Format = Literal[FORMATS]  # type: ignore[valid-type]
#: What a dataset can feed: a processed table, or an input of the build (boundaries, labels, names); ``context``
#: (notes pages read) and ``none`` stay in data/raw. An unknown value is refused when the registry is read, so a
#: dataset cannot silently drop out of a build (tests/tables checks the build reads each of these).
FEEDS = ("kwb", "benefits", "education", "income", "cars", "geometry", "labels", "region_names", "gemeente_names",
         "context", "none")
Feeds = Literal[FEEDS]  # type: ignore[valid-type]
#: Which source wins when two hold the same figure, most authoritative first.
AUTHORITIES = ("cbs-odata", "cbs-export", "third-party")
#: A mirror sum that is not pinned: only for the wijk- en buurtkaart, which CBS re-issues in versions.
UNPINNED = "unpinned"


class MirrorEntry(Strict):
    """Where a dataset lies in a local mirror, and in which shape."""

    path: str
    format: Format
    sha256: str | None = pydantic.Field(default=None, pattern=rf"^([0-9a-f]{{64}}|{UNPINNED})$")
    members: dict[str, str] = pydantic.Field(default_factory=dict)
    coverage: str = ""

    @pydantic.model_validator(mode="after")
    def _every_file_has_a_sum(self) -> MirrorEntry:
        if self.format.endswith("folder") or self.members:
            bad = [name for name, sha in self.members.items() if len(sha) != 64]
            if not self.members or bad:
                raise ValueError(f"a mirror folder lists each of its files with a sha256 (missing for {bad or 'all'})")
        elif self.sha256 is None:
            raise ValueError("a mirror file needs its sha256")
        elif self.sha256 == UNPINNED and self.format != "wijkbuurtkaart-zip":
            raise ValueError("sha256 'unpinned' is only allowed for the wijk- en buurtkaart")
        return self


class Dataset(Strict):
    """One registry entry. See ``data/registry.toml`` for the fields."""

    id: str
    title: str
    source: Literal["odata", "url", "mirror"]
    format: Format
    feeds: Feeds
    period: str
    table_id: str | None = pydantic.Field(default=None, pattern=r"^\d{5}[A-Z]{3}$")
    title_pattern: str | None = None
    table_title: str | None = None
    label: str | None = None
    url: str | None = None
    sha256: str | None = pydantic.Field(default=None, pattern=r"^[0-9a-f]{64}$")
    select: tuple[str, ...] = ()
    boundary_year: int | None = None
    authority: Literal["cbs-odata", "cbs-export", "third-party"] = "cbs-odata"
    derived_from: str | None = None
    exclude: tuple[str, ...] = ()
    columns: dict[str, str] = pydantic.Field(default_factory=dict)
    licence: str = LICENCE
    mirror: MirrorEntry | None = None

    @pydantic.field_validator("period", mode="before")
    @classmethod
    def _period_as_text(cls, value: object) -> object:
        return str(value) if isinstance(value, int) else value

    @property
    def year(self) -> int | None:
        """The single year of the data, when ``period`` is one year."""
        return int(self.period) if self.period.isdigit() else None

    def downloadable(self) -> bool:
        """True when CBS itself serves the dataset (not only a mirror)."""
        return self.source in ("odata", "url")

    @property
    def rank(self) -> int:
        """Position of the dataset's authority: lower wins when two datasets hold the same figure."""
        return AUTHORITIES.index(self.authority)

    def describe(self) -> str:
        """The dataset as a page names it: ``CBS 84583NED (Kerncijfers wijken en buurten 2019)``."""
        where = f"CBS {self.table_id}" if self.table_id else "CBS"
        kind = {"statline-csv": ", StatLine-export", "statline-sqlite": ", StatLine-export",
                "excel-csv": ", Excel-export"}.get(self.mirror.format if self.mirror else self.format, "")
        if self.authority == "third-party":
            kind = ", bewerkt door derden"
        return f"{where} ({self.table_title or self.title}{kind})"


def load_registry(path: str | Path | None = None) -> dict[str, Dataset]:
    """Read the dataset registry.

    Parameters
    ----------
    path : str or Path, optional
        A registry TOML file; default the one shipped in the package.

    Returns
    -------
    dict of str to Dataset
        Keyed by dataset id, in file order.

    Raises
    ------
    ConfigError
        If an entry lacks a required field, has an unknown key or names an unknown source or shape.
    """
    if path is None:
        return dict(_packaged_registry())
    return _parse(*read_toml_file(path))


@cache
def _packaged_registry() -> dict[str, Dataset]:
    text, where = packaged_text("registry.toml")
    return _parse(read_toml(text, where), where)


def _parse(raw: dict, where: str) -> dict[str, Dataset]:
    registry = {}
    for key, entry in raw.items():
        if not isinstance(entry, dict):
            raise ConfigError(f"{where}: dataset {key!r} must be a table of keys, found {entry!r}")
        registry[key] = validate(Dataset, {**entry, "id": key}, where, f"dataset {key!r}")
    for dataset in registry.values():
        if dataset.source == "odata" and not dataset.table_id:
            raise ConfigError(f"{where}: dataset {dataset.id!r} has source 'odata' but no table_id")
        if dataset.source == "url" and not dataset.url:
            raise ConfigError(f"{where}: dataset {dataset.id!r} has source 'url' but no url")
        if dataset.source == "mirror" and dataset.mirror is None:
            raise ConfigError(f"{where}: dataset {dataset.id!r} has source 'mirror' but no mirror entry")
        if dataset.derived_from and dataset.derived_from not in registry:
            raise ConfigError(f"{where}: dataset {dataset.id!r} is derived_from {dataset.derived_from!r}, which is not listed")
    return registry


def get_dataset(dataset_id: str, registry: dict[str, Dataset] | None = None) -> Dataset:
    """Look up one dataset; an unknown id raises :class:`UnknownNameError` listing the valid ones."""
    registry = registry or load_registry()
    try:
        return registry[dataset_id]
    except KeyError:
        raise UnknownNameError("dataset", dataset_id, sorted(registry)) from None


def datasets_feeding(table: str, registry: dict[str, Dataset] | None = None) -> list[Dataset]:
    """The datasets whose ``feeds`` names ``table``, in registry order."""
    return [d for d in (registry or load_registry()).values() if d.feeds == table]
