"""DataCite credentials: repository ID + password (HTTP Basic) or an API key (Bearer).

They come from the environment (`DATACITE_REPOSITORY_ID` + `DATACITE_PASSWORD`, or `DATACITE_API_KEY`) or
from a secrets file (TOML, a `[datacite]` table with `repository_id`, `password`, `api_key`). The secret parts
are held in `Secret`, whose str and repr hide the value, so they cannot leak into logs, exception messages or
tracebacks that print locals; only `authorization()` reveals them, to build the request header.
"""

from __future__ import annotations

import base64
import os
import stat
import tomllib
from dataclasses import dataclass
from pathlib import Path

ENVIRONMENT = {
    "repository_id": "DATACITE_REPOSITORY_ID",
    "password": "DATACITE_PASSWORD",
    "api_key": "DATACITE_API_KEY",
}
SECRETS_SETTING = "DATACITE_SECRETS_FILE"
DEFAULT_SECRETS = Path("~/.config/djspecs/datacite.toml")


class CredentialsError(ValueError):
    """No usable credentials, or an unsafe secrets file. The message never holds a secret."""


class Secret:
    """A string that does not show itself."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return "Secret('********')"

    __str__ = __repr__

    def __eq__(self, other) -> bool:
        return isinstance(other, Secret) and other._value == self._value

    def __hash__(self) -> int:
        return hash(self._value)

    def __reduce__(self):
        raise TypeError("a Secret is not pickled (it would write the credential to a file)")


@dataclass(frozen=True)
class Credentials:
    repository_id: str | None = None
    password: Secret | None = None
    api_key: Secret | None = None

    def __post_init__(self) -> None:
        if self.api_key is None and not (self.repository_id and self.password):
            raise CredentialsError(
                "DataCite credentials need a repository ID and password (HTTP Basic) or an API key (Bearer): "
                f"set {ENVIRONMENT['repository_id']} and {ENVIRONMENT['password']}, or {ENVIRONMENT['api_key']}, "
                f"or write them to a secrets file ({SECRETS_SETTING}, default {DEFAULT_SECRETS})"
            )

    @classmethod
    def of(cls, repository_id=None, password=None, api_key=None) -> Credentials:
        return cls(repository_id, Secret(password) if password else None, Secret(api_key) if api_key else None)

    @property
    def method(self) -> str:
        return "API key (Bearer)" if self.api_key else f"repository {self.repository_id} (HTTP Basic)"

    def authorization(self) -> str:
        """The value of the Authorization header."""
        if self.api_key is not None:
            return f"Bearer {self.api_key.reveal()}"
        pair = f"{self.repository_id}:{self.password.reveal()}".encode()
        return "Basic " + base64.b64encode(pair).decode("ascii")

    @classmethod
    def from_environment(cls, environment=None) -> Credentials | None:
        environment = os.environ if environment is None else environment
        values = {name: environment.get(variable) for name, variable in ENVIRONMENT.items()}
        if not any(values.values()):
            return None
        return cls.of(**values)

    @classmethod
    def from_file(cls, path: str | os.PathLike) -> Credentials:
        path = Path(path).expanduser()
        mode = path.stat().st_mode
        if mode & (stat.S_IRWXG | stat.S_IRWXO):
            raise CredentialsError(f"{path}: the secrets file is readable by others; chmod 600 it first")
        try:
            table = tomllib.loads(path.read_text(encoding="utf-8")).get("datacite", {})
        except tomllib.TOMLDecodeError as error:
            raise CredentialsError(f"{path}: not TOML ({error.msg}, line {error.lineno})") from None
        return cls.of(table.get("repository_id"), table.get("password"), table.get("api_key"))

    @classmethod
    def discover(cls, secrets_file: str | os.PathLike | None = None, environment=None) -> Credentials:
        """Environment first, then the secrets file (argument, `DATACITE_SECRETS_FILE`, or the default)."""
        environment = os.environ if environment is None else environment
        if secrets_file is None and (found := cls.from_environment(environment)):
            return found
        path = Path(secrets_file or environment.get(SECRETS_SETTING) or DEFAULT_SECRETS).expanduser()
        if path.exists():
            return cls.from_file(path)
        return cls()  # raises CredentialsError saying where credentials may come from
