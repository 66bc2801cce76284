"""nbval bites: change one source value that feeds a checked cell and the notebook check fails on that cell."""

import json
import os
import subprocess
import sys

from parkstad_analysis.config import Settings
from parkstad_analysis.fetch import SOURCE_FILE, fetch, raw_dataset, sha256_of
from parkstad_analysis.tables.build import build

from conftest import ROOT


def _mutate_grasbroek_bijstand(settings: Settings, extra: int) -> None:
    """A new version of the benefit table in which Grasbroek has ``extra`` more bijstand recipients in 2019Q4.

    The combined table and its per-quarter copy change together, as a new CBS release would
    (the build cross-checks them and would refuse a change in one only).
    """
    for dataset, name in (("uitkeringen_wijk_buurt", None), ("uitkeringen_per_kwartaal", "cbs_bijstand_2019MM12.json")):
        raw = raw_dataset(dataset, settings)
        path = raw.path(name)
        document = json.loads(path.read_text("utf-8-sig"))
        rows = document["value"].values() if isinstance(document["value"], dict) else document["value"]
        row = next(r for r in rows if r["WijkenEnBuurten"].strip() == "BU09173101" and r["Perioden"] == "2019MM12")
        row["Bijstandsuitkering_6"] += extra
        for target in (path, raw.folder / SOURCE_FILE):
            target.chmod(0o644)
        path.write_text(json.dumps(document), "utf-8")
        record = json.loads((raw.folder / SOURCE_FILE).read_text("utf-8"))
        record["files"][path.name] = sha256_of(path)
        (raw.folder / SOURCE_FILE).write_text(json.dumps(record), "utf-8")


def test_nbval_fails_on_the_key_figure_cell_when_a_source_value_changes(tmp_path, shared):
    settings = Settings(root=tmp_path / "project", mirror=shared)
    fetch(settings=settings, progress=False)
    _mutate_grasbroek_bijstand(settings, extra=50)
    build(settings)
    env = {**os.environ, "PARKSTAD_HOME": str(settings.root), "PARKSTAD_CBS_MIRROR": str(shared), "MPLBACKEND": "Agg"}
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "--nbval-lax", "-p", "no:cacheprovider", "-o", "addopts=", "-q",
         str(ROOT / "notebooks/02_area_profile.ipynb")],
        env=env, cwd=tmp_path, capture_output=True, text=True, timeout=600)
    assert result.returncode == 1, result.stdout[-2000:]
    report = result.stdout
    assert "1 failed" in report
    failing = [line for line in report.splitlines() if "FAILED" in line]
    assert failing and "02_area_profile.ipynb::Cell 2 " in failing[0]  # the key-figures cell (third code cell)
    assert "Cell outputs differ" in report
    # what the committed notebook expects, and what the changed data gives: 1000 × (200 + 50) / 3400
    assert "{'bijstand_per_1000': 58.823529} != {'bijstand_per_1000': 73.529412}" in report
