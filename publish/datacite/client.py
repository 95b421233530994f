"""A DOI client for the DataCite REST API: reserve a draft, update, publish, never mint twice.

Lifecycle: `reserve` creates a draft under a DOI chosen here (so it can go into a bundle before its checksums
are final), `update` changes metadata, `publish` sends `event: publish` with the landing page URL. Every call
is checked locally first (all problems at once, before anything is sent) and read back afterwards: DataCite
ignores events that do not apply and PUT creates a DOI that does not exist, so a status code proves little.

`mint(record, key=...)` is idempotent per key (a bundle version ID): the DOI is derived from the key, or
taken from the `Receipt` of an earlier run, so re-running returns the same DOI and never creates another.
"""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass
from urllib.parse import quote

from .identifiers import DOI, normalize_doi
from .model import AlternateIdentifier
from .record import Record
from .transport import DataCiteError, NotFoundError, Transport

KEY_TYPE = "djspecs-bundle-version"  # alternateIdentifierType that ties a DOI to the key it was minted for
CROCKFORD = "0123456789abcdefghjkmnpqrstvwxyz"
READ_FLAGS = {"publisher": "true", "affiliation": "true"}  # without them the API flattens both to strings
EXPECTED_STATE = {"publish": "findable", "register": "registered", "hide": "registered", "show": "findable"}


# What a read-back must show unchanged. DataCite normalises some values on its own (licence IDs, name
# identifiers), so the check covers what identity, resolution and the version links depend on.
ESSENTIALS = {
    "url": lambda r: r.url,
    "titles": lambda r: [t.title for t in r.titles],
    "version": lambda r: r.version,
    "publicationYear": lambda r: r.publication_year,
    "types.resourceTypeGeneral": lambda r: r.resource_type_general,
    "relatedIdentifiers": lambda r: [(i.relation_type, (i.identifier or "").lower()) for i in r.related_identifiers],
    "alternateIdentifiers": lambda r: [(a.identifier_type, a.identifier) for a in r.alternate_identifiers],
}


class MetadataError(DataCiteError):
    """The record has problems; nothing was sent. `problems` lists every one, each naming its field."""

    def __init__(self, doi: str | None, problems: list[str]) -> None:
        lines = "\n  ".join(problems)
        super().__init__(
            f"DataCite record {doi or '(no DOI yet)'} has {len(problems)} problem(s), nothing was sent:\n  {lines}"
        )
        self.problems = problems


class StateError(DataCiteError):
    """DataCite answered, but reading back shows it did not do what was asked."""


def suffix_for(key: str) -> str:
    """A DataCite-style suffix (`xxxx-xxxx`, lower-case base 32) derived from the key: same key, same DOI."""
    digest = int.from_bytes(hashlib.sha256(key.encode()).digest()[:5], "big")
    letters = "".join(CROCKFORD[(digest >> shift) & 31] for shift in range(35, -1, -5))
    return f"{letters[:4]}-{letters[4:]}"


@dataclass
class Receipt:
    """What was minted for one bundle version: store it with the bundle and pass it back on the next run."""

    key: str
    doi: str
    api: str
    state: str
    url: str | None = None
    updated: str | None = None
    metadata_sha256: str | None = None

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> Receipt:
        return cls(**{k: data.get(k) for k in cls.__dataclass_fields__})


@dataclass
class DoiState:
    doi: str
    state: str
    record: Record
    updated: str | None


