"""Breaking the project on purpose: tampered mirrors, kills, concurrent commands, full and read-only folders.

Each test is one case of issue 14's list: what must hold when something goes wrong.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest

from parkstad_analysis.atomic import remove_tree
from parkstad_analysis.cli import EXIT_BAD_INPUT, EXIT_FAILED, main
from parkstad_analysis.config import Settings
from parkstad_analysis.errors import ChecksumError, ConfigError
from parkstad_analysis.fetch import fetch
from parkstad_analysis.locks import folder_lock
from parkstad_analysis.processed import ProcessedStore
from parkstad_analysis.processed.generations import current, folder
from parkstad_analysis.reporting.publish import INCOMPLETE
from parkstad_analysis.reporting.report import workers_for
from parkstad_analysis.tables.build import build

from conftest import project_with_notebooks, tree_state, wait_for

PARKSTAD = str(Path(sys.executable).with_name("parkstad"))


# -- fixtures and helpers ------------------------------------------------------------------------------


@pytest.fixture
def lab(built, tmp_path) -> Settings:
    """A project of its own (processed, reports, notebooks) on the session's fetched raw data."""
    return project_with_notebooks(built, tmp_path / "lab", own_data=True)


def _command(settings: Settings, *args: str) -> subprocess.Popen:
    return subprocess.Popen([PARKSTAD, "--root", str(settings.root), *args], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


def _started_run(settings: Settings) -> Path | None:
    reports = settings.reports_dir
    runs = [p for p in reports.iterdir() if (p / INCOMPLETE).exists()] if reports.is_dir() else []
    return runs[0] if runs else None


def _listens(process: psutil.Process) -> bool:
    with contextlib.suppress(psutil.Error):
        return any(c.status == psutil.CONN_LISTEN for c in process.net_connections(kind="tcp"))
    return False


def _kernels_of(pid: int) -> list[psutil.Process]:
    """The Jupyter kernels below ``pid``: the processes listening for kernel messages (forked ones keep the
    command line of the process they were forked from)."""
    with contextlib.suppress(psutil.NoSuchProcess):
        return [c for c in psutil.Process(pid).children(recursive=True) if _listens(c)]
    return []


def _alive(processes: list[psutil.Process]) -> list[psutil.Process]:
    return [p for p in processes if p.is_running() and p.status() != psutil.STATUS_ZOMBIE]


@contextlib.contextmanager
def _read_only(path: Path):
    """Make ``path`` read-only for this process: a read-only bind mount for root (who ignores modes), else chmod."""
    if os.geteuid() == 0:
        subprocess.run(["mount", "--bind", str(path), str(path)], check=True)
        try:
            subprocess.run(["mount", "-o", "remount,ro,bind", str(path)], check=True)
            yield
        finally:
            subprocess.run(["umount", str(path)], check=True)
    else:
        mode = path.stat().st_mode
        path.chmod(0o555)
        try:
            yield
        finally:
            path.chmod(mode)


# -- fetch: the mirror is verified whatever its shape --------------------------------------------------


@pytest.fixture
def quarterly_mirror(shared, tmp_path) -> Path:
    mirror = tmp_path / "mirror"
    shutil.copytree(shared / "uitkeringen/bijstand-per-kwartaal", mirror / "uitkeringen/bijstand-per-kwartaal")
    for path in mirror.rglob("*"):
        path.chmod(0o755 if path.is_dir() else 0o644)
    return mirror


def test_a_tampered_file_in_a_mirror_folder_is_refused(project, quarterly_mirror):
    member = quarterly_mirror / "uitkeringen/bijstand-per-kwartaal/cbs_bijstand_2021MM03.json"
    member.write_text(member.read_text("utf-8-sig").replace('"Bijstandsuitkering_6": 4360', '"Bijstandsuitkering_6": 4361', 1),
                      "utf-8")
    with pytest.raises(ChecksumError, match=r"cbs_bijstand_2021MM03.json: sha256 .* differs from the registry"):
        fetch(["uitkeringen_per_kwartaal"], project.with_mirror(quarterly_mirror), progress=False)
    assert tree_state(project.raw_dir) == {}


def test_an_unlisted_file_in_a_mirror_folder_is_refused(project, quarterly_mirror):
    (quarterly_mirror / "uitkeringen/bijstand-per-kwartaal/cbs_bijstand_2099MM03.json").write_text("{}", "utf-8")
    with pytest.raises(ChecksumError, match=r"holds 1 file\(s\) the registry does not list .*cbs_bijstand_2099MM03"):
        fetch(["uitkeringen_per_kwartaal"], project.with_mirror(quarterly_mirror), progress=False)
    assert tree_state(project.raw_dir) == {}


def test_a_symlink_loop_in_raw_is_refused_not_skipped(project, capsys):
    fetch(["kwb_2018_statline"], project, progress=False)
    loop = project.raw_dir / "kwb_2019_statline"
    loop.symlink_to(loop)
    code = main(["--root", str(project.root), "--mirror", str(project.mirror), "build"])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == EXIT_BAD_INPUT and len(err) == 1
    assert "kwb_2019_statline: a symbolic link that leads nowhere" in err[0]
    assert current(project.processed_dir) is None


def test_an_empty_mirror_is_refused_before_anything_is_fetched(project, tmp_path, capsys):
    empty = tmp_path / "empty-mirror"
    empty.mkdir()
    code = main(["--root", str(project.root), "--mirror", str(empty), "fetch", "-q"])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == EXIT_BAD_INPUT and len(err) == 1, err
    assert f"mirror {empty}: holds none of the registered datasets" in err[0]
    assert tree_state(project.raw_dir) == {}


def test_a_folder_in_place_of_a_mirror_file_is_refused_before_anything_is_fetched(project, shared, tmp_path, capsys):
    mirror = tmp_path / "mirror"
    shutil.copytree(shared / "kwb", mirror / "kwb")
    file = next(p for p in sorted((mirror / "kwb").iterdir()) if p.is_file())
    file.unlink()
    file.mkdir()  # what an unpacking tool or a hand can leave behind
    code = main(["--root", str(project.root), "--mirror", str(mirror), "fetch", "-q"])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == EXIT_BAD_INPUT and len(err) == 1, err
    assert f"{file}: expected the file of dataset" in err[0] and "found a folder" in err[0]
    assert tree_state(project.raw_dir) == {}  # refused before the first dataset: nothing in write-once data/raw


def test_a_mirror_that_is_a_symlink_loop_is_refused_in_one_line(project, tmp_path, capsys):
    loop = tmp_path / "loop"
    loop.symlink_to(loop)
    code = main(["--root", str(project.root), "--mirror", str(loop), "fetch", "-q"])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == EXIT_BAD_INPUT and len(err) == 1, err
    assert f"--mirror={str(loop)!r}: expected an existing folder with CBS files" in err[0]


@pytest.mark.parametrize("damage", ["folder", "not json"])
def test_a_damaged_fetch_record_stops_build_and_report_before_any_work(project, capsys, damage):
    from conftest import ROOT

    fetch(["kwb_2019_statline"], project, progress=False)
    before = build(project).generation
    shutil.copytree(ROOT / "notebooks", project.root / "notebooks")
    record = project.raw_dir / "kwb_2019_statline" / "_source.json"
    record.chmod(0o644)
    record.unlink()
    record.mkdir() if damage == "folder" else record.write_text("{", "utf-8")
    assert main(["--root", str(project.root), "build"]) == EXIT_BAD_INPUT
    assert main(["--root", str(project.root), "report", "--notebooks", "data_overview", "-q"]) == EXIT_BAD_INPUT
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 2 and all(str(record) in line for line in err), err
    assert current(project.processed_dir) == before  # the dataset was not silently left out of a new generation
    assert not project.reports_dir.exists() or not any(project.reports_dir.iterdir())  # no run was started


def test_a_real_folder_at_the_pointer_is_refused_before_the_report_runs(lab, capsys):
    pointer = lab.reports_dir / "latest-data_overview"
    (pointer / "someone's notes").mkdir(parents=True)
    runs = set(lab.reports_dir.iterdir())
    code = main(["--root", str(lab.root), "report", "--notebooks", "data_overview", "-q"])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == EXIT_BAD_INPUT and len(err) == 1, err
    assert f"{pointer}: a folder where the pointer 'latest-data_overview'" in err[0]
    assert set(lab.reports_dir.iterdir()) == runs and (pointer / "someone's notes").is_dir()


# -- build: generations ---------------------------------------------------------------------------------


def test_a_killed_build_leaves_the_previous_generation_whole(lab):
    before = current(lab.processed_dir)
    files_before = tree_state(folder(lab.processed_dir, before))
    staging_root = lab.processed_dir / "generations"
    for _attempt in range(3):  # the kill must land while the new generation is being written
        process = _command(lab, "build")

        def writing():
            return [s for s in staging_root.glob(".staging-*") if any(s.iterdir())]

        try:
            wait_for(lambda: writing() or process.poll() is not None, 120, "the build to write")  # noqa: B023
        finally:
            process.kill()
            process.wait()
        if current(lab.processed_dir) == before:
            break
        before = current(lab.processed_dir)  # it finished first: try again from the new generation
        files_before = tree_state(folder(lab.processed_dir, before))
    assert current(lab.processed_dir) == before
    assert tree_state(folder(lab.processed_dir, before)) == files_before
    assert ProcessedStore(lab).load_table("kwb").shape[0] == 776
    # the next build sweeps what the killed one left, and publishes a new whole generation
    assert list(staging_root.glob(".staging-*"))
    after = build(lab).generation
    assert not list(staging_root.glob(".staging-*")) and current(lab.processed_dir) == after != before


def test_a_table_whose_raw_data_is_gone_is_absent_from_the_new_generation(project):
    fetch(["kwb_2019_statline", "inkomen_wijk_2020"], project, progress=False)
    build(project)
    assert ProcessedStore(project).has_table("income")
    remove_tree(project.raw_dir / "inkomen_wijk_2020")
    report = build(project)
    assert "income" in report.skipped and not ProcessedStore(project).has_table("income")


def test_leftovers_of_killed_commands_are_swept_by_the_next_one_that_owns_the_folder(lab):
    from parkstad_analysis.reporting.publish import point_latest

    partial = lab.processed_dir / ".CURRENT.0badc0de.partial"  # a build killed while switching CURRENT
    partial.write_text("half", "utf-8")
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    pin = lab.processed_dir / "pins" / "report-killed.json"  # a report killed while it pinned a generation
    pin.parent.mkdir(exist_ok=True)
    pin.write_text(json.dumps({"generation": current(lab.processed_dir), "pid": dead.pid}), "utf-8")
    assert main(["--root", str(lab.root), "report", "--notebooks", "data_overview", "-q"]) == 0
    assert not pin.exists()  # the next report, which pins too
    build(lab)
    assert not partial.exists()  # the next build, which switches CURRENT
    run = lab.reports_dir / "latest-data_overview"
    stale = lab.reports_dir / ".latest-data_overview-20260101T000000Z-dead"  # a link made, never moved
    stale.symlink_to(run.resolve().name)
    point_latest(lab.reports_dir, run.resolve(), "latest-data_overview")
    assert not stale.is_symlink() and run.is_symlink()


def test_a_pointer_name_does_not_repeat_values():
    from parkstad_analysis.reporting.report import pointer_name

    assert pointer_name(None, ["gms", "gms"], None, None, None, "quantiles", None) == "latest-gms"


def test_an_area_key_that_is_a_path_is_refused():
    from parkstad_analysis.vocabulary.areas import parse_areas

    with pytest.raises(ConfigError, match=r"areas.toml: area key '\.\./\.\./tmp/evil': expected a plain name"):
        parse_areas({"../../tmp/evil": {"title": "x"}}, "areas.toml")


def test_the_same_inputs_give_the_same_bytes(lab):
    first = ProcessedStore(lab).checksums()
    build(lab)
    assert ProcessedStore(lab).checksums() == first  # geometry.gpkg included: no timestamps inside


def test_a_second_build_says_who_holds_the_folder(lab, capsys):
    with folder_lock(lab.processed_dir, "build"):
        code = main(["--root", str(lab.root), "build"])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == EXIT_FAILED and len(err) == 1
    assert f"{lab.processed_dir}: `parkstad build` (pid {os.getpid()}" in err[0]


def test_a_read_only_folder_gives_exit_2_and_one_line(lab, capsys):
    before = tree_state(lab.processed_dir)
    with _read_only(lab.processed_dir):
        code = main(["--root", str(lab.root), "build"])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == EXIT_BAD_INPUT and len(err) == 1, err
    assert err[0].startswith(f"parkstad build: error: {lab.processed_dir}") and "the folder must be" in err[0]
    assert tree_state(lab.processed_dir) == before


@pytest.mark.skipif(os.geteuid() != 0, reason="a small filesystem for a full disk needs root to mount")
def test_a_full_disk_gives_exit_1_one_line_and_keeps_the_previous_generation(lab, capsys, tmp_path):
    small = tmp_path / "small"
    small.mkdir()
    # room for the current generation and a third of another: the next build fills the disk part-way
    used = sum(p.stat().st_size for p in lab.processed_dir.rglob("*") if p.is_file())
    subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={used * 4 // 3 // 1024 + 64}k", "tmpfs", str(small)], check=True)
    try:
        full = Settings(root=lab.root, mirror=lab.mirror)
        shutil.copytree(lab.processed_dir, small / "processed", symlinks=True)
        shutil.rmtree(lab.processed_dir)
        lab.processed_dir.symlink_to(small / "processed")
        before = tree_state(small / "processed")
        code = main(["--root", str(full.root), "build"])
        err = capsys.readouterr().err.strip().splitlines()
        assert code == EXIT_FAILED and len(err) == 1, err
        assert "No space left on device; free some space" in err[0]
        assert tree_state(small / "processed") == before  # nothing half-written kept
    finally:
        subprocess.run(["umount", str(small)], check=True)


# -- report: one generation, clean interrupts, incremental --------------------------------------------


def test_a_report_beside_a_concurrent_build_records_one_generation(lab):
    pinned = current(lab.processed_dir)
    report = _command(lab, "report", "--areas", "gms", "--notebooks", "data_overview", "area_profile",
                      "--jobs", "2", "--name", "concurrent", "-q")
    wait_for(lambda: _started_run(lab), 60, "the report to start")
    rebuilt = build(lab).generation  # while the report's kernels read
    _, err = report.communicate(timeout=300)
    assert report.returncode == 0, err
    manifest = json.loads((lab.reports_dir / "concurrent/manifest.json").read_text("utf-8"))
    assert manifest["generation"] == pinned != rebuilt
    assert manifest["data"] == ProcessedStore(lab, pinned).checksums()  # the checksums describe what was read


def test_killing_only_the_parent_leaves_no_process_behind(lab):
    report = _command(lab, "report", "--notebooks", "trends", "--areas", "heerlen_noord", "gms", "--jobs", "2", "-q")
    kernels = wait_for(lambda: _kernels_of(report.pid), 120, "the kernels to start", step=0.2)
    family = psutil.Process(report.pid).children(recursive=True)
    assert kernels and family
    report.kill()  # the parent only: its workers and kernels must notice and stop
    report.wait()
    wait_for(lambda: not _alive(family), 30, "the workers and kernels to notice their parent is gone", step=0.2)


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_a_signal_stops_the_report_at_once_and_the_next_run_prunes_it(lab, signum):
    report = _command(lab, "report", "--notebooks", "trends", "--jobs", "2", "-q")
    wait_for(lambda: _kernels_of(report.pid), 120, "the kernels to start", step=0.2)
    family = psutil.Process(report.pid).children(recursive=True)
    run_dir = _started_run(lab)
    written = {p for p in run_dir.rglob("*") if p.is_file()}
    sent = time.monotonic()
    report.send_signal(signum)
    _, err = report.communicate(timeout=120)
    # About a second on an idle machine (make benchmark prints it); 5 s is the margin for a busy CI. Before the
    # workers and kernels were killed all at once it took 6-8 s, waiting for grandchildren that were not its own.
    assert time.monotonic() - sent < 5
    assert report.returncode == 128 + signum
    assert err.strip().splitlines()[-1] == f"parkstad report: interrupted: interrupted by {signal.Signals(signum).name}"
    wait_for(lambda: not _alive(family), 30, "the workers and kernels to stop", step=0.2)
    later = sorted(p.relative_to(run_dir).as_posix() for p in run_dir.rglob("*") if p.is_file() and p not in written
                   and not p.name.startswith(".") and p.parent.name != "logs")
    assert later == ["manifest.json"], later  # no page, figure, table or notebook was written after the signal
    manifest = json.loads((run_dir / "manifest.json").read_text("utf-8"))
    assert manifest["outcome"] == "interrupted" and (run_dir / INCOMPLETE).exists()
    assert not (lab.reports_dir / "latest-trends").exists()  # an interrupted run moves no pointer
    assert main(["--root", str(lab.root), "report", "--notebooks", "data_overview", "-q"]) == 0
    assert not run_dir.exists()


def test_a_killed_fork_server_ends_the_report_in_one_line_and_a_manifest_outcome(lab):
    report = _command(lab, "report", "--notebooks", "trends", "--jobs", "2", "-q")

    def fork_server():
        for child in psutil.Process(report.pid).children():
            with contextlib.suppress(psutil.Error):
                if "forkserver" in " ".join(child.cmdline()) and child.children():  # it has forked the workers
                    return child
        return None

    server = wait_for(fork_server, 120, "the fork server to fork the workers", step=0.2)
    wait_for(lambda: _kernels_of(report.pid), 120, "the kernels to start", step=0.2)
    run_dir = _started_run(lab)
    server.kill()
    _, err = report.communicate(timeout=120)
    assert report.returncode == EXIT_FAILED
    assert len(err.strip().splitlines()) == 1, err  # no BrokenProcessPool traceback
    assert err.startswith("parkstad report: failed: the notebooks stopped: a worker process or the fork server died")
    manifest = json.loads((run_dir / "manifest.json").read_text("utf-8"))
    assert manifest["outcome"] == "failed" and "fork server died" in manifest["reason"]


def test_incremental_skips_after_an_unchanged_rebuild(lab, capsys):
    args = ["--root", str(lab.root), "report", "--notebooks", "data_overview", "-q", "--incremental"]
    assert main(args) == 0
    build(lab)
    assert main(args) == 0
    assert "skipped: unchanged since run" in capsys.readouterr().out


def test_too_many_jobs_are_capped_with_a_note_that_names_the_real_limit():
    from parkstad_analysis.kernels import job_limits

    workers, notes = workers_for(1000, [object()] * 2000)
    cores, memory = job_limits()
    assert 1 <= workers < 1000 and notes[0].startswith(f"--jobs 1000 lowered to {workers}: ")
    assert (f"{os.cpu_count()} cores" in notes[0]) == (cores <= memory)  # the cores cap is not called memory
    with pytest.raises(ConfigError, match="--jobs 0: expected at least 1"):
        workers_for(0, [object()])
