"""A worker's kernel is reused from notebook to notebook, and nothing leaks from one notebook into the next."""

from __future__ import annotations

import json

import nbformat
from nbformat.v4 import new_code_cell, new_notebook

from parkstad_analysis.reporting.plan import Job
from parkstad_analysis.reporting.runner import JobPaths, run_jobs

LEAKY = """
import os, warnings
import matplotlib, matplotlib.pyplot as plt
LEAK = 1
plt.figure()
warnings.simplefilter("ignore")
matplotlib.rcParams["lines.linewidth"] = 9
os.environ["PARKSTAD_LEAKED"] = "1"
os.chdir("/")
open(PID_FILE, "w").write(str(os.getpid()))
"""

CHECKS = """
import os, warnings
import matplotlib, matplotlib.pyplot as plt
assert "LEAK" not in globals(), "a variable leaked"
assert plt.get_fignums() == [], "a figure leaked"
assert ("ignore", None, Warning, None, 0) not in warnings.filters, "a warning filter leaked"
assert matplotlib.rcParams["lines.linewidth"] == matplotlib.rcParamsDefault["lines.linewidth"], "an rc setting leaked"
assert "PARKSTAD_LEAKED" not in os.environ, "an environment variable leaked"
assert os.getcwd() == CWD, "the working folder leaked"
assert open(PID_FILE).read() == str(os.getpid()), "not the same kernel: nothing was reused"
"""


def _notebook(path, code):
    document = new_notebook(cells=[new_code_cell("PID_FILE = None\nCWD = None", metadata={"tags": ["parameters"]}),
                                   new_code_cell(code)])
    document.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(document, path)


def test_the_next_notebook_gets_the_same_kernel_and_a_clean_state(tmp_path):
    _notebook(tmp_path / "leaky.ipynb", LEAKY)
    _notebook(tmp_path / "checks.ipynb", CHECKS)
    parameters = {"PID_FILE": str(tmp_path / "kernel.pid"), "CWD": str(tmp_path)}
    jobs = []
    for name in ("leaky", "checks"):
        paths = JobPaths(notebook=str(tmp_path / f"{name}.ipynb"), output=str(tmp_path / "out" / f"{name}.ipynb"),
                         page=str(tmp_path / "out" / f"{name}.html"), figures=str(tmp_path / "figures"),
                         tables=str(tmp_path / "tables"), log=str(tmp_path / "logs" / f"{name}.log"), cwd=str(tmp_path))
        jobs.append((Job("test", name, parameters), paths))
    (tmp_path / "out").mkdir()
    results = run_jobs(jobs, workers=1, env={"MPLBACKEND": "Agg"})  # one worker: both on one kernel, in order
    assert [r.name for r in results] == ["leaky", "checks"]
    assert all(r.ok for r in results), [r.error for r in results]
    executed = json.loads((tmp_path / "out/checks.ipynb").read_text("utf-8"))
    counts = [c["execution_count"] for c in executed["cells"] if c["cell_type"] == "code"]
    assert counts == [1, 2, 3]  # parameters, injected parameters, checks: counted as in a fresh kernel


def test_every_notebook_runs_on_the_kernel_s_one_open_connection(tmp_path, monkeypatch):
    import nbclient.client

    from parkstad_analysis.reporting import warm_kernel
    from parkstad_analysis.reporting.runner import execute

    opened = []
    original = nbclient.client.NotebookClient.async_start_new_kernel_client

    async def counting(self):
        opened.append(self)
        return await original(self)

    monkeypatch.setattr(nbclient.client.NotebookClient, "async_start_new_kernel_client", counting)
    monkeypatch.setenv("MPLBACKEND", "Agg")  # execute() sets the job environment in this process
    _notebook(tmp_path / "plain.ipynb", "x = 1")
    paths = JobPaths(notebook=str(tmp_path / "plain.ipynb"), output=str(tmp_path / "plain.out.ipynb"),
                     page=str(tmp_path / "plain.html"), figures=str(tmp_path / "figures"), tables=str(tmp_path / "t"),
                     log=str(tmp_path / "logs" / "plain.log"), cwd=str(tmp_path))
    job = {"notebook": "test", "name": "plain", "parameters": {"PID_FILE": None, "CWD": None}}
    try:
        results = [execute(job, paths, {"MPLBACKEND": "Agg"}) for _ in range(3)]
        assert all(r["ok"] for r in results), results
        connection = warm_kernel._client
        assert connection is not None and connection.channels_running
        assert opened == []  # a connection per notebook costs a channel start and a handshake, and leaks threads
    finally:
        warm_kernel.discard()


FORKED = """
import os, sys
import matplotlib, psutil
me = psutil.Process()
assert me.parent().cmdline() == me.cmdline(), "the kernel was launched, not forked from its worker"
assert os.environ["JPY_PARENT_PID"] == str(os.getppid())  # it stops when its worker is gone
assert {"geopandas", "mapclassify", "parkstad_analysis.figures.maps"} <= set(sys.modules)
assert matplotlib.get_backend().lower() == "agg", matplotlib.get_backend()  # the job's MPLBACKEND, not the server's
open(PID_FILE, "w").write(str(os.getpid()))
"""


def test_a_pool_worker_forks_its_kernel_and_stops_it_when_done(tmp_path):
    import psutil

    _notebook(tmp_path / "forked.ipynb", FORKED)
    paths = JobPaths(notebook=str(tmp_path / "forked.ipynb"), output=str(tmp_path / "forked.out.ipynb"),
                     page=str(tmp_path / "forked.html"), figures=str(tmp_path / "figures"), tables=str(tmp_path / "t"),
                     log=str(tmp_path / "logs" / "forked.log"), cwd=str(tmp_path))
    parameters = {"PID_FILE": str(tmp_path / "kernel.pid")}  # the forked-kernel check does not read CWD
    results = run_jobs([(Job("test", "forked", parameters), paths)], workers=1, env={"MPLBACKEND": "Agg"})
    assert results[0].ok, results[0].error
    kernel = int((tmp_path / "kernel.pid").read_text())
    try:
        assert psutil.Process(kernel).status() == psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        pass  # gone, as it should be once the pool is shut down
