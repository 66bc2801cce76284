"""The HTTP client for CBS: a requests session with timeouts, retries on 5xx and connection errors, and on cut-off bodies."""

from __future__ import annotations

import json
import time

import requests
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

from ..errors import FetchError


class HttpClient:
    """GET JSON documents with retries.

    Parameters
    ----------
    retries : int
        Attempts after the first, for server errors, dropped connections and truncated bodies.
    backoff : float
        Back-off factor in seconds (doubling per attempt).
    timeout : float
        Seconds to wait for a connection or for the next bytes of an answer.
    progress : bool
        Show progress bars.
    """

    def __init__(self, retries: int = 3, backoff: float = 1.0, timeout: float = 60.0, progress: bool = True):
        self.retries, self.backoff, self.timeout, self.progress = retries, backoff, timeout, progress
        self.session = requests.Session()
        policy = Retry(
            total=retries, connect=retries, read=retries, status=retries, backoff_factor=backoff,
            status_forcelist=(429, 500, 502, 503, 504), allowed_methods=("GET",), raise_on_status=False,
        )
        adapter = HTTPAdapter(max_retries=policy)
        self.session.mount("http://", adapter)
        self.session.mount("https://", adapter)
        self.session.headers["User-Agent"] = "parkstad-analysis"

    def get_json(self, url: str, params: dict | None = None) -> dict:
        """GET a JSON document; retry when the body arrives cut short or is not JSON."""
        last: Exception | None = None
        for attempt in range(self.retries + 1):
            try:
                response = self.session.get(url, params=params, timeout=self.timeout)
                if response.status_code >= 400:
                    raise FetchError(f"{response.url}: HTTP {response.status_code} after {self.retries} retries")
                return json.loads(response.content.decode("utf-8-sig"))
            except (requests.exceptions.ChunkedEncodingError, requests.exceptions.ContentDecodingError,
                    json.JSONDecodeError, UnicodeDecodeError) as exc:
                last = exc  # a truncated or garbled body: ask again
            except requests.exceptions.RequestException as exc:
                raise FetchError(f"{url}: {type(exc).__name__}: {exc}") from exc
            time.sleep(self.backoff * (2**attempt))
        raise FetchError(f"{url}: incomplete or invalid JSON after {self.retries + 1} attempts ({last})")
