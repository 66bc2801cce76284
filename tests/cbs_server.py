"""A stand-in for the CBS open-data service, on 127.0.0.1 only, that behaves like the real one.

* ``/ODataApi/odata/<table>/…``: metadata (TableInfos, DataProperties) and dimensions
  (WijkenEnBuurten with names, Perioden), paged through ``odata.nextLink``; a data request
  over 10,000 cells is refused with a server error, as CBS does;
* ``/ODataFeed/odata/<table>/TypedDataSet``: the bulk feed, paged through ``odata.nextLink``;
* ``$filter`` with ``startswith(…,'…')`` terms is applied, ``$select`` too;
* failure modes a real download meets: a 500 before success, a body cut short, a server that
  keeps failing, a table that does not exist (404), a table whose title is not what the
  registry expects, a server that trickles its answer, and one that stays silent;
* ``/files/<name>``: fixed files such as a wijk- en buurtkaart zip.
"""

from __future__ import annotations

import json
import re
import threading
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, quote, urlparse

API_LIMIT = 10_000  # cells per request on the ODataApi
FEED_PAGE = 4  # rows per page of the bulk feed (small, so paging is exercised)

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
    {"ID": 5, "WijkenEnBuurten": "BU09280102", "AantalInwoners_5": 2100, "Nettoarbeidsparticipatie_71": 55.0},
    {"ID": 6, "WijkenEnBuurten": "GM0363    ", "AantalInwoners_5": 931298, "Nettoarbeidsparticipatie_71": 70.2},
]
NAMES = {"GM0917": "Heerlen", "WK091710": "Wijk 10 Maria Gewanden en Terschuren", "BU09171000": "Maria Gewanden",
         "BU09171001": "Terschuren", "GM0928": "Kerkrade", "BU09280102": "Rolduckerveld", "GM0363": "Amsterdam"}
BENEFIT_PROPERTIES = [
    {"ID": 0, "Type": "GeoDimension", "Key": "WijkenEnBuurten", "Title": "Wijken en buurten"},
    {"ID": 1, "Type": "TimeDimension", "Key": "Perioden", "Title": "Perioden"},
    *({"ID": i + 2, "Type": "Topic", "Key": key, "Title": key, "Unit": "aantal", "Decimals": 0, "Datatype": "Long"}
      for i, key in enumerate(["Werkloosheidsuitkering_5", "Bijstandsuitkering_6", "Arbeidsongeschiktheidsuitkering_7",
                               "AOWUitkering_8", "InwonersVanaf15Jaar_13"])),
]


