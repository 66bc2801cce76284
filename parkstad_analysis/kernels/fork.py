"""Kernels forked from their worker, so that a kernel starts with the worker's imports already done.

A worker of the pool comes from a fork server that imported the caller's preload module once.
Forked from its worker, a kernel has every module loaded and starts in a fraction of a second
instead of importing everything again (``make benchmark`` measures both); only the pages it
writes to are copied (the imported modules are frozen for the garbage collector, so collections
do not touch them).

jupyter_client drives a forked kernel like any local kernel: :class:`ForkedKernelProvisioner`
launches it and hands jupyter_client a process object with Popen's interface, so interrupts,
shutdown and kill work as before. The kernel makes its own ZMQ context and event loop; it uses
nothing of its worker's connections.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import os
import signal
import subprocess
import sys
import time
import traceback
from typing import Any, NoReturn

from jupyter_client.connect import KernelConnectionInfo
from jupyter_client.provisioning import LocalProvisioner

#: The command jupyter_client builds for the ``python3`` kernel: ``python -m ipykernel_launcher -f FILE ...``.
LAUNCHER = ["-m", "ipykernel_launcher"]


class ForkedProcess:
    """A forked kernel seen through the part of :class:`subprocess.Popen` that jupyter_client uses."""

    stdin = stdout = stderr = None

    def __init__(self, pid: int):
        self.pid = pid
        self.returncode: int | None = None

    def poll(self) -> int | None:
        if self.returncode is None:
            try:
                pid, status = os.waitpid(self.pid, os.WNOHANG)
            except ChildProcessError:  # reaped elsewhere: it is gone, its status unknown
                self.returncode = -1
            else:
                if pid:
                    self.returncode = os.waitstatus_to_exitcode(status)
        return self.returncode

    def wait(self, timeout: float | None = None) -> int:
        deadline = None if timeout is None else time.monotonic() + timeout
        while self.poll() is None:
            if deadline is not None and time.monotonic() > deadline:
                raise subprocess.TimeoutExpired(f"kernel {self.pid}", timeout)
            time.sleep(0.02)
        return self.returncode

    def send_signal(self, signum: int) -> None:
        if self.poll() is None:
            os.kill(self.pid, signum)

    def terminate(self) -> None:
        self.send_signal(signal.SIGTERM)

    def kill(self) -> None:
        self.send_signal(signal.SIGKILL)


class ForkedKernelProvisioner(LocalProvisioner):
    """Start the ``python3`` kernel as a fork of this process; any other kernel command the usual way.

    Only for a POSIX process with no threads of its own that could hold a lock at the fork: the
    pool's workers (:data:`.pool.FORK` decides, :data:`.warm.fork_kernels` carries it).
    """

    async def launch_kernel(self, cmd: list[str], **kwargs: Any) -> KernelConnectionInfo:
        if cmd[1:3] != LAUNCHER:
            return await super().launch_kernel(cmd, **kwargs)
        env = dict(kwargs.get("env") or os.environ)
        env["JPY_PARENT_PID"] = str(os.getpid())
        # ipykernel read JPY_PARENT_PID when the fork server imported it: say it again, so that the kernel
        # stops when its worker is gone, as a launched one does
        argv = [*cmd[3:], f"--IPKernelApp.parent_handle={os.getpid()}"]
        stderr = kwargs.get("stderr")
        stderr_fd = stderr.fileno() if hasattr(stderr, "fileno") else stderr
        gc.freeze()  # the worker's objects stay out of the kernel's collections (and its pages shared)
        pid = os.fork()
        if pid == 0:
            _kernel_main(argv, env, kwargs.get("cwd"), stderr_fd)
        self.process = ForkedProcess(pid)
        self.pid = pid
        self.pgid = pid  # the kernel leads its own process group, as jupyter_client's launcher arranges
        self.cwd = kwargs.get("cwd") or os.getcwd()
        return self.connection_info


def _kernel_main(argv: list[str], env: dict, cwd: str | None, stderr_fd: int | None) -> NoReturn:
    """In the forked child: become a fresh kernel process, run ipykernel, and never return to the worker's code."""
    code = 1
    try:
        os.setsid()
        signal.signal(signal.SIGINT, signal.default_int_handler)  # the worker ignores Ctrl-C; a kernel must not
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        stdin = os.open(os.devnull, os.O_RDONLY)
        os.dup2(stdin, 0)
        if stderr_fd is not None:
            os.dup2(stderr_fd, 2)
        os.environ.clear()
        os.environ.update(env)
        if cwd:
            os.chdir(cwd)
        if env.get("MPLBACKEND") and "matplotlib" in sys.modules:
            # matplotlib read MPLBACKEND when the fork server imported it, before the report's environment was set
            sys.modules["matplotlib"].use(env["MPLBACKEND"])
        # the worker's event loop (and its epoll descriptor) belongs to the worker
        asyncio.set_event_loop(asyncio.new_event_loop())
        # a pool's kernel runs headless, so no debugger will attach: ipykernel then skips importing debugpy
        sys.modules.setdefault("debugpy", None)
        from ipykernel.kernelapp import IPKernelApp

        IPKernelApp.launch_instance(argv=argv)
        code = 0
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    except BaseException:
        traceback.print_exc()
    finally:
        with contextlib.suppress(Exception):
            sys.stdout.flush()
            sys.stderr.flush()
        os._exit(code)  # no atexit hook or finalizer of the worker may run here
