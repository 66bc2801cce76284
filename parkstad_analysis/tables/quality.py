"""What the build can say about its own tables: rows and missing shares, and the metadata of every indicator."""

from __future__ import annotations

import pandas as pd

from ..vocabulary.indicators import ID_COLUMNS, load_vocabulary, period_column


def quality_summary(tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Rows per level and period and the share missing of each indicator, per table."""
    records = []
    for table, frame in tables.items():
        if not len(frame) or "level" not in frame.columns:
            continue
        period = period_column(frame)
        indicators = [c for c in frame.columns if c not in ID_COLUMNS]
        for (level, when), group in frame.groupby(["level", period]):
            for indicator in indicators:
                records.append({"table": table, "level": level, "period": str(when), "indicator": indicator,
                                "rows": len(group), "missing_share": round(float(group[indicator].isna().mean()), 4)})
    return pd.DataFrame.from_records(records)


def indicator_metadata(tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Title, unit and kind of each indicator column of each region table, from the vocabulary."""
    vocabulary = load_vocabulary()
    records = []
    for table, frame in tables.items():
        for column in frame.columns:
            if column in ID_COLUMNS:
                continue
            known = vocabulary.get(column)
            records.append({"table": table, "indicator": column, "title": known.title, "unit": known.unit,
                            "kind": known.kind})
    return pd.DataFrame.from_records(records)


def level_sums(table: str, parts: list[tuple[object, pd.DataFrame]]) -> pd.DataFrame:
    """Per dataset, period and gemeente: each count at gemeente level beside the sums of its wijken and buurten.

    CBS rounds wijk and buurt counts (to 5 in the KWB), so the sums may differ from the
    gemeente figure by up to 2.5 per region; larger gaps point at a table version or an export.
    """
    counts = {name for name, ind in load_vocabulary().indicators.items() if ind.kind == "count"}
    records = []
    for dataset, frame in parts:
        if not len(frame) or not {"gemeente", "buurt"} & set(frame["level"]):
            continue
        when = period_column(frame)
        columns = [c for c in frame.columns if c in counts]
        sums = frame.groupby([when, "gemeente_code", "level"])[columns].sum(min_count=1)
        regions = frame.groupby([when, "gemeente_code", "level"]).size()
        for (period, gemeente), block in sums.groupby(level=[0, 1]):
            levels = block.droplevel([0, 1])
            if "gemeente" not in levels.index:
                continue
            for column in columns:
                record = {"table": table, "dataset_id": dataset.id, "period": str(period), "gemeente_code": gemeente,
                          "indicator": column, "gemeente_value": levels.at["gemeente", column]}
                for level in ("wijk", "buurt"):
                    present = level in levels.index
                    record[f"{level}_sum"] = levels.at[level, column] if present else pd.NA
                    record[f"{level}en" if level == "wijk" else "buurten"] = int(regions.get((period, gemeente, level), 0))
                if pd.notna(record["gemeente_value"]) and (record["wijken"] or record["buurten"]):
                    records.append(record)
    frame = pd.DataFrame.from_records(records)
    for column in ("gemeente_value", "wijk_sum", "buurt_sum"):
        if column in frame.columns:
            frame[column] = frame[column].astype("Float64")
    return frame
