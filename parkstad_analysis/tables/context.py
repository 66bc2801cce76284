"""What the table builders share during one build: the settings, the registry, fetched datasets and name lookups."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property

import pandas as pd

from ..config import Settings
from ..errors import DataFormatError
from ..fetch.raw import RawDataset, raw_dataset, verify_raw
from ..fetch.registry import Dataset, datasets_feeding, load_registry
from .coverage import RawExtent, raw_extent
from .names import buurt_lookup, gemeente_lookup

log = logging.getLogger("parkstad_analysis.build")

#: A reader turns one fetched dataset into a tidy frame: (raw copy, registry entry, context) → frame.
Reader = Callable[[RawDataset, Dataset, "BuildContext"], pd.DataFrame]


@dataclass
class BuildContext:
    """The state of one build, passed to every table builder."""

    settings: Settings
    #: Default: the package's registry and the project's ``parkstad.toml`` (of ``settings.root``).
    registry: dict[str, Dataset] = None  # type: ignore[assignment]
    #: One row per boundary file compared with the one kept for the same regions and year (``geometry``).
    boundary_checks: list[dict] = field(default_factory=list)
    #: Per dataset id, what its raw files held before rows were cut to the scope (``coverage``).
    extents: dict[str, list[RawExtent]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.registry is None:
            self.registry = load_registry(root=self.settings.root)

    def record_extent(self, dataset: Dataset, rows: pd.DataFrame, file: object) -> pd.DataFrame:
        """Note how many rows (and which CBS row IDs) a raw file of ``dataset`` held; returns ``rows``."""
        self.extents.setdefault(dataset.id, []).append(raw_extent(rows, str(file)))
        return rows

    def fetched(self, feeds: str) -> list[tuple[Dataset, RawDataset]]:
        """The fetched datasets that feed ``feeds``, each checked against its fetch-time sums."""
        found = []
        for dataset in datasets_feeding(feeds, self.registry):
            raw = raw_dataset(dataset.id, self.settings)
            if raw is not None:
                stale = raw.stale_for(dataset)
                if stale:
                    raise DataFormatError(f"{raw.folder} {stale}: remove that folder and run `parkstad fetch` again")
                verify_raw(raw)
                found.append((dataset, raw))
        return found

    def read_each(self, feeds: str, readers: dict[str, Callable]) -> list[tuple[Dataset, object]]:
        """Every fetched dataset feeding ``feeds`` with what the reader of its shape made of it."""
        results = []
        for dataset, raw in self.fetched(feeds):
            reader = readers.get(raw.format)
            if reader is None:
                raise DataFormatError(f"{raw.folder}: format {raw.format!r} is not a {feeds} shape this package reads "
                                      f"(known: {', '.join(readers)})")
            results.append((dataset, reader(raw, dataset, self)))
        return results

    @cached_property
    def gemeente_names(self) -> dict[str, str]:
        """Gemeente name → code for every gemeente that was ever part of Parkstad."""
        return gemeente_lookup(self.fetched("gemeente_names"))

    @cached_property
    def known_buurten(self) -> dict[str, str]:
        """Buurt code → name from the fetched code lists."""
        return buurt_lookup(self.fetched("region_names"))