def _benefit_rows(buurten: int = 600, months: tuple[str, ...] = ("2023MM03", "2023MM06", "2023MM09", "2023MM12")) -> list[dict]:
    """A benefit table large enough that the API refuses it: Heerlen, Kerkrade and a few hundred of their buurten."""
    rows = []
    codes = ["GM0917    ", "GM0928    "] + [f"BU0917{n:04d}" for n in range(buurten // 2)] + \
        [f"BU0928{n:04d}" for n in range(buurten // 2)]
    for month in months:
        for i, code in enumerate(codes):
            rows.append({"ID": len(rows), "WijkenEnBuurten": code, "Perioden": month, "Werkloosheidsuitkering_5": 10,
                         "Bijstandsuitkering_6": 20 + i % 7 * 10, "Arbeidsongeschiktheidsuitkering_7": 30,
                         "AOWUitkering_8": 100, "InwonersVanaf15Jaar_13": 1000})
    return rows


#: table id → what the stand-in serves for it
TABLES = {
    "85039NED": {"title": "Kerncijfers wijken en buurten 2021", "properties": PROPERTIES, "rows": ROWS},
    "85318NED": {"title": "Kerncijfers wijken en buurten 2022", "properties": PROPERTIES, "rows": ROWS, "flaky": True},
    "85618NED": {"title": "Kerncijfers wijken en buurten 2023", "properties": PROPERTIES, "rows": ROWS, "truncated": True},
    "83487NED": {"title": "Kerncijfers wijken en buurten 2016", "properties": PROPERTIES, "rows": ROWS, "down": True},
    "84583NED": {"title": "Kerncijfers wijken en buurten 2019", "properties": PROPERTIES, "rows": ROWS, "trickle": True},
    "84799NED": {"title": "Kerncijfers wijken en buurten 2020", "properties": PROPERTIES, "rows": ROWS, "silent": True},
    "85586NED": {"title": "Uitkeringsontvangers per wijk en buurt, 2023", "properties": BENEFIT_PROPERTIES,
                 "rows": _benefit_rows(), "page": 1000},
    "83759NED": {"title": "Bevolking; kerncijfers, 2017", "properties": BENEFIT_PROPERTIES, "rows": _benefit_rows(10)},
}
PAGED, FLAKY, TRUNCATED, DOWN = "85039NED", "85318NED", "85618NED", "83487NED"
TRICKLE, SILENT, BIG, WRONG_TITLE = "84583NED", "84799NED", "85586NED", "83759NED"


def _apply_filter(rows: list[dict], expression: str | None, key: str) -> list[dict]:
    """The rows an OData ``$filter`` of ``startswith`` terms joined by ``or`` selects."""
    if not expression:
        return rows
    prefixes = re.findall(rf"startswith\({key},'([^']*)'\)", expression)
    return [r for r in rows if any(str(r[key]).startswith(p) for p in prefixes)]


class CbsStandIn(ThreadingHTTPServer):
    """The stand-in server; ``hits`` counts requests per path and ``queries`` keeps their parameters."""

    daemon_threads = True

    def __init__(self):
        super().__init__(("127.0.0.1", 0), _Handler)
        self.hits: Counter[str] = Counter()
        self.queries: list[dict] = []
        self.files: dict[str, bytes] = {}
        self.stop = threading.Event()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    def __enter__(self):
        threading.Thread(target=self.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc):
        self.stop.set()
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

    def _error(self, status: int, message: str):
        self._send(status, json.dumps({"odata.error": {"code": "", "message": {"lang": "nl-NL", "value": message}}}).encode())

    def _trickle(self, body: bytes, server: CbsStandIn):
        """One byte every half second, for as long as the client listens."""
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        for byte in body:
            if server.stop.wait(0.5):
                return
            try:
                self.wfile.write(bytes([byte]))
                self.wfile.flush()
            except OSError:
                return

    def _page(self, server: CbsStandIn, base: str, rows: list[dict], query: dict, size: int) -> dict:
        skip = int(query.get("$skip", ["0"])[0])
        document = {"value": rows[skip: skip + size]}
        if skip + size < len(rows):
            rest = {k: v[0] for k, v in query.items() if k != "$skip"}
            link = "&".join(f"{k}={quote(v)}" for k, v in rest.items())
            document["odata.nextLink"] = f"{server.url}{base}?{link}&$skip={skip + size}".replace("?&", "?")
        return document

    def do_GET(self):
        server: CbsStandIn = self.server
        parsed = urlparse(self.path)
        server.hits[parsed.path] += 1
        query = parse_qs(parsed.query)
        server.queries.append({"path": parsed.path, **{k: v[0] for k, v in query.items()}})
        parts = parsed.path.strip("/").split("/")
        if parts[0] == "files" and parts[-1] in server.files:
            return self._send(200, server.files[parts[-1]])
        if len(parts) != 4 or parts[0] not in ("ODataApi", "ODataFeed") or parts[1] != "odata":
            return self._error(404, "Not found")
        service, _, table_id, resource = parts
        table = TABLES.get(table_id)
        if table is None:
            return self._error(404, f"Tabel {table_id} bestaat niet")
        if table.get("down"):
            return self._error(500, "Interne fout")
        if table.get("flaky") and server.hits[parsed.path] == 1:
            return self._error(500, "Probeer het opnieuw")
        if table.get("silent") and resource == "TypedDataSet":
            server.stop.wait(120)
            return None
        if resource == "TableInfos":
            return self._send(200, json.dumps({"value": [{"Identifier": table_id, "Title": table["title"]}]}).encode())
        if resource == "DataProperties":
            return self._send(200, json.dumps({"value": table["properties"]}).encode())
        if resource == "WijkenEnBuurten":
            codes = sorted({r["WijkenEnBuurten"] for r in table["rows"]})
            rows = [{"Key": c, "Title": NAMES.get(c.strip(), c.strip())} for c in codes]
            rows = _apply_filter(rows, query.get("$filter", [None])[0], "Key")
            return self._send(200, json.dumps(self._page(server, parsed.path, rows, query, 3)).encode())
        if resource == "Perioden":
            periods = sorted({r["Perioden"] for r in table["rows"] if "Perioden" in r})
            return self._send(200, json.dumps({"value": [{"Key": p, "Title": p} for p in periods]}).encode())
        if resource != "TypedDataSet":
            return self._error(404, f"Geen bron {resource}")
        rows = _apply_filter(table["rows"], query.get("$filter", [None])[0], "WijkenEnBuurten")
        if "$select" in query:
            keep = query["$select"][0].split(",")
            rows = [{k: r[k] for k in keep if k in r} for r in rows]
        if service == "ODataApi":
            cells = len(rows) * (len(rows[0]) if rows else 0)
            if cells > API_LIMIT:
                return self._error(500, f"De opgevraagde set is te groot ({cells} cellen); het maximum is {API_LIMIT}")
            return self._send(200, json.dumps({"value": rows}).encode())
        body = json.dumps(self._page(server, parsed.path, rows, query, table.get("page", FEED_PAGE))).encode()
        if table.get("trickle"):
            return self._trickle(body, server)
        if table.get("truncated") and server.hits[parsed.path] == 1:
            return self._send(200, body[: len(body) // 2], declared=len(body))
        return self._send(200, body)
