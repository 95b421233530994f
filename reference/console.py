"""`dj.cli`: an interactive Python console with the reference loaded and schemas opened as modules (API-1).

    python -c "import djspecs.reference as dj; dj.cli()" --host db.example.org -u alice -s lab_v1:lab

The arguments set the database settings; each `-s schema:alias` opens an existing schema as a virtual module
named `alias`. In thread-safe mode (CFG-4) the settings go to a `dj.Instance`, available as `inst`, since
the global configuration is refused.
"""

from __future__ import annotations

import argparse
import code
from types import ModuleType
from typing import Any

from djspecs import __version__

from . import settings
from .connection import conn
from .instance import Instance
from .settings import BACKENDS
from .virtual import VirtualModule


def parser() -> argparse.ArgumentParser:
    parse = argparse.ArgumentParser(prog="dj", description="A Python console with djspecs.reference loaded as dj.")
    parse.add_argument("-V", "--version", action="version", version=f"djspecs.reference {__version__}")
    parse.add_argument("-u", "--user", help="database user (default: from the configuration)")
    parse.add_argument("-p", "--password", help="database password (default: from the configuration)")
    parse.add_argument("--host", help="database host, as host or host:port (default: from the configuration)")
    parse.add_argument("--backend", choices=BACKENDS, help="database backend (default: from the configuration)")
    parse.add_argument("--database", help="PostgreSQL: the database; SQLite: the file")
    parse.add_argument("-s", "--schemas", nargs="+", default=[], metavar="SCHEMA:ALIAS",
                       help="open existing schemas as virtual modules named ALIAS")  # fmt: skip
    return parse


def settings_from(arguments: argparse.Namespace) -> dict[str, Any]:
    """The configuration keys the arguments set; `--host name:port` sets the port too."""
    given: dict[str, Any] = {}
    if arguments.host:
        host, _, port = arguments.host.partition(":")
        given["database.host"] = host
        if port:
            given["database.port"] = int(port)
    for key, value in (("database.user", arguments.user), ("database.password", arguments.password),
                       ("database.backend", arguments.backend), ("database.name", arguments.database)):  # fmt: skip
        if value is not None:
            given[key] = value
    return given


def cli(args: list[str] | None = None) -> None:
    """Run the console on `args` (default: the process's arguments); returns when the console's input ends."""
    import djspecs.reference as dj

    parse = parser()
    arguments = parse.parse_args(args)
    aliases = [text.split(":", 1) for text in arguments.schemas]
    if bad := [text for text, pair in zip(arguments.schemas, aliases, strict=True) if len(pair) != 2 or not all(pair)]:
        parse.error(f"schemas are given as schema_name:alias, not {bad[0]!r}")
    namespace: dict[str, Any] = {"dj": dj}
    given = settings_from(arguments)
    if settings.THREAD_SAFE:
        values = {**dict(settings.process_config), **given}
        host, user, password = (values[f"database.{key}"] for key in ("host", "user", "password"))
        overrides = {k: v for k, v in given.items() if k not in ("database.host", "database.user", "database.password")}
        instance = Instance(host, user, password, **overrides)
        namespace["inst"], connection = instance, instance.connection
    else:
        dj.config.update(given)
        connection = conn(reset=bool(given))
    modules: dict[str, ModuleType] = {
        alias: VirtualModule(alias, name, connection=connection) for name, alias in aliases
    }
    namespace.update(modules)
    banner = f"djspecs.reference {__version__} ({connection.backend.name}): `dj` is loaded"
    banner += "".join(f"\n  {alias} -> schema {name}" for name, alias in aliases)
    code.interact(banner=banner, local=namespace, exitmsg="")
