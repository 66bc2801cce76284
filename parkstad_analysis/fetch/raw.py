"""The write-once store of fetched datasets: ``data/raw/<id>/`` with a ``_source.json`` fetch record.

A dataset is assembled in a temporary sibling folder and renamed into place only
when complete, so an interrupted fetch leaves nothing half-written; its files are
made read-only (raw data is never edited) and their sha256 sums are recorded, so
that a later change is noticed (:func:`verify_raw`).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import stat
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from ..atomic import publish_folder, remove_tree, write_json
from ..config import Settings
from ..errors import ChecksumError, ConfigError, DataFormatError, FetchError
from ..locks import owned_name

SOURCE_FILE = "_source.json"
STAGING_PREFIX = ".partial-"


def sha256_of(path: Path) -> str:
    """Hex sha256 of a file, read in blocks."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


@dataclass(frozen=True)
class RawDataset:
    """A fetched dataset in ``data/raw/<id>/`` as described by its ``_source.json``."""

    dataset_id: str
    folder: Path
    origin: str
    format: str
    files: dict[str, str]
    table_id: str | None = None
    scope: str = "parkstad"

    def stale_for(self, dataset) -> str | None:
        """Why this copy no longer fits the registry entry (another shape or table, e.g. after the registry
        changed), or ``None`` when it fits."""
        shapes = {dataset.format, *([dataset.mirror.format] if dataset.mirror else [])}
        if self.format not in shapes:
            return f"was fetched as {self.format!r}, which is not a shape of {dataset.id!r} ({', '.join(sorted(shapes))})"
        if self.table_id and dataset.table_id and self.table_id != dataset.table_id:
            return f"holds table {self.table_id}, but {dataset.id!r} is table {dataset.table_id}"
        return None

    def path(self, name: str | None = None) -> Path:
        """The single data file, or the member ``name``."""
        if name is None:
            data_files = sorted(self.files)
            if len(data_files) != 1:
                raise FetchError(f"{self.folder}: holds {len(data_files)} files; name the one wanted")
            name = data_files[0]
        return self.folder / name


def raw_dataset(dataset_id: str, settings: Settings) -> RawDataset | None:
    """The fetched copy of a dataset in ``settings.raw_dir``, or ``None`` when it has not been fetched."""
    folder = settings.raw_dir / dataset_id
    marker = folder / SOURCE_FILE
    if folder.is_symlink():
        try:
            folder.resolve(strict=True)
        except (OSError, RuntimeError) as exc:  # a loop or a dangling link would read as "not fetched"
            raise ConfigError(f"{folder}: a symbolic link that leads nowhere ({exc.__class__.__name__}: {exc}); "
                              "remove it and run `parkstad fetch` again") from None
    if not folder.exists():
        return None
    # Anything else in the place of a fetched dataset is refused, never read as "not fetched": a build would
    # silently leave the dataset out, and a fetch could not put it back (data/raw is write-once).
    if not folder.is_dir():
        raise DataFormatError(f"{folder}: a file where a fetched dataset (a folder) belongs; remove it and run "
                              "`parkstad fetch` again")
    if not marker.is_file():
        found = "a folder" if marker.is_dir() else "nothing"
        raise DataFormatError(f"{marker}: expected the fetch record (a JSON file), found {found}: {folder} is not "
                              "a dataset `parkstad fetch` wrote; remove it and run `parkstad fetch` again")
    try:
        info = json.loads(marker.read_text("utf-8"))
        return RawDataset(dataset_id, folder, info["origin"], info["format"], dict(info["files"]), info.get("table_id"),
                          info.get("scope", "parkstad"))
    except (json.JSONDecodeError, UnicodeDecodeError, KeyError, TypeError, ValueError) as exc:
        raise DataFormatError(f"{marker}: unreadable fetch record ({type(exc).__name__}: {exc}); remove {folder} and "
                              "run `parkstad fetch` again") from exc


def verify_raw(raw: RawDataset) -> None:
    """Check every file of a fetched dataset against the sums recorded at fetch time.

    Raises
    ------
    ChecksumError
        Naming the file whose content changed since it was fetched.
    """
    for name, expected in raw.files.items():
        path = raw.folder / name
        if not path.is_file():
            raise ChecksumError(f"{path}: missing from the fetched dataset {raw.dataset_id!r}")
        actual = sha256_of(path)
        if actual != expected:
            raise ChecksumError(f"{path}: sha256 {actual} differs from {expected} recorded at fetch time")


@contextlib.contextmanager
def staged_dataset(raw_dir: Path, dataset_id: str) -> Iterator[Path]:
    """A temporary folder in ``raw_dir`` for one dataset; removed unless :func:`publish_dataset` moved it."""
    raw_dir.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=owned_name(STAGING_PREFIX, dataset_id), dir=raw_dir))
    try:
        yield staging
    finally:
        remove_tree(staging)


def publish_dataset(staging: Path, final: Path, record: dict) -> None:
    """Write the fetch record, make the files read-only and rename the folder into place."""
    write_json(staging / SOURCE_FILE, record)
    for path in staging.iterdir():
        path.chmod(stat.S_IRUSR | stat.S_IRGRP | stat.S_IROTH)
    publish_folder(staging, final)
