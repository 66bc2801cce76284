"""The package's exceptions: each message names the file, column or value at fault."""

from __future__ import annotations


class ParkstadError(Exception):
    """Base class: every error the package raises on purpose."""


class ConfigError(ParkstadError):
    """A setting (environment variable, CLI option) names something unusable."""


class UnknownNameError(ParkstadError, KeyError):
    """A dataset, area, indicator or year that the package does not know.

    The message lists the valid choices.
    """

    def __init__(self, kind: str, name: object, valid: list[str] | tuple[str, ...]):
        self.kind, self.name, self.valid = kind, name, list(valid)
        shown = ", ".join(str(v) for v in self.valid)
        super().__init__(f"unknown {kind} {name!r}; expected one of: {shown}")

    def __str__(self) -> str:  # KeyError would repr() the message otherwise
        return str(self.args[0])


class FetchError(ParkstadError):
    """A download failed after its retries, or a file is not where it should be."""


class ChecksumError(FetchError):
    """A file's sha256 differs from the registry."""


class DataFormatError(ParkstadError, ValueError):
    """A source file does not have the shape its reader expects."""
