"""parkstad-analysis: CBS neighbourhood and labour-participation data for Parkstad Limburg.

For a researcher, one import: ``import parkstad_analysis as pa``; ``pa.load()``, ``pa.area("gms")``,
``pa.show(...)`` and the rest of :mod:`parkstad_analysis.research` (loaded on first use, so the
``parkstad`` command starts without pandas).

Data flows one way, one sub-package per stage: ``vocabulary`` (the TOML files that drive everything),
``fetch`` (sources → ``data/raw``), ``readers`` (one per CBS file shape), ``tables`` (cleaning, schemas,
``parkstad build``), ``processed`` (the store of ``data/processed``), ``analysis``, ``figures``, ``pages``
(what notebooks show) and ``reporting`` (notebooks → ``reports/``), which runs notebooks through
``kernels`` (fast notebook execution that knows nothing of Parkstad). Beside them: ``config`` (paths,
mirror, scope), ``errors``, ``atomic`` (write-then-rename), ``locks``, ``dutch`` (Dutch numbers) and
``cli`` (the ``parkstad`` command).
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("parkstad-analysis")
except PackageNotFoundError:  # pragma: no cover - running from a bare checkout
    __version__ = "0+unknown"


def _research():
    import importlib

    return importlib.import_module(f"{__name__}.research")  # not `from . import`: that would ask __getattr__ again


def __getattr__(name: str) -> object:
    """The researcher's surface (:mod:`.research`), imported on first use."""
    if name.startswith("_") or name == "research":
        raise AttributeError(name)
    research = _research()
    if name in research.__all__:
        return getattr(research, name)
    raise AttributeError(f"module 'parkstad_analysis' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted({*globals(), *_research().__all__})
