"""parkstad report: papermill with injected parameters, the failure path, validation, incremental runs."""

import json
import shutil
from pathlib import Path

import pytest

from parkstad_analysis.cli import EXIT_BAD_INPUT, EXIT_FAILED, main
from parkstad_analysis.config import Settings
from parkstad_analysis.errors import UnknownNameError
from parkstad_analysis.pages.show import recorded
from parkstad_analysis.processed import ProcessedStore
from parkstad_analysis.reporting.plan import input_hash, plan
from parkstad_analysis.reporting.report import run_report

from conftest import project_with_notebooks, wait_for


@pytest.fixture(scope="module")
def reporting(built, tmp_path_factory):
    """The built project with the repository's notebooks beside its data."""
    return project_with_notebooks(built, tmp_path_factory.mktemp("report") / "project")


@pytest.fixture(scope="module")
def good_run(reporting):
    return run_report(reporting, areas=["gms"], notebooks=["area_profile", "funding"], jobs=2, progress=False)


def test_area_profile_records_the_figures_of_the_injected_area(good_run, shared):
    assert good_run.status == "success", good_run.message
    figures = recorded(good_run.run_dir / "notebooks" / "area_profile_gms_2019.ipynb")
    assert figures["area"] == "gms" and figures["inhabitants"] == 3900 and figures["inhabitants_year"] == "2019"
    # the profile of 2019 takes the benefits of 2019's last quarter, not the latest in the table
    source = json.loads((shared / "uitkeringen/bijstand-per-kwartaal/cbs_bijstand_2019MM12.json").read_text("utf-8-sig"))
    rows = source["value"].values() if isinstance(source["value"], dict) else source["value"]
    gms = [r for r in rows if r["WijkenEnBuurten"].strip() in ("BU09173100", "BU09173101", "BU09173102")]
    expected = 1000 * sum(r["Bijstandsuitkering_6"] for r in gms) / sum(r["InwonersVanaf15Jaar_13"] for r in gms)
    assert figures["bijstand_quarter"] == "2019Q4"
    assert figures["bijstand_per_1000"] == pytest.approx(expected, abs=1e-5)
    funding = recorded(good_run.run_dir / "notebooks" / "funding.ipynb")
    assert (funding["contribution_eur"], funding["total_cost_eur"]) == (501_030, 2_226_344)


def test_run_folder_has_pages_maps_index_and_manifest(good_run, reporting):
    run_dir = good_run.run_dir
    # a partial matrix moves its own pointer, never the full report's
    assert good_run.pointer == "latest-area_profile-funding-gms" and not (reporting.reports_dir / "latest").exists()
    assert (reporting.reports_dir / good_run.pointer).resolve() == run_dir.resolve()
    index = (run_dir / "index.html").read_text("utf-8")
    assert 'href="area_profile_gms_2019.html"' in index and 'href="funding.html"' in index
    assert "figures/area_profile_gms_2019/gms_bijstand_per_1000.png" in index
    for fmt in ("png", "svg"):
        assert (run_dir / "figures/area_profile_gms_2019" / f"gms_nettoarbeidsparticipatie.{fmt}").is_file()
    assert not list(run_dir.glob("figures/*/*.pdf"))  # PDF only on request (--pdf)
    page = (run_dir / "area_profile_gms_2019.html").read_text("utf-8")
    assert "data:image/png;base64" in page and "pa.load()" not in page  # figures embedded, code hidden
    manifest = json.loads((run_dir / "manifest.json").read_text("utf-8"))
    assert manifest["outcome"] == "success" and manifest["jobs"] == 2 and manifest["report"] == good_run.pointer
    assert manifest["generation"] == ProcessedStore(reporting).generation
    assert {n["name"] for n in manifest["notebooks"]} == {"area_profile_gms_2019", "funding"}
    assert manifest["notebooks"][0]["parameters"]["AREA"] == "gms"
    assert "kwb.parquet" in manifest["data"] and manifest["versions"]["pandas"]
    assert not (run_dir / ".incomplete").exists()
    assert (run_dir / "logs/area_profile_gms_2019.log").is_file()  # kernel log lines kept with the run


