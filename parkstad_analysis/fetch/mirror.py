"""Copies from a local mirror of CBS files (such as ``../shared/cbs``), checked against the registry's sums."""

from __future__ import annotations

import shutil
from pathlib import Path

from ..errors import ChecksumError, FetchError
from .raw import sha256_of
from .registry import Dataset


def in_mirror(dataset: Dataset, mirror: Path | None) -> bool:
    """True when the mirror holds the dataset."""
    return mirror is not None and dataset.mirror is not None and (mirror / dataset.mirror.path).exists()


def copy_from_mirror(dataset: Dataset, mirror: Path, staging: Path) -> dict[str, str]:
    """Copy a dataset's file (or the listed files of its folder) into ``staging``; return name → sha256.

    Raises
    ------
    FetchError
        When a listed file is missing from the mirror.
    ChecksumError
        When a copied file's sha256 differs from the registry's.
    """
    entry = dataset.mirror
    source = mirror / entry.path
    if source.is_dir():
        expected = entry.members or {p.name: "" for p in sorted(source.iterdir()) if p.is_file()}
        pairs = [(source / name, name, sha) for name, sha in expected.items()]
    else:
        pairs = [(source, source.name, entry.sha256 or "")]
    files = {}
    for src, name, sha in pairs:
        if not src.is_file():
            raise FetchError(f"{src}: listed in the registry for {dataset.id!r} but missing from the mirror")
        dest = staging / name
        shutil.copyfile(src, dest)
        actual = sha256_of(dest)
        if sha and actual != sha:
            raise ChecksumError(f"{src}: sha256 {actual} differs from the registry's {sha} for {dataset.id!r}")
        files[name] = actual
    return files
