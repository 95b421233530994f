"""DataCite 4.7 metadata (XML and REST JSON) and a DOI client for the DataCite REST API.

`Record` is the metadata model. `DataCiteClient` reserves, updates and publishes DOIs through a `Transport`
(HTTP with retries) authenticated by `Credentials`; `mint` returns a `Receipt` to keep with the bundle.
`versions.release` links versions under a concept DOI; `local_server.LocalDataCite` stands in for DataCite.
"""

from importlib import import_module

from .record import Record

# The DOI client, its credentials and HTTP transport (with requests) load on first use: exports need none of them.
_LAZY = {
    **dict.fromkeys(("DataCiteClient", "MetadataError", "Receipt", "StateError"), "client"),
    **dict.fromkeys(("Credentials", "CredentialsError"), "credentials"),
    **dict.fromkeys(("PRODUCTION_API", "TEST_API", "DataCiteError", "Transport"), "transport"),
}


def __getattr__(name: str):
    if name in _LAZY:
        return getattr(import_module(f".{_LAZY[name]}", __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "PRODUCTION_API",
    "TEST_API",
    "Credentials",
    "CredentialsError",
    "DataCiteClient",
    "DataCiteError",
    "MetadataError",
    "Receipt",
    "Record",
    "StateError",
    "Transport",
]
