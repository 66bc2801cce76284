"""Fixed-URL files (the wijk- en buurtkaart) through pooch: retries, progress, sha256 checks.

Why pooch: it retries, shows progress, checks a known sha256 and writes atomically,
which is all a fixed file needs; the OData API needs paging, which pooch does not do.
"""

from __future__ import annotations

from pathlib import Path

import pooch
import requests

from ..errors import ChecksumError, ConfigError, FetchError
from .http import HttpClient
from .raw import sha256_of
from .registry import Dataset


def download_file(dataset: Dataset, dest: Path, client: HttpClient) -> dict[str, str]:
    """Download a dataset's fixed URL into ``dest``; return name → sha256."""
    if not dataset.url:
        raise ConfigError(f"registry: dataset {dataset.id!r} has source 'url' but no url")
    base, name = dataset.url.rsplit("/", 1)
    known = f"sha256:{dataset.sha256}" if dataset.sha256 else None
    fetcher = pooch.create(path=dest, base_url=base + "/", registry={name: known}, retry_if_failed=client.retries)
    downloader = pooch.HTTPDownloader(timeout=client.timeout, progressbar=client.progress)
    try:
        path = Path(fetcher.fetch(name, downloader=downloader))
    except ValueError as exc:  # pooch's hash mismatch
        raise ChecksumError(f"{dataset.url}: {exc}") from exc
    except requests.exceptions.RequestException as exc:
        raise FetchError(f"{dataset.url}: {type(exc).__name__}: {exc}") from exc
    return {path.name: sha256_of(path)}
