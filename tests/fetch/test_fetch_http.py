"""fetch against a local stand-in of the CBS service on 127.0.0.1: feed paging, dimensions, limits, failures, deadlines."""

import hashlib
import json
import time

import pytest
import requests

from parkstad_analysis.config import Scope, Settings
from parkstad_analysis.errors import ChecksumError, FetchError
from parkstad_analysis.fetch import Dataset, fetch, raw_dataset
from parkstad_analysis.fetch.download import download_file
from parkstad_analysis.fetch.http import HttpClient
from parkstad_analysis.readers.odata import read_odata_typed_json
from parkstad_analysis.tables.kwb import kwb_from_odata

from cbs_server import API_LIMIT, BIG, DOWN, FLAKY, PAGED, ROWS, SILENT, TABLES, TRICKLE, TRUNCATED, WRONG_TITLE, CbsStandIn
from conftest import tree_state


@pytest.fixture
def server():
    with CbsStandIn() as stand_in:
        yield stand_in


@pytest.fixture
def online(tmp_path, server) -> Settings:
    """A project with no mirror, talking to the stand-in instead of CBS."""
    return Settings(root=tmp_path, mirror=None, cbs_url=server.url)


def _fetch(ids, settings, **options):
    return fetch(ids, settings, progress=False, **({"retries": 2, "backoff": 0.01, "timeout": 5} | options))


def test_data_comes_from_the_feed_paged_and_restricted_to_the_scope(online, server):
    [result] = _fetch(["kwb_2021"], online)
    assert (result.status, result.origin) == ("fetched", "cbs-odata")
    raw = raw_dataset("kwb_2021", online)
    rows = read_odata_typed_json(raw.path("TypedDataSet.json"))
    parkstad = [r["WijkenEnBuurten"] for r in ROWS if r["WijkenEnBuurten"][2:6] in ("0917", "0928")]
    assert rows["WijkenEnBuurten"].tolist() == parkstad  # Amsterdam filtered out by the server
    assert server.hits[f"/ODataFeed/odata/{PAGED}/TypedDataSet"] == 2  # six rows, four a page
    assert server.hits[f"/ODataApi/odata/{PAGED}/TypedDataSet"] == 0  # the API is for metadata only
    first = next(q for q in server.queries if q["path"].endswith("TypedDataSet"))
    assert "startswith(WijkenEnBuurten,'GM0917')" in first["$filter"]
    assert "startswith(WijkenEnBuurten,'BU1954')" in first["$filter"]  # Beekdaelen in 2021
    assert set(raw.files) == {"TypedDataSet.json", "DataProperties.json", "TableInfos.json", "WijkenEnBuurten.json"}


def test_region_names_are_fetched_and_used(online):
    _fetch(["kwb_2021"], online)
    frame = kwb_from_odata(raw_dataset("kwb_2021", online).folder, 2021, "stand-in").set_index("region_code")
    assert frame.at["BU09280102", "region_name"] == "Rolduckerveld"
    assert frame.at["GM0917", "aantal_inwoners"] == 86000 and frame.at["GM0917", "nettoarbeidsparticipatie"] == 62.4
    assert frame["nettoarbeidsparticipatie"].isna().sum() == 2  # null and -99997


def test_the_national_scope_asks_for_everything(tmp_path, server):
    settings = Settings(root=tmp_path, mirror=None, cbs_url=server.url, scope=Scope.parse("nl"))
    _fetch(["kwb_2021"], settings)
    rows = read_odata_typed_json(raw_dataset("kwb_2021", settings).path("TypedDataSet.json"))
    assert len(rows) == len(ROWS) and "GM0363" in set(rows["WijkenEnBuurten"].str.strip())
    assert all("$filter" not in q for q in server.queries if q["path"].endswith("TypedDataSet"))


def test_a_table_over_the_api_limit_comes_through_the_feed(online, server):
    cells = len(TABLES[BIG]["rows"]) * len(TABLES[BIG]["rows"][0])
    assert cells > API_LIMIT
    refused = requests.get(f"{server.url}/ODataApi/odata/{BIG}/TypedDataSet", timeout=10)
    assert refused.status_code == 500 and "te groot" in refused.text
    [result] = _fetch(["uitkeringen_2023"], online)
    assert result.status == "fetched"
    rows = read_odata_typed_json(raw_dataset("uitkeringen_2023", online).path("TypedDataSet.json"))
    assert len(rows) * len(rows.columns) > API_LIMIT and len(rows) == len(TABLES[BIG]["rows"])
    assert server.hits[f"/ODataFeed/odata/{BIG}/TypedDataSet"] > 1
    assert (raw_dataset("uitkeringen_2023", online).folder / "Perioden.json").is_file()


def test_a_table_whose_title_does_not_match_is_refused(online, server):
    with pytest.raises(FetchError, match=f"table {WRONG_TITLE} is titled 'Bevolking; kerncijfers, 2017'.*refused"):
        _fetch(["uitkeringen_2017"], online)
    assert tree_state(online.raw_dir) == {}
    assert server.hits[f"/ODataFeed/odata/{WRONG_TITLE}/TypedDataSet"] == 0  # refused before any data is asked for


