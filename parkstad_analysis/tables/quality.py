"""What the build can say about its own tables: rows and missing shares, and the metadata of every indicator."""

from __future__ import annotations

import pandas as pd

from ..vocabulary.indicators import ID_COLUMNS, load_vocabulary


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
