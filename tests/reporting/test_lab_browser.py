"""JupyterLab as a researcher uses it: started with ``make lab`` as the README says, driven by Debian's Chromium
through selenium. A new notebook shows a pandas chart, a map, key-figure cards and a Dutch note; every shipped
notebook runs in the Lab and is autosaved, and the checkout stays as it was (what ``make test`` reads).

Needs ``chromium`` and ``chromium-driver`` (Debian packages; ``.ci/run`` installs them).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import warnings
from pathlib import Path

import pytest

from parkstad_analysis.reporting import stored_outputs

from conftest import ROOT, wait_for

TOKEN = "parkstad-browser-test"
CHROMIUM, DRIVER = Path("/usr/bin/chromium"), Path("/usr/bin/chromedriver")
SHIPPED = sorted(p.name for p in (ROOT / "notebooks").glob("*.ipynb"))
#: What a researcher types into a new notebook: the README's example, one line per cell.
OWN_CELLS = [
    "import parkstad_analysis as pa",
    "data = pa.load()",
    "data['benefits'].query(\"region_code == 'GM0917'\").plot(x='period', y='bijstand_ontvangers')",
    "pa.maps.choropleth(data, data.layers, 'hoensbroek', 'bijstand_per_1000', '2019Q4')",
    "pa.profile.key_figures(data, 'hoensbroek', 2019, '2019Q4')",
    "pa.evaluate(data['benefits'], 'rolduckerveld')",
]
#: The settings the test gives the Lab: autosave every few seconds (default 120 s) and no news pop-up.
LAB_SETTINGS = {
    "@jupyterlab/docmanager-extension/plugin.jupyterlab-settings": {"autosaveInterval": 3},
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings": {"fetchNews": "false"},
}


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _checkout_state() -> tuple[str, dict[str, str]]:
    """``git status`` of the checkout (when it is one) and a hash of every committed notebook."""
    status = ""
    if (ROOT / ".git").exists():
        status = subprocess.run(["git", "status", "--porcelain", "--untracked-files=all"], cwd=ROOT,
                                capture_output=True, text=True, check=True).stdout
    hashes = {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted((ROOT / "notebooks").iterdir())}
    return status, hashes


def _answers(port: int) -> bool:
    import urllib.request

    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/status?token={TOKEN}", timeout=5):
            return True
    except OSError:
        return False


@pytest.fixture(scope="module")
def lab(built, tmp_path_factory):
    """``make lab`` on a free port, in a folder of its own under lab/, with the built data and empty user folders."""
    missing = [str(p) for p in (CHROMIUM, DRIVER) if not p.exists()]
    assert not missing, f"{missing} not found: install Debian's chromium and chromium-driver (see README, Tests)"
    home = tmp_path_factory.mktemp("lab-user")
    for name, settings in LAB_SETTINGS.items():
        target = home / "settings" / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(json.dumps(settings))
    lab_dir = Path("lab") / f"browser-test-{os.getpid()}"
    before = _checkout_state()
    port = _free_port()
    env = {**os.environ, "JUPYTER_TOKEN": TOKEN, "JUPYTERLAB_SETTINGS_DIR": str(home / "settings"),
           "JUPYTER_DATA_DIR": str(home / "data"), "JUPYTER_CONFIG_DIR": str(home / "config"),
           "JUPYTER_RUNTIME_DIR": str(home / "runtime"), "IPYTHONDIR": str(home / "ipython"),
           "PARKSTAD_HOME": str(built.root), "PARKSTAD_CBS_MIRROR": str(built.mirror)}
    for name in ("MPLBACKEND", "PARKSTAD_GENERATION"):  # the Lab starts as on a researcher's machine: plots inline
        env.pop(name, None)
    for name in [n for n in env if n.startswith("COV_CORE_")]:  # no coverage data files from the Lab's processes
        env.pop(name)
    venv = Path(sys.prefix)
    # -o: the environment running these tests is the installed one; make must not reinstall it mid-run
    server = subprocess.Popen(["make", "-o", str(venv / ".installed-stamp"), "lab", f"VENV={venv}",
                               f"LAB_PORT={port}", f"LAB_DIR={lab_dir}"], cwd=ROOT, env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        wait_for(lambda: _answers(port), 90, "JupyterLab from make lab to answer", step=0.5)
        yield {"port": port, "dir": lab_dir, "before": before, "shots": tmp_path_factory.mktemp("screenshots")}
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=60)
        shutil.rmtree(ROOT / lab_dir, ignore_errors=True)


@pytest.fixture(scope="module")
def browser():
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for argument in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                     "--window-size=1400,1000", "--disable-background-networking"):
        options.add_argument(argument)
    driver = webdriver.Chrome(service=Service(str(DRIVER)), options=options)  # no driver download: Debian's
    try:
        yield driver
    finally:
        driver.quit()


def _until(driver, condition, seconds: float, what: str, shot: Path | None = None):
    from selenium.common.exceptions import TimeoutException
    from selenium.webdriver.support.ui import WebDriverWait

    try:
        return WebDriverWait(driver, seconds, poll_frequency=0.5).until(condition)
    except TimeoutException:
        if shot is not None:
            driver.save_screenshot(str(shot))
        raise AssertionError(f"waited {seconds} s for {what}" + (f"; screenshot {shot}" if shot else "")) from None


def _waited(condition, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(1)
    return False


def _panel(driver):
    from selenium.webdriver.common.by import By

    return driver.find_element(By.CSS_SELECTOR, ".jp-NotebookPanel:not(.lm-mod-hidden)")


def _kernel_idle(driver) -> bool:
    from selenium.webdriver.common.by import By

    return "| Idle" in driver.find_element(By.CSS_SELECTOR, "#jp-main-statusbar").text


def _prompts(driver) -> list[str]:
    from selenium.webdriver.common.by import By

    return [p.text.strip() for p in _panel(driver).find_elements(By.CSS_SELECTOR, ".jp-CodeCell .jp-InputArea-prompt")]


def _ran(prompt: str) -> bool:
    return re.fullmatch(r"\[\d+\]:", prompt) is not None


def _menu(driver, menu: str, item: str, shot: Path) -> None:
    """Click ``menu`` in Lab's menu bar, then ``item`` in it."""
    from selenium.webdriver.common.by import By

    entry = f"//li[contains(@class, 'lm-Menu-item')][.//div[contains(@class, 'lm-Menu-itemLabel')][text()='{item}']]"
    driver.find_element(By.XPATH, f"//div[contains(@class, 'lm-MenuBar-itemLabel') and text()='{menu}']").click()
    _until(driver, lambda d: d.find_elements(By.XPATH, entry), 30, f"{menu} > {item}", shot)
    driver.find_element(By.XPATH, entry).click()


