"""The dataset registry: every dataset a project uses, one validated entry each.

The package ships ``data/registry.toml``. A project adds its own tables in ``parkstad.toml`` at its root
(:data:`PROJECT_FILE`, written by ``parkstad add``), in the same shape; an id may be registered once.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path
from typing import Literal

import pydantic

from ..errors import ConfigError, UnknownNameError
from ..vocabulary.toml_files import Strict, packaged_text, read_toml, read_toml_file, validate

LICENCE = "CBS, CC BY 4.0"
SOURCES = ("odata", "url", "mirror", "file")
#: A project's own registry, beside ``data/`` at the project root: it extends the package's.
PROJECT_FILE = "parkstad.toml"
#: The file shapes the readers know (the ``format`` of an entry and of its mirror copy).
FORMATS = (
    "odata-json", "odata-stripped-json", "odata-typed-json", "odata-typed-json-folder", "odata-csv", "odata-csv-folder",
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
AUTHORITIES = ("cbs-odata", "cbs-export", "third-party", "not-cbs")
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
    source: Literal["odata", "url", "mirror", "file"]
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
    authority: Literal["cbs-odata", "cbs-export", "third-party", "not-cbs"] = "cbs-odata"
    derived_from: str | None = None
    exclude: tuple[str, ...] = ()
    columns: dict[str, str] = pydantic.Field(default_factory=dict)
    licence: str = LICENCE
    mirror: MirrorEntry | None = None
    #: source "file": a researcher's own file or folder, relative to the project root or absolute, with its sha256
    #: (a folder lists each member's in ``members``) and where it came from.
    file: str | None = None
    members: dict[str, str] = pydantic.Field(default_factory=dict)
    origin: str = ""

    @pydantic.field_validator("period", mode="before")
    @classmethod
    def _period_as_text(cls, value: object) -> object:
        return str(value) if isinstance(value, int) else value

    @property
    def year(self) -> int | None:
        """The single year of the data, when ``period`` is one year."""
        return int(self.period) if self.period.isdigit() else None

    def holds_table(self, table_id: str) -> bool:
        """True when the dataset is CBS table ``table_id`` or a copy of part of it (a member named after it)."""
        wanted = table_id.upper()
        members = [*self.members, *(self.mirror.members if self.mirror else [])]
        return self.table_id == wanted or any(name.upper().startswith(wanted) for name in members)

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
        if self.authority == "not-cbs":  # notes from news pages: no CBS figure, so not named as CBS's
            return self.table_title or self.title
        return f"{where} ({self.table_title or self.title}{kind})"


def load_registry(path: str | Path | None = None, *, root: str | Path | None = None) -> dict[str, Dataset]:
    """Read the dataset registry.

    Parameters
    ----------
    path : str or Path, optional
        A registry TOML file, read alone; default the package's registry extended by the project's
        ``parkstad.toml`` (:data:`PROJECT_FILE`) when there is one.
    root : str or Path, optional
        The project root whose ``parkstad.toml`` is read; default :meth:`Settings.from_env`'s.

    Returns
    -------
    dict of str to Dataset
        Keyed by dataset id, in file order (the package's first).

    Raises
    ------
    ConfigError
        If an entry lacks a required field, has an unknown key, names an unknown source or shape, or a project
        entry reuses an id of the package's registry.
    """
    if path is not None:
        return _parse(*read_toml_file(path))
    packaged = dict(_packaged_registry())
    project = project_file(root)
    if not project.is_file():
        return packaged
    raw, where = read_toml_file(project)
    taken = sorted(set(raw) & set(packaged))
    if taken:
        raise ConfigError(f"{where}: dataset id(s) {taken} are already registered by the package; choose another id")
    return _parse({**_packaged_raw(), **raw}, where, first=len(packaged))


def project_file(root: str | Path | None = None) -> Path:
    """The project's own registry file, ``<root>/parkstad.toml``."""
    if root is None:
        from ..config import Settings

        root = Settings.from_env().root
    return Path(root) / PROJECT_FILE


@cache
def _packaged_raw() -> dict:
    text, where = packaged_text("registry.toml")
    return read_toml(text, where)


@cache
def _packaged_registry() -> dict[str, Dataset]:
    return _parse(_packaged_raw(), packaged_text("registry.toml")[1])


def _parse(raw: dict, where: str, first: int = 0) -> dict[str, Dataset]:
    """Validate the entries of ``raw``; those from position ``first`` on are the ones read from ``where``."""
    registry = {}
    for position, (key, entry) in enumerate(raw.items()):
        source = where if position >= first else "the package's registry.toml"
        if not isinstance(entry, dict):
            raise ConfigError(f"{source}: dataset {key!r} must be a table of keys, found {entry!r}")
        registry[key] = validate(Dataset, {**entry, "id": key}, source, f"dataset {key!r}")
    for dataset in registry.values():
        if dataset.source == "odata" and not dataset.table_id:
            raise ConfigError(f"{where}: dataset {dataset.id!r} has source 'odata' but no table_id")
        if dataset.source == "url" and not dataset.url:
            raise ConfigError(f"{where}: dataset {dataset.id!r} has source 'url' but no url")
        if dataset.source == "mirror" and dataset.mirror is None:
            raise ConfigError(f"{where}: dataset {dataset.id!r} has source 'mirror' but no mirror entry")
        if dataset.source == "file" and (not dataset.file or not (dataset.sha256 or dataset.members)):
            raise ConfigError(f"{where}: dataset {dataset.id!r} has source 'file' but no file with its sha256 "
                              "(or members with theirs)")
        if dataset.derived_from and dataset.derived_from not in registry:
            raise ConfigError(f"{where}: dataset {dataset.id!r} is derived_from {dataset.derived_from!r}, which is not listed")
    return registry


def datasets_holding(table_id: str, registry: dict[str, Dataset] | None = None) -> list[Dataset]:
    """The datasets that are CBS table ``table_id`` (``85586NED``), then those holding part of it."""
    registry = registry or load_registry()
    exact = [d for d in registry.values() if d.table_id == table_id.upper()]
    return exact or [d for d in registry.values() if d.holds_table(table_id)]


def get_dataset(dataset_id: str, registry: dict[str, Dataset] | None = None) -> Dataset:
    """Look up one dataset.

    Raises
    ------
    UnknownNameError
        For an unknown id, listing the closest ids first: the datasets that hold a CBS table id given
        (``85586NED`` → ``uitkeringen_2023``), then those closest by meaning and spelling.
    """
    registry = registry or load_registry()
    try:
        return registry[dataset_id]
    except KeyError:
        holding = []
        if re.fullmatch(r"\d{5}[A-Za-z]{3}", str(dataset_id)):  # a CBS table id: the table, then copies of part of it
            exact = datasets_holding(dataset_id, registry)
            holding = [d.id for d in [*exact, *(d for d in registry.values() if d.holds_table(dataset_id))]]
            holding = list(dict.fromkeys(holding))
        rest = [name for name in registry if name not in holding]
        described = {d.id: f"{d.title} {d.table_id or ''}" for d in registry.values()}
        raise UnknownNameError("dataset", dataset_id, [*holding, *sorted(rest)], described,
                               first=holding) from None


def datasets_feeding(table: str, registry: dict[str, Dataset] | None = None) -> list[Dataset]:
    """The datasets whose ``feeds`` names ``table``, in registry order."""
    return [d for d in (registry or load_registry()).values() if d.feeds == table]
