"""One warm kernel per worker process, reused for every notebook the worker runs.

A fresh kernel pays about 2.5 s of imports before the first cell; a report of 20
notebooks on two workers would pay it 20 times. A worker starts one kernel, does the
heavy imports once (:func:`kernel_state.warm_up`), and before each later notebook empties
the namespace and restores the kernel's state (:func:`kernel_state.restore`), so no
variable, figure, setting or warning filter leaks from one notebook to the next
(``tests/test_warm_kernel.py``). A kernel that died or timed out is replaced; a change of
environment (another run, another data generation) starts a new one.
"""

from __future__ import annotations

import contextlib
import multiprocessing.util
from pathlib import Path

from jupyter_client.manager import KernelManager

WARM_UP = "from parkstad_analysis.reporting import kernel_state as _ks\n_ks.warm_up()\ndel _ks"
RESET = ("get_ipython().run_line_magic('reset', '-f')\n"
         "from parkstad_analysis.reporting import kernel_state as _ks\n_ks.restore()\ndel _ks")

_kernel: KernelManager | None = None
_started_with: tuple | None = None
_finalizer = None


def _run(manager: KernelManager, code: str, timeout: float = 120) -> None:
    client = manager.client()
    client.start_channels()
    try:
        client.wait_for_ready(timeout=timeout)
        # store_history=False: the set-up cell does not count, the first notebook cell is cell 1
        reply = client.execute_interactive(code, timeout=timeout, store_history=False, output_hook=lambda _msg: None)
        if reply["content"]["status"] != "ok":
            raise RuntimeError(f"kernel set-up failed: {reply['content'].get('ename')}: {reply['content'].get('evalue')}")
    finally:
        client.stop_channels()


def acquire(env: dict, cwd: str, log: Path) -> KernelManager:
    """The worker's kernel, ready for the next notebook: started and warmed on first use, reset afterwards.

    The kernel's own log lines (stderr) go to ``log``.
    """
    global _kernel, _started_with, _finalizer
    wanted = (tuple(sorted(env.items())), cwd)
    if _kernel is not None and (_started_with != wanted or not _kernel.is_alive()):
        discard()
    if _kernel is None:
        import os

        manager = KernelManager(kernel_name="python3")
        log.parent.mkdir(parents=True, exist_ok=True)
        with open(log, "a") as stderr:  # the kernel keeps its own copy of the descriptor
            manager.start_kernel(cwd=cwd, env={**os.environ, **env}, stderr=stderr)
        try:
            _run(manager, WARM_UP)
        except Exception:
            manager.shutdown_kernel(now=True)
            raise
        _kernel, _started_with = manager, wanted
        if _finalizer is None:  # pool workers leave through os._exit: atexit would not run, this does
            _finalizer = multiprocessing.util.Finalize(None, discard, exitpriority=10)
        return _kernel
    _run(_kernel, RESET)
    return _kernel


def discard() -> None:
    """Stop the worker's kernel (after a failure, or when the worker ends)."""
    global _kernel, _started_with
    if _kernel is not None:
        with contextlib.suppress(Exception):
            _kernel.shutdown_kernel(now=True)
    _kernel, _started_with = None, None
