"""The dataset registry and ``fetch``: sources → ``data/raw/``.

Each dataset lands in its own folder ``data/raw/<id>/`` together with a
``_source.json`` that records where it came from, in which shape, and the
sha256 of every file. The folder is assembled in a temporary sibling and
renamed into place only when complete, so an interrupted fetch leaves nothing
behind; files are made read-only once written (raw data is never edited).

Where a dataset comes from, in order:

1. the mirror (``Settings.mirror``), when it holds the dataset;
2. CBS: the OData v3 API for ``source = "odata"`` tables, a fixed URL through
   pooch for ``source = "url"`` files.

Why requests and pooch: pooch gives retries, progress bars, sha256 checks and
atomic writes for fixed files; the OData API needs paging through
``odata.nextLink``, which pooch does not do, so that part uses a requests
session with urllib3's retry policy (cbsodata hard-codes the CBS host and
writes no files, so it cannot be pointed at a mirror or made atomic).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import stat
import tempfile
import time
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path

import pooch
import requests
from requests.adapters import HTTPAdapter
from tqdm.auto import tqdm
from urllib3.util.retry import Retry

from .config import Settings
from .errors import ChecksumError, ConfigError, FetchError, UnknownNameError
from .regions import parkstad_gemeenten

LICENCE = "CBS, CC BY 4.0"
SOURCE_FILE = "_source.json"
SOURCES = ("odata", "url", "mirror")


@dataclass(frozen=True)
class MirrorEntry:
    """Where a dataset lies in a local mirror, and in which shape."""

    path: str
    format: str
    sha256: str | None = None
    members: dict[str, str] = field(default_factory=dict)
    coverage: str = ""


@dataclass(frozen=True)
class Dataset:
    """One registry entry. See ``data/registry.toml`` for the fields."""

    id: str
    title: str
    source: str
    format: str
    feeds: str
    period: str
    table_id: str | None = None
    url: str | None = None
    sha256: str | None = None
    select: tuple[str, ...] = ()
    boundary_year: int | None = None
    licence: str = LICENCE
    mirror: MirrorEntry | None = None

    @property
    def year(self) -> int | None:
        """The single year of the data, when ``period`` is one year."""
        return int(self.period) if self.period.isdigit() else None

    def downloadable(self) -> bool:
        """True when CBS itself serves the dataset (not only a mirror)."""
        return self.source in ("odata", "url")


def load_registry(path: str | Path | None = None) -> dict[str, Dataset]:
    """Read the dataset registry.

    Parameters
    ----------
    path : str or Path, optional
        A registry TOML file; default the one shipped in the package.

    Returns
    -------
    dict of str to Dataset
        Keyed by dataset id, in file order.

    Raises
    ------
    ConfigError
        If an entry lacks a required field or names an unknown source.
    """
    if path is None:
        return dict(_packaged_registry())
    return _parse_registry(Path(path).read_text("utf-8"), str(path))


@cache
def _packaged_registry() -> dict[str, Dataset]:
    text = resources.files("parkstad_analysis").joinpath("data/registry.toml").read_text("utf-8")
    return _parse_registry(text, "parkstad_analysis/data/registry.toml")


def _parse_registry(text: str, where: str) -> dict[str, Dataset]:
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{where}: not valid TOML ({exc})") from exc
    registry = {}
    for key, entry in raw.items():
        missing = [f for f in ("title", "source", "format", "feeds", "period") if f not in entry]
        if missing:
            raise ConfigError(f"{where}: dataset {key!r} lacks {', '.join(missing)}")
        if entry["source"] not in SOURCES:
            raise ConfigError(f"{where}: dataset {key!r} has source {entry['source']!r}; expected one of {SOURCES}")
        mirror = entry.get("mirror")
        registry[key] = Dataset(
            id=key,
            title=entry["title"],
            source=entry["source"],
            format=entry["format"],
            feeds=entry["feeds"],
            period=str(entry["period"]),
            table_id=entry.get("table_id"),
            url=entry.get("url"),
            sha256=entry.get("sha256"),
            select=tuple(entry.get("select", ())),
            boundary_year=entry.get("boundary_year"),
            licence=entry.get("licence", LICENCE),
            mirror=MirrorEntry(**mirror) if mirror else None,
        )
    return registry


def get_dataset(dataset_id: str, registry: dict[str, Dataset] | None = None) -> Dataset:
    """Look up one dataset; an unknown id raises :class:`UnknownNameError` listing the valid ones."""
    registry = registry or load_registry()
    try:
        return registry[dataset_id]
    except KeyError:
        raise UnknownNameError("dataset", dataset_id, sorted(registry)) from None


def sha256_of(path: Path) -> str:
    """Hex sha256 of a file, read in blocks."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


