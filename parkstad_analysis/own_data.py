"""A researcher's own CBS tables: ``parkstad add`` identifies a file or a CBS table id, registers it in the
project's ``parkstad.toml`` and says what it holds.

A file is read as it is (names where codes belong, ``2023 maart``, spaced codes, national rows: see
:mod:`parkstad_analysis.readers.odata` and :mod:`parkstad_analysis.tables.benefits`); its shape is told from its
column keys (``Bijstandsuitkering_6`` is a benefit table, ``AantalInwoners_5`` a KWB table), its CBS table from a
``TableInfos.json`` beside it or from its name, its period from its ``Perioden`` column, and its sha256 is recorded so
that a later fetch refuses other bytes. A table id is looked up at CBS (TableInfos and DataProperties) and registered
to be fetched as the package's own tables are.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pandas as pd

from .atomic import write_text
from .config import Settings
from .errors import ConfigError, DataFormatError
from .fetch.http import Deadline, HttpClient
from .fetch.local import registered_as
from .fetch.raw import sha256_of
from .fetch.registry import AUTHORITIES, LICENCE, Dataset, datasets_holding, load_registry, project_file
from .readers.odata import read_odata_csv, read_odata_typed_json, snake_case, strip_key_suffix, with_region_codes
from .readers.text import read_json
from .readers.values import quarter_period
from .tables.coverage import dataset_coverage, raw_extent
from .tables.tidy import in_scope, rows_in_scope
from .vocabulary.indicators import load_vocabulary, table_indicators

__all__ = ["Added", "add", "identify_feeds"]

TABLE_ID = re.compile(r"(?<![0-9])\d{5}(?:NED|ENG)(?![A-Z])")
#: Fewest KWB indicators a file's keys must name to be told a KWB table.
_KWB_KEYS = 2


@dataclass
class Added:
    """What ``parkstad add`` did: the dataset registered (or already registered) and what the file holds."""

    dataset: Dataset | None
    registered_in: Path | None = None
    already: list[str] = field(default_factory=list)
    coverage: dict = field(default_factory=dict)
    lines: list[str] = field(default_factory=list)


def identify_feeds(keys: list[str], where: str) -> str:
    """The processed table a CBS table feeds, told from its column keys.

    Raises
    ------
    DataFormatError
        When the keys are neither a benefit table's nor a KWB table's, naming ``where`` and a few keys.
    """
    vocabulary = load_vocabulary()
    bases = {strip_key_suffix(k) for k in keys}
    if len(bases & set(vocabulary.odata_keys["benefits"])) >= 2:
        return "benefits"
    aliases = vocabulary.odata_aliases()
    kwb = {aliases.get(b, snake_case(b)) for b in bases} & set(table_indicators("kwb"))
    if len(kwb) >= _KWB_KEYS:
        return "kwb"
    shown = ", ".join(sorted(keys)[:6])
    raise DataFormatError(f"{where}: the columns ({shown} …) are neither a CBS benefit table's (Bijstandsuitkering_<n>, "
                          "…) nor a KWB table's (AantalInwoners_<n>, …); these are the tables parkstad add reads")


def _files(path: Path) -> list[Path]:
    if path.is_dir():
        files = sorted(p for p in path.iterdir() if p.suffix.lower() in (".csv", ".json") and p.name != "TableInfos.json")
        if not files:
            raise DataFormatError(f"{path}: a folder without CSV or JSON files")
        return files
    return [path]


def _rows(path: Path) -> pd.DataFrame:
    rows = read_odata_csv(path) if path.suffix.lower() == ".csv" else read_odata_typed_json(path)
    return with_region_codes(rows, str(path))


def _table_id(path: Path) -> str | None:
    """The CBS table of a file: from a saved TableInfos beside it, else from its name (``85586NED.csv``)."""
    info = (path if path.is_dir() else path.parent) / "TableInfos.json"
    if info.is_file():
        document = read_json(info)
        items = document.get("value", document) if isinstance(document, dict) else document
        if isinstance(items, list) and items and isinstance(items[0], dict) and items[0].get("Identifier"):
            return str(items[0]["Identifier"])
    found = sorted(set(TABLE_ID.findall(path.name.upper())))
    return found[0] if len(found) == 1 else None


def _period(rows: list[pd.DataFrame], where: str, given: str | None, name: str) -> str:
    """The period a file holds: its quarters (``2019Q1-2024Q3``), else ``given``, else a year in its name."""
    if given:
        return given
    quarters = sorted(set().union(*(set(quarter_period(r["Perioden"], where)) for r in rows if "Perioden" in r)))
    if quarters:
        return quarters[0] if len(quarters) == 1 else f"{quarters[0]}-{quarters[-1]}"
    years = sorted(set(re.findall(r"(?<!\d)(19\d\d|20\d\d)(?!\d)", name)))
    if len(years) == 1:
        return years[0]
    raise ConfigError(f"{where}: the period is not in the file (no Perioden column) nor one year in its name; "
                      "give it with --period (such as --period 2024)")


def _relative(path: Path, root: Path) -> str:
    """A path as the registry keeps it: relative to the project root when inside it (the project can move)."""
    resolved = path.resolve()
    try:
        return resolved.relative_to(Path(root).resolve()).as_posix()
    except ValueError:
        return str(resolved)


def _toml(dataset_id: str, entry: dict, members: dict[str, str]) -> str:
    """One registry entry as TOML (strings written as JSON strings, which TOML reads the same)."""
    lines = [f"[{dataset_id}]"] + [f"{key} = {json.dumps(value, ensure_ascii=False)}" for key, value in entry.items()
                                   if value not in (None, "")]
    if members:
        lines += ["", f"[{dataset_id}.members]"] + [f"{json.dumps(n)} = {json.dumps(s)}" for n, s in members.items()]
    return "\n".join(lines) + "\n"


def _register(settings: Settings, dataset_id: str, entry: dict, members: dict[str, str]) -> tuple[Dataset, Path]:
    """Append the entry to the project's ``parkstad.toml`` (written whole, then renamed), checked by reading back."""
    target = project_file(settings.root)
    before = target.read_text("utf-8") if target.is_file() else (
        "# This project's own datasets, in the shape of the package's registry.toml; written by `parkstad add`.\n")
    text = before.rstrip("\n") + "\n\n" + _toml(dataset_id, entry, members)
    candidate = target.with_name(f".{target.name}.check")
    candidate.write_text(text, "utf-8")
    try:
        registry = load_registry(candidate)  # the entry validates before the project's file changes
    finally:
        candidate.unlink()
    write_text(target, text)
    return registry[dataset_id], target


