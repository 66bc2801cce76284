"""Where things live and what to build: project folders, the CBS data mirror, the CBS service, the scope.

Every path the package uses comes from a :class:`Settings` object, so that
tests and scheduled runs can point the whole pipeline at another folder
without touching global state.

Resolution order for the mirror (a local folder holding CBS files laid out as
in ``../shared/cbs``):

1. an explicit ``mirror=`` argument (the CLI's ``--mirror`` option);
2. the environment variable ``PARKSTAD_CBS_MIRROR`` (an empty value or
   ``none`` switches the mirror off, forcing downloads from CBS);
3. ``<project root>/../shared/cbs`` when that folder exists;
4. no mirror: datasets are downloaded from CBS.

The scope is the set of gemeenten to fetch and build: ``parkstad`` (default),
``nl`` (the whole country) or gemeente codes (``GM0917,GM0928``), from the
``scope=`` argument (``--scope``), else ``PARKSTAD_SCOPE``.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, replace
from pathlib import Path

from .errors import ConfigError

#: Environment variable naming a local folder to read CBS files from.
MIRROR_ENV = "PARKSTAD_CBS_MIRROR"
#: Environment variable overriding the project root (data/, reports/ live there).
HOME_ENV = "PARKSTAD_HOME"
#: Environment variable overriding the CBS OData host (used by tests: a stand-in on 127.0.0.1).
CBS_URL_ENV = "PARKSTAD_CBS_URL"
#: Environment variable naming the scope of gemeenten.
SCOPE_ENV = "PARKSTAD_SCOPE"

#: The real CBS open-data host: ``/ODataApi/odata`` (metadata, dimensions) and ``/ODataFeed/odata`` (bulk data).
CBS_URL = "https://opendata.cbs.nl"

_PACKAGE_DIR = Path(__file__).resolve().parent


#: The file formats a report saves figures in (comma-separated); ``parkstad report --pdf`` adds PDF.
FIGURE_FORMATS_ENV = "PARKSTAD_FIGURE_FORMATS"


@dataclass(frozen=True)
class Scope:
    """The gemeenten a project fetches and builds: Parkstad, the whole country, or a list of codes."""

    name: str
    codes: frozenset[str] = frozenset()

    @classmethod
    def parse(cls, value: str | None, origin: str = "--scope") -> Scope:
        """``parkstad`` (default), ``nl`` or comma-separated gemeente codes.

        Raises
        ------
        ConfigError
            Naming the setting and the value that is neither.
        """
        text = (value or "parkstad").strip()
        if text.lower() in ("parkstad", "nl"):
            return cls(text.lower())
        codes = [c.strip().upper() for c in text.split(",") if c.strip()]
        bad = [c for c in codes if not re.fullmatch(r"GM\d{4}", c)]
        if not codes or bad:
            raise ConfigError(f"{origin}={value!r}: expected 'parkstad', 'nl' or gemeente codes like GM0917,GM0928")
        return cls(",".join(sorted(codes)), frozenset(codes))

    @property
    def national(self) -> bool:
        """True when every gemeente of the Netherlands is in scope."""
        return self.name == "nl"

    def gemeenten(self) -> frozenset[str] | None:
        """Gemeente codes in scope (of any year), or ``None`` for the whole country."""
        if self.national:
            return None
        from .vocabulary.regions import all_parkstad_codes  # here: pandas stays out of the command's start

        return frozenset(all_parkstad_codes()) if self.name == "parkstad" else self.codes

    def holds(self, gemeente_code: str) -> bool:
        """True when the gemeente is in scope."""
        wanted = self.gemeenten()
        return wanted is None or gemeente_code in wanted


def _default_root() -> Path:
    """The checkout the package lives in, or the working directory for a wheel install."""
    checkout = _PACKAGE_DIR.parent
    if (checkout / "pyproject.toml").is_file():
        return checkout
    return Path.cwd()


@dataclass(frozen=True)
class Settings:
    """Folders, endpoints and scope for one run of the pipeline.

    Parameters
    ----------
    root : Path
        Project root; ``data/`` and ``reports/`` are created below it.
    mirror : Path or None
        Local folder with CBS files, or ``None`` to download from CBS.
    cbs_url : str
        The CBS open-data host (``https://opendata.cbs.nl``).
    scope : Scope
        The gemeenten to fetch and build.
    """

    root: Path
    mirror: Path | None
    cbs_url: str = CBS_URL
    scope: Scope = Scope("parkstad")

    @property
    def raw_dir(self) -> Path:
        """Write-once copies of the source files."""
        return self.root / "data" / "raw"

    @property
    def processed_dir(self) -> Path:
        """Clean, schema-checked tables built from ``raw_dir``."""
        return self.root / "data" / "processed"

    @property
    def reports_dir(self) -> Path:
        """Report runs, one folder each."""
        return self.root / "reports"

    @property
    def odata_api(self) -> str:
        """The OData API: table metadata and dimensions (limited to 10,000 cells a request)."""
        return f"{self.cbs_url.rstrip('/')}/ODataApi/odata"

    @property
    def odata_feed(self) -> str:
        """The bulk OData feed: table data, paged through ``odata.nextLink``."""
        return f"{self.cbs_url.rstrip('/')}/ODataFeed/odata"

    def with_mirror(self, mirror: str | Path | None) -> Settings:
        """Return a copy using ``mirror`` (validated) as the data mirror."""
        return replace(self, mirror=_check_mirror(mirror, "--mirror"))

    @classmethod
    def from_env(cls, root: str | Path | None = None, mirror: str | Path | None = None,
                 scope: str | None = None) -> Settings:
        """Build settings from arguments, then the environment, then defaults.

        Parameters
        ----------
        root : str or Path, optional
            Project root; default ``$PARKSTAD_HOME`` or the checkout.
        mirror : str or Path, optional
            Mirror folder; default ``$PARKSTAD_CBS_MIRROR`` or ``../shared/cbs``.
        scope : str, optional
            ``parkstad``, ``nl`` or gemeente codes; default ``$PARKSTAD_SCOPE`` or ``parkstad``.

        Raises
        ------
        ConfigError
            If a mirror is named but is not an existing folder, or the scope does not parse.
        """
        root_path = Path(root or os.environ.get(HOME_ENV) or _default_root()).resolve()
        if mirror is not None:
            mirror_path = _check_mirror(mirror, "--mirror")
        elif MIRROR_ENV in os.environ:
            mirror_path = _check_mirror(os.environ[MIRROR_ENV], MIRROR_ENV)
        else:
            shared = root_path.parent / "shared" / "cbs"
            mirror_path = shared if shared.is_dir() else None
        chosen_scope = Scope.parse(scope) if scope is not None else Scope.parse(os.environ.get(SCOPE_ENV), SCOPE_ENV)
        cbs_url = os.environ.get(CBS_URL_ENV, CBS_URL).rstrip("/")
        return cls(root=root_path, mirror=mirror_path, cbs_url=cbs_url, scope=chosen_scope)


def _check_mirror(value: str | Path | None, origin: str) -> Path | None:
    if value is None or str(value).strip().lower() in {"", "none"}:
        return None
    try:
        path = Path(value).expanduser().resolve(strict=True)
    except FileNotFoundError:
        raise ConfigError(f"{origin}={value!r}: expected an existing folder with CBS files, found none") from None
    except (OSError, RuntimeError) as exc:  # a symbolic link loop, a folder this user may not enter
        raise ConfigError(f"{origin}={value!r}: expected an existing folder with CBS files, found a path that cannot "
                          f"be followed ({type(exc).__name__}: {exc})") from None
    if not path.is_dir():
        raise ConfigError(f"{origin}={value!r}: expected an existing folder with CBS files, found none")
    return path
