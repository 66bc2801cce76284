"""A stand-in for the CBS OData API and download server, on 127.0.0.1 only.

Serves OData-v3-shaped answers for a few tables, with the failure modes a real
download meets: paging through ``odata.nextLink``, a 500 before success, a body
cut short, a server that keeps failing.
"""

from __future__ import annotations

import json
import threading
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

PROPERTIES = [
    {"ID": 0, "Position": 0, "ParentID": None, "Type": "GeoDimension", "Key": "WijkenEnBuurten", "Title": "Wijken en buurten"},
    {"ID": 1, "Position": 1, "ParentID": None, "Type": "TopicGroup", "Key": "", "Title": "Bevolking"},
    {"ID": 2, "Position": 2, "ParentID": 1, "Type": "Topic", "Key": "AantalInwoners_5", "Title": "Aantal inwoners",
     "Unit": "aantal", "Decimals": 0, "Datatype": "Long"},
    {"ID": 3, "Position": 3, "ParentID": None, "Type": "TopicGroup", "Key": "", "Title": "Arbeid"},
    {"ID": 4, "Position": 4, "ParentID": 3, "Type": "Topic", "Key": "Nettoarbeidsparticipatie_71",
     "Title": "Nettoarbeidsparticipatie", "Unit": "%", "Decimals": 1, "Datatype": "Double"},
]
ROWS = [
    {"ID": 0, "WijkenEnBuurten": "GM0917    ", "AantalInwoners_5": 86000, "Nettoarbeidsparticipatie_71": 62.4},
    {"ID": 1, "WijkenEnBuurten": "WK091710  ", "AantalInwoners_5": 3900, "Nettoarbeidsparticipatie_71": 60.1},
    {"ID": 2, "WijkenEnBuurten": "BU09171000", "AantalInwoners_5": 3430, "Nettoarbeidsparticipatie_71": None},
    {"ID": 3, "WijkenEnBuurten": "BU09171001", "AantalInwoners_5": 470, "Nettoarbeidsparticipatie_71": -99997},
    {"ID": 4, "WijkenEnBuurten": "GM0928    ", "AantalInwoners_5": 45600, "Nettoarbeidsparticipatie_71": 61.9},
]
PAGE = 3  # rows per page, so the table needs two pages

PAGED, FLAKY, TRUNCATED, DOWN = "85039NED", "85318NED", "85618NED", "83487NED"


class CbsStandIn(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self):
        super().__init__(("127.0.0.1", 0), _Handler)
        self.hits: Counter[str] = Counter()
        self.queries: list[dict] = []
        self.files: dict[str, bytes] = {}

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    def __enter__(self):
        threading.Thread(target=self.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc):
        self.shutdown()
        self.server_close()


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.0"

    def log_message(self, *args):  # keep test output quiet
        pass

    def _send(self, status: int, body: bytes, declared: int | None = None):
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(declared if declared is not None else len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        server: CbsStandIn = self.server
        parsed = urlparse(self.path)
        server.hits[parsed.path] += 1
        query = parse_qs(parsed.query)
        server.queries.append({"path": parsed.path, **{k: v[0] for k, v in query.items()}})
        parts = parsed.path.strip("/").split("/")
        if parts[0] == "files" and parts[-1] in server.files:
            return self._send(200, server.files[parts[-1]])
        if len(parts) != 3 or parts[0] != "odata":
            return self._send(404, b'{"error": "not found"}')
        _, table, resource = parts
        if table == DOWN:
            return self._send(500, b'{"odata.error": "down"}')
        if table == FLAKY and server.hits[parsed.path] == 1:
            return self._send(500, b'{"odata.error": "try again"}')
        if resource == "DataProperties":
            return self._send(200, json.dumps({"value": PROPERTIES}).encode())
        if resource == "TableInfos":
            return self._send(200, json.dumps({"value": [{"Identifier": table, "Title": "stand-in"}]}).encode())
        if resource == "TypedDataSet":
            skip = int(query.get("$skip", ["0"])[0])
            document = {"value": ROWS[skip: skip + PAGE]}
            if skip + PAGE < len(ROWS):
                document["odata.nextLink"] = f"{server.url}/odata/{table}/TypedDataSet?$skip={skip + PAGE}"
            body = json.dumps(document).encode()
            if table == TRUNCATED and server.hits[parsed.path] == 1:
                return self._send(200, body[: len(body) // 2], declared=len(body))
            return self._send(200, body)
        return self._send(404, b'{"error": "no such resource"}')
