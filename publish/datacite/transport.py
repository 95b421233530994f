"""HTTP to the DataCite REST API: JSON:API envelopes, retries with backoff, errors that name what failed.

Retried: 429 (honouring Retry-After), 500/502/503/504, timeouts and dropped connections. Every request is
idempotent by construction (the client always names the DOI and uses PUT to create), so a retry after a
lost response cannot create a second DOI. Log lines and error messages carry the method, the path and
DataCite's own error titles, never the Authorization header.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from urllib.parse import urlsplit

import requests

from .credentials import Credentials

TEST_API = "https://api.test.datacite.org"
PRODUCTION_API = "https://api.datacite.org"
MEDIA_TYPE = "application/vnd.api+json"
RETRIED_STATUS = {429, 500, 502, 503, 504}
log = logging.getLogger("djspecs.datacite")


class DataCiteError(RuntimeError):
    """A call to DataCite failed; `status` is the HTTP status (None if no answer came), `errors` its list."""

    def __init__(self, message: str, status: int | None = None, errors: list[dict] | None = None) -> None:
        super().__init__(message)
        self.status, self.errors = status, errors or []


class AuthenticationError(DataCiteError):
    pass


class NotFoundError(DataCiteError):
    pass


def _error_lines(body: dict) -> list[str]:
    lines = []
    for error in body.get("errors", []) if isinstance(body, dict) else []:
        source = error.get("source")
        lines.append(f"{source}: {error.get('title')}" if source else str(error.get("title")))
    return lines


def _check_url(url: str) -> str:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"DataCite API URL {parts.scheme}://{parts.hostname or ''}: expected http(s)://host")
    if parts.username or parts.password:
        raise ValueError(
            "DataCite API URL: credentials do not belong in the URL; use the environment or a secrets file"
        )
    return url.rstrip("/")


class Transport:
    def __init__(
        self,
        credentials: Credentials | None,
        url: str = TEST_API,
        *,
        timeout: float = 30.0,
        retries: int = 5,
        backoff: float = 1.0,
        sleep: Callable[[float], None] = time.sleep,
        user_agent: str = "djspecs (https://djspecs.dev)",
    ) -> None:
        self.url = _check_url(url)
        self.credentials, self.timeout, self.retries, self.backoff, self.sleep = (
            credentials,
            timeout,
            retries,
            backoff,
            sleep,
        )
        self.session = requests.Session()
        self.session.headers.update({"Accept": MEDIA_TYPE, "User-Agent": user_agent})

    def __repr__(self) -> str:
        who = self.credentials.method if self.credentials else "anonymous"
        return f"Transport({self.url!r}, {who})"

    def _headers(self, body: bool) -> dict:
        headers = {"Content-Type": MEDIA_TYPE} if body else {}
        if self.credentials is not None:
            headers["Authorization"] = self.credentials.authorization()
        return headers

    def _wait(self, attempt: int, response: requests.Response | None) -> float:
        after = response.headers.get("Retry-After") if response is not None else None
        if after and after.isdigit():
            return float(after)
        return self.backoff * 2**attempt

    def request(
        self, method: str, path: str, *, body: dict | None = None, params: dict | None = None
    ) -> tuple[int, dict]:
        """Send, retrying what may be retried; return (status, JSON body). Raise DataCiteError on failure."""
        where = f"{method} {path}"
        for attempt in range(self.retries + 1):
            response = None
            try:
                response = self.session.request(
                    method,
                    self.url + path,
                    json=body,
                    params=params,
                    headers=self._headers(body is not None),
                    timeout=self.timeout,
                )
            except (requests.Timeout, requests.ConnectionError) as error:
                reason = "timed out" if isinstance(error, requests.Timeout) else "connection failed"
                log.warning("%s: %s (attempt %d of %d)", where, reason, attempt + 1, self.retries + 1)
                if attempt == self.retries:
                    raise DataCiteError(f"{where}: {reason} after {self.retries + 1} attempts") from None
            else:
                log.info("%s -> %d", where, response.status_code)
                if response.status_code not in RETRIED_STATUS:
                    return self._answer(where, response)
                if attempt == self.retries:
                    raise DataCiteError(
                        f"{where}: HTTP {response.status_code} after {self.retries + 1} attempts", response.status_code
                    )
            self.sleep(self._wait(attempt, response))
        raise AssertionError("unreachable")

    def _answer(self, where: str, response: requests.Response) -> tuple[int, dict]:
        status = response.status_code
        try:
            body = response.json() if response.content else {}
        except ValueError:
            body = {}
        if status < 400:
            return status, body
        detail = "; ".join(_error_lines(body)) or response.reason
        kind = {401: AuthenticationError, 403: AuthenticationError, 404: NotFoundError}.get(status, DataCiteError)
        if status == 401:
            who = self.credentials.method if self.credentials else "no credentials"
            detail = f"{detail} ({who})"
        raise kind(f"{where}: HTTP {status}: {detail}", status, body.get("errors") if isinstance(body, dict) else None)