def _started(before: list[str], driver) -> bool:
    """A cell ran: its prompt shows a count it did not show before. Queued cells show "[*]:" until the kernel takes
    them, so a changed prompt alone is not enough (a kernel that never received them keeps them queued)."""
    return any(_ran(now) and now != then for now, then in zip(_prompts(driver), before, strict=False))


def _run_all_cells(driver, shot: Path) -> None:
    """Run > Run All Cells, as a researcher does, until a cell has run.

    A shipped notebook's stored outputs already show execution counts ("[4]:" in 01), so started means a count
    changed. If none does within two minutes, Lab's connection to the kernel has stalled (seen on CI: the cells
    stayed queued while the kernel sat idle with no activity for fifteen minutes); a researcher then reconnects to
    the kernel, or restarts it and runs all cells. Both steps are taken as that researcher would, and said in a
    warning, so that a stall is recovered from but never hidden."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    before = _prompts(driver)
    _menu(driver, "Run", "Run All Cells", shot)
    if _waited(lambda: _started(before, driver), 120):
        return
    driver.find_element(By.TAG_NAME, "body").send_keys(Keys.ESCAPE)  # close a menu left open
    warnings.warn(f"{shot.stem}: no cell ran two minutes after Run All Cells; reconnecting to the kernel",
                  stacklevel=2)
    _menu(driver, "Kernel", "Reconnect to Kernel", shot)
    _until(driver, _kernel_idle, 120, "the kernel after reconnecting", shot)
    _menu(driver, "Run", "Run All Cells", shot)
    if _waited(lambda: _started(before, driver), 120):
        return
    warnings.warn(f"{shot.stem}: still no cell ran; restarting the kernel and running all cells", stacklevel=2)
    _menu(driver, "Kernel", "Restart Kernel and Run All Cells…", shot)
    accept = ".jp-Dialog .jp-Dialog-button.jp-mod-accept"
    _until(driver, lambda d: d.find_elements(By.CSS_SELECTOR, accept), 30, "the restart dialog", shot)
    driver.find_element(By.CSS_SELECTOR, accept).click()
    if _waited(lambda: _started(before, driver), 180):
        return
    driver.save_screenshot(str(shot))
    raise AssertionError(f"Run All Cells did not start the notebook, not even after a restart; screenshot {shot}")


def _outputs(cell) -> list[tuple[str, object]]:
    from selenium.webdriver.common.by import By

    return [(o.get_attribute("data-mime-type"), o) for o in cell.find_elements(By.CSS_SELECTOR, ".jp-OutputArea-output")]


def test_a_new_notebook_shows_a_pandas_chart_a_map_key_figures_and_a_dutch_note(lab, browser):
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    shots = lab["shots"]
    browser.get(f"http://127.0.0.1:{lab['port']}/lab/tree/{lab['dir'].as_posix()}?token={TOKEN}")
    card = ".jp-LauncherCard[data-category='Notebook'][title='parkstad-analysis']"
    _until(browser, lambda d: d.find_elements(By.CSS_SELECTOR, card), 120, "the launcher", shots / "launcher.png")
    browser.find_element(By.CSS_SELECTOR, card).click()
    _until(browser, lambda d: d.find_elements(By.CSS_SELECTOR, ".jp-NotebookPanel .jp-CodeCell .cm-content")
           and _kernel_idle(d), 120, "a new notebook on an idle kernel", shots / "new.png")
    for count, code in enumerate(OWN_CELLS, 1):
        editor = _panel(browser).find_elements(By.CSS_SELECTOR, ".jp-CodeCell .cm-content")[-1]
        editor.click()
        editor.send_keys(code)
        ActionChains(browser).key_down(Keys.SHIFT).send_keys(Keys.ENTER).key_up(Keys.SHIFT).perform()
        _until(browser, lambda d, n=count: sum(map(_ran, _prompts(d))) >= n and _kernel_idle(d), 300,
               f"cell {count} ({code})", shots / f"cell{count}.png")
    cells = _panel(browser).find_elements(By.CSS_SELECTOR, ".jp-CodeCell")
    for number, cell in enumerate(cells[: len(OWN_CELLS)], 1):
        browser.execute_script("arguments[0].scrollIntoView()", cell)
        time.sleep(0.3)
        browser.save_screenshot(str(shots / f"own_notebook_cell{number}.png"))
    chart, drawn_map, key_figures, note = (_outputs(c) for c in cells[2:6])
    assert any(kind == "image/png" for kind, _ in chart), chart  # inline backend: MPLBACKEND=Agg did not reach it
    assert [kind for kind, _ in drawn_map if kind != "application/vnd.jupyter.stderr"] == ["image/png"]
    cards = key_figures[0][1].find_elements(By.CSS_SELECTOR, ".ps-card")
    assert len(cards) >= 8 and "Inwoners" in cards[0].text and "2019" in cards[0].text
    style = browser.execute_script("const s = getComputedStyle(arguments[0]); return [s.borderTopStyle, "
                                   "s.backgroundColor]", cards[0])
    assert style == ["solid", "rgb(250, 250, 250)"], style  # the report's card style, in Lab too
    assert len(note) == 1 and "Geen uitkeringscijfers per buurt voor Kerkrade" in note[0][1].text
    assert "Traceback" not in note[0][1].text and not note[0][1].find_elements(By.CSS_SELECTOR, "pre")
    created = sorted(p.name for p in (ROOT / lab["dir"]).glob("Untitled*.ipynb"))
    assert created, "a new notebook lands in the Lab's own folder under lab/"


@pytest.mark.parametrize("name", SHIPPED)
def test_every_shipped_notebook_runs_and_is_saved_in_lab(lab, browser, name):
    from selenium.webdriver.common.by import By

    shots = lab["shots"]
    copy = ROOT / lab["dir"] / name
    browser.get(f"http://127.0.0.1:{lab['port']}/lab/tree/{lab['dir'].as_posix()}/{name}?token={TOKEN}")
    _until(browser, lambda d: d.find_elements(By.CSS_SELECTOR, ".jp-NotebookPanel .jp-CodeCell") and _kernel_idle(d),
           120, f"{name} open on an idle kernel", shots / f"{name}-open.png")
    _run_all_cells(browser, shots / f"{name}-menu.png")
    _until(browser, lambda d: all(map(_ran, _prompts(d))) and _kernel_idle(d), 900, f"{name} to run",
           shots / f"{name}-run.png")
    errors = [o.text[:300] for o in _panel(browser).find_elements(By.CSS_SELECTOR, ".jp-OutputArea-output")
              if o.get_attribute("data-mime-type") == "application/vnd.jupyter.stderr" and "Traceback" in o.text]
    assert not errors, errors
    browser.save_screenshot(str(shots / f"{name}.png"))

    def counts_on_disk() -> list:
        try:
            document = json.loads(copy.read_text("utf-8"))
        except json.JSONDecodeError:
            # jupyter_server's atomic_writing keeps a backup but rewrites the file in place: a read during a
            # save sees it half-written (empty), which is "not saved yet", not a broken notebook
            return [None]
        return [c.get("execution_count") for c in document["cells"] if c["cell_type"] == "code"]

    # The copy on disk must hold this run's outputs. Lab autosaves every few seconds here, but stretches the interval
    # to ten times its last save's duration (seconds for 02 on a busy machine): then save as a researcher does.
    saved = lambda: all(counts_on_disk())  # noqa: E731
    for _attempt in range(3):
        if _waited(saved, 30):
            break
        _menu(browser, "File", "Save Notebook", shots / f"{name}-save.png")
    if not _waited(saved, 60):
        raise AssertionError(f"{copy} not saved: execution counts on disk {counts_on_disk()}, in the Lab "
                             f"{_prompts(browser)}")
    assert (lab["before"]) == _checkout_state(), "a Lab session changed the checkout"
    # the step of make test a Lab session used to break (in this process: a subprocess under pytest-cov would
    # leave a coverage data file in the checkout, which the next notebook's check would count as a change)
    problems = [p for notebook in sorted((ROOT / "notebooks").glob("*.ipynb")) for p in stored_outputs.check(notebook)]
    assert not problems, problems
