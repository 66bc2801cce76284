"""The CBS OData v3 client, as CBS really serves it.

* data from the bulk feed (``/ODataFeed/odata/<table>/TypedDataSet``), paged through
  ``odata.nextLink``; the API (``/ODataApi/odata``) refuses requests over 10,000 cells;
* metadata and dimensions from the API: ``TableInfos`` (whose title must match the
  registry's ``title_pattern``, else the table is refused), ``DataProperties``, and the
  region (``WijkenEnBuurten``, with names) and period (``Perioden``) dimensions;
* rows restricted to the configured scope of gemeenten by a ``$filter`` built from it.

This is what cbsodata and cbsodataR do; they are not used because they hard-code the
CBS host and write no files, so they cannot be pointed at a stand-in or made atomic.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from tqdm import tqdm  # terminal bars: tqdm.auto would warn in a kernel without ipywidgets

from ..config import Scope, Settings
from ..errors import ConfigError, FetchError
from ..vocabulary.regions import parkstad_gemeenten
from .http import Deadline, HttpClient
from .raw import sha256_of
from .registry import Dataset

#: The dimensions saved beside the data (when the table has them).
DIMENSIONS = ("WijkenEnBuurten", "Perioden")


def scope_gemeenten(scope: Scope, year: int | None) -> list[str] | None:
    """The gemeente codes of a scope in the boundaries of ``year`` (``None``: the whole country)."""
    if scope.national:
        return None
    if scope.name == "parkstad":
        codes = parkstad_gemeenten(year) if year else parkstad_gemeenten(2019) | parkstad_gemeenten(2018)
        return sorted(codes)
    return sorted(scope.codes)


def region_filter(scope: Scope, year: int | None, key: str = "WijkenEnBuurten") -> str | None:
    """An OData ``$filter`` selecting the scope's gemeenten and their wijken and buurten (``None``: no filter)."""
    codes = scope_gemeenten(scope, year)
    if codes is None:
        return None
    return " or ".join(f"startswith({key},'{prefix}{code[2:]}')" for code in codes for prefix in ("GM", "WK", "BU"))


class CbsOData:
    """One OData table of CBS: its metadata, dimensions and data, saved as JSON documents."""

    def __init__(self, dataset: Dataset, settings: Settings, client: HttpClient, deadline: Deadline):
        if not dataset.table_id:
            raise ConfigError(f"registry: dataset {dataset.id!r} has source 'odata' but no table_id")
        self.dataset, self.settings, self.client, self.deadline = dataset, settings, client, deadline
        self.api = f"{settings.odata_api}/{dataset.table_id}"
        self.feed = f"{settings.odata_feed}/{dataset.table_id}"

    def _pages(self, url: str, params: dict | None, unit: str) -> list[dict]:
        """Every row of a paged OData answer, following ``odata.nextLink``."""
        rows: list[dict] = []
        with tqdm(desc=f"{self.dataset.table_id} {unit}", unit="row", disable=not self.client.progress) as bar:
            while url:
                page = self.client.get_json(url, params, self.deadline)
                if not isinstance(page.get("value"), list):
                    raise FetchError(f"{url}: OData answer has no 'value' list")
                rows.extend(page["value"])
                bar.update(len(page["value"]))
                url, params = page.get("odata.nextLink"), None  # the next link carries its own query
        return rows

    def table_info(self) -> dict:
        """TableInfos, checked: the identifier is the table asked for and the title matches the registry."""
        info = self.client.get_json(f"{self.api}/TableInfos", {"$format": "json"}, self.deadline)
        items = info.get("value") if isinstance(info, dict) else None
        first = items[0] if isinstance(items, list) and items and isinstance(items[0], dict) else {}
        identifier, title = first.get("Identifier"), str(first.get("Title", ""))
        if identifier != self.dataset.table_id:
            raise FetchError(f"{self.api}/TableInfos: describes table {identifier!r}; expected {self.dataset.table_id}")
        pattern = self.dataset.title_pattern
        if pattern and not re.search(pattern, title):
            raise FetchError(f"{self.api}/TableInfos: table {identifier} is titled {title!r}, which does not match "
                             f"{pattern!r} in the registry entry {self.dataset.id!r}: refused (wrong table id?)")
        return info

    def data(self, properties: dict) -> list[dict]:
        """The table's rows for the scope, from the bulk feed."""
        keys = {item.get("Key") for item in properties.get("value", []) if isinstance(item, dict)}
        params = {"$format": "json"}
        if "WijkenEnBuurten" in keys and (where := region_filter(self.settings.scope, self.dataset.year)):
            params["$filter"] = where
        if self.dataset.select:
            params["$select"] = ",".join(self.dataset.select)
        return self._pages(f"{self.feed}/TypedDataSet", params, "rows")

    def dimension(self, name: str) -> list[dict]:
        """A dimension's keys and titles from the API (regions restricted to the scope)."""
        params = {"$format": "json"}
        if name == "WijkenEnBuurten" and (where := region_filter(self.settings.scope, self.dataset.year, key="Key")):
            params["$filter"] = where
        return self._pages(f"{self.api}/{name}", params, name)

    def save(self, dest: Path) -> dict[str, str]:
        """Write TableInfos, DataProperties, the dimensions and the data into ``dest``; return their sha256 sums."""
        documents = {"TableInfos.json": self.table_info()}
        properties = self.client.get_json(f"{self.api}/DataProperties", {"$format": "json"}, self.deadline)
        documents["DataProperties.json"] = properties
        keys = {item.get("Key") for item in properties.get("value", []) if isinstance(item, dict)}
        for name in DIMENSIONS:
            if name in keys:
                documents[f"{name}.json"] = {"value": self.dimension(name)}
        documents["TypedDataSet.json"] = {"value": self.data(properties)}
        files = {}
        for name, document in documents.items():
            path = dest / name
            path.write_text(json.dumps(document, ensure_ascii=False), "utf-8")
            files[name] = sha256_of(path)
        return files


def fetch_odata_table(dataset: Dataset, settings: Settings, dest: Path, client: HttpClient,
                      deadline: Deadline | None = None) -> dict[str, str]:
    """Download one CBS OData table for the configured scope into ``dest``; return name → sha256.

    Raises
    ------
    FetchError
        When the table's TableInfos does not match the registry, a request fails, or the deadline passes.
    """
    deadline = deadline or Deadline(client.deadline, f"dataset {dataset.id!r}")
    return CbsOData(dataset, settings, client, deadline).save(dest)
