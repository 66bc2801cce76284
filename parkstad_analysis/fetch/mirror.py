"""Copies from a local mirror of CBS files (such as ``../shared/cbs``), each checked against the registry's sum.

Every file is verified, whatever the dataset's shape: a folder's files are listed
in the registry with their sums and a file in the folder that the registry does
not list is refused. Only the wijk- en buurtkaart may be ``unpinned`` (CBS
re-issues it in versions); its sum is then recorded as seen.
"""

from __future__ import annotations

import logging
import shutil
from pathlib import Path

from ..errors import ChecksumError, FetchError
from .raw import sha256_of
from .registry import UNPINNED, Dataset

log = logging.getLogger("parkstad_analysis.fetch")


def in_mirror(dataset: Dataset, mirror: Path | None) -> bool:
    """True when the mirror holds the dataset."""
    return mirror is not None and dataset.mirror is not None and (mirror / dataset.mirror.path).exists()


def shape_problem(dataset: Dataset, mirror: Path) -> str | None:
    """What is wrong with the shape of a dataset's copy in the mirror (a folder for a file, or a file for a folder);
    ``None`` when it has the shape the registry lists. Checked for every dataset before anything is copied."""
    source, members = mirror / dataset.mirror.path, dataset.mirror.members
    if members and not source.is_dir():
        return f"{source}: expected a folder of {len(members)} files for dataset {dataset.id!r}, found a file"
    if not members and source.is_dir():
        return (f"{source}: expected the file of dataset {dataset.id!r} (sha256 {dataset.mirror.sha256}), "
                f"found a folder")
    return None


def _expected(dataset: Dataset, source: Path) -> list[tuple[Path, str, str]]:
    """(file, name, sha256) of every file the registry lists for the dataset; unlisted files are refused."""
    entry = dataset.mirror
    if not source.is_dir():
        return [(source, source.name, entry.sha256)]
    present = {p.name for p in source.iterdir() if not p.name.startswith(".")}
    unlisted = sorted(present - set(entry.members))
    if unlisted:
        raise ChecksumError(f"{source}: holds {len(unlisted)} file(s) the registry does not list for {dataset.id!r} "
                            f"(e.g. {unlisted[0]!r}); refused: every mirror file needs a registered sha256")
    return [(source / name, name, sha) for name, sha in entry.members.items()]


def unpinned_change(dataset: Dataset, mirror: Path, recorded: dict[str, str]) -> str | None:
    """Why a dataset fetched before with an unpinned file (one whose sha256 the registry cannot know in advance,
    as a wijk- en buurtkaart) may not be served from ``data/raw`` any more: the mirror now holds other bytes than
    the sums ``recorded`` at its first fetch. ``None`` when nothing changed or the dataset is pinned."""
    if dataset.mirror is None or not in_mirror(dataset, mirror):
        return None
    for src, name, sha in _expected(dataset, mirror / dataset.mirror.path):
        if sha == UNPINNED and src.is_file() and name in recorded and (actual := sha256_of(src)) != recorded[name]:
            return (f"{src}: sha256 {actual} differs from {recorded[name]}, recorded when this file (which the "
                    f"registry cannot pin) was first fetched for {dataset.id!r}")
    return None


def copy_from_mirror(dataset: Dataset, mirror: Path, staging: Path) -> dict[str, str]:
    """Copy a dataset's file (or the listed files of its folder) into ``staging``; return name → sha256.

    Raises
    ------
    FetchError
        When a listed file is missing from the mirror, or is not a regular file (a link loop, a folder).
    ChecksumError
        When a copied file's sha256 differs from the registry's, or a folder holds an unlisted file.
    """
    source = mirror / dataset.mirror.path
    files = {}
    for src, name, sha in _expected(dataset, source):
        if not src.is_file():
            raise FetchError(f"{src}: listed in the registry for {dataset.id!r} but missing from the mirror")
        dest = staging / name
        shutil.copyfile(src, dest)
        actual = sha256_of(dest)
        if sha == UNPINNED:
            log.warning("%s: not pinned in the registry; accepted on first use with sha256 %s (recorded: later "
                        "fetches refuse other bytes)", src, actual)
        elif actual != sha:
            raise ChecksumError(f"{src}: sha256 {actual} differs from the registry's {sha} for {dataset.id!r}")
        files[name] = actual
    return files
