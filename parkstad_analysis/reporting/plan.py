"""The report matrix: which notebooks run with which parameters, validated before any kernel starts.

Each notebook declares its parameters in its ``parameters`` cell; they are read
from there (the assignments of that cell, read with ``ast``: the same names papermill
injects, without importing papermill in the command), so the plan passes a notebook only the
parameters it declares, and refuses a notebook whose matrix parameters are gone.
"""

from __future__ import annotations

import ast
import hashlib
import json
from dataclasses import asdict, dataclass
from functools import cache
from importlib.metadata import version
from itertools import pairwise
from pathlib import Path

from ..config import Settings
from ..errors import ConfigError, UnknownNameError
from ..figures.classes import CLASSIFICATIONS
from ..processed import ProcessedStore
from ..vocabulary.areas import focus_areas, get_area


@dataclass(frozen=True)
class Notebook:
    """One report notebook: its file, its page title and the parameters it is run over."""

    key: str
    file: str
    title: str
    varies: tuple[str, ...]
    #: Relative run time (seconds on the reference machine), to start the longest first.
    cost: float
    #: Run only for areas whose gemeente has benefit figures per buurt (the evaluation needs them).
    needs_buurt_benefits: bool = False


NOTEBOOKS = {nb.key: nb for nb in (
    Notebook("data_overview", "01_data_overview.ipynb", "Data-overzicht", (), 1.5),
    Notebook("area_profile", "02_area_profile.ipynb", "Profiel", ("AREA", "YEAR"), 6),
    Notebook("funding", "03_regio_deal_funding.ipynb", "Regio Deal-financiering", (), 5),
    Notebook("trends", "04_trends.ipynb", "Trends", ("AREA",), 3),
    Notebook("evaluation", "05_evaluation.ipynb", "Voor en na de start", ("AREA",), 2, needs_buurt_benefits=True),
)}


@dataclass
class Job:
    """One notebook run: which notebook, the parameters papermill injects, the output name."""

    notebook: str
    name: str
    parameters: dict
    area: str | None = None


def notebooks_dir(settings: Settings) -> Path:
    """Where the notebooks of the project live."""
    return settings.root / "notebooks"


@cache
def _declared(path: Path, mtime: float) -> dict[str, str]:
    """Name → default (as written) of every assignment in the notebook's ``parameters`` cell."""
    document = json.loads(path.read_text("utf-8"))
    for cell in document.get("cells", []):
        if cell.get("cell_type") == "code" and "parameters" in cell.get("metadata", {}).get("tags", []):
            source = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
            try:
                tree = ast.parse(source)
            except SyntaxError as exc:
                raise ConfigError(f"{path}: its parameters cell is not valid Python ({exc.msg}, line {exc.lineno})") from None
            found = {}
            for node in tree.body:
                targets = node.targets if isinstance(node, ast.Assign) else [node.target] \
                    if isinstance(node, ast.AnnAssign) else []
                for target in targets:
                    if isinstance(target, ast.Name):
                        found[target.id] = ast.get_source_segment(source, node.value) if node.value else ""
            return found
    raise ConfigError(f"{path}: no cell tagged 'parameters'; papermill needs one to inject the matrix")


def declared_parameters(settings: Settings, notebook: str) -> dict[str, str]:
    """The parameters a notebook's ``parameters`` cell declares: name → default as written."""
    path = notebooks_dir(settings) / NOTEBOOKS[notebook].file
    if not path.is_file():
        raise ConfigError(f"{path}: notebook not found")
    return _declared(path, path.stat().st_mtime)


def available_years(settings: Settings) -> list[int]:
    """KWB years with any netto arbeidsparticipatie figure (the years an area profile can show)."""
    kwb = ProcessedStore(settings).load_table("kwb", columns=["year", "nettoarbeidsparticipatie"])
    return sorted(int(y) for y in kwb.dropna()["year"].unique())


def buurt_benefit_gemeenten(settings: Settings) -> set[str]:
    """Gemeenten with benefit figures per buurt in the processed data (those an evaluation can use)."""
    benefits = ProcessedStore(settings).load_table("benefits", columns=["level", "gemeente_code"])
    return set(benefits.loc[benefits["level"] == "buurt", "gemeente_code"].dropna())


def map_indicators(settings: Settings) -> list[str]:
    """Indicators a map can draw: processed KWB and benefit columns plus the vocabulary's rates."""
    from ..vocabulary.indicators import ID_COLUMNS, load_vocabulary

    store = ProcessedStore(settings)
    names = set(load_vocabulary().rates)
    for table in ("kwb", "benefits"):
        names |= set(store.table_columns(table)) - set(ID_COLUMNS)
    return sorted(names)


