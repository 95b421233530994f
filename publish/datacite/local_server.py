"""A local DataCite REST API, for tests and for trying the DOI client without a DataCite account.

A real HTTP server (stdlib, one thread per request) speaking the JSON:API contract: 401 without or with wrong
credentials (Basic or Bearer), 404, 405 when deleting a non-draft, 409, 422 with an `errors` list, PUT that
creates, arrays that replace, ignored events, validation only outside draft (see `local_registry`). Faults can
be injected: an error status for the next N matching requests, or a stall after the change was applied (the
client times out although the call took effect: the case that must not mint twice).

    with LocalDataCite({"DEMO.REPO": "secret"}, prefixes={"DEMO.REPO": ["10.80507"]}) as server:
        ...  # point a client at server.url
"""

from __future__ import annotations

import base64
import json
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, unquote, urlsplit

from .local_registry import Entry, Refused, Registry, flatten_for_reading

MEDIA_TYPE = "application/vnd.api+json"


@dataclass
class Fault:
    method: str | None = None  # None: any method
    path: str | None = None  # a path prefix, e.g. "/dois"
    status: int | None = None  # answer this status without doing anything
    stall: float = 0.0  # or do the work, then wait this long before answering
    times: int = 1

    def matches(self, method: str, path: str) -> bool:
        return self.times > 0 and self.method in (None, method) and (self.path is None or path.startswith(self.path))


class LocalDataCite:
    def __init__(
        self, repositories: dict[str, str], *, prefixes: dict[str, list[str]], api_keys=None, xsd=None, port: int = 0
    ) -> None:
        self.repositories, self.api_keys = repositories, api_keys or {}  # api key -> repository ID
        self.registry = Registry(prefixes, xsd)
        self.faults: list[Fault] = []
        self.requests: list[tuple[str, str, int]] = []  # (method, path, status) of every answered request
        self._httpd = ThreadingHTTPServer(("127.0.0.1", port), _handler(self))
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._httpd.server_address[1]}"

    def __enter__(self) -> LocalDataCite:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()

    def inject(self, **fault) -> Fault:
        made = Fault(**fault)
        self.faults.append(made)
        return made

    def _fault(self, method: str, path: str) -> Fault | None:
        with self.registry.lock:
            for fault in self.faults:
                if fault.matches(method, path):
                    fault.times -= 1
                    return fault
        return None

    def owner(self, authorization: str | None) -> str:
        """The repository the Authorization header proves, or a 401."""
        kind, _, value = (authorization or "").partition(" ")
        if kind == "Bearer" and value in self.api_keys:
            return self.api_keys[value]
        if kind == "Basic":
            try:
                user, _, password = base64.b64decode(value).decode().partition(":")
            except ValueError:
                user, password = "", ""
            if user in self.repositories and self.repositories[user] == password:
                return user
        raise Refused(401, [{"status": "401", "title": "Bad credentials."}])

    def reader(self, authorization: str | None) -> str | None:
        """Who reads: anyone may read a findable DOI, only its owner a draft or registered one."""
        try:
            return self.owner(authorization)
        except Refused:
            return None

    def document(self, entry: Entry, query: dict) -> dict:
        flags = {key: query.get(key, ["false"])[0] == "true" for key in ("publisher", "affiliation")}
        shown = flatten_for_reading(entry.attributes, flags["publisher"], flags["affiliation"])
        prefix, _, suffix = entry.doi.partition("/")
        computed = {"doi": entry.doi, "prefix": prefix, "suffix": suffix, "state": entry.state}
        attributes = {**shown, **computed, "created": entry.created, "updated": entry.updated}
        return {"data": {"id": entry.doi, "type": "dois", "attributes": attributes}}


def _attributes(body: bytes) -> dict:
    try:
        data = json.loads(body or b"{}").get("data")
    except (ValueError, AttributeError):
        data = None
    if not isinstance(data, dict) or data.get("type") != "dois" or not isinstance(data.get("attributes"), dict):
        raise Refused(400, [{"status": "400", "title": "You need to provide a payload following the JSONAPI spec"}])
    attributes = data["attributes"]
    for person in [*attributes.get("creators", []), *attributes.get("contributors", [])]:
        if "nameIdentifiers" in person and not isinstance(person["nameIdentifiers"], list):
            raise Refused(422, [{"status": "422", "title": "found unpermitted parameter: :nameIdentifiers"}])
    return attributes


