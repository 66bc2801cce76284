"""Benchmark of `parkstad report` against its compute floor, and how cost grows: prints figures, asserts nothing.

    python benchmarks/report_build.py [--root PROJECT] [--rounds 3] [--skip-growth] [--skip-build]

1. The floor: every job of the default matrix executed in one process, imports paid once,
   figures saved as the report saves them, then every page converted to HTML; timed from the
   start of its process, as the report is timed from the start of its command.
2. The report with 1 job and with 2 jobs (the command as a user runs it), alternated with
   the floor in each round (this machine's speed varies by 10-15 % from minute to minute:
   a floor and a report run back to back see about the same machine).
3. The floor twice at once: what the machine itself loses with both cores busy (shared
   caches and memory bandwidth), which no report design can win back.
4. The ratios report / (floor / jobs): best of each, each round's pair (floor and reports
   run back to back), and last the median of the rounds' pairs, which a drift of the
   machine's speed between minutes does not skew: ``report/floor: X.XX (2 jobs)``.
5. What the kernels' speed machinery earns: the report (2 jobs) as it runs, with the fork server and
   kernels forked from their worker, against warm kernels alone (spawned workers, launched kernels,
   each kernel reused); and what reading the notebooks' parameters costs the command, with its own
   ``ast`` reading and with ``papermill.inspect_notebook`` (papermill's import included).
6. Growth: report time for 1, 5, 10 and every area (focus areas, gemeenten, Parkstad: 16;
   20 needs the national scope), and build time and peak memory for the Parkstad and the
   national scope (fetched from the mirror into a temporary project).

Wall time, CPU seconds and peak memory (PSS) of the whole process tree (command, fork
server, workers, kernels) are measured by sampling it (CPU every 0.1 s, memory every second).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

STARTED = time.perf_counter()  # the floor is timed from here: its imports are part of it

import psutil  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
PARKSTAD = str(Path(sys.executable).with_name("parkstad"))


def measured(command: list[str], env: dict | None = None) -> dict:
    """Wall seconds, CPU seconds and peak memory (MiB) of one command and every process below it.

    The tree's CPU is sampled every 0.1 s and its memory every second: workers and kernels
    forked from the report's fork server are not the command's children, so the command's
    rusage does not hold their CPU.
    Memory is the proportional set size (PSS): pages a fork shares with its parent count
    once, split between them, not once per process as the resident size would.
    """
    started = time.perf_counter()
    process = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    peak, cpu, done = 0, {}, threading.Event()

    def sample() -> None:
        nonlocal peak
        root = psutil.Process(process.pid)
        tick = 0
        while not done.is_set():
            # CPU every 0.1 s (cheap); PSS every second: reading it walks each process's page tables, and
            # doing that ten times a second took a fifth of a core from the run being measured
            with_memory, total = tick % 10 == 0, 0
            with contextlib.suppress(psutil.Error):
                for member in [root, *root.children(recursive=True)]:
                    with contextlib.suppress(psutil.Error):
                        times = member.cpu_times()
                        cpu[member.pid] = times.user + times.system
                        total += member.memory_full_info().pss if with_memory else 0
            peak = max(peak, total)
            tick += 1
            time.sleep(0.1)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    output, _ = process.communicate()
    done.set()
    sampler.join()
    wall = time.perf_counter() - started
    if process.returncode:
        raise SystemExit(f"{' '.join(command)} failed ({process.returncode}):\n{output[-2000:]}")
    return {"wall": wall, "cpu": sum(cpu.values()), "peak_mib": peak / 2**20, "output": output}


def floor(root: Path) -> dict:
    """Run the floor here: every job of the default matrix (each import paid once), then every page converted
    to HTML; its seconds since this script started, in all (``floor``), after the imports and for the pages.

    The clock starts with the script, as the report's does with its command: the imports the jobs and
    pages need (pandas, geopandas, matplotlib, nbconvert, the package: about 4 s) are part of the floor.
    The floor imports nothing it does not need: parameters are set as papermill's injected cell sets them.
    """
    import matplotlib

    matplotlib.use("Agg")
    import nbformat

    from parkstad_analysis.config import Settings
    from parkstad_analysis.kernels import state
    from parkstad_analysis.processed import ProcessedStore
    from parkstad_analysis.processed.generations import GENERATION_ENV
    from parkstad_analysis.reporting.html import notebook_to_html
    from parkstad_analysis.reporting.plan import NOTEBOOKS, notebooks_dir, plan
    from parkstad_analysis.reporting.report import KERNEL_MODULES

    settings = Settings.from_env(root=root)
    os.environ.update({"PARKSTAD_HOME": str(root), GENERATION_ENV: ProcessedStore(settings).generation})
    state.warm_up(list(KERNEL_MODULES))  # the imports a report kernel does, paid once here
    imported = _since_start()
    work = Path(tempfile.mkdtemp(prefix="parkstad-floor-"))
    try:
        matrix = plan(settings)
        os.chdir(notebooks_dir(settings))
        for job in matrix:
            source = nbformat.read(notebooks_dir(settings) / NOTEBOOKS[job.notebook].file, as_version=4)
            parameters = {**job.parameters, "FIGURE_DIR": str(work / "figures" / job.name),
                          "TABLE_DIR": str(work / "tables" / job.name)}
            namespace: dict = {}
            job_started = time.perf_counter()
            for cell in source.cells:
                if cell.cell_type == "code":
                    exec(compile(cell.source, job.name, "exec"), namespace)
                    if "parameters" in cell.metadata.get("tags", []):
                        namespace.update(parameters)  # what papermill's injected cell does
            matplotlib.pyplot.close("all")
            print(f"floor job {job.name}: {time.perf_counter() - job_started:.1f} s", file=sys.stderr)
        # the pages: converting the report's executed notebooks costs the same as converting these
        latest = root / "reports" / "bench" / "notebooks"
        pages_started = time.perf_counter()
        for job in matrix:
            notebook_to_html(latest / f"{job.name}.ipynb", work / f"{job.name}.html")
        pages = time.perf_counter() - pages_started
        return {"floor": _since_start(), "imports": imported, "pages": pages}
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _since_start() -> float:
    """Seconds since this script started (the interpreter's own start before it takes about 0.03 s)."""
    return time.perf_counter() - STARTED


def floors_at_once(root: Path, count: int) -> list[float]:
    """The floor run ``count`` times at once: what the machine itself loses when every core is busy."""
    walls: list[float] = [0.0] * count

    def one(index: int) -> None:
        walls[index] = measured([sys.executable, __file__, "--root", str(root), "--floor-only"])["wall"]

    threads = [threading.Thread(target=one, args=(index,)) for index in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return walls


def report(root: Path, jobs: int, *extra: str) -> dict:
    return measured([PARKSTAD, "--root", str(root), "report", "-q", "--jobs", str(jobs), "--name", "bench",
                     "--keep", "3", *extra])


#: The report command with the kernels' fork machinery switched off: spawned workers, launched (still warm) kernels.
WITHOUT_FORK = ("import parkstad_analysis.kernels.pool as pool\npool.FORK = False\n"
                "from parkstad_analysis.cli import main\nraise SystemExit(main())")


def report_without_fork(root: Path, jobs: int) -> dict:
    return measured([sys.executable, "-c", WITHOUT_FORK, "--root", str(root), "report", "-q", "--jobs", str(jobs),
                     "--name", "bench", "--keep", "3"])


def parameter_reading(root: Path) -> dict[str, float]:
    """Seconds to read every notebook's parameters cell in a fresh process: the plan's ``ast`` reading, and
    papermill's ``inspect_notebook`` with its import."""
    notebooks = sorted(str(p) for p in (root / "notebooks").glob("*.ipynb"))
    ours = ("import time, pathlib; t = time.perf_counter()\nfrom parkstad_analysis.reporting.plan import _declared\n"
            "for p in NB: _declared(pathlib.Path(p), 0)\nprint(time.perf_counter() - t)")
    theirs = ("import time; t = time.perf_counter()\nfrom papermill import inspect_notebook\n"
              "for p in NB: inspect_notebook(p)\nprint(time.perf_counter() - t)")
    found = {}
    for name, code in (("ast (plan)", ours), ("papermill.inspect_notebook", theirs)):
        runs = [float(subprocess.run([sys.executable, "-c", f"NB = {notebooks!r}\n{code}"], check=True,
                                     capture_output=True, text=True).stdout) for _ in range(3)]
        found[name] = min(runs)
    return found


def build(root: Path, scope: str, mirror: str | None) -> dict:
    """Fetch (from the mirror) and build one scope in a temporary project; the build is what is measured."""
    project = Path(tempfile.mkdtemp(prefix=f"parkstad-build-{scope}-"))
    try:
        base = [PARKSTAD, "--root", str(project), "--scope", scope] + (["--mirror", mirror] if mirror else [])
        subprocess.run([*base, "fetch", "-q"], check=True, stdout=subprocess.DEVNULL)
        result = measured([*base, "build"])
        rows = next((line.split()[-2] for line in result["output"].splitlines() if line.startswith("table  kwb")), "?")
        return {**result, "kwb_rows": rows}
    finally:
        shutil.rmtree(project, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", default=str(ROOT))
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--skip-growth", action="store_true")
    parser.add_argument("--skip-build", action="store_true")
    parser.add_argument("--floor-only", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    root = Path(args.root).resolve()
    if args.floor_only:
        print(json.dumps(floor(root)))
        return

    print(f"machine: {os.cpu_count()} cores, {psutil.virtual_memory().total / 2**30:.1f} GiB; project {root}")
    report(root, 2)  # one run first, so the floor has executed notebooks to convert and caches are warm
    best: dict[str, dict] = {}
    paired: dict[str, list[float]] = {"1 job": [], "2 jobs": []}
    for round_ in range(1, args.rounds + 1):
        runs = {"floor": measured([sys.executable, __file__, "--root", str(root), "--floor-only"]),
                "1 job": report(root, 1), "2 jobs": report(root, 2)}
        parts = json.loads(runs["floor"]["output"].strip().splitlines()[-1])
        for name, run in runs.items():
            print(f"round {round_}: {name:7} {run['wall']:6.1f} s wall  {run['cpu']:6.1f} s CPU  "
                  f"peak {run['peak_mib']:6.0f} MiB" + (f"  (imports {parts['imports']:.1f} s, pages "
                                                        f"{parts['pages']:.1f} s)" if name == "floor" else ""))
            if name not in best or run["wall"] < best[name]["wall"]:
                best[name] = run
        for name, jobs in (("1 job", 1), ("2 jobs", 2)):
            paired[name].append(runs[name]["wall"] / (runs["floor"]["wall"] / jobs))
    together = floors_at_once(root, 2)
    slowdown = sum(together) / len(together) / best["floor"]["wall"]
    print(f"two floors at once: {' s, '.join(f'{t:.1f}' for t in together)} s against {best['floor']['wall']:.1f} s "
          f"alone: each {100 * (slowdown - 1):+.0f} % (the machine's own cost of busy cores)")
    unchanged = measured([PARKSTAD, "--root", str(root), "report", "-q", "--name", "bench", "--incremental"])
    print(f"unchanged --incremental run: {unchanged['wall']:.2f} s")

    forked = [report(root, 2)["wall"] for _ in range(2)]
    plain = [report_without_fork(root, 2)["wall"] for _ in range(2)]
    print(f"report, 2 jobs: fork server and forked kernels {min(forked):.1f} s; warm kernels alone (spawned "
          f"workers, launched kernels) {min(plain):.1f} s (best of 2 each)")
    for name, seconds in parameter_reading(root).items():
        print(f"reading the notebooks' parameters in the command, {name}: {seconds:.2f} s")

    if not args.skip_growth:
        from parkstad_analysis.vocabulary.areas import focus_areas, load_areas

        every = list(dict.fromkeys([*focus_areas(), *load_areas()]))
        print("\nreport time by number of areas (profile, trends, evaluation per area; 2 jobs):")
        print("  areas   wall s   CPU s   peak MiB")
        for count in (1, 5, 10, len(every)):
            run = report(root, 2, "--notebooks", "area_profile", "trends", "evaluation", "--areas", *every[:count])
            print(f"  {count:5}   {run['wall']:6.1f}  {run['cpu']:6.1f}   {run['peak_mib']:8.0f}")
        print(f"  (20 areas need the national scope: {len(every)} areas are defined for Parkstad)")

    if not args.skip_build:
        mirror = os.environ.get("PARKSTAD_CBS_MIRROR") or str(ROOT.parent / "shared" / "cbs")
        print("\nbuild by scope (fetched from the mirror):")
        print("  scope      kwb rows   wall s   peak MiB")
        for scope in ("parkstad", "nl"):
            run = build(root, scope, mirror)
            print(f"  {scope:9} {run['kwb_rows']:>9}   {run['wall']:6.1f}   {run['peak_mib']:8.0f}")

    floor_s = best["floor"]["wall"]
    print(f"\nfloor (one process, imports once): best {floor_s:.1f} s; floor/1 = {floor_s:.1f} s, "
          f"floor/2 = {floor_s / 2:.1f} s")
    print(f"best of each over the rounds: report/floor {best['1 job']['wall'] / floor_s:.2f} (1 job), "
          f"{best['2 jobs']['wall'] / (floor_s / 2):.2f} (2 jobs)")
    for name, ratios in paired.items():
        print(f"each round, floor and report back to back: {', '.join(f'{r:.2f}' for r in ratios)} ({name})")
    # the median of the paired rounds: the floor and the report of one round ran within the same two
    # minutes, while the best of each may pair a fast minute with a slow one
    print(f"report/floor: {statistics.median(paired['1 job']):.2f} (1 job)")
    print(f"report/floor: {statistics.median(paired['2 jobs']):.2f} (2 jobs)")


if __name__ == "__main__":
    main()
