"""The parkstad command: fetch and build end to end, exit codes for bad input."""

from parkstad_analysis.cli import EXIT_BAD_INPUT, EXIT_FAILED, EXIT_OK, main
from parkstad_analysis.config import Settings
from parkstad_analysis.processed import ProcessedStore


def test_fetch_then_build_from_the_mirror(tmp_path, shared, capsys):
    args = ["--root", str(tmp_path), "--mirror", str(shared)]
    assert main([*args, "fetch", "--quiet", "kwb_2019_statline", "buurtcodes_heerlen_2023"]) == EXIT_OK
    assert main([*args, "build"]) == EXIT_OK
    out = capsys.readouterr().out
    assert "fetched  kwb_2019_statline (mirror)" in out and "table  kwb" in out
    kwb = ProcessedStore(Settings(root=tmp_path, mirror=shared)).load_table("kwb")
    assert kwb.loc[kwb["region_code"] == "GM0917", "aantal_inwoners"].item() == 86832
    assert main([*args, "datasets"]) == EXIT_OK
    assert "kwb_2019" in capsys.readouterr().out


def test_unknown_dataset_exits_2_with_the_valid_names(tmp_path, shared, capsys):
    assert main(["--root", str(tmp_path), "--mirror", str(shared), "fetch", "kwb_1999"]) == EXIT_BAD_INPUT
    err = capsys.readouterr().err
    assert "unknown dataset 'kwb_1999'" in err and "kwb_2019" in err


def test_bad_mirror_option_exits_2(tmp_path, capsys):
    assert main(["--root", str(tmp_path), "--mirror", str(tmp_path / "missing"), "fetch"]) == EXIT_BAD_INPUT
    assert "--mirror=" in capsys.readouterr().err


def test_build_before_fetch_exits_1(tmp_path, capsys):
    assert main(["--root", str(tmp_path), "--mirror", "none", "build"]) == EXIT_FAILED
    assert "run `parkstad fetch` first" in capsys.readouterr().err


def test_areas_give_2019_inhabitants_from_cbs_own_table(built, capsys):
    # CBS 84583NED (the KWB 2019 table itself), not the StatLine export whose buurt sums fall short of the totals
    assert main(["--root", str(built.root), "--mirror", str(built.mirror), "areas", "gms", "hoensbroek",
                 "heerlen_noord"]) == EXIT_OK
    lines = [line.split() for line in capsys.readouterr().out.splitlines() if line.startswith("    2019 ")]
    assert [line[1] for line in lines] == ["3,900", "18,895", "53,205"]
    assert all(line[2:4] == ["CBS", "84583NED"] for line in lines)
