"""parkstad-analysis: CBS neighbourhood and labour-participation data for Parkstad Limburg.

Data flows one way: sources (``sources``) → ``data/raw`` → readers and cleaners
(``cbs``, ``geo``) → ``data/processed`` (``build``) → analysis → reports.
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("parkstad-analysis")
except PackageNotFoundError:  # pragma: no cover - running from a bare checkout
    __version__ = "0+unknown"
