"""Writing files so that a reader never sees half of one: write beside the target, then rename.

This is the package's one implementation of "write to a temporary file, then
rename"; folders are published the same way with :func:`publish_folder`.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import shutil
from collections.abc import Iterator
from pathlib import Path


@contextlib.contextmanager
def atomic_path(target: str | Path) -> Iterator[Path]:
    """Yield a temporary path beside ``target``; on success it replaces ``target`` in one step.

    On an exception the temporary file is removed and ``target`` is left as it was.

    Examples
    --------
    >>> with atomic_path("table.parquet") as partial:  # doctest: +SKIP
    ...     frame.to_parquet(partial)
    """
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f".{target.name}.{secrets.token_hex(4)}.partial")
    try:
        yield partial
        os.replace(partial, target)
    except OSError as exc:
        if exc.filename is None:  # a write on a full disk names no file: say which one it was
            exc.filename = str(target)
        raise
    finally:
        with contextlib.suppress(FileNotFoundError):
            partial.unlink()


def write_text(target: str | Path, text: str) -> Path:
    """Write UTF-8 text atomically."""
    with atomic_path(target) as partial:
        partial.write_text(text, "utf-8")
    return Path(target)


def write_bytes(target: str | Path, data: bytes) -> Path:
    """Write bytes atomically."""
    with atomic_path(target) as partial:
        partial.write_bytes(data)
    return Path(target)


def write_json(target: str | Path, document: object) -> Path:
    """Write a JSON document (indented, keys in order) atomically."""
    return write_text(target, json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n")


def publish_folder(staging: Path, final: Path) -> None:
    """Move a completely written folder into place in one rename (``final`` must not exist yet)."""
    os.rename(staging, final)


def remove_tree(path: Path) -> None:
    """Remove a folder, read-only files included (raw data is made read-only)."""

    def make_writable(function, name, _exc):
        os.chmod(os.path.dirname(name), 0o700)
        os.chmod(name, 0o700)
        function(name)

    if path.exists() or path.is_symlink():
        shutil.rmtree(path, onerror=make_writable)  # onexc needs Python 3.12
