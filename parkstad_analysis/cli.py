"""The ``parkstad`` command.

Exit codes: 0 success; 1 a run failed (a notebook, a download, a full disk, another
command holding the folder); 2 bad input (unknown dataset/area/indicator, bad option,
unreadable file, a folder that cannot be read or written); 130/143 interrupted by
SIGINT/SIGTERM. Every failure ends in one line naming the path and the cause;
``--debug`` adds the traceback.
"""

from __future__ import annotations

import argparse
import errno
import sys
import traceback
from importlib.metadata import version

from .config import Settings
from .errors import EXIT_BAD_INPUT, EXIT_FAILED, EXIT_OK, ParkstadError

__all__ = ["EXIT_BAD_INPUT", "EXIT_FAILED", "EXIT_OK", "main", "make_parser"]


def _settings(args: argparse.Namespace) -> Settings:
    return Settings.from_env(root=args.root, mirror=args.mirror, scope=args.scope)


def cmd_datasets(args: argparse.Namespace) -> int:
    from .fetch import load_registry, raw_dataset
    from .fetch.mirror import in_mirror

    settings = _settings(args)
    for dataset in load_registry(root=settings.root).values():
        state = "fetched" if raw_dataset(dataset.id, settings) else "-"
        mirrored = "mirror" if in_mirror(dataset, settings.mirror) else ""
        print(f"{dataset.id:32} {dataset.period:14} {dataset.source:6} {dataset.table_id or '':9} "
              f"{mirrored:6} {state:7} {dataset.title}")
    return EXIT_OK


def cmd_fetch(args: argparse.Namespace) -> int:
    from .fetch import fetch

    settings = _settings(args)
    print(f"mirror: {settings.mirror or 'none (downloading from CBS)'}")
    for result in fetch(args.datasets or None, settings, progress=not args.quiet, retries=args.retries,
                        timeout=args.timeout, deadline=args.deadline, file_deadline=args.file_deadline):
        print(f"{result.status:8} {result.dataset_id}" + (f" (for {result.asked})" if result.asked else "")
              + (f" ({result.origin})" if result.origin else "")
              + (f": {result.note}" if result.status != "cached" and result.note else ""))
    return EXIT_OK


def cmd_add(args: argparse.Namespace) -> int:
    from .own_data import add

    result = add(args.source, _settings(args), dataset_id=args.id, period=args.period, authority=args.authority,
                 licence=args.licence)
    for line in result.lines:
        print(line)
    return EXIT_OK


def cmd_build(args: argparse.Namespace) -> int:
    from .tables.build import build

    settings = _settings(args)
    report = build(settings)
    for name, rows in report.tables.items():
        print(f"table  {name:16} {rows:7} rows")
    for name, rows in report.layers.items():
        print(f"layer  {name:16} {rows:7} features")
    for row in report.comparisons.itertuples():
        verdict = "identical" if row.differing == 0 else f"{row.differing} differ (largest {row.max_abs_difference:g})"
        print(f"compared {row.table}: {row.dataset_id_a} with {row.dataset_id_b} ({row.relation}): "
              f"{row.compared} figures, {verdict}")
    for row in report.boundary_comparisons.itertuples():
        print(f"compared boundaries {row.layer}: kept {row.kept}, {row.other} differs by more than 1% of the area in "
              f"{row.differing} of {row.regions} regions (largest {100 * row.largest_share:.1f}%, {row.largest_region})")
    for name in report.skipped:
        print(f"skipped {name}: no raw data fetched for it")
    for row in report.coverage.itertuples():
        if row.partial:
            print(f"partial {row.dataset_id} ({row.table}, {row.periods}; gemeenten: {row.gemeenten or 'none'}): "
                  f"{row.reasons}")
        if row.period_note:
            print(f"period  {row.dataset_id}: {row.period_note}")
    for name, rows in report.benchmarks.items():
        print(f"benchmark rows (Nederland and its parts) in {name}: {rows}")
    print(f"written to {settings.processed_dir} (generation {report.generation})")
    return EXIT_OK