def _handler(server: LocalDataCite):
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args) -> None:  # quiet: tests read server.requests instead
            pass

        def _answer(self, status: int, body: dict | None = None, stall: float = 0.0) -> None:
            server.requests.append((self.command, self.path.split("?")[0], status))
            if stall:
                time.sleep(stall)
            payload = json.dumps(body).encode() if body is not None else b""
            try:
                self.send_response(status)
                if status == 429:
                    self.send_header("Retry-After", "0")
                self.send_header("Content-Type", MEDIA_TYPE)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up waiting; the work is done all the same

        def _serve(self) -> None:
            split = urlsplit(self.path)
            path, query = unquote(split.path), parse_qs(split.query)
            fault = server._fault(self.command, path)
            if fault and fault.status:
                return self._answer(
                    fault.status, {"errors": [{"status": str(fault.status), "title": "injected fault"}]}
                )
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            try:
                status, document = self._route(path, query, body)
            except Refused as refused:
                status, document = refused.status, {"errors": refused.errors}
            self._answer(status, document, fault.stall if fault else 0.0)

        def _route(self, path: str, query: dict, body: bytes) -> tuple[int, dict | None]:
            method, registry = self.command, server.registry
            if path == "/dois/random" and method == "GET":
                if not query.get("prefix"):
                    raise Refused(422, [{"status": "422", "title": "Parameter prefix is required"}])
                return 200, {"dois": [f"{query['prefix'][0]}/{registry.random_suffix()}"]}
            if path == "/dois" and method == "POST":
                entry = registry.create(server.owner(self.headers.get("Authorization")), _attributes(body))
                return 201, server.document(entry, query)
            if not path.startswith("/dois/"):
                raise Refused(404, [{"status": "404", "title": "The resource you are looking for doesn't exist."}])
            doi = path[len("/dois/") :].lower()
            if method == "GET":
                entry = registry.read(doi)
                if entry.state != "findable" and server.reader(self.headers.get("Authorization")) != entry.owner:
                    raise Refused(404, [{"status": "404", "title": "The resource you are looking for doesn't exist."}])
                return 200, server.document(entry, query)
            owner = server.owner(self.headers.get("Authorization"))
            if method in ("PUT", "PATCH"):
                attributes = _attributes(body)
                if doi in registry.entries:
                    return 200, server.document(registry.update(owner, doi, attributes), query)
                return 201, server.document(registry.create(owner, attributes, doi), query)
            if method == "DELETE":
                registry.delete(owner, doi)
                return 204, None
            raise Refused(405, [{"status": "405", "title": "Method not allowed"}])

        do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _serve

    return Handler


def main(argv: list[str] | None = None) -> None:
    """`python -m djspecs.publish.datacite.local_server`: serve until interrupted (for trying `djspecs mint`)."""
    import argparse

    parser = argparse.ArgumentParser(description="A local DataCite REST API for trying the DOI client.")
    parser.add_argument("--repository", default="DEMO.REPO:demo-password", help="ID:PASSWORD of the one repository")
    parser.add_argument("--prefix", default="10.80507", help="the DOI prefix that repository mints under")
    parser.add_argument("--xsd", help="DataCite 4.7 metadata.xsd to validate published records with")
    parser.add_argument("--port", type=int, default=0)
    options = parser.parse_args(argv)
    name, _, password = options.repository.partition(":")
    server = LocalDataCite({name: password}, prefixes={name: [options.prefix]}, xsd=options.xsd, port=options.port)
    print(
        f"Local DataCite API at {server.url} (repository {name}, prefix {options.prefix}); Ctrl-C stops it", flush=True
    )
    try:
        server._httpd.serve_forever()
    except KeyboardInterrupt:
        server._httpd.server_close()


if __name__ == "__main__":  # pragma: no cover
    main()
