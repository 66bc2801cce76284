"""``parkstad build``: ``data/raw/`` → ``data/processed/`` (parquet + one GeoPackage).

One function per processed table reads the raw datasets that feed it (by the
``feeds`` field of the registry) in whatever shape they were fetched, and
returns a tidy table restricted to Parkstad. :func:`build` checks every table
against its schema, writes all of them into a staging folder and only then
moves them into ``data/processed/``: a failed build leaves the previous
output as it was.

Processed outputs
-----------------
``kwb.parquet``         Kerncijfers wijken en buurten, one row per region and year
``benefits.parquet``    benefit recipients per quarter (85586NED)
``population.parquet``  inhabitants from the OData CSV export
``education.parquet``   population 15–75 by education level
``income.parquet``      income per inhabitant and low/high income shares (wijk level)
``cars.parquet``        cars per household
``region_names.parquet`` code → name, per source and year
``indicators.parquet``  title, unit and decimals of every indicator column
``geometry.gpkg``       boundary layers in EPSG:28992
``data_quality.csv``    rows per level and period, share missing per indicator
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import pandas as pd

from . import cbs, geo
from .catalog import load_catalog
from .config import Settings
from .errors import DataFormatError, FetchError
from .regions import BEEKDAELEN_PREDECESSORS, PARKSTAD_2019, all_parkstad_codes, clean_code, clean_codes
from .schemas import ID_COLUMNS, validate_geometry_layer, validate_region_table
from .sources import SOURCE_FILE, RawDataset, load_registry, raw_dataset, verify_raw

GEOMETRY_FILE = "geometry.gpkg"
QUALITY_FILE = "data_quality.csv"


@dataclass
class BuildReport:
    """What a build wrote and what it had to leave out."""

    tables: dict[str, int] = field(default_factory=dict)
    layers: dict[str, int] = field(default_factory=dict)
    skipped: list[str] = field(default_factory=list)
    checked: list[str] = field(default_factory=list)


# ----------------------------------------------------------------------------- helpers


def _raw_for(feeds: str, settings: Settings) -> list[tuple[str, RawDataset]]:
    """Fetched datasets that feed a table, checked against their fetch-time sums."""
    found = []
    for dataset in load_registry().values():
        if dataset.feeds != feeds:
            continue
        raw = raw_dataset(dataset.id, settings)
        if raw is not None:
            verify_raw(raw)
            found.append((dataset.id, raw))
    return found


def _parkstad(frame: pd.DataFrame) -> pd.DataFrame:
    return frame[frame["gemeente_code"].isin(all_parkstad_codes())].reset_index(drop=True)


def normalise_name(name: str) -> str:
    """Compare region names loosely: case, accents, leading articles, punctuation.

    >>> normalise_name("De Beitel") == normalise_name("Beitel")
    True
    """
    text = unicodedata.normalize("NFKD", str(name)).encode("ascii", "ignore").decode().casefold().strip()
    text = re.sub(r"^(de|het|'t)\s+", "", text)
    return re.sub(r"[^0-9a-z]+", "", text)


def resolve_statline_codes(names: pd.Series, gemeenten: dict[str, str], buurten: dict[str, str], where: str) -> pd.Series:
    """Codes for a StatLine export that names its regions instead of coding them.

    StatLine lists a gemeente, then each wijk (``Wijk 10 Maria Gewanden …``) followed
    by its buurten. Gemeenten are found by name and buurten by name among the known
    buurten of the current gemeente. A wijk takes its code from the buurten listed
    under it, because the number in its label is not always the number in its code
    (the 2016 export labels WK091742 "Wijk 41 De Beitel"); only a wijk without
    buurten falls back on the number in its label.

    Parameters
    ----------
    names : Series
        The region column of the export.
    gemeenten : dict
        Gemeente name → GM code.
    buurten : dict
        BU code → buurt name (any boundary year that uses the same codes).
    where : str
        File name for errors.
    """
    by_gemeente = {normalise_name(n): c for n, c in gemeenten.items()}
    codes: list[str | None] = []
    wijk_rows: list[tuple[int, str, str]] = []  # (position, gemeente, label number)
    gemeente = None
    for raw in names:
        name = str(raw).strip()
        wijk_match = re.match(r"^Wijk\s+(\d{1,2})\b", name)
        if normalise_name(name) in by_gemeente:
            gemeente = by_gemeente[normalise_name(name)]
            codes.append(gemeente)
        elif gemeente is None:
            raise DataFormatError(f"{where}: region name {name!r} comes before any known gemeente")
        elif wijk_match:
            wijk_rows.append((len(codes), gemeente, wijk_match.group(1)))
            codes.append(None)
        else:
            candidates = {normalise_name(n): c for c, n in buurten.items() if c.startswith("BU" + gemeente[2:])}
            code = candidates.get(normalise_name(name))
            if code is None:
                raise DataFormatError(f"{where}: buurt name {name!r} in {gemeente} matches no known buurt code")
            codes.append(code)
    for position, gm, number in wijk_rows:
        following = codes[position + 1] if position + 1 < len(codes) else None
        if following and following.startswith("BU"):
            codes[position] = "WK" + following[2:8]
        else:
            codes[position] = f"WK{gm[2:]}{int(number):02d}"
    return pd.Series(codes, index=names.index, dtype="string")


# ----------------------------------------------------------------------------- KWB


def _statline_indicators(columns: list[str]) -> dict[str, str]:
    aliases = load_catalog().statline_aliases()
    skip = {"regiocode_derived", "Wijk_Buurt", "Regioaanduiding_Indelingswijziging_wijken_en_buurten"}
    return {c: aliases.get(c, cbs.snake_case(c)) for c in columns if c not in skip}


def kwb_from_statline(frame: pd.DataFrame, year: int, where: str, buurten: dict[str, str],
                      gemeenten: dict[str, str] | None = None) -> pd.DataFrame:
    """Tidy a StatLine KWB export (CSV or SQLite table) of one year; the source footer is dropped."""
    frame = frame[~frame["Wijk_Buurt"].astype(str).str.match(r"^\s*(Bron|Source)\b")].reset_index(drop=True)
    if "regiocode_derived" in frame.columns:
        codes = frame["regiocode_derived"]
    else:
        codes = resolve_statline_codes(frame["Wijk_Buurt"], gemeenten or _gemeente_names(), buurten, where)
    return cbs.tidy(frame, where=where, codes=codes, names=frame["Wijk_Buurt"],
                    indicators=_statline_indicators(list(frame.columns)), year=year)


def kwb_from_odata(folder: Path, year: int, where: str) -> pd.DataFrame:
    """Tidy a KWB table fetched from the OData API (TypedDataSet + DataProperties)."""
    props = cbs.read_data_properties(folder / "DataProperties.json")
    rows = cbs.read_odata_typed_json(folder / "TypedDataSet.json")
    return _kwb_from_keys(rows, props, year, where, names=_odata_names(folder, rows))


def check_table_info(folder: Path, table_id: str | None) -> None:
    """The saved TableInfos must describe the table the registry names (a wrong folder is refused)."""
    path = folder / "TableInfos.json"
    if not path.is_file() or table_id is None:
        return
    document = cbs.read_json(path)
    items = document.get("value", document) if isinstance(document, dict) else document
    identifier = items[0].get("Identifier") if isinstance(items, list) and items and isinstance(items[0], dict) else None
    if identifier != table_id:
        raise DataFormatError(f"{path}: describes table {identifier!r}; expected {table_id}")


def kwb_from_stripped(folder: Path, year: int, where: str) -> pd.DataFrame:
    """Tidy the stripped KWB export: ``{region code: {key: value}}`` plus DataProperties."""
    props = cbs.read_data_properties(folder / "DataProperties.json")
    data_files = sorted(p for p in folder.glob("*.json")
                        if p.name not in ("DataProperties.json", "TableInfos.json") and not p.name.startswith("_"))
    if len(data_files) != 1:
        raise DataFormatError(f"{folder}: expected one data file beside DataProperties.json, found {len(data_files)}")
    data_file = data_files[0]
    document = cbs.read_json(data_file)
    if not isinstance(document, dict) or not all(isinstance(v, dict) for v in document.values()):
        raise DataFormatError(f"{where}: expected an object of region code → {{key: value}}")
    rows = pd.DataFrame.from_dict(document, orient="index").rename_axis("WijkenEnBuurten").reset_index()
    rows = rows[rows["WijkenEnBuurten"].str.strip().str[2:6].isin({c[2:] for c in all_parkstad_codes()})]
    return _kwb_from_keys(rows, props, year, str(data_file), names=None)


def _kwb_from_keys(rows: pd.DataFrame, props: pd.DataFrame, year: int, where: str, names: pd.Series | None) -> pd.DataFrame:
    known = dict(zip(props["key"], props["name"], strict=True))
    unknown = [c for c in rows.columns if c not in known and c not in ("ID", "WijkenEnBuurten")]
    if unknown:
        raise DataFormatError(f"{where}: column(s) {unknown[:5]} are not in DataProperties")
    text_keys = set(props.loc[props["datatype"].eq("String"), "key"]) | {"WijkenEnBuurten", "ID"}
    indicators = {c: known[c] for c in rows.columns if c not in text_keys}
    return cbs.tidy(rows, where=where, codes=rows["WijkenEnBuurten"], names=names, indicators=indicators, year=year)


def _odata_names(folder: Path, rows: pd.DataFrame) -> pd.Series | None:
    path = folder / "WijkenEnBuurten.json"
    if not path.is_file():
        return None
    dimension = cbs.read_odata_typed_json(path, required=("Key", "Title"))
    titles = dict(zip(dimension["Key"].str.strip(), dimension["Title"], strict=True))
    return rows["WijkenEnBuurten"].str.strip().map(titles)


def build_kwb(settings: Settings) -> pd.DataFrame:
    """All KWB years available in ``data/raw`` as one table (region × year)."""
    buurten = _known_buurten(settings)
    gemeenten = _gemeente_names(settings)
    frames = []
    registry = load_registry()
    for dataset_id, raw in _raw_for("kwb", settings):
        year = registry[dataset_id].year
        where = str(raw.folder)
        if raw.format == "statline-csv":
            frame = kwb_from_statline(cbs.read_statline_csv(raw.path()), year, str(raw.path()), buurten, gemeenten)
        elif raw.format == "odata-json":
            check_table_info(raw.folder, registry[dataset_id].table_id)
            frame = kwb_from_odata(raw.folder, year, where)
        elif raw.format == "odata-stripped-json":
            check_table_info(raw.folder, registry[dataset_id].table_id)
            frame = kwb_from_stripped(raw.folder, year, where)
        else:
            raise DataFormatError(f"{where}: format {raw.format!r} is not a KWB shape this package reads")
        frames.append(_parkstad(frame))
    return _concat(frames, ["year", "region_code"])


# ----------------------------------------------------------------------------- benefits


def benefits_from_typed(rows: pd.DataFrame, where: str) -> pd.DataFrame:
    """Tidy the quarterly benefit table 85586NED (keys mapped by base name and order)."""
    mapping = load_catalog().odata_keys["85586NED"]
    seen: dict[str, int] = {}
    indicators = {}
    for column in rows.columns:
        base = cbs.strip_key_suffix(column)
        if base in mapping:
            position = seen.get(base, 0)
            seen[base] = position + 1
            if position >= len(mapping[base]):
                raise DataFormatError(f"{where}: column {column!r} repeats {base} more often than 85586NED does")
            indicators[column] = mapping[base][position]
    if "Perioden" not in rows.columns:
        raise DataFormatError(f"{where}: required column 'Perioden' absent")
    if not indicators:
        raise DataFormatError(f"{where}: none of the 85586NED columns ({', '.join(mapping)}) present")
    period = cbs.quarter_period(rows["Perioden"], f"{where}, column 'Perioden'")
    return cbs.tidy(rows, where=where, codes=rows["WijkenEnBuurten"], indicators=indicators, period=period)


def build_benefits(settings: Settings) -> pd.DataFrame:
    """Benefit recipients per quarter for every region in ``data/raw``."""
    frames = []
    for _, raw in _raw_for("benefits", settings):
        path = raw.path("TypedDataSet.json") if raw.format == "odata-json" else raw.path()
        frames.append(_parkstad(benefits_from_typed(cbs.read_odata_typed_json(path), str(path))))
    return _concat(frames, ["period", "region_code"])


# ----------------------------------------------------------------------------- other tables


def build_population(settings: Settings) -> pd.DataFrame:
    """Inhabitants from the OData CSV export (or the same table fetched as JSON)."""
    frames = []
    registry = load_registry()
    for dataset_id, raw in _raw_for("population", settings):
        path = raw.path() if raw.format == "odata-csv" else raw.path("TypedDataSet.json")
        reader = cbs.read_odata_csv if raw.format == "odata-csv" else cbs.read_odata_typed_json
        rows = reader(path, required=("WijkenEnBuurten", "AantalInwoners_5"))
        frame = cbs.tidy(rows, where=str(path), codes=rows["WijkenEnBuurten"],
                         indicators={"AantalInwoners_5": "aantal_inwoners"}, year=registry[dataset_id].year)
        frames.append(_parkstad(frame))
    return _concat(frames, ["year", "region_code"])


def education_from_csv(rows: pd.DataFrame, year: int, where: str) -> pd.DataFrame:
    """Population 15–75 by education level: one row per region, one column per level."""
    codes = load_catalog().dimension_codes["Opleidingsniveau"]
    for column in ("Opleidingsniveau", "WijkenEnBuurten", "Bevolking15Tot75Jaar_2"):
        if column not in rows.columns:
            raise DataFormatError(f"{where}: required column {column!r} absent")
    level = rows["Opleidingsniveau"].astype(str).str.strip()
    unknown = sorted(set(level) - set(codes))
    if unknown:
        raise DataFormatError(f"{where}: column 'Opleidingsniveau' has unknown code(s) {unknown}; expected {sorted(codes)}")
    if "Marges" in rows.columns:  # keep the estimates, not their margins
        rows = rows[rows["Marges"].astype(str).str.strip().eq("MW00000")]
        level = level[rows.index]
    rows = rows.assign(_level=level.map(codes), _code=rows["WijkenEnBuurten"].astype(str).str.strip())
    if rows.duplicated(["_code", "_level"]).any():
        dup = rows.loc[rows.duplicated(["_code", "_level"]), ["_code", "_level"]].iloc[0].tolist()
        raise DataFormatError(f"{where}: region {dup[0]} has more than one row for {dup[1]}")
    wide = rows.pivot(index="_code", columns="_level", values="Bevolking15Tot75Jaar_2").reset_index()
    tidy = cbs.tidy(wide, where=where, codes=wide["_code"], year=year,
                    indicators={name: name for name in codes.values() if name in wide.columns})
    parts = tidy[list(codes.values())]
    tidy["bevolking_15_tot_75_jaar"] = parts.sum(axis=1, min_count=len(codes.values())).astype("Float64")
    return tidy


def build_education(settings: Settings) -> pd.DataFrame:
    """Education levels of the population 15–75."""
    registry = load_registry()
    frames = [
        _parkstad(education_from_csv(cbs.read_odata_csv(raw.path()), registry[i].year, str(raw.path())))
        for i, raw in _raw_for("education", settings)
    ]
    return _concat(frames, ["year", "region_code"])


def income_from_excel(rows: pd.DataFrame, year: int, where: str) -> pd.DataFrame:
    """The income maatwerk table: columns found by their header words."""
    wanted = {
        "gemiddeld_inkomen_per_inwoner": ("gemiddeld", "inkomen"),
        "k_40_huishoudens_met_laagste_inkomen": ("40%", "laagste"),
        "k_20_huishoudens_met_hoogste_inkomen": ("20%", "hoogste"),
    }
    indicators = {}
    for name, words in wanted.items():
        match = [c for c in rows.columns if all(w in c.lower() for w in words)]
        if not match:
            raise DataFormatError(f"{where}: no column header contains {' and '.join(words)!r} (for {name})")
        indicators[match[0]] = name
    name_col = next((c for c in rows.columns if "regionaam" in c.lower()), None)
    return cbs.tidy(rows, where=where, codes=rows["region_code"], indicators=indicators, year=year,
                    names=rows[name_col] if name_col else None)


def cars_from_excel(rows: pd.DataFrame, year: int, where: str) -> pd.DataFrame:
    """Cars per household (gemeente or wijk file)."""
    value = [c for c in rows.columns if "personenauto" in c.lower()]
    if not value:
        raise DataFormatError(f"{where}: no column header mentions personenauto's")
    name_col = next((c for c in rows.columns if c.lower().startswith(("wijknaam", "gemeentenaam"))), None)
    names = rows[name_col].str.strip() if name_col else None
    return cbs.tidy(rows, where=where, codes=rows["region_code"], indicators={value[0]: "personenautos_per_huishouden"},
                    year=year, names=names)


def build_excel_table(settings: Settings, feeds: str, reader: Callable) -> pd.DataFrame:
    """Any Excel-born CSV table (income, cars)."""
    registry = load_registry()
    frames = []
    for dataset_id, raw in _raw_for(feeds, settings):
        frame = reader(cbs.read_excel_csv(raw.path()), registry[dataset_id].year, str(raw.path()))
        frames.append(_parkstad(frame))
    return _concat(frames, ["year", "region_code"])


def _concat(frames: list[pd.DataFrame], order: list[str]) -> pd.DataFrame:
    frames = [f for f in frames if len(f)]
    if not frames:
        return pd.DataFrame()
    frame = pd.concat(frames, ignore_index=True)
    for column in frame.columns:  # indicators absent in some years become missing, still Float64
        if column not in ID_COLUMNS:
            frame[column] = frame[column].astype("Float64")
    frame["region_name"] = frame["region_name"].astype("string")
    return frame.sort_values(order, kind="stable").reset_index(drop=True)


# ----------------------------------------------------------------------------- names


def _gemeente_names(settings: Settings | None = None) -> dict[str, str]:
    """Gemeente name → code for every gemeente that was ever part of Parkstad.

    The names come from the CBS list of gemeenten when it has been fetched (checked
    against the codes the package knows), else from :mod:`parkstad_analysis.regions`.
    """
    known = {name: code for code, name in (PARKSTAD_2019 | BEEKDAELEN_PREDECESSORS).items()}
    raw = raw_dataset("gemeenten_2023", settings) if settings else None
    if raw is None:
        return known
    path = raw.path()
    rows = cbs.read_odata_csv(path, required=("GemeentecodeGM", "Gemeentenaam"))
    codes = clean_codes(rows["GemeentecodeGM"], where=f"{path}, column 'GemeentecodeGM'")
    if codes.duplicated().any():
        raise DataFormatError(f"{path}: gemeente {codes[codes.duplicated()].iloc[0]} is listed twice")
    listed = dict(zip(rows["Gemeentenaam"].str.strip(), codes, strict=True))
    for name, code in listed.items():
        if code in PARKSTAD_2019 and PARKSTAD_2019[code] != name:
            raise DataFormatError(f"{path}: {code} is named {name!r}; expected {PARKSTAD_2019[code]!r}")
    return known | {n: c for n, c in listed.items() if c in PARKSTAD_2019}


def _known_buurten(settings: Settings) -> dict[str, str]:
    raw = raw_dataset("buurtcodes_heerlen_2023", settings)
    if raw is None:
        return {}
    document = cbs.read_json(raw.path())
    if not isinstance(document, dict):
        raise DataFormatError(f"{raw.path()}: expected an object of buurt code → name")
    for code, name in document.items():
        if not str(clean_code(code)).startswith("BU") or not isinstance(name, str) or not name.strip():
            raise DataFormatError(f"{raw.path()}: entry {code!r}: {name!r} is not a buurt code with a name")
    return {str(k).strip(): v for k, v in document.items()}


def build_region_names(tables: dict[str, pd.DataFrame], layers: dict[str, gpd.GeoDataFrame]) -> pd.DataFrame:
    """Every (code, name) pair seen, with the table or layer and year it came from."""
    parts = []
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


def fill_names(frame: pd.DataFrame, names: pd.DataFrame) -> pd.DataFrame:
    """Fill missing ``region_name`` from the latest name known for the code."""
    if not len(frame):
        return frame
    latest = names.sort_values("year").groupby("region_code")["region_name"].last()
    frame = frame.copy()
    frame["region_name"] = frame["region_name"].fillna(frame["region_code"].map(latest)).astype("string")
    return frame


# ----------------------------------------------------------------------------- geometry


def build_geometry(settings: Settings) -> dict[str, gpd.GeoDataFrame]:
    """Boundary layers named ``<level>en_<year>`` (``buurten_2023``, ``wijken_2014``, …)."""
    registry = load_registry()
    layers: dict[str, gpd.GeoDataFrame] = {}
    plural = {"buurt": "buurten", "wijk": "wijken", "gemeente": "gemeenten"}
    for dataset_id, raw in _raw_for("geometry", settings):
        year = registry[dataset_id].boundary_year
        path = raw.path()
        if raw.format == "geojson":
            parts = _by_level(geo.read_geojson(path, year))
        elif raw.format == "topojson":
            parts = _by_level(geo.read_topojson(path, year))
        elif raw.format == "wijkbuurtkaart-zip":
            parts = geo.read_wijkbuurtkaart(path, year)
        else:
            raise DataFormatError(f"{path}: format {raw.format!r} is not a geometry shape this package reads")
        for level, frame in parts.items():
            name = f"{plural[level]}_{year}"
            layers[name] = pd.concat([layers[name], frame]) if name in layers else frame
    for name in list(layers):  # one feature per code: multi-part regions are dissolved
        frame = layers[name]
        if frame["region_code"].duplicated().any():
            frame = frame.dissolve(by="region_code", as_index=False, aggfunc="first")
        layers[name] = frame.sort_values("region_code").reset_index(drop=True)
    if "wijken_2014" in layers and "gemeenten_2014" not in layers:
        wijken = layers["wijken_2014"]
        gemeenten = wijken.dissolve(by="gemeente_code", as_index=False)[["gemeente_code", "geometry"]]
        gemeenten = gemeenten.assign(region_code=gemeenten["gemeente_code"], level="gemeente",
                                     region_name=gemeenten["gemeente_code"].map(
                                         {c: n for n, c in _gemeente_names().items()}).astype("string"),
                                     boundary_year=pd.array([2014] * len(gemeenten), dtype="Int64"))
        layers["gemeenten_2014"] = gemeenten[["region_code", "region_name", "level", "gemeente_code",
                                              "boundary_year", "geometry"]]
    labels = _raw_for("labels", settings)
    for _, raw in labels:
        points = geo.read_topojson(raw.path(), 2014)
        # one label point per buurt: a repeated point is dropped (the first is kept)
        points = points.drop_duplicates("region_code")
        layers["buurt_labels_2014"] = points.sort_values("region_code").reset_index(drop=True)
    return layers


def _by_level(frame: gpd.GeoDataFrame) -> dict[str, gpd.GeoDataFrame]:
    return {level: part.reset_index(drop=True) for level, part in frame.groupby("level")}


# ----------------------------------------------------------------------------- cross-checks


def cross_check(settings: Settings, tables: dict[str, pd.DataFrame]) -> list[str]:
    """Read the datasets that repeat others and check that they agree with the built tables.

    * ``kwb_check``: the StatLine SQLite exports (regions named, not coded) must give the
      same codes and inhabitants as the KWB table built from the CSV exports;
    * ``benefits_check``: every per-quarter file and the 2023 export must give the same
      bijstand counts as the combined benefit table.

    Returns the datasets checked; a disagreement or an unreadable file raises
    :class:`DataFormatError` naming the file, region and figure.
    """
    checked = []
    kwb, benefits = tables.get("kwb"), tables.get("benefits")
    buurten, gemeenten = _known_buurten(settings), _gemeente_names(settings)
    for dataset_id, raw in _raw_for("kwb_check", settings):
        path = raw.path()
        for table in cbs.sqlite_tables(path):
            year = int(re.search(r"(\d{4})", table).group(1))
            frame = kwb_from_statline(cbs.read_statline_sqlite(path, table), year, f"{path}, table {table}",
                                      buurten, gemeenten)
            if kwb is not None and year in set(kwb["year"]):
                _agree(frame, kwb[kwb["year"] == year], ["region_code"], "aantal_inwoners", f"{path}, table {table}")
        checked.append(dataset_id)
    for dataset_id, raw in _raw_for("benefits_check", settings):
        for name in sorted(raw.files):
            frame = benefits_from_typed(cbs.read_odata_typed_json(raw.path(name)), str(raw.path(name)))
            if benefits is not None:
                _agree(frame, benefits, ["region_code", "period"], "bijstand_ontvangers", str(raw.path(name)))
        checked.append(dataset_id)
    return checked


def _agree(frame: pd.DataFrame, built: pd.DataFrame, keys: list[str], column: str, where: str) -> None:
    merged = frame[[*keys, column]].merge(built[[*keys, column]], on=keys, how="left", suffixes=("", "_built"))
    missing = merged[f"{column}_built"].isna() & merged[column].notna()
    differs = (merged[column] - merged[f"{column}_built"]).abs().gt(0).fillna(False)
    if missing.any() or differs.any():
        row = merged[missing | differs].iloc[0]
        raise DataFormatError(f"{where}: {column} of {row['region_code']} is {row[column]} here but "
                              f"{row[f'{column}_built']} in the built table")


# ----------------------------------------------------------------------------- quality


def quality_summary(tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Rows per level and period and the share missing of each indicator, per table."""
    records = []
    for table, frame in tables.items():
        if not len(frame) or "level" not in frame.columns:
            continue
        period = "period" if "period" in frame.columns else "year"
        indicators = [c for c in frame.columns if c not in ID_COLUMNS]
        for (level, when), group in frame.groupby(["level", period]):
            for indicator in indicators:
                records.append({"table": table, "level": level, "period": str(when), "indicator": indicator,
                                "rows": len(group), "missing_share": round(float(group[indicator].isna().mean()), 4)})
    return pd.DataFrame.from_records(records)