def cmd_areas(args: argparse.Namespace) -> int:
    import pandas as pd

    from .analysis.catalogue import regions_of
    from .analysis.indicators import known_inhabitants
    from .processed import NAMES_TABLE, ProcessedStore
    from .tables.names import latest_names
    from .vocabulary.areas import get_area, load_areas

    settings = _settings(args)
    store = ProcessedStore(settings)
    with regions_of(settings):
        areas = [get_area(n) for n in args.areas] if args.areas else list(load_areas().values())
    kwb = store.load_table("kwb") if store.has_table("kwb") else None
    provenance = store.load_table("provenance") if store.has_table("provenance") else None
    names = latest_names(store.load_table(NAMES_TABLE)) if store.has_table(NAMES_TABLE) else pd.Series(dtype=str)
    for area in areas:
        print(f"{area.name}: {area.title} [{area.level}, boundaries {area.boundaries[0]}-{area.boundaries[1]}]")
        print(f"  {area.definition}")
        print(f"  source: {area.source}")
        print("  " + ", ".join(f"{c} {names.get(c, '?')}" for c in area.codes))
        if kwb is None:
            print("  inhabitants: unknown (run `parkstad build` first)")
            continue
        known = known_inhabitants(kwb, area)
        print("  inhabitants:" + ("" if known else " no KWB figures cover this area"))
        for year, value in known.items():
            print(f"    {year} {value:>9,.0f}  {_sources(provenance, area, year)}")
    return EXIT_OK


def _sources(provenance, area, year: int) -> str:
    """``CBS 84583NED (…)``: the datasets a year's inhabitants were summed from."""
    from .analysis.provenance import describe_sources, figure_sources

    ids = figure_sources(provenance, "kwb", ["aantal_inwoners"], year, area.codes_for(year))
    return describe_sources(ids) if ids else "source not recorded"


def cmd_report(args: argparse.Namespace) -> int:
    from .reporting.report import run_report

    settings = _settings(args)
    if args.atlas:
        from .reporting.atlas import run_atlas

        atlas = run_atlas(settings, jobs=args.jobs or 2, scheduler=args.scheduler)
        print(f"atlas: {atlas.pages} pages ({', '.join(f'{n} {k}' for k, n in atlas.counts.items())}) in "
              f"{atlas.seconds:.1f} s on {atlas.jobs} jobs")
        print(f"open {settings.reports_dir / 'atlas' / 'index.html'}")
        return EXIT_OK
    result = run_report(settings, areas=args.areas, years=args.years, notebooks=args.notebooks,
                        indicators=args.indicators, classification=args.classification, breaks=args.breaks,
                        jobs=args.jobs, incremental=args.incremental, name=args.name,
                        keep=None if args.keep == 0 else args.keep, pdf=args.pdf,
                        scheduler=args.scheduler, progress=not args.quiet)
    for note in result.notes:
        print(f"note: {note}")
    if result.status == "skipped":
        print(f"skipped: {result.message}")
        return EXIT_OK
    for job in result.results:
        print(f"{'ok' if job.ok else 'FAILED':7} {job.name:40} {job.seconds:6.1f} s" + (f"  {job.error}" if job.error else ""))
    if result.status == "failed":
        print(f"parkstad report: failed: {result.message}", file=sys.stderr)
        print(f"reports/{result.pointer} still points at the last good run; this run is kept in {result.run_dir}",
              file=sys.stderr)
        return EXIT_FAILED
    print(f"report written to {result.run_dir} (reports/{result.pointer} → {result.run_dir.name})")
    print(f"open {settings.reports_dir / result.pointer / 'index.html'}")
    return EXIT_OK