# ----------------------------------------------------------------------------- raw folder


@dataclass(frozen=True)
class RawDataset:
    """A fetched dataset in ``data/raw/<id>/`` as described by its ``_source.json``."""

    dataset_id: str
    folder: Path
    origin: str
    format: str
    files: dict[str, str]

    def path(self, name: str | None = None) -> Path:
        """The single data file, or the member ``name``."""
        if name is None:
            data_files = sorted(self.files)
            if len(data_files) != 1:
                raise FetchError(f"{self.folder}: holds {len(data_files)} files; name the one wanted")
            name = data_files[0]
        return self.folder / name


def raw_dataset(dataset_id: str, settings: Settings) -> RawDataset | None:
    """The fetched copy of a dataset, or ``None`` when it has not been fetched."""
    folder = settings.raw_dir / dataset_id
    marker = folder / SOURCE_FILE
    if not marker.is_file():
        return None
    try:
        info = json.loads(marker.read_text("utf-8"))
        return RawDataset(dataset_id, folder, info["origin"], info["format"], dict(info["files"]))
    except (json.JSONDecodeError, KeyError) as exc:
        raise FetchError(f"{marker}: unreadable fetch record ({exc}); delete {folder} and fetch again") from exc


def verify_raw(raw: RawDataset) -> None:
    """Check every file of a fetched dataset against the sums recorded at fetch time.

    Raises
    ------
    ChecksumError
        Naming the file whose content changed since it was fetched.
    """
    for name, expected in raw.files.items():
        path = raw.folder / name
        if not path.is_file():
            raise ChecksumError(f"{path}: missing from the fetched dataset {raw.dataset_id!r}")
        actual = sha256_of(path)
        if actual != expected:
            raise ChecksumError(f"{path}: sha256 {actual} differs from {expected} recorded at fetch time")


# ----------------------------------------------------------------------------- fetch


@dataclass
class FetchResult:
    """What ``fetch`` did for one dataset: ``fetched``, ``cached`` or ``skipped`` (with why)."""

    dataset_id: str
    status: str
    origin: str = ""
    note: str = ""


def default_datasets(settings: Settings, registry: dict[str, Dataset] | None = None) -> list[str]:
    """The datasets ``parkstad fetch`` takes when none are named.

    With a mirror: those the mirror holds. Without: every dataset CBS serves.
    """
    registry = registry or load_registry()
    if settings.mirror is not None:
        return [d.id for d in registry.values() if d.mirror and (settings.mirror / d.mirror.path).exists()]
    return [d.id for d in registry.values() if d.downloadable()]


