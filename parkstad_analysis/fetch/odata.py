"""The CBS OData v3 client: a table's data restricted to Parkstad, its DataProperties and TableInfos."""

from __future__ import annotations

import json
from pathlib import Path

from tqdm.auto import tqdm

from ..errors import ConfigError, FetchError
from ..vocabulary.regions import parkstad_gemeenten
from .http import HttpClient
from .raw import sha256_of
from .registry import Dataset


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
