"""DataCite 4.7 metadata (XML and REST JSON) and a DOI client for the DataCite REST API.

`Record` is the metadata model. `DataCiteClient` reserves, updates and publishes DOIs through a `Transport`
(HTTP with retries) authenticated by `Credentials`; `mint` returns a `Receipt` to keep with the bundle.
`versions.release` links versions under a concept DOI; `local_server.LocalDataCite` stands in for DataCite.
"""

from .client import DataCiteClient, MetadataError, Receipt, StateError
from .credentials import Credentials, CredentialsError
from .record import Record
from .transport import PRODUCTION_API, TEST_API, DataCiteError, Transport

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
