"""parkstad-analysis: CBS neighbourhood and labour-participation data for Parkstad Limburg.

Data flows one way, one sub-package per stage: ``fetch`` (sources → ``data/raw``),
``readers`` (one per CBS file shape), ``tables`` (cleaning, schemas, ``build``),
``processed`` (the store of ``data/processed``), ``analysis``, ``figures`` and
``reporting`` (notebooks → ``reports/``); ``vocabulary`` holds the TOML files that
drive them, ``config`` the paths and ``cli`` the ``parkstad`` command.
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("parkstad-analysis")
except PackageNotFoundError:  # pragma: no cover - running from a bare checkout
    __version__ = "0+unknown"