def _tidy(feeds: str, rows: pd.DataFrame, year: int | None, where: str) -> pd.DataFrame:
    from .tables.benefits import benefits_from_typed
    from .tables.kwb import kwb_from_odata_csv

    if feeds == "benefits":
        return benefits_from_typed(rows, where)
    if year is None:
        raise ConfigError(f"{where}: a KWB table needs one year as its period (--period 2024)")
    return kwb_from_odata_csv(rows, year, where)


def add(source: str, settings: Settings | None = None, *, dataset_id: str | None = None, period: str | None = None,
        authority: str = "third-party", licence: str = LICENCE, client: HttpClient | None = None) -> Added:
    """Register a CBS table id or a local file (or folder of one table a year) for this project.

    Parameters
    ----------
    source : str
        A CBS table id (``85984NED``) or a path.
    settings : Settings, optional
        The project (its root holds ``parkstad.toml``), scope and CBS host; default :meth:`Settings.from_env`.
    dataset_id : str, optional
        The id to register under; default from the table id or file name (``eigen_85586ned``).
    period : str, optional
        The period, when the file does not say it (a KWB file has no ``Perioden``): ``2024``.
    authority : str
        ``cbs-odata``, ``cbs-export`` or ``third-party`` (default: a file of unknown hands).
    licence : str
        The data's licence, recorded with it.
    client : HttpClient, optional
        For a table id: the client to ask CBS with.

    Returns
    -------
    Added
        With ``already`` set (and nothing written) when the registry holds the table or these bytes already.

    Raises
    ------
    ConfigError, DataFormatError
        For a path that does not exist, a shape the package does not read, an id taken, a period not known.
    """
    settings = settings or Settings.from_env()
    if authority not in AUTHORITIES:
        raise ConfigError(f"--authority {authority!r}: expected one of {', '.join(AUTHORITIES)}")
    registry = load_registry(root=settings.root)
    if TABLE_ID.fullmatch(source.upper()) and not Path(source).exists():
        return _add_table_id(source.upper(), settings, registry, dataset_id, period, client)
    path = Path(source).expanduser()
    if not path.exists():
        raise ConfigError(f"{source}: neither a file or folder nor a CBS table id (five digits and three letters, "
                          "such as 85586NED)")
    known = registered_as(path, registry, settings.root, settings.mirror)
    if known:
        return Added(None, already=[d.id for d in known],
                     lines=[f"{path}: already registered as {', '.join(d.id for d in known)}; `parkstad fetch "
                            f"{known[0].id}` fetches it"])
    files = _files(path)
    rows = [_rows(f) for f in files]
    feeds = identify_feeds([c for r in rows for c in r.columns], str(path))
    table_id = _table_id(path) if path.is_file() or len({_table_id(f) for f in files}) <= 1 else None
    period = _period(rows, str(path), period, path.name)
    dataset_id = dataset_id or f"eigen_{table_id.lower() if table_id else snake_case(path.stem)}"
    if dataset_id in registry:
        raise ConfigError(f"dataset id {dataset_id!r} is taken; choose another with --id")
    folder = path.is_dir()
    fmt = ("odata-csv" if files[0].suffix.lower() == ".csv" else "odata-typed-json") + ("-folder" if folder else "")
    members = {f.name: sha256_of(f) for f in files} if folder else {}
    entry = {"title": f"{path.name} (eigen bestand)", "table_id": table_id, "period": period, "source": "file",
             "authority": authority, "format": fmt, "feeds": feeds, "licence": licence,
             "file": _relative(path, settings.root), "sha256": None if folder else sha256_of(path),
             "origin": f"file {path.resolve()}, added {date.today().isoformat()}"}
    dataset, target = _register(settings, dataset_id, entry, members)
    year = int(period) if period.isdigit() else None
    tidy = pd.concat([_tidy(feeds, rows_in_scope(r, "WijkenEnBuurten", settings.scope), year, str(f))
                      for r, f in zip(rows, files, strict=True)], ignore_index=True)
    coverage = dataset_coverage(dataset, feeds, in_scope(tidy, settings.scope),
                                [raw_extent(r, str(f)) for r, f in zip(rows, files, strict=True)], settings.scope)
    return Added(dataset, target, coverage=coverage, lines=_describe(dataset, coverage))


