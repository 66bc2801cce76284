"""Benchmark of `parkstad report` on the default matrix: prints figures, asserts nothing.

    python benchmarks/report_build.py [--root PROJECT]

Reports wall time with 1 job and with 2 jobs, the speed-up, the time of an unchanged
incremental run, and the peak memory of the whole process tree (the command, its
worker processes and their kernels), sampled from /proc every 0.1 s.
Targets on a 2-core machine: speed-up >= 1.6, unchanged run < 2 s, peak < 2 GB.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import threading
import time
from pathlib import Path


def _tree_rss(root_pid: int) -> int:
    """Resident memory (bytes) of a process and all its descendants."""
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            status = (entry / "status").read_text()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(entry.name))
        rss[int(entry.name)] = next((int(line.split()[1]) * 1024 for line in status.splitlines()
                                     if line.startswith("VmRSS:")), 0)
    total, stack = 0, [root_pid]
    while stack:
        pid = stack.pop()
        total += rss.get(pid, 0)
        stack += children.get(pid, [])
    return total


def timed(command: list[str], env: dict) -> tuple[float, int, int]:
    """Wall seconds, peak tree RSS and exit code of a command."""
    started = time.perf_counter()
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    peak = 0

    def sample() -> None:
        nonlocal peak
        while process.poll() is None:
            peak = max(peak, _tree_rss(process.pid))
            time.sleep(0.1)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    code = process.wait()
    sampler.join()
    return time.perf_counter() - started, peak, code


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", default=str(Path(__file__).resolve().parents[1]))
    args = parser.parse_args()
    parkstad = str(Path(sys.executable).with_name("parkstad"))
    env = {**os.environ, "MPLBACKEND": "Agg"}
    base = [parkstad, "--root", args.root, "report", "--quiet"]
    one, peak_one, code_one = timed([*base, "--jobs", "1"], env)
    two, peak_two, code_two = timed([*base, "--jobs", "2"], env)
    unchanged, _, code_inc = timed([*base, "--incremental"], env)
    print(f"cores                       {os.cpu_count()}")
    print(f"report, 1 job               {one:7.1f} s   (exit {code_one})")
    print(f"report, 2 jobs              {two:7.1f} s   (exit {code_two})")
    print(f"speed-up 2 jobs vs 1        {one / two:7.2f} x  (target >= 1.6)")
    print(f"unchanged incremental run   {unchanged:7.2f} s   (exit {code_inc}; target < 2 s)")
    print(f"peak memory, 1 job          {peak_one / 2**20:7.0f} MiB")
    print(f"peak memory, 2 jobs         {peak_two / 2**20:7.0f} MiB (target < 2048)")
    return 0 if code_one == code_two == code_inc == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
