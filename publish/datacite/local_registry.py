"""The DOI store behind the local DataCite server: states, events, validation, as the REST API behaves.

The behaviour copies the contract and its quirks (see docs/doi.md): a draft is not validated, a record
leaving the draft state is (the mandatory properties, the controlled lists, the XSD when one is given, and a
`url`); an event that does not apply to the current state is ignored without an error; arrays sent in an
update replace the stored arrays; only drafts may be deleted.
"""

from __future__ import annotations

import random
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime

from .identifiers import DOI
from .record import Record

TRANSITIONS = {  # event -> {from state: to state}; anything else is ignored, as the API does
    "publish": {"draft": "findable", "registered": "findable"},
    "register": {"draft": "registered"},
    "hide": {"findable": "registered"},
    "show": {"registered": "findable"},
}
SUFFIX_LETTERS = "0123456789abcdefghjkmnpqrstvwxyz"
COMPUTED = {"doi", "prefix", "suffix", "state", "created", "updated", "event", "identifiers"}


class Refused(Exception):
    """An HTTP error answer: status and the JSON:API `errors` list."""

    def __init__(self, status: int, errors: list[dict]) -> None:
        super().__init__(status, errors)
        self.status, self.errors = status, errors


def _stamp() -> str:
    return datetime.now(UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")


@dataclass
class Entry:
    doi: str
    owner: str
    attributes: dict
    state: str = "draft"
    created: str = field(default_factory=_stamp)
    updated: str = field(default_factory=_stamp)


class Registry:
    def __init__(self, prefixes: dict[str, list[str]], xsd=None) -> None:
        self.prefixes, self.xsd = prefixes, xsd  # repository ID -> the prefixes it may mint under
        self.entries: dict[str, Entry] = {}
        self.lock = threading.Lock()

    def _entry(self, doi: str) -> Entry:
        entry = self.entries.get(doi.lower())
        if entry is None:
            raise Refused(404, [{"status": "404", "title": "The resource you are looking for doesn't exist."}])
        return entry

    def read(self, doi: str) -> Entry:
        with self.lock:
            return self._entry(doi)

    def random_suffix(self) -> str:
        letters = "".join(random.choice(SUFFIX_LETTERS) for _ in range(8))
        return f"{letters[:4]}-{letters[4:]}"

    def _own(self, owner: str, doi: str) -> None:
        if not DOI.match(doi):
            raise Refused(422, [{"source": "doi", "title": "Is invalid", "uid": doi}])
        if doi.split("/")[0] not in self.prefixes.get(owner, []):
            raise Refused(403, [{"status": "403", "title": "You are not authorized to access this resource."}])

    def create(self, owner: str, attributes: dict, doi: str | None = None) -> Entry:
        """POST /dois, or a PUT to a DOI that does not exist yet."""
        with self.lock:
            if doi is None:
                doi = attributes.get("doi")
                if not doi and attributes.get("prefix"):
                    doi = f"{attributes['prefix']}/{self.random_suffix()}"
            if not doi:
                raise Refused(422, [{"source": "doi", "title": "Can't be blank"}])
            doi = doi.lower()
            if doi in self.entries:
                raise Refused(409, [{"status": "409", "title": "The resource already exists."}])
            self._own(owner, doi)
            entry = Entry(doi, owner, {})
            self._apply(entry, attributes)
            self.entries[doi] = entry
            return entry

    def update(self, owner: str, doi: str, attributes: dict) -> Entry:
        with self.lock:
            entry = self._entry(doi)
            if entry.owner != owner:
                raise Refused(403, [{"status": "403", "title": "You are not authorized to access this resource."}])
            self._apply(entry, attributes)
            return entry

    def _apply(self, entry: Entry, attributes: dict) -> None:
        """Merge (arrays and objects sent replace what is stored), run the event, validate outside draft."""
        merged = {**entry.attributes, **{k: v for k, v in attributes.items() if k not in COMPUTED}}
        state = TRANSITIONS.get(attributes.get("event"), {}).get(entry.state, entry.state)
        if state != "draft":
            self._validate(entry.doi, merged)
        entry.attributes, entry.state, entry.updated = merged, state, _stamp()

    def _validate(self, doi: str, attributes: dict) -> None:
        record = Record.from_json({**attributes, "doi": doi})
        errors = []
        for problem in [*record.problems(), *record.xsd_problems(self.xsd)]:
            source, _, title = problem.partition(": ")
            errors.append({"source": source.split("[")[0].split(".")[0], "uid": doi, "title": title or problem})
        if not attributes.get("url"):
            errors.append({"source": "url", "uid": doi, "title": "Can't be blank"})
        if errors:
            raise Refused(422, errors)

    def delete(self, owner: str, doi: str) -> None:
        with self.lock:
            entry = self._entry(doi)
            if entry.owner != owner:
                raise Refused(403, [{"status": "403", "title": "You are not authorized to access this resource."}])
            if entry.state != "draft":
                raise Refused(405, [{"status": "405", "title": "Method not allowed"}])
            del self.entries[entry.doi]


def flatten_for_reading(attributes: dict, publisher_object: bool, affiliation_object: bool) -> dict:
    """What GET returns: publisher and affiliation become plain strings unless asked for as objects."""
    shown = dict(attributes)
    if not publisher_object and isinstance(shown.get("publisher"), dict):
        shown["publisher"] = shown["publisher"].get("name")
    if not affiliation_object:
        for key in ("creators", "contributors"):
            shown[key] = [
                {
                    **person,
                    "affiliation": [a.get("name") if isinstance(a, dict) else a for a in person.get("affiliation", [])],
                }
                for person in shown.get(key, [])
            ]
    types = dict(shown.get("types") or {})
    general = types.get("resourceTypeGeneral")
    if general:  # the API adds these on its own
        types.update(
            schemaOrg=general, citeproc="dataset" if general == "Dataset" else "article", bibtex="misc", ris="DATA"
        )
    shown["types"] = types
    return shown