class DataCiteClient:
    def __init__(self, transport: Transport, prefix: str | None = None, *, xsd=None) -> None:
        self.transport, self.prefix, self.xsd = transport, prefix, xsd

    def __repr__(self) -> str:
        return f"DataCiteClient({self.transport!r}, prefix={self.prefix!r})"

    # ---- single calls ------------------------------------------------------------------------------------

    def get(self, doi: str) -> DoiState:
        _, body = self.transport.request("GET", f"/dois/{quote(normalize_doi(doi))}", params=READ_FLAGS)
        data = body.get("data", {})
        attributes = data.get("attributes", {})
        return DoiState(
            data.get("id", doi).lower(),
            attributes.get("state"),
            Record.from_json(attributes),
            attributes.get("updated"),
        )

    def exists(self, doi: str) -> DoiState | None:
        try:
            return self.get(doi)
        except NotFoundError:
            return None

    def check(self, record: Record, *, publishing: bool) -> None:
        """Raise MetadataError with every problem; drafts need only a DOI, published records everything."""
        found = record.problems() if publishing else [p for p in record.problems() if p.startswith("doi:")]
        if publishing:
            found += [f"xsd: {p}" for p in record.xsd_problems(self.xsd)]
            if not record.url:
                found.append("url: a landing page URL is mandatory to publish")
        if found:
            raise MetadataError(record.doi, found)

    def put(self, record: Record, event: str | None = None, *, expect: str = "draft") -> DoiState:
        """PUT the whole record under its DOI (creating it if new), then read it back and verify it.

        Without an event the state should stay `expect` (a metadata update); with one, it is the event's target.
        """
        doi = normalize_doi(record.doi or "")
        expected = EXPECTED_STATE[event] if event else expect
        self.check(record, publishing=expected != "draft")
        attributes = record.to_json()
        if event:
            attributes["event"] = event
        envelope = {"data": {"id": doi, "type": "dois", "attributes": attributes}}
        self.transport.request("PUT", f"/dois/{quote(doi)}", body=envelope)
        return self._verify(doi, record, expected)

    def _verify(self, doi: str, sent: Record, state: str | None) -> DoiState:
        now = self.get(doi)
        if now.doi != doi:
            raise StateError(f"PUT /dois/{doi}: DataCite holds {now.doi} instead")
        if state and now.state != state:
            raise StateError(f"{doi}: expected state {state!r} after the call, DataCite reports {now.state!r}")
        lost = [name for name, part in ESSENTIALS.items() if part(sent) != part(now.record)]
        if lost:
            raise StateError(f"{doi}: DataCite did not keep what was sent for {', '.join(lost)}")
        return now

    def delete_draft(self, doi: str) -> None:
        """Only drafts can be deleted; DataCite answers 405 for registered and findable DOIs."""
        self.transport.request("DELETE", f"/dois/{quote(normalize_doi(doi))}")

    def hide(self, record: Record) -> DoiState:
        return self.put(record, "hide")

    # ---- idempotent minting -------------------------------------------------------------------------------

    def doi_for(self, key: str) -> str:
        if not self.prefix:
            raise DataCiteError("a DOI prefix is needed to mint (set DATACITE_PREFIX or pass --prefix)")
        doi = f"{self.prefix}/{suffix_for(key)}"
        if not DOI.match(doi):
            raise DataCiteError(f"{self.prefix!r} is not a DOI prefix (expected 10. and 4 to 9 digits)")
        return doi

    def _tagged(self, record: Record, key: str, doi: str) -> Record:
        """The record under this DOI, carrying the key as an alternate identifier (how a DOI proves its key)."""
        tagged = record.with_doi(doi)
        others = [a for a in tagged.alternate_identifiers if a.identifier_type != KEY_TYPE]
        tagged.alternate_identifiers = [*others, AlternateIdentifier(key, KEY_TYPE)]
        return tagged

    def reserve(self, record: Record, *, key: str, receipt: Receipt | None = None) -> Receipt:
        """A draft DOI for this key: the one already reserved or published for it, else a new draft."""
        doi = self._doi(key, receipt)
        existing = self.exists(doi)
        if existing is not None:
            held = [a.identifier for a in existing.record.alternate_identifiers if a.identifier_type == KEY_TYPE]
            if held and held != [key]:
                raise DataCiteError(f"{doi} was minted for bundle version {held[0]!r}, not {key!r}")
            return self._receipt(key, existing, existing.record)
        tagged = self._tagged(record, key, doi)
        return self._receipt(key, self.put(tagged), tagged)

    def mint(self, record: Record, *, key: str, receipt: Receipt | None = None, publish: bool = True) -> Receipt:
        """Reserve (or find) the DOI for `key`, bring its metadata up to date and, if asked, publish it.

        When publishing, the whole record is checked before the draft is reserved: nothing is sent if it has problems.
        """
        if publish:
            self.check(self._tagged(record, key, self._doi(key, receipt)), publishing=True)
        reserved = self.reserve(record, key=key, receipt=receipt)
        tagged = self._tagged(record, key, reserved.doi)
        state = self.put(tagged, "publish") if publish else self.put(tagged, expect=reserved.state)
        return self._receipt(key, state, tagged)

    def _doi(self, key: str, receipt: Receipt | None) -> str:
        if receipt is None:
            return self.doi_for(key)
        if receipt.key != key:
            raise DataCiteError(f"the receipt is for bundle version {receipt.key!r}, not {key!r}")
        if receipt.api.rstrip("/") != self.transport.url:
            raise DataCiteError(f"the receipt's DOI {receipt.doi} lives on {receipt.api}, not {self.transport.url}")
        return normalize_doi(receipt.doi)

    def _receipt(self, key: str, state: DoiState, record: Record) -> Receipt:
        digest = hashlib.sha256(record.to_xml().encode()).hexdigest()
        return Receipt(key, state.doi, self.transport.url, state.state, record.url, state.updated, digest)