def make_parser() -> argparse.ArgumentParser:
    """The argument parser (exposed for tests and documentation)."""
    parser = argparse.ArgumentParser(prog="parkstad", description="CBS data, maps and reports for Parkstad Limburg")
    parser.add_argument("--version", action="version", version=f"%(prog)s {version('parkstad-analysis')}")
    parser.add_argument("--debug", action="store_true", help="show the traceback of a failure")
    parser.add_argument("--root", help="project folder (default: the checkout, or $PARKSTAD_HOME)")
    parser.add_argument("--mirror", help="folder with CBS files to use instead of the internet "
                                         "(default: $PARKSTAD_CBS_MIRROR, else ../shared/cbs when present)")
    parser.add_argument("--scope", help="gemeenten to fetch and build: parkstad (default), nl, or codes like "
                                        "GM0917,GM0928 (default: $PARKSTAD_SCOPE)")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("datasets", help="list the dataset registry and what is fetched")
    p.set_defaults(func=cmd_datasets)

    p = sub.add_parser("fetch", help="fill data/raw from the mirror or CBS (cached datasets are kept)")
    p.add_argument("datasets", nargs="*", help="dataset ids, CBS table ids (85586NED) or registered files "
                                                "(default: all the mirror holds, or all from CBS)")
    p.add_argument("-q", "--quiet", action="store_true", help="no progress bars")
    p.add_argument("--retries", type=int, default=3, help="attempts after the first on server errors (default 3)")
    p.add_argument("--timeout", type=float, default=60.0, help="seconds to wait for the next bytes (default 60)")
    p.add_argument("--deadline", type=float, default=1800.0, help="seconds one dataset may take in all (default 1800)")
    p.add_argument("--file-deadline", type=float, default=600.0,
                   help="seconds one file or request may take, retries included (default 600)")
    p.set_defaults(func=cmd_fetch)

    p = sub.add_parser("add", help="register a CBS table id or your own file in this project's parkstad.toml and "
                                   "say what it holds")
    p.add_argument("source", help="a CBS table id (85984NED) or a CSV/JSON file, or a folder of one table a year")
    p.add_argument("--id", help="the dataset id to register it under (default eigen_<table id or file name>)")
    p.add_argument("--period", help="its period when the file does not say it, e.g. 2024 (a KWB file)")
    p.add_argument("--authority", default="third-party",
                   help="cbs-odata, cbs-export, third-party or not-cbs (default: third-party, a file of unknown hands)")
    p.add_argument("--licence", default="CBS, CC BY 4.0", help="the data's licence (default CBS, CC BY 4.0)")
    p.set_defaults(func=cmd_add)

    p = sub.add_parser("build", help="build data/processed from data/raw")
    p.set_defaults(func=cmd_build)

    p = sub.add_parser("report", help="run the notebooks into reports/<run id>/ and point reports/latest at it")
    p.add_argument("--areas", nargs="+", help="focus areas, gemeenten, or any wijk or buurt by CBS code or name "
                                               "(BU09280102, Rolduckerveld; default: the focus areas)")
    p.add_argument("--atlas", action="store_true",
                   help="build the atlas instead: a page for every gemeente, wijk and buurt, and a searchable index")
    p.add_argument("--years", nargs="+", type=int, help="KWB years for the area profiles (default: latest with data)")
    p.add_argument("--notebooks", nargs="+", help="data_overview, area_profile, funding, trends, evaluation (default: all)")
    p.add_argument("--indicators", nargs="+", help="indicators to map in the area profiles")
    p.add_argument("--classification", default="quantiles",
                   help="quantiles, natural_breaks, equal_interval (default quantiles)")
    p.add_argument("--breaks", nargs="+", type=float,
                   help="class bounds for --classification user, rising (e.g. 10 20 30)")
    p.add_argument("--jobs", type=int, default=None,
                   help="notebooks in parallel (default: number of cores, at most what memory allows)")
    p.add_argument("--name", help="the pointer this run moves (default latest, or latest-<…> for a partial matrix)")
    p.add_argument("--keep", type=int, default=5, help="complete runs to keep; 0 keeps all (default 5)")
    p.add_argument("--pdf", action="store_true", help="save every figure as PDF too (PNG and SVG always)")
    p.add_argument("--scheduler", help="run the notebooks on a Dask cluster, e.g. tcp://host:8786 "
                                       "(default: $PARKSTAD_SCHEDULER, else local processes)")
    p.add_argument("--incremental", action="store_true",
                   help="skip the run when notebooks, parameters and data are unchanged since the last good run")
    p.add_argument("-q", "--quiet", action="store_true", help="no progress bar")
    p.set_defaults(func=cmd_report)

    p = sub.add_parser("areas", help="list the focus areas with codes, names and inhabitants")
    p.add_argument("areas", nargs="*", help="area names (default: all)")
    p.set_defaults(func=cmd_areas)
    return parser


def os_error_exit(exc: OSError) -> tuple[int, str]:
    """The exit code and one-line message for an operating-system error (a path that cannot be used)."""
    where = f"{exc.filename}: " if exc.filename else ""
    cause = exc.strerror or str(exc)
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return EXIT_FAILED, f"{where}{cause}; free some space and run again (nothing half-written was kept)"
    if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return EXIT_BAD_INPUT, f"{where}{cause}; the folder must be readable and writable by this user"
    return EXIT_FAILED, f"{where}{cause}"


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``parkstad`` console script."""
    parser = make_parser()
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except ParkstadError as exc:
        code, message = exc.exit_code, str(exc)
    except OSError as exc:
        code, message = os_error_exit(exc)
    except KeyboardInterrupt:  # fetch and build stop between files; what they wrote is staged, not published
        code, message = 130, "interrupted by SIGINT; nothing half-written was kept"
    if args.debug:
        traceback.print_exc()
    kind = "error" if code == EXIT_BAD_INPUT else "interrupted" if code > 128 else "failed"
    print(f"parkstad {args.command}: {kind}: {message}", file=sys.stderr)
    return code


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