def test_a_client_error_is_not_retried(online, server):
    with pytest.raises(FetchError, match="HTTP 404 .*a client error, not retried"):
        _fetch(["uitkeringen_2018"], online)
    assert server.hits["/ODataApi/odata/84417NED/TableInfos"] == 1


def test_server_error_is_retried_then_succeeds(online, server):
    [result] = _fetch(["kwb_2022"], online)
    assert result.status == "fetched"
    assert server.hits[f"/ODataApi/odata/{FLAKY}/TableInfos"] == 2  # 500, then the answer


def test_truncated_body_is_fetched_again(online, server):
    [result] = _fetch(["kwb_2023"], online)
    assert result.status == "fetched"
    rows = read_odata_typed_json(raw_dataset("kwb_2023", online).path("TypedDataSet.json"))
    assert len(rows) == 6
    assert server.hits[f"/ODataFeed/odata/{TRUNCATED}/TypedDataSet"] == 3  # cut short, again, then the second page


def test_server_that_keeps_failing_gives_clear_error_and_no_partial_files(online, server):
    with pytest.raises(FetchError, match=f"{DOWN}/TableInfos.*HTTP 500 after 2 retries"):
        _fetch(["kwb_2016"], online)
    assert tree_state(online.raw_dir) == {}
    assert server.hits[f"/ODataApi/odata/{DOWN}/TableInfos"] == 3  # first try and two retries


def test_a_trickling_server_ends_in_an_error_within_the_deadline(online, server):
    started = time.monotonic()
    with pytest.raises(FetchError, match="not finished within the deadline of 3 s"):
        _fetch(["kwb_2019"], online, deadline=3)
    # It stopped waiting: the server sends one byte every half second and would need minutes for the whole body.
    assert time.monotonic() - started < 60
    assert server.hits[f"/ODataFeed/odata/{TRICKLE}/TypedDataSet"] >= 1
    assert tree_state(online.raw_dir) == {}


def test_a_silent_server_ends_in_an_error(online, server):
    started = time.monotonic()
    with pytest.raises(FetchError, match=f"{SILENT}/TypedDataSet"):
        _fetch(["kwb_2020"], online, timeout=1, retries=1, deadline=300)
    # The read timeout ended it, not the deadline (300 s) nor the server (silent for 120 s).
    assert time.monotonic() - started < 100


@pytest.mark.parametrize("deadline, file_deadline", [(6, 3), (4, None)])
def test_a_server_that_accepts_and_never_answers_is_left_within_the_deadline(online, server, deadline, file_deadline):
    started = time.monotonic()
    with pytest.raises(FetchError, match="not finished within the deadline of [34] s"):
        _fetch(["kwb_2020"], online, timeout=60, retries=3, deadline=deadline, file_deadline=file_deadline)
    # Every attempt and pause gets only the time left: not four read timeouts of the first attempt's length.
    assert time.monotonic() - started < deadline + 5
    assert tree_state(online.raw_dir) == {}


def test_unreachable_server_is_a_fetch_error(tmp_path):
    settings = Settings(root=tmp_path, mirror=None, cbs_url="http://127.0.0.1:9")
    with pytest.raises(FetchError, match="127.0.0.1:9"):
        _fetch(["kwb_2021"], settings)
    assert tree_state(settings.raw_dir) == {}


def _file_dataset(server, body: bytes, sha: str | None) -> Dataset:
    server.files["kaart.zip"] = body
    return Dataset(id="kaart", title="t", source="url", format="wijkbuurtkaart-zip", feeds="geometry",
                   period="2023", url=f"{server.url}/files/kaart.zip", sha256=sha)


def test_fixed_file_download_checks_its_sum(server, tmp_path):
    body = b"PK-not-really-a-zip" * 100
    dataset = _file_dataset(server, body, hashlib.sha256(body).hexdigest())
    files = download_file(dataset, tmp_path, HttpClient(retries=1, backoff=0.01, timeout=5, progress=False))
    assert files == {"kaart.zip": hashlib.sha256(body).hexdigest()}
    assert (tmp_path / "kaart.zip").read_bytes() == body


def test_fixed_file_with_wrong_sum_is_refused_and_not_kept(server, tmp_path):
    dataset = _file_dataset(server, b"changed content", "0" * 64)
    with pytest.raises(ChecksumError, match="kaart.zip"):
        download_file(dataset, tmp_path, HttpClient(retries=1, backoff=0.01, timeout=5, progress=False))
    assert not (tmp_path / "kaart.zip").exists()


def test_the_fetch_record_names_the_scope(online):
    _fetch(["kwb_2021"], online)
    record = json.loads((online.raw_dir / "kwb_2021" / "_source.json").read_text("utf-8"))
    assert record["scope"] == "parkstad" and record["table_id"] == PAGED


def test_names_are_in_the_built_tables_after_a_download(online, capsys):
    from parkstad_analysis.cli import EXIT_OK, main
    from parkstad_analysis.tables.build import build

    _fetch(["kwb_2021"], online)
    build(online)
    assert main(["--root", str(online.root), "--mirror", "none", "areas", "rolduckerveld"]) == EXIT_OK
    out = capsys.readouterr().out
    assert "BU09280102 Rolduckerveld" in out and "?" not in out
