"""Region names: the name lookups StatLine exports need, and the ``region_names`` table (code → name per source and year)."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd

from ..config import Scope
from ..errors import ConfigError, DataFormatError
from ..fetch.raw import RawDataset
from ..fetch.registry import Dataset
from ..readers.odata import read_odata_csv
from ..readers.text import read_json, read_plain_csv, require_columns
from ..vocabulary.areas import Area, load_areas
from ..vocabulary.regions import clean_code, clean_codes, current_gemeenten, gemeente_names


def gemeente_lookup(fetched: list[tuple[Dataset, RawDataset]]) -> dict[str, str]:
    """Gemeente name → code for every gemeente that was ever part of Parkstad.

    The names come from ``gemeenten.toml``, extended with the fetched CBS lists of gemeenten
    (``fetched``; checked against the codes the vocabulary knows).
    """
    known = {name: code for code, name in gemeente_names().items()}
    today = current_gemeenten()
    for _, raw in fetched:
        path = raw.path()
        rows = read_odata_csv(path, required=("GemeentecodeGM", "Gemeentenaam"))
        codes = clean_codes(rows["GemeentecodeGM"], where=f"{path}, column 'GemeentecodeGM'")
        if codes.duplicated().any():
            raise DataFormatError(f"{path}: gemeente {codes[codes.duplicated()].iloc[0]} is listed twice")
        listed = dict(zip(rows["Gemeentenaam"].str.strip(), codes, strict=True))
        for name, code in listed.items():
            if code in today and today[code] != name:
                raise DataFormatError(f"{path}: {code} is named {name!r}; expected {today[code]!r}")
        known |= {n: c for n, c in listed.items() if c in today}
    return known


def _code_names(raw: RawDataset) -> dict[str, object]:
    """A code list as code → name: a JSON object, or a CSV with ``Identifier`` and ``Title`` (the OData v4 list)."""
    path = raw.path()
    if raw.format == "csv-code-names":
        rows = read_plain_csv(path)
        require_columns(rows, ("Identifier", "Title"), path)
        if rows["Identifier"].duplicated().any():
            raise DataFormatError(f"{path}: code {rows.loc[rows['Identifier'].duplicated(), 'Identifier'].iloc[0]!r} "
                                  "is listed twice")
        return dict(zip(rows["Identifier"], rows["Title"], strict=True))
    document = read_json(path)
    if not isinstance(document, dict):
        raise DataFormatError(f"{path}: expected an object of buurt code → name")
    return document


def buurt_lookup(fetched: list[tuple[Dataset, RawDataset]]) -> dict[str, str]:
    """Buurt code → name from the fetched code lists (later lists win: they are newer)."""
    known: dict[str, str] = {}
    for _, raw in sorted(fetched, key=lambda pair: pair[0].boundary_year or 0):
        for code, name in _code_names(raw).items():
            try:
                valid = str(clean_code(code)).startswith("BU") and isinstance(name, str) and bool(name.strip())
            except DataFormatError:
                valid = False
            if not valid:
                raise DataFormatError(f"{raw.path()}: entry {code!r}: {name!r} is not a buurt code with a name")
            known[str(code).strip()] = name.strip()
    return known


def code_lists(fetched: list[tuple[Dataset, RawDataset]]) -> pd.DataFrame:
    """The fetched code lists as (code, name, year, source) rows."""
    rows = [{"region_code": str(code).strip(), "region_name": str(name).strip(), "year": dataset.boundary_year,
             "source": dataset.id}
            for dataset, raw in fetched for code, name in _code_names(raw).items()]
    return pd.DataFrame.from_records(rows, columns=["region_code", "region_name", "year", "source"])


def build_region_names(tables: dict[str, pd.DataFrame], layers: dict[str, gpd.GeoDataFrame],
                       lists: pd.DataFrame | None = None) -> pd.DataFrame:
    """Every (code, name) pair seen, with the table, layer or code list and the year it came from."""
    parts = [] if lists is None or lists.empty else [lists]
    for source, frame in [*tables.items(), *layers.items()]:
        if not len(frame) or "region_name" not in frame.columns:
            continue
        year_col = "year" if "year" in frame.columns else "boundary_year"
        part = frame[["region_code", "region_name", year_col]].rename(columns={year_col: "year"})
        parts.append(part.dropna(subset=["region_name"]).assign(source=source))
    names = pd.concat(parts, ignore_index=True).drop_duplicates()
    names["region_name"] = names["region_name"].str.replace(r"^Wijk \d{2}\s+", "", regex=True)
    names = names.drop_duplicates().sort_values(["region_code", "year", "source"]).reset_index(drop=True)
    names["year"] = names["year"].astype("Int64")
    return names


def latest_names(names: pd.DataFrame) -> pd.Series:
    """Region code → the latest name known for it."""
    return names.sort_values("year").groupby("region_code")["region_name"].last()


def fill_names(frame: pd.DataFrame, names: pd.DataFrame) -> pd.DataFrame:
    """Fill missing ``region_name`` from the latest name known for the code."""
    if not len(frame):
        return frame
    frame = frame.copy()
    frame["region_name"] = frame["region_name"].fillna(frame["region_code"].map(latest_names(names))).astype("string")
    return frame


def layer_codes(layers: dict[str, gpd.GeoDataFrame]) -> pd.DataFrame:
    """``region_code`` and ``year`` (the boundary year) of every feature of every boundary layer."""
    parts = [pd.DataFrame({"region_code": frame["region_code"].to_numpy(), "year": int(name.rsplit("_", 1)[-1])})
             for name, frame in layers.items() if name.rsplit("_", 1)[-1].isdigit()]
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame({"region_code": [], "year": []})


def check_area_codes(names: pd.DataFrame, scope: Scope, areas: dict[str, Area] | None = None) -> None:
    """Refuse areas (``areas.toml``) with codes that no boundary layer of their years holds.

    ``names`` has ``region_code`` and ``year``: the codes of the boundary layers (:func:`layer_codes`),
    which come from complete CBS boundary files (the code lists of a download may hold part of a
    gemeente only).

    Areas in gemeenten outside ``scope``, or whose level and gemeente no fetched list covers,
    are not checked: their codes cannot be known.

    Raises
    ------
    ConfigError
        Naming each area, its level and years, and the codes not found.
    """
    problems = []
    for area in (areas or load_areas()).values():
        if area.all_gemeenten or not scope.holds(area.gemeente or "GM" + area.codes[0][2:6]):
            continue
        first, last = area.boundaries
        known = set(names.loc[names["year"].between(first, last), "region_code"])
        # Only judge what the fetched lists can tell: the area's own level in its own gemeente.
        prefixes = {code[:6] for code in area.codes}
        if not any(code[:6] in prefixes for code in known):
            continue
        missing = [code for code in area.codes if code not in known]
        if missing:
            problems.append(f"area {area.name!r} ({area.level}, boundaries {first}-{last}): {', '.join(missing)}")
    if problems:
        raise ConfigError("areas.toml: codes that no CBS boundary layer of the area's years holds: "
                          + "; ".join(problems))
