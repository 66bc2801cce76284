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
    "statline-csv", "statline-sqlite", "excel-csv", "csv", "markdown", "json-code-names",
    "geojson", "topojson", "wijkbuurtkaart-zip",
)
Format = Literal[FORMATS]  # type: ignore[valid-type]


class MirrorEntry(Strict):
    """Where a dataset lies in a local mirror, and in which shape."""

    path: str
    format: Format
    sha256: str | None = pydantic.Field(default=None, pattern=r"^[0-9a-f]{64}$")
    members: dict[str, str] = pydantic.Field(default_factory=dict)
    coverage: str = ""


class Dataset(Strict):
    """One registry entry. See ``data/registry.toml`` for the fields."""

    id: str
    title: str
    source: Literal["odata", "url", "mirror"]
    format: Format
    feeds: str
    period: str
    table_id: str | None = None
    url: str | None = None
    sha256: str | None = pydantic.Field(default=None, pattern=r"^[0-9a-f]{64}$")
    select: tuple[str, ...] = ()
    boundary_year: int | None = None
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
