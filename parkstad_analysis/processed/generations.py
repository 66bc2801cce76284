"""``data/processed`` as generations: each build writes a complete new set beside the current one and
switches one pointer, so readers never see a mix of two builds.

Layout::

    data/processed/CURRENT              the id of the generation in use (replaced in one rename)
    data/processed/generations/<id>/    one complete set of processed files
    data/processed/pins/<owner>.json    a generation a running report reads, and the pid reading it

A build writes into ``generations/.staging-<pid>-…`` on the same filesystem, renames it to its id
and then switches ``CURRENT``. Old generations are removed when nothing pins them.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import secrets
import tempfile
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

from ..atomic import remove_tree, write_json, write_text
from ..locks import owned_name, pid_alive, sweep

POINTER = "CURRENT"
GENERATIONS = "generations"
PINS = "pins"
STAGING = ".staging-"
LEGACY_SUFFIXES = (".parquet", ".gpkg", ".csv")
#: Environment variable that pins a process (a report's kernels) to one generation.
GENERATION_ENV = "PARKSTAD_GENERATION"


def current(processed_dir: Path) -> str | None:
    """The id of the generation in use, or ``None`` before the first build."""
    try:
        text = (processed_dir / POINTER).read_text("utf-8").strip()
    except FileNotFoundError:
        return None
    return text or None


def folder(processed_dir: Path, generation: str) -> Path:
    """The folder of one generation."""
    return processed_dir / GENERATIONS / generation


@contextlib.contextmanager
def staged(processed_dir: Path) -> Iterator[tuple[str, Path]]:
    """A new generation's id and the folder to write it in; removed unless :func:`publish` moved it."""
    root = processed_dir / GENERATIONS
    root.mkdir(parents=True, exist_ok=True)
    sweep(root, STAGING)  # left by a build that was killed
    for partial in processed_dir.glob(f".{POINTER}.*.partial"):  # a build killed while it switched CURRENT
        partial.unlink(missing_ok=True)
    generation = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ") + "-" + secrets.token_hex(2)
    staging = Path(tempfile.mkdtemp(prefix=owned_name(STAGING, generation), dir=root))
    try:
        yield generation, staging
    finally:
        remove_tree(staging)


def publish(processed_dir: Path, generation: str, staging: Path) -> None:
    """Move a complete generation into place and make it the current one (one rename each)."""
    staging.chmod(0o755)  # mkdtemp makes it private; a generation is read by everyone who reads the data
    os.rename(staging, folder(processed_dir, generation))
    write_text(processed_dir / POINTER, generation + "\n")
    _remove_flat_layout(processed_dir)
    prune(processed_dir)


def _remove_flat_layout(processed_dir: Path) -> None:
    """Remove tables an earlier version wrote straight into ``data/processed`` so nobody reads them by mistake."""
    for path in processed_dir.iterdir():
        if path.is_file() and path.suffix in LEGACY_SUFFIXES:
            path.unlink()


@contextlib.contextmanager
def pinned(processed_dir: Path, owner: str, generation: str | None = None) -> Iterator[str | None]:
    """Pin a generation (default the current one) for as long as the block runs, so no build removes it."""
    generation = generation or current(processed_dir)
    if generation is None:
        yield None
        return
    pin = processed_dir / PINS / f"{owner}.json"
    _pinned_generations(processed_dir)  # and sweeps the pins of reports that were killed
    try:
        write_json(pin, {"generation": generation, "pid": os.getpid()})
    except OSError as exc:
        if exc.errno not in (errno.EROFS, errno.EACCES, errno.EPERM):
            raise
        # A folder this user cannot write is one no build of theirs can change either.
        yield generation
        return
    try:
        yield generation
    finally:
        with contextlib.suppress(FileNotFoundError):
            pin.unlink()


def _pinned_generations(processed_dir: Path) -> set[str]:
    found = set()
    for pin in (processed_dir / PINS).glob("*.json"):
        try:
            info = json.loads(pin.read_text("utf-8"))
        except (OSError, ValueError):
            continue
        if pid_alive(int(info.get("pid", 0))):
            found.add(info["generation"])
        else:
            with contextlib.suppress(FileNotFoundError):
                pin.unlink()
    return found


def prune(processed_dir: Path, keep: int = 1) -> list[str]:
    """Remove generations other than the current one, the ``keep`` newest before it and those pinned."""
    root = processed_dir / GENERATIONS
    if not root.is_dir():
        return []
    ids = sorted(p.name for p in root.iterdir() if p.is_dir() and not p.name.startswith("."))
    now = current(processed_dir)
    older = [g for g in ids if now is None or g < now]
    kept = {now, *older[-keep:], *_pinned_generations(processed_dir)} if keep else {now, *_pinned_generations(processed_dir)}
    removed = [g for g in ids if g not in kept]
    for generation in removed:
        remove_tree(root / generation)
    return removed
