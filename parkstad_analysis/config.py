"""Where things live: project folders and the CBS data mirror.

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
"""

from __future__ import annotations

import os
from dataclasses import dataclass, replace
from pathlib import Path

from .errors import ConfigError

#: Environment variable naming a local folder to read CBS files from.
MIRROR_ENV = "PARKSTAD_CBS_MIRROR"
#: Environment variable overriding the project root (data/, reports/ live there).
HOME_ENV = "PARKSTAD_HOME"
#: Environment variable overriding the CBS OData base URL (used by tests).
ODATA_ENV = "PARKSTAD_ODATA_URL"

#: The real CBS OData v3 endpoint.
CBS_ODATA_URL = "https://opendata.cbs.nl/ODataApi/odata"

_PACKAGE_DIR = Path(__file__).resolve().parent


def _default_root() -> Path:
    """The checkout the package lives in, or the working directory for a wheel install."""
    checkout = _PACKAGE_DIR.parent
    if (checkout / "pyproject.toml").is_file():
        return checkout
    return Path.cwd()


@dataclass(frozen=True)
class Settings:
    """Folders and endpoints for one run of the pipeline.

    Parameters
    ----------
    root : Path
        Project root; ``data/`` and ``reports/`` are created below it.
    mirror : Path or None
        Local folder with CBS files, or ``None`` to download from CBS.
    odata_url : str
        Base URL of the CBS OData v3 API.
    """

    root: Path
    mirror: Path | None
    odata_url: str = CBS_ODATA_URL

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

    def with_mirror(self, mirror: str | Path | None) -> Settings:
        """Return a copy using ``mirror`` (validated) as the data mirror."""
        return replace(self, mirror=_check_mirror(mirror, "--mirror"))

    @classmethod
    def from_env(cls, root: str | Path | None = None, mirror: str | Path | None = None) -> Settings:
        """Build settings from arguments, then the environment, then defaults.

        Parameters
        ----------
        root : str or Path, optional
            Project root; default ``$PARKSTAD_HOME`` or the checkout.
        mirror : str or Path, optional
            Mirror folder; default ``$PARKSTAD_CBS_MIRROR`` or ``../shared/cbs``.

        Raises
        ------
        ConfigError
            If a mirror is named but is not an existing folder.
        """
        root_path = Path(root or os.environ.get(HOME_ENV) or _default_root()).resolve()
        if mirror is not None:
            mirror_path = _check_mirror(mirror, "--mirror")
        elif MIRROR_ENV in os.environ:
            mirror_path = _check_mirror(os.environ[MIRROR_ENV], MIRROR_ENV)
        else:
            shared = root_path.parent / "shared" / "cbs"
            mirror_path = shared if shared.is_dir() else None
        odata_url = os.environ.get(ODATA_ENV, CBS_ODATA_URL).rstrip("/")
        return cls(root=root_path, mirror=mirror_path, odata_url=odata_url)


def _check_mirror(value: str | Path | None, origin: str) -> Path | None:
    if value is None or str(value).strip().lower() in {"", "none"}:
        return None
    path = Path(value).expanduser().resolve()
    if not path.is_dir():
        raise ConfigError(f"{origin}={value!r}: expected an existing folder with CBS files, found none")
    return path