def check_breaks(classification: str, breaks: list[float] | None) -> list[float] | None:
    """Class bounds go with the classification ``user`` only, and rise.

    Raises
    ------
    ConfigError
        Naming the option and what was expected.
    """
    if classification == "user" and not breaks:
        raise ConfigError("--classification user needs --breaks, the upper bounds of the classes (e.g. --breaks 40 60 80)")
    if breaks and classification != "user":
        raise ConfigError(f"--breaks goes with --classification user, not {classification!r}")
    if breaks and any(b <= a for a, b in pairwise(breaks)):
        raise ConfigError(f"--breaks {' '.join(map(str, breaks))}: expected rising bounds")
    return list(breaks) if breaks else None


def plan(settings: Settings, areas: list[str] | None = None, years: list[int] | None = None,
         notebooks: list[str] | None = None, indicators: list[str] | None = None,
         classification: str = "quantiles", breaks: list[float] | None = None) -> list[Job]:
    """The parameter matrix, validated before any kernel starts; a value named twice counts once.

    Raises
    ------
    UnknownNameError
        For an unknown area, notebook, indicator or classification, or a year without data,
        listing the valid values (the closest first).
    ConfigError
        For class bounds that do not fit the classification, or a notebook that no longer
        declares a parameter the matrix varies.
    """
    for name in notebooks or []:
        if name not in NOTEBOOKS:
            raise UnknownNameError("notebook", name, list(NOTEBOOKS))
    chosen = list(dict.fromkeys(notebooks or NOTEBOOKS))
    area_names = list(dict.fromkeys(get_area(a).name for a in (areas or focus_areas())))
    years = list(dict.fromkeys(years)) if years else None
    indicators = list(dict.fromkeys(indicators)) if indicators else None
    valid_years = available_years(settings)
    for year in years or []:
        if year not in valid_years:
            raise UnknownNameError("year (no netto arbeidsparticipatie figures)", year, [str(y) for y in valid_years])
    year_list = years or valid_years[-1:]
    if indicators:
        valid_indicators = map_indicators(settings)
        for indicator in indicators:
            if indicator not in valid_indicators:
                from ..vocabulary.indicators import load_vocabulary

                raise UnknownNameError("indicator", indicator, valid_indicators, load_vocabulary().descriptions())
    if classification not in CLASSIFICATIONS:
        raise UnknownNameError("classification", classification, CLASSIFICATIONS)
    breaks = check_breaks(classification, breaks)
    options = {"CLASSIFICATION": classification, **({"INDICATORS": list(indicators)} if indicators else {}),
               **({"BREAKS": breaks} if breaks else {})}
    jobs = []
    for key in chosen:
        jobs += _jobs(settings, NOTEBOOKS[key], area_names, year_list, options)
    return jobs


def _jobs(settings: Settings, notebook: Notebook, areas: list[str], years: list[int], options: dict) -> list[Job]:
    """The runs of one notebook: one per combination of the parameters it varies."""
    declared = declared_parameters(settings, notebook.key)
    missing = [p for p in notebook.varies if p not in declared]
    if missing:
        raise ConfigError(f"{notebooks_dir(settings) / notebook.file}: its parameters cell lacks {', '.join(missing)}; "
                          f"the report runs it over {', '.join(notebook.varies)}")
    if notebook.needs_buurt_benefits:
        areas = [a for a in areas if get_area(a).level in ("buurt", "wijk") and get_area(a).gemeente in
                 buurt_benefit_gemeenten(settings)]
    combinations = [{}]
    if "AREA" in notebook.varies:
        combinations = [{**c, "AREA": a} for c in combinations for a in areas]
    if "YEAR" in notebook.varies:
        combinations = [{**c, "YEAR": y} for c in combinations for y in years]
    jobs = []
    for varied in combinations:
        candidates = {"YEAR": years[-1], **options, **varied}
        parameters = {k: v for k, v in candidates.items() if k in declared}
        name = "_".join([notebook.key, *(str(varied[p]) for p in notebook.varies)])
        jobs.append(Job(notebook.key, name, parameters, varied.get("AREA")))
    return jobs


def input_hash(settings: Settings, jobs: list[Job], store: ProcessedStore | None = None) -> str:
    """Content hash of everything a run depends on: notebooks, parameters, processed data, package version."""
    digest = hashlib.sha256()
    for name in sorted({j.notebook for j in jobs}):
        digest.update(name.encode())
        digest.update((notebooks_dir(settings) / NOTEBOOKS[name].file).read_bytes())
    digest.update(json.dumps([asdict(j) for j in jobs], sort_keys=True).encode())
    for name, checksum in (store or ProcessedStore(settings)).checksums().items():
        digest.update(name.encode())
        digest.update(checksum.encode())
    digest.update(version("parkstad-analysis").encode())
    return digest.hexdigest()
