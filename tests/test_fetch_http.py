"""fetch against a local CBS stand-in on 127.0.0.1: paging, retries, truncation, failures."""

import hashlib

import pytest

from parkstad_analysis.config import Settings
from parkstad_analysis.errors import ChecksumError, FetchError
from parkstad_analysis.fetch import Dataset, fetch, raw_dataset
from parkstad_analysis.fetch.download import download_file
from parkstad_analysis.fetch.http import HttpClient
from parkstad_analysis.readers.odata import read_odata_typed_json
from parkstad_analysis.tables.kwb import kwb_from_odata

from cbs_server import DOWN, FLAKY, PAGED, ROWS, TRUNCATED, CbsStandIn
from conftest import tree_state


@pytest.fixture
def server():
    with CbsStandIn() as stand_in:
        yield stand_in


@pytest.fixture
def online(tmp_path, server) -> Settings:
    """A project with no mirror, talking to the stand-in instead of CBS."""
    return Settings(root=tmp_path, mirror=None, odata_url=f"{server.url}/odata")


def _fetch(ids, settings):
    return fetch(ids, settings, progress=False, retries=2, backoff=0.01, timeout=5)


def test_paged_table_is_joined_across_next_links(online, server):
    [result] = _fetch(["kwb_2021"], online)
    assert (result.status, result.origin) == ("fetched", "cbs-odata")
    raw = raw_dataset("kwb_2021", online)
    rows = read_odata_typed_json(raw.path("TypedDataSet.json"))
    assert rows["WijkenEnBuurten"].tolist() == [r["WijkenEnBuurten"] for r in ROWS]
    assert server.hits[f"/odata/{PAGED}/TypedDataSet"] == 2
    first = next(q for q in server.queries if q["path"].endswith("TypedDataSet"))
    assert "startswith(WijkenEnBuurten,'GM0917')" in first["$filter"]
    assert "startswith(WijkenEnBuurten,'BU1954')" in first["$filter"]  # Beekdaelen in 2021
    assert set(raw.files) == {"TypedDataSet.json", "DataProperties.json", "TableInfos.json"}


def test_fetched_odata_table_builds_into_tidy_rows(online):
    _fetch(["kwb_2021"], online)
    frame = kwb_from_odata(raw_dataset("kwb_2021", online).folder, 2021, "stand-in")
    heerlen = frame.set_index("region_code").loc["GM0917"]
    assert heerlen["aantal_inwoners"] == 86000 and heerlen["nettoarbeidsparticipatie"] == 62.4
    assert frame.set_index("region_code")["nettoarbeidsparticipatie"].isna().sum() == 2  # null and -99997


def test_server_error_is_retried_then_succeeds(online, server):
    [result] = _fetch(["kwb_2022"], online)
    assert result.status == "fetched"
    assert server.hits[f"/odata/{FLAKY}/TypedDataSet"] == 3  # 500, then two pages


def test_truncated_body_is_fetched_again(online, server):
    [result] = _fetch(["kwb_2023"], online)
    assert result.status == "fetched"
    rows = read_odata_typed_json(raw_dataset("kwb_2023", online).path("TypedDataSet.json"))
    assert len(rows) == len(ROWS)
    assert server.hits[f"/odata/{TRUNCATED}/TypedDataSet"] == 3


def test_server_that_keeps_failing_gives_clear_error_and_no_partial_files(online, server):
    with pytest.raises(FetchError, match=f"{DOWN}/TypedDataSet.*HTTP 500 after 2 retries"):
        _fetch(["kwb_2016"], online)
    assert tree_state(online.raw_dir) == {}
    assert server.hits[f"/odata/{DOWN}/TypedDataSet"] == 3  # first try and two retries


def test_unreachable_server_is_a_fetch_error(tmp_path):
    settings = Settings(root=tmp_path, mirror=None, odata_url="http://127.0.0.1:9/odata")
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