def _add_table_id(table_id: str, settings: Settings, registry: dict[str, Dataset], dataset_id: str | None,
                  period: str | None, client: HttpClient | None) -> Added:
    """Register a CBS table to be fetched from the OData service, after asking CBS what it is."""
    holding = datasets_holding(table_id, registry)
    if holding:
        return Added(None, already=[d.id for d in holding],
                     lines=[f"CBS {table_id}: already registered as {', '.join(d.id for d in holding)}; "
                            f"`parkstad fetch {table_id}` fetches it"])
    client = client or HttpClient(progress=False)
    deadline = Deadline(120, f"CBS table {table_id}")
    api = f"{settings.odata_api}/{table_id}"
    info = client.get_json(f"{api}/TableInfos", {"$format": "json"}, deadline).get("value") or [{}]
    title = str(info[0].get("Title", "")).strip()
    properties = client.get_json(f"{api}/DataProperties", {"$format": "json"}, deadline).get("value") or []
    keys = [p["Key"] for p in properties if isinstance(p, dict) and p.get("Type") == "Topic" and p.get("Key")]
    feeds = identify_feeds(keys, f"{api}/DataProperties")
    declared = period or str(info[0].get("Period") or "").strip()
    if not re.fullmatch(r"\d{4}(Q[1-4])?(-\d{4}(Q[1-4])?)?", declared):
        years = re.findall(r"(?<!\d)(19\d\d|20\d\d)(?!\d)", title)
        if len(years) != 1:
            raise ConfigError(f"CBS {table_id} ({title}): its period is not known from TableInfos; give it with --period")
        declared = years[0]
    dataset_id = dataset_id or f"eigen_{table_id.lower()}"
    if dataset_id in registry:
        raise ConfigError(f"dataset id {dataset_id!r} is taken; choose another with --id")
    entry = {"title": title, "table_id": table_id, "title_pattern": "(?i)^" + re.escape(title) + "$",
             "period": declared, "source": "odata", "format": "odata-json", "feeds": feeds,
             "origin": f"CBS open data {table_id}, added {date.today().isoformat()}"}
    dataset, target = _register(settings, dataset_id, entry, {})
    lines = [f"registered {dataset.id} in {target}: CBS {table_id} ({title}), {feeds}, period {declared}",
             f"{len(keys)} topics; `parkstad fetch {dataset.id}` downloads it for scope {settings.scope.name!r}, "
             "then `parkstad build` says what it covers"]
    return Added(dataset, target, lines=lines)


def _describe(dataset: Dataset, coverage: dict) -> list[str]:
    """What ``parkstad add`` prints about a registered file."""
    lines = [f"registered {dataset.id} ({dataset.feeds}, {dataset.format}, CBS {dataset.table_id or 'table unknown'}, "
             f"period {dataset.period}, sha256 recorded)",
             f"rows read: {coverage['rows_read']} in {coverage['files']} file(s); in scope: {coverage['rows_kept']} "
             f"({coverage['levels'] or 'no levels'}); periods {coverage['periods']}",
             f"gemeenten of the scope present: {coverage['gemeenten'] or 'none'}"]
    if coverage["partial"]:
        lines.append(f"PARTIAL: {coverage['reasons']}")
    if coverage["period_note"]:
        lines.append(f"period: {coverage['period_note']}")
    lines.append(f"next: `parkstad fetch {dataset.id}` and `parkstad build`")
    return lines
