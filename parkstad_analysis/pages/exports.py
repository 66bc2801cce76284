"""A run's downloads beside its pages: every table as one Excel workbook, and the data dictionary.

The workbook holds a sheet per table a page shows (read back from the page's CSV, so the
two never differ) and a first sheet naming each table's page, caption and source, then
the definitions. The data dictionary lists every indicator the pages show with its CBS
title, unit, definition and source table.
"""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import pandas as pd

from ..analysis.profile import PROFILE
from ..atomic import atomic_path, write_text
from ..processed import ProcessedStore
from ..vocabulary.indicators import load_vocabulary
from .blocks import METADATA_SUFFIX
from .templates import render

WORKBOOK = "parkstad_tabellen.xlsx"
DICTIONARY = "woordenlijst.html"
#: A rate's numerator → the KWB indicator whose CBS definition describes the same recipients.
RECIPIENTS = {"bijstand_ontvangers": "personen_per_soort_uitkering_bijstand",
              "ww_ontvangers": "personen_per_soort_uitkering_ww",
              "ao_ontvangers": "personen_per_soort_uitkering_ao",
              "aow_ontvangers": "personen_per_soort_uitkering_aow"}
#: The age shares of a profile → the count they are a share of.
AGE_SHARES = {key: key.replace("share_", "k_") for key, *_ in PROFILE if key.startswith("share_")}


def _sheet_name(prefix: str, table: str, taken: set[str]) -> str:
    """A readable Dutch sheet name (``GMS 2019 vergelijking``): at most 31 characters, none of ``[]:*?/\\``,
    unique in the workbook (cut with "…" where Excel's limit needs it)."""
    base = re.sub(r"[\[\]:*?/\\]", "-", f"{prefix} {table.replace('_', ' ')}".strip())
    base = base if len(base) <= 31 else base[:30].rstrip() + "…"
    name, n = base, 2
    while name.lower() in taken:
        suffix = f" ({n})"
        name, n = base[: 31 - len(suffix)] + suffix, n + 1
    taken.add(name.lower())
    return name


def dictionary_rows(store: ProcessedStore) -> pd.DataFrame:
    """Every indicator the pages show, with its title, unit, CBS title and definition, calculation and source."""
    vocabulary = load_vocabulary()
    definitions = (store.load_table("definitions").set_index("indicator") if store.has_table("definitions")
                   else pd.DataFrame(columns=["cbs_title", "definition", "table_id"]))
    rows = []

    def add(title: str, unit: str, defined_by: str, calculation: str, table: str) -> None:
        found = definitions.loc[defined_by] if defined_by in definitions.index else None
        rows.append({"Indicator": title, "Eenheid": unit,
                     "CBS-titel": found["cbs_title"] if found is not None else "niet in de opgehaalde CBS-metadata",
                     "Definitie (CBS)": found["definition"] if found is not None else
                     "niet in de opgehaalde CBS-metadata; zie de CBS-tabel",
                     "Berekening": calculation,
                     "Bron": f"CBS, {vocabulary.tables[table].title}"
                             + (f" (definitie uit tabel {found['table_id']})" if found is not None else "")})

    for key, label, unit in PROFILE:
        if key in vocabulary.rates:
            continue
        if key in AGE_SHARES:
            count = AGE_SHARES[key]
            add(label, unit, count, f"{vocabulary.title(count)} gedeeld door het aantal inwoners, × 100", "kwb")
        elif key in vocabulary.indicators:
            indicator = vocabulary.indicators[key]
            rule = {"count": "opgeteld over de buurten", "percentage": "herberekend uit teller en noemer, of gewogen",
                    "mean": f"gewogen gemiddelde (gewicht: {vocabulary.title(indicator.weight or '')})"}
            add(label, unit, key, f"zoals CBS publiceert; voor een gebied {rule.get(indicator.kind, 'niet samengevoegd')}",
                indicator.tables[0])
    for name, rate in vocabulary.rates.items():
        add(rate.title, rate.unit, RECIPIENTS.get(rate.numerator, rate.numerator),
            f"{vocabulary.title(rate.numerator)} gedeeld door {vocabulary.title(rate.denominator).lower()}, × "
            f"{rate.per:g} (per kwartaal; {name})", rate.table)
    return pd.DataFrame.from_records(rows)


def method_terms() -> pd.DataFrame:
    """The report's method words with their definitions for a reader (``data/terms.toml``): ``Begrip``,
    ``Betekenis``."""
    import tomllib
    from importlib.resources import files

    terms = tomllib.loads(files("parkstad_analysis.data").joinpath("terms.toml").read_text("utf-8"))["term"]
    return pd.DataFrame({"Begrip": [t["title"] for t in terms.values()],
                         "Betekenis": [t["definition"] for t in terms.values()]})