def test_every_page_is_dutch_clean_and_offline(good_run):
    import re

    pages = sorted(good_run.run_dir.glob("*.html")) + sorted(good_run.run_dir.glob("figures/*/*.html"))
    assert {"index.html", "woordenlijst.html", "area_profile_gms_2019.html", "funding.html"} <= {p.name for p in pages}
    for page in pages:
        html = page.read_text("utf-8")
        assert re.search(r'<html lang="nl"', html), page.name
        visible = re.sub(r"<script.*?</script>|<style.*?</style>|\"data:[^\"]+\"", "", html, flags=re.S)
        for bad in ("NaN", "Traceback", "Warning", "vnd.jupyter.stderr", "None</td>", "&lt;NA&gt;"):
            assert bad not in visible, f"{page.name}: {bad}"
        # the blocks' style once, in the head; the copies a block carries for JupyterLab are taken out
        assert 'data-parkstad="blocks"' not in html, page.name
        assert html.count("/* The blocks of pages.show") == (page.parent == good_run.run_dir), page.name  # not in a map
        sources = re.findall(r'<(?:script|link|iframe|img)[^>]+(?:src|href)="([^"]+)"', html)
        assert not [s for s in sources if s.startswith(("http:", "https:", "//"))], f"{page.name}: {sources}"
    for executed in sorted(good_run.run_dir.glob("notebooks/*.ipynb")):  # pages show only what cells display
        streams = [output for cell in json.loads(executed.read_text("utf-8"))["cells"]
                   for output in cell.get("outputs", []) if output["output_type"] == "stream"]
        assert not streams, f"{executed.name}: {streams}"
    index = (good_run.run_dir / "index.html").read_text("utf-8")
    assert "Kerncijfers per focusgebied, naast de gemeente en Parkstad" in index
    assert '<td>GMS (Grasbroek, Musschemig, Schandelen)</td><td class="num">3.900</td>' in index
    interactive = good_run.run_dir / "figures/area_profile_gms_2019/gms_bijstand_per_1000_interactief.html"
    assert 'src="../../assets/plotly.min.js"' in interactive.read_text("utf-8")
    assert (good_run.run_dir / "assets/plotly.min.js").stat().st_size > 1_000_000  # shipped once, beside the report


def test_pages_carry_the_cbs_signs_totals_rows_and_the_other_definition(good_run):
    import re

    from parkstad_analysis.dutch import SIGNS

    pages = {p.name: p.read_text("utf-8") for p in good_run.run_dir.glob("*.html")}
    for name, html in pages.items():
        assert SIGNS in html, name  # the legend of "." and "–" on every page
        visible = re.sub(r"<style.*?</style>|<script.*?</script>", "", html, flags=re.S)
        assert ">–<" not in visible and "–*" not in visible, name  # "–" means nihil to a CBS reader
    funding = pages["funding.html"]
    totals = re.findall(r'<tr class="ps-total">(.*?)</tr>', funding, flags=re.S)
    assert len(totals) == 4  # projects, per gemeente, per spoor, per area
    assert ">Totaal<" in totals[0] and ">2.226.344<" in totals[0] and ">501.030<" in totals[0] and ">22,5<" in totals[0]
    assert "werkloze jongeren tot 27 jaar" in funding and "heel Parkstad" in funding
    assert "niet wat één deelnemer kost" in funding
    profile = pages["area_profile_gms_2019.html"]
    assert "GMS met Hoppersgraaf" in profile and ">4.960<" in profile and ">59,3<" in profile and ">47,3<" in profile


def test_the_workbook_holds_every_table_and_the_funding_sums(good_run):
    import openpyxl

    workbook = openpyxl.load_workbook(good_run.run_dir / "parkstad_tabellen.xlsx", read_only=True)
    csvs = sorted(good_run.run_dir.glob("tables/*/*.csv"))
    assert len(workbook.sheetnames) == len(csvs) + 2 and workbook.sheetnames[0] == "Overzicht"
    assert workbook.sheetnames[-1] == "Definities"
    rows = list(workbook["Financiering projecten"].values)
    header = list(rows[2])
    cost, contribution = header.index("Totale kosten (€)"), header.index("Bijdrage Regio Deal (€)")
    body = [r for r in rows[3:] if isinstance(r[cost], int)]
    projects = [r for r in body if r[0] != "Totaal"]
    [total] = [r for r in body if r[0] == "Totaal"]  # the page's totals row travels with the table
    assert len(projects) == 5
    assert sum(r[contribution] for r in projects) == total[contribution] == 501_030
    assert sum(r[cost] for r in projects) == total[cost] == 2_226_344
    comparison = next(row for row in workbook["GMS 2019 vergelijking"].values if row[0] == "Netto arbeidsparticipatie (%)")
    assert 59.7 in comparison  # GMS: 59,68… on no page, in no download
    definitions = list(workbook["Definities"].values)
    participation = [r for r in definitions if r[0] == "Netto arbeidsparticipatie"]
    assert participation and "werkzame beroepsbevolking" in participation[0][3]


