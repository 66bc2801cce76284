"""Reading a vocabulary TOML file into its declared pydantic model, with errors that name file, key and expectation."""

from __future__ import annotations

import tomllib
from importlib import resources
from pathlib import Path
from typing import TypeVar

import pydantic

from ..errors import ConfigError

Model = TypeVar("Model", bound=pydantic.BaseModel)


class Strict(pydantic.BaseModel):
    """Base of every vocabulary model: unknown keys are refused, values are not coerced silently."""

    model_config = pydantic.ConfigDict(extra="forbid", frozen=True)


def packaged_text(name: str) -> tuple[str, str]:
    """Text of a vocabulary file shipped in ``parkstad_analysis/data`` and the name to use in errors."""
    return resources.files("parkstad_analysis").joinpath(f"data/{name}").read_text("utf-8"), f"parkstad_analysis/data/{name}"


def read_toml(text: str, where: str) -> dict:
    """Parse TOML text; a syntax error names the file and the line."""
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{where}: not valid TOML ({exc})") from exc


def read_toml_file(path: str | Path) -> tuple[dict, str]:
    """Parse a TOML file given by path; an unreadable file is a :class:`ConfigError` naming it."""
    path = Path(path)
    try:
        text = path.read_text("utf-8")
    except OSError as exc:
        raise ConfigError(f"{path}: cannot be read ({exc.strerror or exc})") from exc
    return read_toml(text, str(path)), str(path)


def validate(model: type[Model], document: dict, where: str, kind: str) -> Model:
    """Validate one entry of a vocabulary file against its model.

    Parameters
    ----------
    model : type
        The pydantic model of one entry.
    document : dict
        The entry as parsed from TOML.
    where : str
        The file, for error messages.
    kind : str
        What the entry is and its key, e.g. ``"dataset 'kwb_2019'"``.

    Raises
    ------
    ConfigError
        Naming the file, the entry, the key and what was expected.
    """
    try:
        return model.model_validate(document)
    except pydantic.ValidationError as exc:
        raise ConfigError(f"{where}: {kind} {describe(exc, model)}") from exc


def describe(exc: pydantic.ValidationError, model: type[pydantic.BaseModel]) -> str:
    """One sentence for a validation error: missing keys together, else the first wrong key and its expectation."""
    errors = exc.errors()
    missing = [".".join(map(str, e["loc"])) for e in errors if e["type"] == "missing"]
    if missing:
        return f"lacks {', '.join(missing)}"
    first = errors[0]
    message = first["msg"].removeprefix("Value error, ")
    if not first["loc"]:  # a check of the whole entry
        return f"is not valid: {message}"
    key = ".".join(map(str, first["loc"]))
    if first["type"] == "extra_forbidden":
        return f"has unknown key {key!r}; expected only {', '.join(model.model_fields)}"
    expected = first.get("ctx", {}).get("expected")
    found = first.get("input")
    if expected:
        return f"has {key} {found!r}; expected one of {expected}"
    return f"has {key} {found!r}: {message}"

