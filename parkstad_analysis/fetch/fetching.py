"""``parkstad fetch``: fill ``data/raw/`` with each dataset once, from the mirror, the project's own files or CBS.

A dataset is named by its registry id, by its CBS table id or by its file; with a mirror and no names,
the mirror's files that no dataset registers are named too (they are not read)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from tqdm import tqdm  # terminal bars: tqdm.auto would warn in a kernel without ipywidgets

from ..config import Settings
from ..errors import ChecksumError, ConfigError, DataFormatError, FetchError
from ..locks import folder_lock, sweep
from .download import download_file
from .http import Deadline, HttpClient
from .local import copy_own_file, registered_as, unregistered_files
from .mirror import copy_from_mirror, in_mirror, shape_problem, unpinned_change
from .odata import fetch_odata_table
from .raw import STAGING_PREFIX, publish_dataset, raw_dataset, staged_dataset
from .registry import UNPINNED, Dataset, datasets_holding, get_dataset, load_registry


@dataclass
class FetchResult:
    """What ``fetch`` did for one dataset: ``fetched`` or ``cached`` (with where it came from)."""

    dataset_id: str
    status: str
    origin: str = ""
    note: str = ""
    #: The name the dataset was asked for by, when it was not its id (a CBS table id, a file).
    asked: str = ""


def default_datasets(settings: Settings, registry: dict[str, Dataset] | None = None) -> list[str]:
    """The datasets ``parkstad fetch`` takes when none are named.

    With a mirror: those the mirror holds. Without: every dataset CBS serves.
    """
    registry = registry or load_registry()
    if settings.mirror is not None:
        return [d.id for d in registry.values() if in_mirror(d, settings.mirror)]
    return [d.id for d in registry.values() if d.downloadable()]


def fetch(
    dataset_ids: Iterable[str] | None = None,
    settings: Settings | None = None,
    *,
    progress: bool = True,
    retries: int = 3,
    backoff: float = 1.0,
    timeout: float = 60.0,
    deadline: float = 1800.0,
    file_deadline: float | None = None,
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
        Attempts after the first, back-off factor (seconds) and the wait for the next bytes.
    deadline : float
        Seconds one dataset (all its requests and retries) may take.
    file_deadline : float, optional
        Seconds one request or file (with its retries) may take; default ``deadline``.

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
    registry = load_registry(root=settings.root)
    ids = list(dataset_ids) if dataset_ids else default_datasets(settings, registry)
    resolved = {d.id: (d, name) for name in ids for d in resolve(name, registry, settings)}  # all names first
    datasets = [d for d, _ in resolved.values()]
    _check_mirror_holds(settings, registry, datasets, named=bool(dataset_ids))
    client = HttpClient(retries=retries, backoff=backoff, timeout=timeout, deadline=file_deadline or deadline,
                        progress=progress)
    with folder_lock(settings.raw_dir, "fetch"):
        sweep(settings.raw_dir, STAGING_PREFIX)  # left by a fetch that was killed
        results = [_fetch_one(dataset, settings, client, deadline)
                   for dataset in tqdm(datasets, desc="fetch", unit="dataset", disable=not progress or len(datasets) < 2)]
    for result in results:
        asked = resolved[result.dataset_id][1]
        if asked != result.dataset_id:
            result.asked = asked
    if settings.mirror is not None and not dataset_ids:
        results += [FetchResult(str(path.relative_to(settings.mirror)), "ignored",
                                note=f"not in the registry, so not read; `parkstad add {path}` registers it")
                    for path in unregistered_files(settings.mirror, registry)]
    return results


def resolve(name: str, registry: dict[str, Dataset], settings: Settings) -> list[Dataset]:
    """The datasets a name given to ``fetch`` means: a registry id; a CBS table id (``85586NED``: the datasets
    that are that table, else those holding part of it); or a file registered by its bytes.

    Raises
    ------
    UnknownNameError
        For a name that is none of these, closest ids first.
    ConfigError
        For a file no dataset registers (``parkstad add`` does).
    """
    if name in registry:
        return [registry[name]]
    if re.fullmatch(r"\d{5}[A-Za-z]{3}", name) and (holding := datasets_holding(name, registry)):
        return holding
    path = Path(name).expanduser()
    if path.exists():
        found = registered_as(path, registry, settings.root, settings.mirror)
        if not found:
            raise ConfigError(f"{path}: no registered dataset holds this file; `parkstad add {path}` registers it "
                              "for this project")
        return found
    return [get_dataset(name, registry)]


def _check_mirror_holds(settings: Settings, registry: dict[str, Dataset], datasets: list[Dataset], named: bool) -> None:
    """Refuse, before anything is copied, a mirror that holds nothing of the registry or a copy of the wrong shape."""
    mirror = settings.mirror
    if mirror is None:
        return
    if not named and not datasets:
        example = next(d.mirror.path for d in registry.values() if d.mirror is not None)
        raise ConfigError(f"mirror {mirror}: holds none of the registered datasets (expected files laid out as in "
                          f"../shared/cbs, such as {example}); name another folder, or set PARKSTAD_CBS_MIRROR=none "
                          "to download from CBS")
    problems = [problem for d in datasets if in_mirror(d, mirror) and (problem := shape_problem(d, mirror))]
    if problems:
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        raise DataFormatError(problems[0] + more + "; nothing was fetched")


def _other_scope(cached, dataset: Dataset, settings: Settings) -> str | None:
    """Why a table downloaded for one scope does not serve another (a mirror file is the whole file)."""
    if cached.origin == "cbs-odata" and cached.scope not in (settings.scope.name, "nl"):
        return f"was downloaded for scope {cached.scope!r}, not {settings.scope.name!r}"
    return None


def _fetch_one(dataset: Dataset, settings: Settings, client: HttpClient, seconds: float) -> FetchResult:
    cached = raw_dataset(dataset.id, settings)
    if cached is not None:
        stale = cached.stale_for(dataset) or _other_scope(cached, dataset, settings)
        if stale:
            raise FetchError(f"{cached.folder} {stale}: it is from an earlier registry or scope; remove that folder "
                             "and fetch again (data/raw is never changed in place)")
        if settings.mirror is not None and (changed := unpinned_change(dataset, settings.mirror, cached.files)):
            raise ChecksumError(f"{changed}; the first copy in {cached.folder} is kept. To use the new file, remove "
                                "that folder and fetch again")
        return FetchResult(dataset.id, "cached", note=str(settings.raw_dir / dataset.id))
    from_mirror = in_mirror(dataset, settings.mirror)
    if not from_mirror and not dataset.downloadable() and dataset.source != "file":
        where = f"mirror {settings.mirror}" if settings.mirror else "no mirror set"
        raise FetchError(
            f"dataset {dataset.id!r} exists only in a mirror ({dataset.mirror.path if dataset.mirror else '?'}); "
            f"{where}: set PARKSTAD_CBS_MIRROR or --mirror to a folder that holds it"
        )
    note = ""
    with staged_dataset(settings.raw_dir, dataset.id) as staging:
        if from_mirror:
            origin, fmt = "mirror", dataset.mirror.format
            files = copy_from_mirror(dataset, settings.mirror, staging)
            if dataset.mirror.sha256 == UNPINNED:
                note = (f"not pinned in the registry: accepted on first use, sha256 {next(iter(files.values()))} recorded "
                        "(later fetches refuse other bytes)")
        elif dataset.source == "file":
            origin, fmt = "file", dataset.format
            files = copy_own_file(dataset, settings.root, staging)
        elif dataset.source == "odata":
            origin, fmt = "cbs-odata", dataset.format
            files = fetch_odata_table(dataset, settings, staging, client, Deadline(seconds, f"dataset {dataset.id!r}"))
        else:
            origin, fmt = "cbs-url", dataset.format
            files = download_file(dataset, staging, client, Deadline(seconds, f"dataset {dataset.id!r}"))
        record = {"dataset": dataset.id, "origin": origin, "format": fmt, "files": files,
                  "table_id": dataset.table_id, "licence": dataset.licence, "scope": settings.scope.name}
        publish_dataset(staging, settings.raw_dir / dataset.id, record)
    return FetchResult(dataset.id, "fetched", origin=origin, note=note)