def fetch(
    dataset_ids: Iterable[str] | None = None,
    settings: Settings | None = None,
    *,
    progress: bool = True,
    retries: int = 3,
    backoff: float = 1.0,
    timeout: float = 60.0,
) -> list[FetchResult]:
    """Fill ``data/raw/`` with the named datasets, once.

    Parameters
    ----------
    dataset_ids : iterable of str, optional
        Registry ids; default :func:`default_datasets`.
    settings : Settings, optional
        Folders, mirror and OData endpoint; default :meth:`Settings.from_env`.
    progress : bool
        Show tqdm progress bars.
    retries, backoff, timeout : int, float, float
        Attempts after the first, back-off factor (seconds) and per-request timeout.

    Returns
    -------
    list of FetchResult

    Raises
    ------
    UnknownNameError
        For an id not in the registry (before anything is fetched).
    FetchError, ChecksumError
        When a dataset cannot be had; nothing partial is left in ``data/raw``.

    Examples
    --------
    >>> fetch(["kwb_2019"])  # doctest: +SKIP
    [FetchResult(dataset_id='kwb_2019', status='fetched', origin='mirror', note='')]
    """
    settings = settings or Settings.from_env()
    registry = load_registry()
    ids = list(dataset_ids) if dataset_ids else default_datasets(settings, registry)
    datasets = [get_dataset(i, registry) for i in ids]  # validate all names first
    settings.raw_dir.mkdir(parents=True, exist_ok=True)
    client = HttpClient(retries=retries, backoff=backoff, timeout=timeout, progress=progress)
    results = []
    for dataset in tqdm(datasets, desc="fetch", unit="dataset", disable=not progress or len(datasets) < 2):
        results.append(_fetch_one(dataset, settings, client))
    return results


def _fetch_one(dataset: Dataset, settings: Settings, client: HttpClient) -> FetchResult:
    if raw_dataset(dataset.id, settings) is not None:
        return FetchResult(dataset.id, "cached", note=str(settings.raw_dir / dataset.id))
    in_mirror = (
        settings.mirror is not None
        and dataset.mirror is not None
        and (settings.mirror / dataset.mirror.path).exists()
    )
    if not in_mirror and not dataset.downloadable():
        where = f"mirror {settings.mirror}" if settings.mirror else "no mirror set"
        raise FetchError(
            f"dataset {dataset.id!r} exists only in a mirror ({dataset.mirror.path if dataset.mirror else '?'}); "
            f"{where}: set PARKSTAD_CBS_MIRROR or --mirror to a folder that holds it"
        )
    final = settings.raw_dir / dataset.id
    staging = Path(tempfile.mkdtemp(prefix=f".partial-{dataset.id}-", dir=settings.raw_dir))
    try:
        if in_mirror:
            origin, fmt = "mirror", dataset.mirror.format
            files = _copy_from_mirror(dataset, settings.mirror, staging)
        elif dataset.source == "odata":
            origin, fmt = "cbs-odata", dataset.format
            files = fetch_odata_table(dataset, settings.odata_url, staging, client)
        else:
            origin, fmt = "cbs-url", dataset.format
            files = _download_file(dataset, staging, client)
        record = {"dataset": dataset.id, "origin": origin, "format": fmt, "files": files,
                  "table_id": dataset.table_id, "licence": dataset.licence}
        (staging / SOURCE_FILE).write_text(json.dumps(record, indent=2, sort_keys=True), "utf-8")
        for path in staging.iterdir():
            path.chmod(stat.S_IRUSR | stat.S_IRGRP | stat.S_IROTH)
        os.rename(staging, final)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return FetchResult(dataset.id, "fetched", origin=origin)


def _copy_from_mirror(dataset: Dataset, mirror: Path, staging: Path) -> dict[str, str]:
    entry = dataset.mirror
    source = mirror / entry.path
    if source.is_dir():
        expected = entry.members or {p.name: "" for p in sorted(source.iterdir()) if p.is_file()}
        pairs = [(source / name, name, sha) for name, sha in expected.items()]
    else:
        pairs = [(source, source.name, entry.sha256 or "")]
    files = {}
    for src, name, sha in pairs:
        if not src.is_file():
            raise FetchError(f"{src}: listed in the registry for {dataset.id!r} but missing from the mirror")
        dest = staging / name
        shutil.copyfile(src, dest)
        actual = sha256_of(dest)
        if sha and actual != sha:
            raise ChecksumError(f"{src}: sha256 {actual} differs from the registry's {sha} for {dataset.id!r}")
        files[name] = actual
    return files


# ----------------------------------------------------------------------------- HTTP


