"""CBS's own definitions of the indicators, from the ``DataProperties`` of every fetched CBS table.

A CBS table describes each of its columns (title, unit, definition). The definitions
table keeps, per indicator of the vocabulary, the description of the newest table that
has one, with that table's id: the data dictionary of a report is built from it.
"""

from __future__ import annotations

import pandas as pd

from ..readers.odata import read_data_properties
from ..vocabulary.indicators import load_vocabulary
from .context import BuildContext

TABLE = "definitions"
PROPERTIES = "DataProperties.json"
#: The region tables whose datasets may carry DataProperties.
FEEDS = ("kwb", "benefits", "education", "income", "cars")
COLUMNS = ["indicator", "cbs_key", "cbs_title", "cbs_unit", "definition", "table_id", "dataset_id", "period"]


def build_definitions(context: BuildContext) -> pd.DataFrame:
    """One row per vocabulary indicator that a fetched CBS table defines (the newest table wins)."""
    vocabulary = load_vocabulary()
    aliases = vocabulary.odata_aliases()
    rows = []
    for feeds in FEEDS:
        for dataset, raw in context.fetched(feeds):
            if PROPERTIES not in raw.files:
                continue
            properties = read_data_properties(raw.path(PROPERTIES))
            groups = properties[properties["type"] == "TopicGroup"].set_index("id")
            for entry in properties[properties["type"] == "Topic"].itertuples():
                name = aliases.get(entry.name, entry.name)
                # a topic CBS does not describe itself (Aantal inwoners) is described by its group (Bevolking)
                description = entry.description or (groups.at[entry.parent_id, "description"]
                                                     if entry.parent_id in groups.index else "")
                if name in vocabulary.indicators and description:
                    rows.append({"indicator": name, "cbs_key": entry.key, "cbs_title": entry.title, "cbs_unit": entry.unit,
                                 "definition": " ".join(description.split()), "table_id": dataset.table_id or "",
                                 "dataset_id": dataset.id, "period": str(dataset.period)})
    frame = pd.DataFrame.from_records(rows, columns=COLUMNS)
    return (frame.sort_values(["indicator", "period"], ascending=[True, False])
            .drop_duplicates("indicator").reset_index(drop=True))
