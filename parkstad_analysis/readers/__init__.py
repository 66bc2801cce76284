"""Reading: one reader per shape in which CBS publishes a file, each returning plain frames of its rows.

* :mod:`.text` — text and JSON files (byte-order marks, truncation, duplicate keys);
* :mod:`.values` — CBS cell values: numbers, decimal commas, missing markers, quarters;
* :mod:`.odata` — OData TypedDataSet JSON, OData CSV, DataProperties and TableInfos;
* :mod:`.statline` — StatLine exports (CSV, SQLite) that name regions instead of coding them;
* :mod:`.excel` — CBS tables exported from Excel to CSV (title rows, ``;``, decimal commas);
* :mod:`.geometry` — GeoJSON, TopoJSON and the wijk- en buurtkaart.

Readers do not know which dataset they read: :mod:`parkstad_analysis.tables` chooses them.
"""
