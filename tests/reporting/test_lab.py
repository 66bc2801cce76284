"""Every notebook run as a researcher in JupyterLab runs it: a real Jupyter server, the project's kernel by name,
cells sent one by one over the kernel's websocket, with the notebook's own default parameters."""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import socket
import subprocess
import sys
import urllib.request

import pytest

from conftest import ROOT, wait_for

NOTEBOOKS = sorted(p.name for p in (ROOT / "notebooks").glob("*.ipynb"))
TOKEN = "parkstad-test-token"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _api(port: int, path: str, method: str = "GET", body: dict | None = None) -> dict:
    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", method=method,
                                     data=json.dumps(body).encode() if body is not None else None,
                                     headers={"Authorization": f"token {TOKEN}", "Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=30) as response:
        text = response.read()
    return json.loads(text) if text else {}


def _answers(port: int) -> bool:
    try:
        _api(port, "/api/status")
    except OSError:
        return False
    return True


@pytest.fixture(scope="module")
def lab_server(built, tmp_path_factory):
    """JupyterLab on 127.0.0.1 as ``make lab`` starts it, with empty user folders: the kernel ``parkstad-analysis``
    must come from the install, not from a registration in the user's Jupyter folders."""
    home = tmp_path_factory.mktemp("lab")
    shutil.copytree(ROOT / "notebooks", home / "notebooks")
    env = {**os.environ, "JUPYTER_DATA_DIR": str(home / "data"), "JUPYTER_CONFIG_DIR": str(home / "config"),
           "JUPYTER_RUNTIME_DIR": str(home / "runtime"), "PARKSTAD_HOME": str(built.root),
           "PARKSTAD_CBS_MIRROR": str(built.mirror), "MPLBACKEND": "Agg"}
    env.pop("PARKSTAD_GENERATION", None)
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "jupyterlab", f"--ServerApp.port={port}", "--ServerApp.ip=127.0.0.1",
         f"--IdentityProvider.token={TOKEN}", f"--ServerApp.root_dir={home / 'notebooks'}", "--no-browser",
         "--allow-root"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_for(lambda: _answers(port), 60, "JupyterLab to answer", step=0.5)
        specs = _api(port, "/api/kernelspecs")["kernelspecs"]
        assert "parkstad-analysis" in specs, sorted(specs)
        yield port
    finally:
        server.terminate()
        server.wait(timeout=30)


async def _run_cells(port: int, kernel_id: str, cells: list[str]) -> list[dict]:
    """Execute cells in order on a kernel through the server's websocket; every output message, per cell."""
    from jupyter_client.session import Session
    from tornado.websocket import websocket_connect

    session = Session(username="researcher")
    socket_ = await websocket_connect(f"ws://127.0.0.1:{port}/api/kernels/{kernel_id}/channels?token={TOKEN}")
    results = []
    try:
        for code in cells:
            message = session.msg("execute_request", {"code": code, "silent": False, "store_history": True,
                                                      "user_expressions": {}, "allow_stdin": False,
                                                      "stop_on_error": True})
            message["channel"] = "shell"
            await socket_.write_message(json.dumps(message, default=str))
            outputs, reply = [], None
            while reply is None:
                raw = await asyncio.wait_for(socket_.read_message(), timeout=180)
                answer = json.loads(raw)
                if answer.get("parent_header", {}).get("msg_id") != message["header"]["msg_id"]:
                    continue
                if answer["msg_type"] == "execute_reply":
                    reply = answer["content"]
                elif answer["msg_type"] in ("display_data", "execute_result", "stream", "error"):
                    outputs.append(answer)
            results.append({"reply": reply, "outputs": outputs})
            if reply["status"] != "ok":
                break
    finally:
        socket_.close()
    return results


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_notebook_runs_on_the_project_kernel_in_jupyterlab(lab_server, name):
    document = json.loads((ROOT / "notebooks" / name).read_text("utf-8"))
    kernel = document["metadata"]["kernelspec"]["name"]
    assert kernel == "parkstad-analysis"  # a system JupyterLab opens it with the package, not a bare python3
    session = _api(lab_server, "/api/sessions", "POST",
                   {"path": name, "name": name, "type": "notebook", "kernel": {"name": kernel}})
    try:
        cells = ["".join(c["source"]) for c in document["cells"] if c["cell_type"] == "code"]
        results = asyncio.run(_run_cells(lab_server, session["kernel"]["id"], cells))
    finally:
        _api(lab_server, f"/api/sessions/{session['id']}", "DELETE")
    failed = [r for r in results if r["reply"]["status"] != "ok"]
    assert not failed, f"{failed[0]['reply'].get('ename')}: {failed[0]['reply'].get('evalue')}"
    assert len(results) == len(cells)
    kinds = {mime for r in results for o in r["outputs"] for mime in o["content"].get("data", {})}
    assert "image/png" in kinds and "text/html" in kinds  # maps or charts, and the Dutch blocks
    if name.startswith("02_"):
        assert "application/vnd.plotly.v1+json" in kinds  # the interactive map renders in Lab itself
    stderr = "".join(o["content"].get("text", "") for r in results for o in r["outputs"]
                     if o["msg_type"] == "stream" and o["content"].get("name") == "stderr")
    assert "Traceback" not in stderr and "Warning" not in stderr, stderr[:500]
