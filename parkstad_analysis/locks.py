"""One command at a time per data folder: a file lock (portable, through filelock) that says who holds it.

``parkstad fetch`` locks ``data/raw`` and ``parkstad build`` locks ``data/processed``; a second
command waits up to ``PARKSTAD_LOCK_WAIT`` seconds (default 0) and then says clearly which
command holds the folder. Temporary folders left by a command that was killed are swept by
the next one, but only when the process that made them is gone.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import socket
import time
from collections.abc import Iterator
from pathlib import Path

from filelock import FileLock, Timeout

from .atomic import remove_tree
from .errors import RunFailed

LOCK_WAIT_ENV = "PARKSTAD_LOCK_WAIT"


def _lock_paths(folder: Path) -> tuple[Path, Path]:
    """The lock of a data folder and the note of who holds it, beside the folder (not in it)."""
    return folder.parent / f".{folder.name}.lock", folder.parent / f".{folder.name}.lock-holder.json"


def pid_alive(pid: int) -> bool:
    """True when a process with this pid runs on this machine."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # it exists, owned by someone else
        return True
    return True


@contextlib.contextmanager
def folder_lock(folder: Path, command: str, wait: float | None = None) -> Iterator[None]:
    """Hold the lock of ``folder`` for one command.

    Raises
    ------
    RunFailed
        When another command holds the folder longer than ``wait`` seconds, naming it.
    """
    folder.mkdir(parents=True, exist_ok=True)
    wait = float(os.environ.get(LOCK_WAIT_ENV, "0")) if wait is None else wait
    lock_path, holder = _lock_paths(folder)
    lock = FileLock(lock_path)
    try:
        lock.acquire(timeout=wait)
    except Timeout:
        raise RunFailed(f"{folder}: {_holder(folder)} is using it; wait until it has finished "
                        f"(or set {LOCK_WAIT_ENV} to wait longer)") from None
    try:
        holder.write_text(json.dumps({"command": command, "pid": os.getpid(), "host": socket.gethostname(),
                                      "since": time.strftime("%Y-%m-%d %H:%M:%S")}), "utf-8")
        yield
    finally:
        with contextlib.suppress(FileNotFoundError):
            holder.unlink()
        lock.release()


def _holder(folder: Path) -> str:
    try:
        info = json.loads(_lock_paths(folder)[1].read_text("utf-8"))
        return f"`parkstad {info['command']}` (pid {info['pid']}, since {info['since']})"
    except (OSError, ValueError, KeyError):
        return "another parkstad command"


def owned_name(prefix: str, label: str = "") -> str:
    """A name for a temporary folder that records the process making it: ``<prefix><label>-<pid>-``."""
    return f"{prefix}{label}-{os.getpid()}-"


def sweep(folder: Path, prefix: str) -> list[Path]:
    """Remove temporary folders (``prefix…-<pid>-…``) whose process is gone; return what was removed."""
    removed = []
    if not folder.is_dir():
        return removed
    for path in folder.iterdir():
        if not path.name.startswith(prefix):
            continue
        match = re.search(r"-(\d+)-[^-]*$", path.name)
        if match and pid_alive(int(match.group(1))):
            continue
        remove_tree(path)
        removed.append(path)
    return removed