# ----------------------------------------------------------------------------- build


TABLE_BUILDERS: dict[str, Callable[[Settings], pd.DataFrame]] = {
    "kwb": build_kwb,
    "benefits": build_benefits,
    "population": build_population,
    "education": build_education,
    "income": lambda s: build_excel_table(s, "income", income_from_excel),
    "cars": lambda s: build_excel_table(s, "cars", cars_from_excel),
}


def build(settings: Settings | None = None) -> BuildReport:
    """Build every processed table from what ``data/raw`` holds.

    Parameters
    ----------
    settings : Settings, optional
        Default :meth:`Settings.from_env`.

    Returns
    -------
    BuildReport
        Rows per table, features per layer, and tables left out for lack of raw data.

    Raises
    ------
    FetchError
        When ``data/raw`` holds nothing (run ``parkstad fetch`` first) or a raw file changed.
    DataFormatError
        When a raw file cannot be read or a table fails its schema; ``data/processed``
        is then left exactly as it was.
    """
    settings = settings or Settings.from_env()
    if not settings.raw_dir.is_dir() or not any(settings.raw_dir.glob(f"*/{SOURCE_FILE}")):
        raise FetchError(f"{settings.raw_dir}: no fetched datasets; run `parkstad fetch` first")
    report = BuildReport()
    tables = {name: builder(settings) for name, builder in TABLE_BUILDERS.items()}
    report.checked = cross_check(settings, tables)
    layers = build_geometry(settings)
    names = build_region_names(tables, layers)
    for name in list(tables):
        if not len(tables[name]):
            report.skipped.append(name)
            del tables[name]
            continue
        tables[name] = validate_region_table(fill_names(tables[name], names), name)
    for name, layer in layers.items():
        if name != "buurt_labels_2014":
            validate_geometry_layer(layer, name)
    tables["region_names"] = names
    tables["indicators"] = indicator_metadata(tables)

    settings.processed_dir.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".build-", dir=settings.processed_dir.parent))
    try:
        for name, frame in tables.items():
            frame.to_parquet(staging / f"{name}.parquet", index=False)
            report.tables[name] = len(frame)
        for name, layer in layers.items():
            layer.to_file(staging / GEOMETRY_FILE, layer=name, driver="GPKG", engine="pyogrio")
            report.layers[name] = len(layer)
        quality_summary({k: v for k, v in tables.items() if k not in ("region_names", "indicators")}).to_csv(
            staging / QUALITY_FILE, index=False)
        for path in staging.iterdir():  # each file replaced atomically, only after all were written
            os.replace(path, settings.processed_dir / path.name)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return report


def indicator_metadata(tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Title and unit of each indicator column, from the catalog (or the column name)."""
    catalog = load_catalog()
    records = []
    for table, frame in tables.items():
        for column in frame.columns:
            if column in ID_COLUMNS or table == "region_names":
                continue
            known = catalog.indicators.get(column)
            records.append({"table": table, "indicator": column,
                            "title": known.title if known else column.replace("_", " "),
                            "unit": known.unit if known else "", "kind": known.kind if known else "other"})
    return pd.DataFrame.from_records(records)
