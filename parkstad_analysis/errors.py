"""The package's exceptions and the exit codes the command line maps them to.

Every message names the file, column, key or value at fault and what was expected.
"""

from __future__ import annotations

import difflib
import re
import sys
from pathlib import Path

#: Exit codes a scheduler can rely on.
EXIT_OK, EXIT_FAILED, EXIT_BAD_INPUT = 0, 1, 2


class ParkstadError(Exception):
    """Base class: every error the package raises on purpose."""

    exit_code = EXIT_BAD_INPUT


class ConfigError(ParkstadError):
    """A setting (environment variable, CLI option, vocabulary file) names something unusable."""


class UnknownNameError(ParkstadError, KeyError):
    """A dataset, area, indicator or year that the package does not know.

    The message lists the valid choices, closest first: by meaning where ``described`` gives each
    name's title (``inkomen`` finds ``gemiddeld_inkomen_per_inwoner``), then by spelling.
    """

    def __init__(self, kind: str, name: object, valid: list[str] | tuple[str, ...],
                 described: dict[str, str] | None = None, first: list[str] | tuple[str, ...] = ()):
        self.kind, self.name, self.valid = kind, name, list(valid)
        choices = _choices(name, [v for v in self.valid if v not in first], described or {}, shown_before=len(first))
        listed = ", ".join(first)
        if choices:
            listed += (" " if choices.startswith("(") else ", ") + choices if listed else choices
        super().__init__(f"unknown {kind} {name!r}; expected one of: {listed}")

    def __str__(self) -> str:  # KeyError would repr() the message otherwise
        return str(self.args[0])


#: Up to this many valid names are all listed; beyond it, the closest ones and how many more there are.
LISTED = 12


def _by_meaning(name: object, names: list[str], described: dict[str, str]) -> list[str]:
    """Names whose name or description holds every word of ``name``; those with the word early in the name first."""
    words = [w for w in re.split(r"[^0-9a-zà-ÿ]+", str(name).lower()) if len(w) >= 3]
    if not words:
        return []
    found = [n for n in names if all(w in f"{n.lower()} {described.get(n, '').lower()}" for w in words)]
    return sorted(found, key=lambda n: (min(n.lower().find(w) % 1000 for w in words), len(n)))


def _choices(name: object, valid: list[str], described: dict[str, str], shown_before: int = 0) -> str:
    """The valid names, closest to ``name`` first; a long list is cut to the closest few (fewer when
    ``shown_before`` names, known to be closest, are listed ahead of them)."""
    names = [str(v) for v in valid]
    if names and all(n.lstrip("-").isdigit() for n in [*names, str(name)]):  # years: nearest first
        return ", ".join(sorted(names, key=lambda n: (abs(int(n) - int(str(name))), n)))
    by_lower = {n.lower(): n for n in names}
    spelled = [by_lower[c] for c in difflib.get_close_matches(str(name).strip().lower(), list(by_lower), n=5, cutoff=0.4)]
    close = list(dict.fromkeys([*_by_meaning(name, names, described)[:5], *spelled]))
    rest = [n for n in names if n not in close]
    if len(names) + shown_before <= LISTED:
        return ", ".join(close + rest)
    shown = close if close or shown_before else names[:5]
    more = f"(and {len(names) - len(shown)} more)"
    return ", ".join(shown) + f" {more}" if shown else more


class FetchError(ParkstadError):
    """A download failed after its retries, or a file is not where it should be."""

    exit_code = EXIT_FAILED


class ChecksumError(FetchError):
    """A file's sha256 differs from the registry or from what was recorded at fetch time."""


class DataFormatError(ParkstadError, ValueError):
    """A source file does not have the shape its reader expects."""


class NoFiguresError(DataFormatError):
    """The data hold no figures for what was asked (benefits per buurt of a gemeente that CBS files do not cover
    here): an expected situation, not a broken file.

    ``note`` says it in Dutch for a reader; in JupyterLab it is shown as a note instead of a traceback.
    """

    def __init__(self, message: str, note: str):
        super().__init__(message)
        self.note = note


class RunFailed(ParkstadError):
    """A report run or a build step failed for a reason that is not bad input."""

    exit_code = EXIT_FAILED


def caller_stacklevel() -> int:
    """The ``stacklevel`` that makes a warning point at the first caller outside this package (the researcher's
    cell or script), whichever public function was called; for ``warnings.warn`` in the function calling this."""
    package = str(Path(__file__).resolve().parent)
    frame, level = sys._getframe(1), 1
    while frame is not None and frame.f_code.co_filename.startswith(package):
        frame, level = frame.f_back, level + 1
    return level
