"""The HTTP client for CBS: timeouts, an overall deadline, retries with back-off and jitter.

Server errors (429, 5xx), dropped connections, stalled answers and bodies that
arrive cut short are retried; client errors (4xx) are not, and are reported as
what they are. Every retry happens here, in one loop that looks at the deadline
before each attempt and each pause and gives each attempt only the time left (the
HTTP library underneath retries nothing: its retries would resend a request with
the timeout of the first, past any deadline). A body is read in chunks against the
deadline, so a server that trickles bytes cannot keep a fetch busy past it either.
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


class _Retryable(Exception):
    """A server error worth asking again (429, 5xx), with the pause the server asked for, if any."""

    def __init__(self, url: str, status: int, reason: str, retry_after: float):
        super().__init__(f"HTTP {status} ({reason})")
        self.url, self.status, self.reason, self.retry_after = url, status, reason, retry_after


def _retry_after(value: str | None) -> float:
    """Seconds of a ``Retry-After`` header given in seconds; 0 when absent or a date."""
    try:
        return max(float(value), 0.0) if value else 0.0
    except ValueError:
        return 0.0


#: What ends one attempt but is worth another: cut-short or stalled bodies, dropped or refused connections.
_TRANSIENT = (requests.exceptions.ChunkedEncodingError, requests.exceptions.ContentDecodingError,
              requests.exceptions.Timeout, requests.exceptions.ConnectionError, urllib3.exceptions.ProtocolError,
              urllib3.exceptions.ReadTimeoutError, _Retryable)


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
        # redirects only: every retry is this client's own, against the deadline (see the module's docstring)
        policy = Retry(total=None, connect=0, read=0, status=0, other=0, redirect=5, raise_on_status=False)
        adapter = HTTPAdapter(max_retries=policy)
        self.session.mount("http://", adapter)
        self.session.mount("https://", adapter)
        self.session.headers["User-Agent"] = "parkstad-analysis"

    def _for_request(self, url: str, deadline: Deadline | None) -> Deadline:
        """The deadline of one request or file: the client's, within the dataset's when there is one."""
        return deadline.within(self.deadline, url) if deadline else Deadline(self.deadline, url)

    def _pause(self, attempt: int, deadline: Deadline, asked: float = 0.0) -> None:
        """Back off (doubling, with jitter; longer when the server asked for it), never past the deadline."""
        wait = max(self.backoff * (2**attempt) * (1 + random.random() / 2), asked)
        time.sleep(min(wait, max(deadline.left() - 0.01, 0)))
        deadline.left()  # nothing left after the pause: say so now rather than start an attempt without time

    def _stream(self, url: str, params: dict | None, deadline: Deadline, sink) -> None:
        """One GET, its body passed to ``sink`` in chunks read against the deadline; a client error is final."""
        wait = min(self.timeout, deadline.left())  # connecting and each read: at most the time left
        with self.session.get(url, params=params, timeout=(wait, wait), stream=True) as response:
            if response.status_code >= 400:
                status, reason = response.status_code, response.reason or ""
                if status in RETRIED_STATUS:
                    raise _Retryable(response.url, status, reason, _retry_after(response.headers.get("Retry-After")))
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
            except _TRANSIENT as exc:
                last = exc  # a server error, a refused or dropped connection, a truncated or stalled body: ask again
            except requests.exceptions.RequestException as exc:
                raise FetchError(f"{url}: {type(exc).__name__}: {exc}") from exc
            if attempt < self.retries:
                self._pause(attempt, deadline, getattr(last, "retry_after", 0.0))
        if isinstance(last, _Retryable):
            raise FetchError(f"{last.url}: HTTP {last.status} after {self.retries} retries ({last.reason})")
        raise FetchError(f"{url}: no complete answer after {self.retries + 1} attempts ({type(last).__name__}: {last})")

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
