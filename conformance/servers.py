"""Server URLs: `postgresql://user:password@host:port/database`, `mysql://user:password@host:port`.

The suite takes one URL per server backend (options `--postgres-url`, `--mysql-url` or the variables
DJSPECS_POSTGRES_URL, DJSPECS_MYSQL_URL); adapters turn it into their own connection settings.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

DEFAULT_URLS = {"postgresql": "postgresql://postgres@127.0.0.1:5432/postgres", "mysql": "mysql://root@127.0.0.1:3306"}
DEFAULT_PORTS = {"postgresql": 5432, "mysql": 3306}


@dataclass(frozen=True)
class Server:
    host: str
    port: int
    user: str
    password: str
    database: str | None


def parse_url(backend: str, url: str | None) -> Server:
    parts = urlsplit(url or DEFAULT_URLS[backend])
    return Server(
        host=parts.hostname or "127.0.0.1",
        port=parts.port or DEFAULT_PORTS[backend],
        user=unquote(parts.username or ""),
        password=unquote(parts.password or ""),
        database=parts.path.lstrip("/") or None,
    )


def connection_settings(backend: str, url: str | None) -> dict:
    """Settings of the reference's Config for a backend and URL (SQLite: a file path or in memory)."""
    if backend == "sqlite":
        return {"database.name": url} if url else {}
    server = parse_url(backend, url)
    settings = {"database.host": server.host, "database.port": server.port, "database.user": server.user,
                "database.password": server.password}  # fmt: skip
    if server.database and backend == "postgresql":
        settings["database.name"] = server.database
    return settings
