"""One warm kernel per worker process, reused for every notebook the worker runs.

A launched kernel pays its imports before the first cell, every time; a run of 20 notebooks on
two workers would pay them 20 times. A worker starts one kernel (in a local pool forked from the
worker with the imports done: :mod:`.fork`), warms it once (:func:`.state.warm_up` with the
caller's modules), and before each later notebook empties the namespace and restores the kernel's
state (:func:`.state.restore`), so no variable, figure, setting or warning filter leaks from one
notebook to the next. A kernel that died or timed out is replaced; a change of environment or
working folder starts a new one.
"""

from __future__ import annotations

import contextlib
import multiprocessing.util
import uuid
from pathlib import Path

from jupyter_client.blocking import BlockingKernelClient
from jupyter_client.manager import KernelManager
from nbformat import NotebookNode
from nbformat.v4 import new_code_cell
from papermill.clientwrap import PapermillNotebookClient
from papermill.engines import NBClientEngine, papermill_engines
from papermill.log import logger
from papermill.utils import merge_kwargs, remove_args

from .fork import ForkedKernelProvisioner

STATE = __name__.rpartition(".")[0] + ".state"
RESET_TAG = "warm-kernel-reset"
RESET = f"get_ipython().run_line_magic('reset', '-f')\nfrom {STATE} import restore as _restore\n_restore()\ndel _restore"


def _warm_up_code(modules: tuple[str, ...]) -> str:
    return f"from {STATE} import warm_up as _warm_up\n_warm_up({list(modules)!r})\ndel _warm_up"

#: Report kernels keep no IPython history: kernels running at once share one SQLite file, and its
#: "Session/line number was not unique" message would land on a page as notebook output.
KERNEL_ARGUMENTS = ["--HistoryManager.enabled=False"]

#: Set in the pool's workers: their kernels are forked from them (:mod:`.fork`), with the imports done.
#: Elsewhere (a Dask worker with its threads, a test) kernels start the usual way.
fork_kernels = False

_kernel: KernelManager | None = None
_client = None  # one connection to the kernel for every notebook the worker runs
_started_with: tuple | None = None
_finalizer = None
#: The papermill engine that runs a notebook on the worker's kernel and its open connection.
ENGINE = "warm-kernel"


def _connect_and_warm(manager: KernelManager, modules: tuple[str, ...], timeout: float = 120) -> BlockingKernelClient:
    """A connection to the new kernel, once it answers, with the warm-up run on it; the connection is kept for
    every notebook (a second one would cost another readiness handshake)."""
    client = manager.client()
    client.start_channels()
    try:
        client.wait_for_ready(timeout=timeout)
        # store_history=False: the set-up cell does not count, the first notebook cell is cell 1
        reply = client.execute_interactive(_warm_up_code(modules), timeout=timeout, store_history=False,
                                           output_hook=lambda _msg: None)
        if reply["content"]["status"] != "ok":
            raise RuntimeError(f"kernel set-up failed: {reply['content'].get('ename')}: {reply['content'].get('evalue')}")
    except Exception:
        client.stop_channels()
        raise
    return client


def acquire(env: dict, cwd: str, log: Path, modules: tuple[str, ...] = ()) -> tuple[KernelManager, bool]:
    """The worker's kernel, started and warmed on first use (``modules`` imported), and whether it ran a notebook
    before.

    A kernel that ran a notebook must be reset first: :func:`with_reset` puts the reset in
    front of the next notebook, so it runs on the same connection as the notebook itself.
    The kernel's own log lines (stderr) go to ``log``.
    """
    global _kernel, _client, _started_with, _finalizer
    wanted = (tuple(sorted(env.items())), cwd, tuple(modules))
    if _kernel is not None and (_started_with != wanted or not _kernel.is_alive()):
        discard()
    if _kernel is None:
        import os

        manager = _new_manager()
        log.parent.mkdir(parents=True, exist_ok=True)
        with open(log, "a") as stderr:  # the kernel keeps its own copy of the descriptor
            manager.start_kernel(cwd=cwd, env={**os.environ, **env}, stderr=stderr, extra_arguments=KERNEL_ARGUMENTS)
        try:
            client = _connect_and_warm(manager, tuple(modules))
        except Exception:
            manager.shutdown_kernel(now=True)
            raise
        _kernel, _client, _started_with = manager, client, wanted
        if _finalizer is None:  # pool workers leave through os._exit: atexit would not run, this does
            _finalizer = multiprocessing.util.Finalize(None, discard, exitpriority=10)
        return _kernel, False
    return _kernel, True


def _new_manager() -> KernelManager:
    manager = KernelManager(kernel_name="python3")
    if fork_kernels:
        manager.kernel_id = str(uuid.uuid4())
        manager.provisioner = ForkedKernelProvisioner(kernel_id=manager.kernel_id, kernel_spec=manager.kernel_spec,
                                                      parent=manager)
    return manager


def with_reset(notebook: NotebookNode) -> NotebookNode:
    """The notebook with the reset of a used kernel as its first cell (the engine removes it after the run)."""
    cell = new_code_cell(RESET, metadata={"tags": [RESET_TAG]})
    prepared = NotebookNode(notebook)  # a shallow copy: the cells list is new, the cells are shared
    prepared["cells"] = [cell, *notebook.cells]
    return prepared


def discard() -> None:
    """Stop the worker's kernel (after a failure, or when the worker ends)."""
    global _kernel, _client, _started_with
    if _client is not None:
        with contextlib.suppress(Exception):
            _client.stop_channels()
    if _kernel is not None:
        with contextlib.suppress(Exception):
            _kernel.shutdown_kernel(now=True)
    _kernel, _client, _started_with = None, None, None


class WarmEngine(NBClientEngine):
    """papermill's nbclient engine, on the worker's kernel through its open connection.

    A new connection per notebook costs a channel start and a readiness handshake; nbclient
    keeps a connection it did not open, as it keeps a kernel it did not start.
    """

    @classmethod
    def execute_managed_notebook(cls, nb_man, kernel_name, log_output=False, stdout_file=None, stderr_file=None,
                                 start_timeout=60, execution_timeout=None, **kwargs):
        kwargs = remove_args(["input_path", "timeout", "startup_timeout"], **kwargs)
        client = PapermillNotebookClient(nb_man, **merge_kwargs(
            kwargs, timeout=execution_timeout, startup_timeout=start_timeout, kernel_name=kernel_name, log=logger,
            log_output=log_output, stdout_file=stdout_file, stderr_file=stderr_file))
        client.kc = _client
        executed = client.execute()
        # before papermill looks for errors and writes the notebook: the reset is not part of it
        nb_man.nb.cells = [c for c in nb_man.nb.cells if RESET_TAG not in c.metadata.get("tags", [])]
        return executed


papermill_engines.register(ENGINE, WarmEngine)
