"""Pages: what notebooks import to show things, in Dutch, and the words pages say.

* :mod:`.show` — ``show`` (maps, charts), ``show_table``, ``show_note``, ``show_key_figures``,
  ``show_interactive`` and ``record`` (the key figures nbval compares);
* :mod:`.blocks` — the HTML blocks behind them (tables, key-figure cards, notes), and a table's CSV;
* :mod:`.templates` — the one jinja environment over ``pages/templates``;
* :mod:`.display` — how an area and key figures display themselves in JupyterLab;
* :mod:`.profile`, :mod:`.funding`, :mod:`.evaluation`, :mod:`.data_overview` — each page's prose and tables;
* :mod:`.overview` — the overview table of the report's index;
* :mod:`.exports` — the report's workbook and data dictionary.

Numbers are written by :func:`parkstad_analysis.dutch.nl_number`, the one formatter of maps, charts and pages.
Pages never compute a figure (that is :mod:`parkstad_analysis.analysis`) and never run notebooks.
"""
