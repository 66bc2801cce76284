"""Fetching: sources → ``data/raw/``.

* :mod:`.registry` — the dataset registry (``registry.toml``): id, title, CBS table or URL, period, shape, sha256;
* :mod:`.raw` — the write-once store of fetched datasets in ``data/raw/<id>/`` with their fetch records;
* :mod:`.mirror` — copies from a local mirror folder, checked against the registry's sums;
* :mod:`.http` — the HTTP client (timeouts, retries on server errors and cut-off bodies);
* :mod:`.odata` — the CBS OData client;
* :mod:`.download` — fixed-URL files through pooch;
* :mod:`.fetching` — ``fetch()``, which chooses among them per dataset.

Fetching never parses tables: that is :mod:`parkstad_analysis.readers`.
"""

from .fetching import FetchResult, default_datasets, fetch
from .raw import SOURCE_FILE, RawDataset, raw_dataset, sha256_of, verify_raw
from .registry import Dataset, MirrorEntry, get_dataset, load_registry

__all__ = ["SOURCE_FILE", "Dataset", "FetchResult", "MirrorEntry", "RawDataset", "default_datasets", "fetch",
           "get_dataset", "load_registry", "raw_dataset", "sha256_of", "verify_raw"]
