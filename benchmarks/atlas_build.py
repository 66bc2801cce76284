"""Benchmark of `parkstad report --atlas`, the report's scale test: prints figures, asserts nothing.

    python benchmarks/atlas_build.py [--root PROJECT] [--skip-national] [--rounds 2]

1. The floor: the whole Parkstad atlas rendered in one process (``run_atlas(jobs=1)``), imports
   paid once, timed from the start of its process as the command is.
2. The atlas as a user runs it (``parkstad report --atlas --jobs 2``), alternated with the floor
   each round; ``atlas/floor`` is atlas wall / (floor wall / jobs), the median of the rounds.
3. Growth: 10, 50, 100 pages and the whole Parkstad atlas, 2 jobs.
4. The national gemeente atlas: every gemeente of the Netherlands (the national scope, fetched from
   the mirror into a temporary project and built), on a Dask ``LocalCluster`` of 2 workers.

Wall, CPU seconds and peak memory (PSS) of the whole process tree, sampled as in report_build.py.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

STARTED = time.perf_counter()

import psutil  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
from report_build import PARKSTAD, ROOT, measured  # noqa: E402


def _env(root: Path) -> dict:
    return {**os.environ, "PARKSTAD_HOME": str(root)}


def _pages(output: str) -> str:
    return next((line.split()[1] for line in output.splitlines() if line.startswith("atlas:")), "?")


def floor(root: Path, limit: int | None) -> dict:
    """The atlas in this process with one job; printed as JSON for the parent to read."""
    from parkstad_analysis.config import Settings
    from parkstad_analysis.reporting.atlas import run_atlas

    result = run_atlas(Settings.from_env(root=root), jobs=1, limit=limit, name="atlas-floor")
    return {"pages": result.pages, "since_start": time.perf_counter() - STARTED, "render": result.seconds}


def atlas(root: Path, jobs: int, *extra: str) -> dict:
    return measured([PARKSTAD, "--root", str(root), "report", "--atlas", "--jobs", str(jobs), *extra], env=_env(root))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", default=str(ROOT))
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--skip-national", action="store_true")
    parser.add_argument("--national-only", action="store_true", help="only the national gemeente atlas")
    parser.add_argument("--floor-only", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--limit", type=int, default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()
    root = Path(args.root).resolve()
    if args.floor_only:
        print(json.dumps(floor(root, args.limit)))
        return
    print(f"machine: {os.cpu_count()} cores, {psutil.virtual_memory().total / 2**30:.1f} GiB; project {root}")
    if args.national_only:
        national(root)
        return
    ratios = []
    for round_ in range(1, args.rounds + 1):
        base = measured([sys.executable, __file__, "--root", str(root), "--floor-only"], env=_env(root))
        run = atlas(root, 2)
        pages = json.loads(base["output"].strip().splitlines()[-1])["pages"]
        for name, result in (("floor", base), ("atlas", run)):
            print(f"round {round_}: {name:5} {pages} pages  {result['wall']:6.1f} s wall  {result['cpu']:6.1f} s CPU  "
                  f"peak {result['peak_mib']:6.0f} MiB")
        ratios.append(run["wall"] / (base["wall"] / 2))
    print(f"atlas/floor: {statistics.median(ratios):.2f} (2 jobs; rounds {', '.join(f'{r:.2f}' for r in ratios)})")

    print("growth (2 jobs):")
    for limit in (10, 50, 100, None):
        code = ("import sys; sys.argv = ['x']; from parkstad_analysis.config import Settings; "
                "from parkstad_analysis.reporting.atlas import run_atlas; "
                f"r = run_atlas(Settings.from_env(root={str(root)!r}), jobs=2, limit={limit}, name='atlas-growth'); "
                "print('atlas:', r.pages)")
        result = measured([sys.executable, "-c", code], env=_env(root))
        print(f"  {_pages(result['output']):>4} pages  {result['wall']:6.1f} s wall  {result['cpu']:6.1f} s CPU  "
              f"peak {result['peak_mib']:6.0f} MiB")

    if not args.skip_national:
        national(root)


def national(root: Path) -> None:
    """Every gemeente of the Netherlands: the national scope fetched from the mirror and built in a temporary
    project, then its gemeente atlas on a Dask LocalCluster of 2 workers."""
    project = Path(tempfile.mkdtemp(prefix="parkstad-atlas-nl-"))
    try:
        mirror = ROOT.parent / "shared" / "cbs"  # a temporary project is not beside ../shared: name the mirror
        base = [PARKSTAD, "--root", str(project), "--scope", "nl", "--mirror", str(mirror)]
        subprocess.run([*base, "fetch", "-q"], check=True, stdout=subprocess.DEVNULL)
        built = measured([*base, "build"])
        print(f"national build: {built['wall']:.1f} s wall, peak {built['peak_mib']:.0f} MiB")
        code = ("from parkstad_analysis.config import Settings, Scope; "
                "from parkstad_analysis.reporting.atlas import run_atlas; "
                f"r = run_atlas(Settings.from_env(root={str(project)!r}, scope='nl'), jobs=2, scheduler='local', "
                "levels=('gemeente',)); print('atlas:', r.pages)")
        result = measured([sys.executable, "-c", code], env={**_env(project), "PARKSTAD_SCOPE": "nl"})
        print(f"national gemeente atlas (LocalCluster, 2 workers): {_pages(result['output'])} pages  "
              f"{result['wall']:6.1f} s wall  {result['cpu']:6.1f} s CPU  peak {result['peak_mib']:6.0f} MiB")
    finally:
        shutil.rmtree(project, ignore_errors=True)


if __name__ == "__main__":
    main()