def write_dictionary(run_dir: Path, store: ProcessedStore) -> Path:
    """The data dictionary page of a run (Dutch): the indicators, from the vocabulary and CBS's DataProperties, and
    the report's method words."""
    rows, terms = dictionary_rows(store), method_terms()
    html = render("dictionary.html.j2", rows=rows.to_dict("records"), columns=list(rows.columns),
                  terms=terms.to_dict("records"))
    return write_text(run_dir / DICTIONARY, html)


def _cell(text: object, numeric: bool = True) -> tuple[object, str | None]:
    """A CSV cell as the workbook holds it: a number with the Excel format that shows it as the page does (the CSV
    writes each number with the page's decimals: ``3900``, ``59,7``, ``16,97``), or the text itself. A column its
    metadata declares text (a period, a code) stays text in every row: 2019 beside 2019Q4 is one type."""
    if not isinstance(text, str) or not text:
        return None, None
    if numeric and (match := re.fullmatch(r"-?\d+(?:,(\d+))?", text)):
        places = len(match.group(1) or "")
        number = float(text.replace(",", ".")) if places else int(text)
        return number, "#,##0" + ("." + "0" * places if places else "")
    return text, None


def _write_table(sheet, frame: pd.DataFrame, metadata: dict, page: str = "") -> None:
    """A table as a sheet a reader can use without its page: title, header, rows with number formats, source, notes.

    ``frame`` holds the CSV's cells as text.
    """
    from openpyxl.styles import Font

    sheet.append([metadata.get("dc:title", "")])
    sheet["A1"].font = Font(bold=True, size=12)
    sheet.append([f"Pagina: {page}" if page else None])
    sheet.append([str(column) for column in frame.columns])
    for cell in sheet[3]:
        cell.font = Font(bold=True)
    declared = {c.get("titles"): c.get("decimals") for c in metadata.get("tableSchema", {}).get("columns", [])}
    numeric = [str(column) not in declared or declared[str(column)] is not None for column in frame.columns]
    for row in frame.itertuples(index=False):
        cells = [_cell(text, is_number) for text, is_number in zip(row, numeric, strict=True)]
        sheet.append([value for value, _ in cells])
        for cell, (_, form) in zip(sheet[sheet.max_row], cells, strict=True):
            if form:
                cell.number_format = form
    sheet.append([])
    for line in [metadata.get("dc:source", ""), *metadata.get("notes", [])]:
        if line:
            sheet.append([line])
    for column in sheet.iter_cols(min_row=3, max_row=min(3 + len(frame), 200)):
        width = max(len(str(cell.value or "")) for cell in column)
        sheet.column_dimensions[column[0].column_letter].width = min(max(10, width + 2), 60)
    sheet.freeze_panes = "A4"


def write_workbook(run_dir: Path, pages: dict[str, tuple[str, str]], store: ProcessedStore) -> Path | None:
    """Every table of the run's pages in one workbook: an overview sheet, a sheet per table, the definitions.

    Each sheet is read back from its table's CSV (so the two never differ) and its CSV on the Web metadata: the
    table's title, header, rows with number formats, source line and notes.

    Parameters
    ----------
    pages : dict
        Job name (the table folder) → (page title, short Dutch name that starts its sheets' names).
    """
    import openpyxl

    csvs = sorted((run_dir / "tables").glob("*/*.csv"))
    if not csvs:
        return None
    book = openpyxl.Workbook()
    front = book.active
    front.title = "Overzicht"
    front.append(["Blad", "Pagina", "Tabel", "Bron", "CSV"])
    taken: set[str] = {"overzicht", "definities"}
    for path in csvs:
        page, prefix = pages.get(path.parent.name, (path.parent.name, path.parent.name))
        meta_path = path.with_name(path.name.removesuffix(".csv") + METADATA_SUFFIX)
        metadata = json.loads(meta_path.read_text("utf-8")) if meta_path.is_file() else {}
        frame = pd.read_csv(path, sep=";", encoding="utf-8-sig", dtype=str, keep_default_na=False)
        name = _sheet_name(prefix, path.stem, taken)
        _write_table(book.create_sheet(name), frame, metadata, page)
        front.append([name, page, metadata.get("dc:title") or path.stem, metadata.get("dc:source", ""),
                      path.relative_to(run_dir).as_posix()])
    definitions = dictionary_rows(store).astype(str)
    _write_table(book.create_sheet("Definities"), definitions,
                 {"dc:title": "Definities van de indicatoren op de pagina's", "dc:source": "Bron: CBS, DataProperties "
                  "van de gebruikte tabellen; berekening parkstad-analysis"})
    for column in front.iter_cols():
        front.column_dimensions[column[0].column_letter].width = min(max(10, *(len(str(c.value or "")) for c in column)) + 2, 70)
    front.freeze_panes = "A2"
    # made in memory, then written in one step: on a full disk the error names the file, and no half-closed zip
    # archive is left to fail again (with a stray traceback) when it is collected
    buffer = io.BytesIO()
    book.save(buffer)
    target = run_dir / WORKBOOK
    with atomic_path(target) as partial:
        partial.write_bytes(buffer.getvalue())
    return target
