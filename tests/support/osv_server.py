"""An OSV-compatible service on 127.0.0.1 for `vulns --online`: `POST /v1/querybatch`
answers with the ids it was given for each (name, version), `GET /v1/vulns/ID` with the
record, as api.osv.dev does; it counts what it was asked."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from typing import Any

from tests.support.local_index import serving


@dataclass
class OsvService:
    affected: dict[tuple[str, str], list[str]]
    """(name, version) to the ids of the records that affect it."""
    records: dict[str, dict[str, Any]]
    url: str = ""
    queries: list[tuple[str, str]] = field(default_factory=list)
    fetched: list[str] = field(default_factory=list)


@contextmanager
def serve_osv(service: OsvService) -> Iterator[OsvService]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:
            pass

        def _send(self, status: int, body: object) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_POST(self) -> None:
            if self.path != "/v1/querybatch":
                return self._send(404, {"message": "not found"})
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            results = []
            for query in body["queries"]:
                key = (query["package"]["name"], query["version"])
                service.queries.append(key)
                ids = service.affected.get(key, [])
                vulns = [{"id": i, "modified": service.records[i]["modified"]} for i in ids]
                results.append({"vulns": vulns} if vulns else {})
            self._send(200, {"results": results})

        def do_GET(self) -> None:
            flaw_id = self.path.removeprefix("/v1/vulns/")
            service.fetched.append(flaw_id)
            if flaw_id in service.records:
                return self._send(200, service.records[flaw_id])
            self._send(404, {"message": "Bug not found"})

    with serving(Handler) as url:
        service.url = url
        yield service