def test_every_sheet_can_be_used_without_its_page(good_run):
    """Dutch name, title, source line, the text of every footnote mark used, number formats, no more decimals than
    the format shows: what a programme office pastes into a memo."""
    import re

    import openpyxl

    workbook = openpyxl.load_workbook(good_run.run_dir / "parkstad_tabellen.xlsx")
    for sheet in workbook.worksheets[1:]:
        name = sheet.title
        assert not re.search(r"_|funding|area_profile|evaluation|overview|trends-", name), name  # Dutch, readable
        rows = [[cell for cell in row] for row in sheet.iter_rows()]
        assert isinstance(rows[0][0].value, str) and len(rows[0][0].value) > 5, name  # the table's title
        assert name == "Definities" or str(rows[1][0].value).startswith("Pagina: "), name  # and its page
        header = [cell.value for cell in rows[2]]
        lines = [row[0].value for row in rows if row[0].value and all(c.value is None for c in row[1:])]
        assert any(str(line).startswith("Bron: ") for line in lines), name
        if "Noot" in header:
            marks = {str(row[header.index("Noot")].value) for row in rows[3:] if row[header.index("Noot")].value}
            for mark in (m for m in marks if len(m) <= 3):  # a mark has its text below; a longer note is the text
                assert any(str(line).startswith(f"{mark}. ") for line in lines), (name, mark)
        for row in rows[3:]:
            for cell in row:
                if isinstance(cell.value, int | float) and not isinstance(cell.value, bool):  # 59,0 reads back as 59
                    assert cell.number_format.startswith("#,##0"), (name, cell.coordinate, cell.number_format)
                    places = len(cell.number_format.split(".")[1]) if "." in cell.number_format else 0
                    assert round(cell.value, places) == cell.value, (name, cell.coordinate, cell.value, places)
    names = workbook.sheetnames
    assert {"GMS 2019 vergelijking", "GMS 2019 afbakening", "Financiering per gemeente"} <= set(names), names


def test_unchanged_run_is_skipped_and_changes_are_noticed(good_run, reporting):
    again = run_report(reporting, areas=["gms"], notebooks=["area_profile", "funding"], incremental=True, progress=False)
    assert again.status == "skipped" and good_run.run_dir.name in again.message
    jobs = plan(reporting, ["gms"], None, ["area_profile", "funding"])
    other = plan(reporting, ["hoensbroek"], None, ["area_profile", "funding"])
    assert input_hash(reporting, jobs) != input_hash(reporting, other)


def test_failed_notebook_keeps_last_good_run(good_run, reporting, capsys):
    broken_root = reporting.root.parent / "broken"
    broken_root.mkdir(exist_ok=True)
    for part in ("data", "reports"):
        if not (broken_root / part).exists():
            (broken_root / part).symlink_to(reporting.root / part)
    shutil.copytree(reporting.root / "notebooks", broken_root / "notebooks", dirs_exist_ok=True)
    notebook = broken_root / "notebooks/02_area_profile.ipynb"
    document = json.loads(notebook.read_text("utf-8"))
    document["cells"].insert(4, {"cell_type": "code", "id": "boom", "metadata": {}, "outputs": [], "execution_count": None,
                                 "source": "raise ValueError('kapotte cel')"})
    notebook.write_text(json.dumps(document), "utf-8")
    settings = Settings(root=broken_root, mirror=reporting.mirror)
    code = main(["--root", str(broken_root), "report", "--areas", "gms", "--notebooks", "area_profile", "-q"])
    assert code == EXIT_FAILED
    err = capsys.readouterr().err
    assert "area_profile_gms_2019 failed in cell" in err and "ValueError: kapotte cel" in err
    assert "reports/latest-area_profile-gms still points at the last good run" in err
    assert (settings.reports_dir / good_run.pointer).resolve() == good_run.run_dir.resolve()
    failed_runs = [p for p in settings.reports_dir.iterdir()
                   if p.is_dir() and not p.is_symlink() and p.name != good_run.run_dir.name]
    kept = [p / "notebooks/area_profile_gms_2019.ipynb" for p in failed_runs]
    assert any(p.is_file() for p in kept)
    manifest = json.loads((failed_runs[0] / "manifest.json").read_text("utf-8"))
    assert manifest["outcome"] == "failed"


