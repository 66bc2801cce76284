"""A researcher's own files (registry source ``file``) and the mirror's files nobody registered.

An own file is copied into ``data/raw`` as a mirror file is: checked against the sha256 that
``parkstad add`` recorded, so a file changed since is refused rather than read.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from ..errors import ChecksumError, FetchError
from .raw import sha256_of
from .registry import Dataset

#: Mirror files that describe the mirror rather than hold a dataset.
_NOT_DATA = ("README.md", "README", "LICENSE")


def own_path(dataset: Dataset, root: Path) -> Path:
    """Where an own dataset's file or folder lies: its ``file`` as given, relative to the project root."""
    path = Path(dataset.file).expanduser()
    return path if path.is_absolute() else root / path


def copy_own_file(dataset: Dataset, root: Path, staging: Path) -> dict[str, str]:
    """Copy an own dataset's file (or the listed files of its folder) into ``staging``; return name → sha256.

    Raises
    ------
    FetchError
        When the file or a listed member is gone.
    ChecksumError
        When a copy's sha256 differs from the one recorded when it was added.
    """
    source = own_path(dataset, root)
    listed = ({name: (source / name, sha) for name, sha in dataset.members.items()} if dataset.members
              else {source.name: (source, dataset.sha256)})
    files = {}
    for name, (path, sha) in listed.items():
        if not path.is_file():
            raise FetchError(f"{path}: registered as {dataset.id!r} (parkstad.toml) but not found; put it back or "
                             "register the file where it is now with `parkstad add`")
        shutil.copyfile(path, staging / name)
        actual = sha256_of(staging / name)
        if actual != sha:
            raise ChecksumError(f"{path}: sha256 {actual} differs from {sha}, recorded when it was added as "
                                f"{dataset.id!r}; if the new file is meant, remove its entry from parkstad.toml and "
                                "add it again")
        files[name] = actual
    return files


def unregistered_files(mirror: Path, registry: dict[str, Dataset]) -> list[Path]:
    """Files in the mirror that no registered dataset lists: a file dropped there is not read by itself."""
    claimed = set()
    for dataset in registry.values():
        if dataset.mirror is None:
            continue
        path = mirror / dataset.mirror.path
        claimed |= {path / name for name in dataset.mirror.members} if dataset.mirror.members else {path}
    found = [p for p in sorted(mirror.rglob("*")) if p.is_file() and not any(part.startswith(".") for part in
                                                                            p.relative_to(mirror).parts)]
    return [p for p in found if p not in claimed and p.name not in _NOT_DATA]


def registered_as(path: Path, registry: dict[str, Dataset], root: Path, mirror: Path | None) -> list[Dataset]:
    """The datasets that can deliver the same bytes as ``path`` here: an own file registered with them, or a
    dataset whose copy in the project's mirror has them (without that mirror, the package's entry cannot)."""
    files = sorted(p for p in path.iterdir() if p.is_file()) if path.is_dir() else [path]
    sums = {sha256_of(p) for p in files}
    found = []
    for dataset in registry.values():
        known = {dataset.sha256, *dataset.members.values()}
        if dataset.mirror is not None and mirror is not None and (mirror / dataset.mirror.path).exists():
            known |= {dataset.mirror.sha256, *dataset.mirror.members.values()}
        if sums & (known - {None}):
            found.append(dataset)
    return found
