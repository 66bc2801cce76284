"""A worker's kernel is reused from notebook to notebook, and nothing leaks from one notebook into the next."""

from __future__ import annotations

import json
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_notebook

from parkstad_analysis.kernels import KernelSetup, NotebookTask, run_notebooks

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
    tasks = [NotebookTask(name=name, notebook=str(tmp_path / f"{name}.ipynb"), output=str(tmp_path / "out" / f"{name}.ipynb"),
                          parameters=parameters, cwd=str(tmp_path), log=str(tmp_path / "logs" / f"{name}.log"))
             for name in ("leaky", "checks")]
    (tmp_path / "out").mkdir()
    results = run_notebooks(tasks, workers=1, env={"MPLBACKEND": "Agg"})  # one worker: both on one kernel, in order
    assert [r.name for r in results] == ["leaky", "checks"]
    assert all(r.ok for r in results), [r.error for r in results]
    executed = json.loads((tmp_path / "out/checks.ipynb").read_text("utf-8"))
    counts = [c["execution_count"] for c in executed["cells"] if c["cell_type"] == "code"]
    assert counts == [1, 2, 3]  # parameters, injected parameters, checks: counted as in a fresh kernel


def test_every_notebook_runs_on_the_kernel_s_one_open_connection(tmp_path, monkeypatch):
    import nbclient.client

    from parkstad_analysis.kernels import warm
    from parkstad_analysis.kernels.pool import execute

    opened = []
    original = nbclient.client.NotebookClient.async_start_new_kernel_client

    async def counting(self):
        opened.append(self)
        return await original(self)

    monkeypatch.setattr(nbclient.client.NotebookClient, "async_start_new_kernel_client", counting)
    _notebook(tmp_path / "plain.ipynb", "x = 1")
    task = NotebookTask(name="plain", notebook=str(tmp_path / "plain.ipynb"), output=str(tmp_path / "plain.out.ipynb"),
                        parameters={"PID_FILE": None, "CWD": None}, cwd=str(tmp_path), log=str(tmp_path / "logs" / "plain.log"))
    try:
        results = [execute(task, KernelSetup(), {"MPLBACKEND": "Agg"}) for _ in range(3)]
        assert all(r["ok"] for r in results), results
        connection = warm._client
        assert connection is not None and connection.channels_running
        assert opened == []  # a connection per notebook costs a channel start and a handshake, and leaks threads
    finally:
        warm.discard()


def test_the_task_environment_reaches_the_kernel_and_leaves_the_worker_as_it_was(tmp_path):
    """On a long-lived Dask worker a task's environment must not outlive the task."""
    import os

    from parkstad_analysis.kernels import warm
    from parkstad_analysis.kernels.pool import execute

    _notebook(tmp_path / "env.ipynb", "import os\nassert os.environ['PARKSTAD_TASK_ONLY'] == 'yes'")
    task = NotebookTask(name="env", notebook=str(tmp_path / "env.ipynb"), output=str(tmp_path / "env.out.ipynb"),
                        parameters={"PID_FILE": None, "CWD": None}, cwd=str(tmp_path), log=str(tmp_path / "logs" / "env.log"))
    before = dict(os.environ)
    try:
        result = execute(task, KernelSetup(), {"MPLBACKEND": "Agg", "PARKSTAD_TASK_ONLY": "yes"})
        assert result["ok"], result
        assert dict(os.environ) == before
    finally:
        warm.discard()


FORKED = """
import os, sys
import matplotlib, psutil
me = psutil.Process()
assert me.parent().cmdline() == me.cmdline(), "the kernel was launched, not forked from its worker"
assert os.environ["JPY_PARENT_PID"] == str(os.getppid())  # it stops when its worker is gone
assert {"matplotlib.pyplot", "xml.dom.minidom"} <= set(sys.modules)  # the preload and the warm-up module
assert matplotlib.get_backend().lower() == "agg", matplotlib.get_backend()  # the task's MPLBACKEND, not the server's
open(PID_FILE, "w").write(str(os.getpid()))
"""


def _page(executed, task):
    """An ``after`` step: what a report does with an executed notebook (here: note that it ran)."""
    Path(task.extra["done"]).write_text(str(len(executed.cells)))


def test_a_pool_worker_forks_its_kernel_with_the_callers_preload_and_stops_it_when_done(tmp_path):
    import psutil

    _notebook(tmp_path / "forked.ipynb", FORKED)
    task = NotebookTask(name="forked", notebook=str(tmp_path / "forked.ipynb"), output=str(tmp_path / "forked.out.ipynb"),
                        parameters={"PID_FILE": str(tmp_path / "kernel.pid")},  # the forked-kernel check does not read CWD
                        cwd=str(tmp_path), log=str(tmp_path / "logs" / "forked.log"), extra={"done": str(tmp_path / "done")})
    setup = KernelSetup(preload="matplotlib.pyplot", warm_modules=("xml.dom.minidom",), after=_page)
    results = run_notebooks([task], workers=1, env={"MPLBACKEND": "Agg"}, setup=setup)
    assert results[0].ok, results[0].error
    assert (tmp_path / "done").read_text() == "3"  # the caller's step ran on the executed notebook
    kernel = int((tmp_path / "kernel.pid").read_text())
    try:
        assert psutil.Process(kernel).status() == psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        pass  # gone, as it should be once the pool is shut down