@pytest.mark.parametrize(("option", "value", "message"), [
    # not a focus area nor a region of the project: the closest regions (with code and level) first, then the areas
    ("areas", ["Heerlen-Zuid"], r"unknown area 'Heerlen-Zuid'; expected one of: Heerlen \(GM0917, gemeente\), "
                                r"Heerlen-Centrum \(BU09173300, buurt in Heerlen\).*heerlen, heerlen_noord"),
    ("years", [2016], r"unknown year \(no netto arbeidsparticipatie figures\) 2016; expected one of: 2018, 2019$"),
    ("notebooks", ["maps"], "unknown notebook 'maps'; expected one of: data_overview"),
    ("indicators", ["werkloosheid"], r"unknown indicator 'werkloosheid'; expected one of: [^;]* \(and \d+ more\)$"),
])
def test_parameters_are_validated_before_any_kernel_starts(reporting, option, value, message):
    before = sorted(p.name for p in reporting.reports_dir.iterdir()) if reporting.reports_dir.exists() else []
    with pytest.raises(UnknownNameError, match=message):
        run_report(reporting, progress=False, **{option: value})
    after = sorted(p.name for p in reporting.reports_dir.iterdir()) if reporting.reports_dir.exists() else []
    assert after == before


def test_cli_bad_parameter_exits_2(reporting, capsys):
    assert main(["--root", str(reporting.root), "report", "--classification", "jenks"]) == EXIT_BAD_INPUT
    assert "unknown classification 'jenks'" in capsys.readouterr().err


# The tests below move reports/latest; they stay at the end of the module.


def test_two_runs_at_once_write_separate_folders(reporting):
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(2) as pool:
        first, second = pool.map(
            lambda _: run_report(reporting, notebooks=["data_overview"], jobs=1, progress=False), range(2))
    assert first.status == second.status == "success"
    assert first.run_dir != second.run_dir
    latest = (reporting.reports_dir / "latest-data_overview").resolve()
    assert latest in (first.run_dir.resolve(), second.run_dir.resolve())
    for result in (first, second):
        manifest = json.loads((result.run_dir / "manifest.json").read_text("utf-8"))
        assert manifest["outcome"] == "success" and (result.run_dir / "data_overview.html").is_file()
        assert recorded(result.run_dir / "notebooks/data_overview.ipynb")["rows_kwb"] == 776


def test_killed_run_leaves_the_last_good_report(reporting):
    import os
    import signal
    import subprocess
    import sys

    from parkstad_analysis.reporting.publish import INCOMPLETE, prune_incomplete

    latest = reporting.reports_dir / "latest-data_overview"
    before = latest.resolve()
    known = set(reporting.reports_dir.iterdir())
    parkstad = str(Path(sys.executable).with_name("parkstad"))
    process = subprocess.Popen([parkstad, "--root", str(reporting.root), "report", "--notebooks", "trends",
                                "--areas", "heerlen_noord", "-q"], start_new_session=True,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        started = wait_for(lambda: [p for p in set(reporting.reports_dir.iterdir()) - known if (p / INCOMPLETE).exists()],
                           60, "the run to start", step=0.2)
    finally:
        os.killpg(process.pid, signal.SIGKILL)  # the command, its workers and their kernels
        process.wait()
    assert latest.resolve() == before
    assert (started[0] / INCOMPLETE).exists() and not (started[0] / "manifest.json").exists()
    assert started[0] in prune_incomplete(reporting.reports_dir)
    assert not started[0].exists() and latest.resolve() == before


def test_a_small_matrix_runs_on_a_dask_cluster(reporting):
    """`--scheduler`: the same jobs on a Dask LocalCluster's worker processes, gathered into one run folder."""
    import psutil
    from distributed import LocalCluster

    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        result = run_report(reporting, areas=["gms"], notebooks=["data_overview", "evaluation"], name="cluster",
                            scheduler=cluster.scheduler_address, progress=False)
        worker_pids = {w.pid for w in cluster.workers.values() if getattr(w, "pid", None)}
    assert result.status == "success", result.message
    manifest = json.loads((result.run_dir / "manifest.json").read_text("utf-8"))
    assert manifest["scheduler"].startswith("tcp://127.0.0.1:") and manifest["outcome"] == "success"
    assert {n["name"] for n in manifest["notebooks"]} == {"data_overview", "evaluation_gms"}
    assert recorded(result.run_dir / "notebooks/evaluation_gms.ipynb")["assignments"] == 1540  # C(22, 3), exact
    assert (result.run_dir / "evaluation_gms.html").is_file() and (result.run_dir / "index.html").is_file()
    # the workers' kernels went with the cluster
    leftovers = [p for p in psutil.process_iter(["cmdline"])
                 if "ipykernel_launcher" in " ".join(p.info["cmdline"] or []) and p.parent() and
                 p.parent().pid in worker_pids]
    assert not leftovers
