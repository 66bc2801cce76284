"""A run's downloads beside its pages: every table as one Excel workbook, and the data dictionary.

The workbook holds a sheet per table a page shows (read back from the page's CSV, so the
two never differ) and a first sheet naming each table's page, caption and source, then
the definitions. The data dictionary lists every indicator the pages show with its CBS
title, unit, definition and source table.
"""

from __future__ import annotations

import io
import re
from pathlib import Path

import pandas as pd

from ..analysis.profile import PROFILE
from ..atomic import atomic_path, write_text
from ..processed import ProcessedStore
from ..vocabulary.indicators import load_vocabulary
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


def _sheet_name(job: str, table: str, taken: set[str]) -> str:
    """An Excel sheet name (at most 31 characters, none of ``[]:*?/\\``), unique in the workbook."""
    short = re.sub(r"^area_profile_", "", job).replace("regio_deal_", "")
    base = re.sub(r"[\[\]:*?/\\]", "_", f"{short}-{table}")[:31]
    name, n = base, 2
    while name.lower() in taken:
        suffix = f"~{n}"
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


def write_dictionary(run_dir: Path, store: ProcessedStore) -> Path:
    """The data dictionary page of a run (Dutch), from the vocabulary and CBS's DataProperties."""
    rows = dictionary_rows(store)
    html = render("dictionary.html.j2", rows=rows.to_dict("records"), columns=list(rows.columns))
    return write_text(run_dir / DICTIONARY, html)


def write_workbook(run_dir: Path, pages: dict[str, str], store: ProcessedStore) -> Path | None:
    """Every table of the run's pages in one workbook: an overview sheet, a sheet per table, the definitions.

    Parameters
    ----------
    pages : dict
        Job name → page title, for the overview sheet.
    """
    csvs = sorted((run_dir / "tables").glob("*/*.csv"))
    if not csvs:
        return None
    taken: set[str] = {"overzicht", "definities"}
    sheets, listing = {}, []
    for path in csvs:
        job, table = path.parent.name, path.stem
        name = _sheet_name(job, table, taken)
        sheets[name] = pd.read_csv(path, sep=";", decimal=",", encoding="utf-8-sig", dtype_backend="numpy_nullable")
        listing.append({"Blad": name, "Pagina": pages.get(job, job), "Tabel": table,
                        "CSV": path.relative_to(run_dir).as_posix()})
    target = run_dir / WORKBOOK
    # made in memory, then written in one step: on a full disk the error names the file, and no half-closed zip
    # archive is left to fail again (with a stray traceback) when it is collected
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        front = pd.DataFrame.from_records(listing)
        front.to_excel(writer, sheet_name="overzicht", index=False)
        for name, frame in sheets.items():
            frame.to_excel(writer, sheet_name=name, index=False)
        dictionary_rows(store).to_excel(writer, sheet_name="definities", index=False)
        for sheet in writer.sheets.values():
            for column in sheet.columns:
                width = max(len(str(cell.value or "")) for cell in column[:200])
                sheet.column_dimensions[column[0].column_letter].width = min(max(10, width + 2), 70)
            sheet.freeze_panes = "A2"
    with atomic_path(target) as partial:
        partial.write_bytes(buffer.getvalue())
    return target