class HttpClient:
    """A requests session with timeouts, retries on 5xx/connection errors and on truncated bodies."""

    def __init__(self, retries: int = 3, backoff: float = 1.0, timeout: float = 60.0, progress: bool = True):
        self.retries, self.backoff, self.timeout, self.progress = retries, backoff, timeout, progress
        self.session = requests.Session()
        policy = Retry(
            total=retries, connect=retries, read=retries, status=retries, backoff_factor=backoff,
            status_forcelist=(429, 500, 502, 503, 504), allowed_methods=("GET",), raise_on_status=False,
        )
        adapter = HTTPAdapter(max_retries=policy)
        self.session.mount("http://", adapter)
        self.session.mount("https://", adapter)
        self.session.headers["User-Agent"] = "parkstad-analysis"

    def get_json(self, url: str, params: dict | None = None) -> dict:
        """GET a JSON document; retry when the body arrives cut short or is not JSON."""
        last: Exception | None = None
        for attempt in range(self.retries + 1):
            try:
                response = self.session.get(url, params=params, timeout=self.timeout)
                if response.status_code >= 400:
                    raise FetchError(f"{response.url}: HTTP {response.status_code} after {self.retries} retries")
                return json.loads(response.content.decode("utf-8-sig"))
            except (requests.exceptions.ChunkedEncodingError, requests.exceptions.ContentDecodingError,
                    json.JSONDecodeError, UnicodeDecodeError) as exc:
                last = exc  # a truncated or garbled body: ask again
            except requests.exceptions.RequestException as exc:
                raise FetchError(f"{url}: {type(exc).__name__}: {exc}") from exc
            time.sleep(self.backoff * (2**attempt))
        raise FetchError(f"{url}: incomplete or invalid JSON after {self.retries + 1} attempts ({last})")


def odata_region_filter(year: int | None) -> str:
    """An OData ``$filter`` selecting the Parkstad gemeenten and their wijken and buurten."""
    codes = parkstad_gemeenten(year or 2019) if year else parkstad_gemeenten(2019) | parkstad_gemeenten(2018)
    terms = [f"startswith(WijkenEnBuurten,'{prefix}{code[2:]}')" for code in sorted(codes) for prefix in ("GM", "WK", "BU")]
    return " or ".join(terms)


def fetch_odata_table(dataset: Dataset, base_url: str, dest: Path, client: HttpClient) -> dict[str, str]:
    """Download one CBS OData v3 table (data restricted to Parkstad) into ``dest``.

    Writes ``TypedDataSet.json`` (all pages joined under ``value``),
    ``DataProperties.json`` and ``TableInfos.json``; returns their sha256 sums.
    """
    if not dataset.table_id:
        raise ConfigError(f"registry: dataset {dataset.id!r} has source 'odata' but no table_id")
    table_url = f"{base_url.rstrip('/')}/{dataset.table_id}"
    params = {"$format": "json", "$filter": odata_region_filter(dataset.year)}
    if dataset.select:
        params["$select"] = ",".join(dataset.select)
    rows: list[dict] = []
    url: str | None = f"{table_url}/TypedDataSet"
    bar = tqdm(desc=dataset.table_id, unit="row", disable=not client.progress)
    while url:
        page = client.get_json(url, params)
        if not isinstance(page.get("value"), list):
            raise FetchError(f"{url}: OData answer has no 'value' list")
        rows.extend(page["value"])
        bar.update(len(page["value"]))
        url, params = page.get("odata.nextLink"), None  # the next link carries its own query
    bar.close()
    documents = {
        "TypedDataSet.json": {"value": rows},
        "DataProperties.json": client.get_json(f"{table_url}/DataProperties", {"$format": "json"}),
        "TableInfos.json": client.get_json(f"{table_url}/TableInfos", {"$format": "json"}),
    }
    files = {}
    for name, document in documents.items():
        path = dest / name
        path.write_text(json.dumps(document, ensure_ascii=False), "utf-8")
        files[name] = sha256_of(path)
    return files


def _download_file(dataset: Dataset, dest: Path, client: HttpClient) -> dict[str, str]:
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
