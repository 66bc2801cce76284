"""Fixed-URL files (the wijk- en buurtkaart) through pooch: sha256 checks and atomic moves.

Why pooch: it checks a known sha256 (and logs the sum of an unknown one) and moves a
file into place only when it is complete, which is all a fixed file needs. The bytes
come through the package's own HTTP client, so the same retries and deadlines apply.
"""

from __future__ import annotations

from pathlib import Path

import requests

from ..errors import ChecksumError, ConfigError, FetchError
from .http import Deadline, HttpClient
from .raw import sha256_of
from .registry import Dataset


def download_file(dataset: Dataset, dest: Path, client: HttpClient, deadline: Deadline | None = None) -> dict[str, str]:
    """Download a dataset's fixed URL into ``dest``; return name → sha256."""
    if not dataset.url:
        raise ConfigError(f"registry: dataset {dataset.id!r} has source 'url' but no url")
    import pooch  # here, not at import: pooch loads tqdm.auto, which warns in a kernel without ipywidgets

    base, name = dataset.url.rsplit("/", 1)
    known = f"sha256:{dataset.sha256}" if dataset.sha256 else None
    fetcher = pooch.create(path=dest, base_url=base + "/", registry={name: known})
    deadline = deadline or Deadline(client.deadline, dataset.url)

    def downloader(url: str, output_file: str, _pooch: object) -> None:
        client.download(url, Path(output_file), deadline)

    try:
        path = Path(fetcher.fetch(name, downloader=downloader))
    except ValueError as exc:  # pooch's hash mismatch
        raise ChecksumError(f"{dataset.url}: {exc}") from exc
    except requests.exceptions.RequestException as exc:
        raise FetchError(f"{dataset.url}: {type(exc).__name__}: {exc}") from exc
    return {path.name: sha256_of(path)}
