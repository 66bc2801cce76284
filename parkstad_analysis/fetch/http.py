"""The HTTP client for CBS: timeouts, an overall deadline, retries with back-off and jitter.

Server errors (429, 5xx), dropped connections and bodies that arrive cut short
are retried; client errors (4xx) are not, and are reported as what they are.
A body is read in chunks against a deadline, so a server that trickles bytes
cannot keep a fetch busy past it.
"""

from __future__ import annotations

import contextlib
import json
import random
import time
from pathlib import Path

import requests
import urllib3
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

from ..errors import FetchError

RETRIED_STATUS = (429, 500, 502, 503, 504)


class Deadline:
    """A point in time a download must finish by."""

    def __init__(self, seconds: float, what: str):
        self.seconds, self.what = seconds, what
        self.at = time.monotonic() + seconds

    def within(self, seconds: float, what: str) -> Deadline:
        """A deadline for one part (a file, a request): ``seconds`` from now, but never past this one."""
        part = Deadline(seconds, what)
        if self.at < part.at:
            part.at, part.seconds, part.what = self.at, self.seconds, self.what
        return part

    def left(self) -> float:
        """Seconds left; raises :class:`FetchError` when none are."""
        left = self.at - time.monotonic()
        if left <= 0:
            raise FetchError(f"{self.what}: not finished within the deadline of {self.seconds:g} s")
        return left


class HttpClient:
    """GET documents from CBS with retries and deadlines.

    Parameters
    ----------
    retries : int
        Attempts after the first, for server errors, dropped connections and truncated bodies.
    backoff : float
        Back-off factor in seconds (doubling per attempt, with up to 50 % random jitter).
    timeout : float
        Seconds to wait for a connection or for the next bytes of an answer.
    deadline : float
        Seconds one request or file (all its attempts together) may take; within a dataset's
        deadline when one is passed.
    progress : bool
        Show progress bars.
    """

    def __init__(self, retries: int = 3, backoff: float = 1.0, timeout: float = 60.0, deadline: float = 600.0,
                 progress: bool = True):
        self.retries, self.backoff, self.timeout, self.deadline, self.progress = retries, backoff, timeout, deadline, progress
        self.session = requests.Session()
        policy = Retry(total=retries, connect=retries, read=retries, status=retries, backoff_factor=backoff,
                       backoff_jitter=backoff / 2, status_forcelist=RETRIED_STATUS, allowed_methods=("GET",),
                       raise_on_status=False)
        adapter = HTTPAdapter(max_retries=policy)
        self.session.mount("http://", adapter)
        self.session.mount("https://", adapter)
        self.session.headers["User-Agent"] = "parkstad-analysis"

    def _for_request(self, url: str, deadline: Deadline | None) -> Deadline:
        """The deadline of one request or file: the client's, within the dataset's when there is one."""
        return deadline.within(self.deadline, url) if deadline else Deadline(self.deadline, url)

    def _pause(self, attempt: int, deadline: Deadline) -> None:
        wait = self.backoff * (2**attempt) * (1 + random.random() / 2)
        time.sleep(min(wait, max(deadline.left() - 0.01, 0)))

    def _stream(self, url: str, params: dict | None, deadline: Deadline, sink) -> None:
        """One GET, its body passed to ``sink`` in chunks read against the deadline; a client error is final."""
        with self.session.get(url, params=params, timeout=(self.timeout, min(self.timeout, deadline.left())),
                              stream=True) as response:
            if response.status_code >= 400:
                status, reason = response.status_code, response.reason or ""
                if status in RETRIED_STATUS:
                    raise FetchError(f"{response.url}: HTTP {status} after {self.retries} retries ({reason})")
                raise FetchError(f"{response.url}: HTTP {status} {reason}: a client error, not retried")
            # read1 returns what has arrived: a server trickling bytes cannot hold a read past the deadline
            while chunk := response.raw.read1(1 << 16, decode_content=True):
                sink(chunk)
                deadline.left()

    def _with_retries(self, url: str, params: dict | None, deadline: Deadline, open_sink) -> None:
        """Stream a GET into a fresh sink per attempt; retried when the body is cut short or stalls."""
        last: Exception | None = None
        for attempt in range(self.retries + 1):
            try:
                with open_sink() as sink:
                    self._stream(url, params, deadline, sink)
                return
            except (requests.exceptions.ChunkedEncodingError, requests.exceptions.ContentDecodingError,
                    requests.exceptions.ReadTimeout, urllib3.exceptions.ProtocolError,
                    urllib3.exceptions.ReadTimeoutError) as exc:
                last = exc  # a truncated or stalled body: ask again
            except requests.exceptions.RequestException as exc:
                raise FetchError(f"{url}: {type(exc).__name__}: {exc}") from exc
            if attempt < self.retries:
                self._pause(attempt, deadline)
        raise FetchError(f"{url}: incomplete answer after {self.retries + 1} attempts ({last})")

    def get(self, url: str, params: dict | None = None, deadline: Deadline | None = None) -> bytes:
        """The body of a GET, read whole."""
        chunks: list[bytes] = []

        @contextlib.contextmanager
        def fresh():
            chunks.clear()
            yield chunks.append

        self._with_retries(url, params, self._for_request(url, deadline), fresh)
        return b"".join(chunks)

    def get_json(self, url: str, params: dict | None = None, deadline: Deadline | None = None) -> dict:
        """GET a JSON document; retry when the body arrives cut short or is not JSON."""
        deadline = self._for_request(url, deadline)
        last: Exception | None = None
        for attempt in range(self.retries + 1):
            body = self.get(url, params, deadline)
            try:
                return json.loads(body.decode("utf-8-sig"))
            except (json.JSONDecodeError, UnicodeDecodeError) as exc:
                last = exc  # cut short without the server saying so: ask again
            if attempt < self.retries:
                self._pause(attempt, deadline)
        raise FetchError(f"{url}: incomplete or invalid JSON after {self.retries + 1} attempts ({last})")

    def download(self, url: str, target: Path, deadline: Deadline | None = None) -> None:
        """Stream the body of a GET into ``target`` (pooch's downloader: it checks the sum and moves the file)."""

        @contextlib.contextmanager
        def fresh():
            with open(target, "wb") as handle:
                yield handle.write

        self._with_retries(url, None, self._for_request(url, deadline), fresh)
