"""The local DataCite server keeps the REST API's contract and quirks (spoken to with plain requests)."""

from __future__ import annotations

import pytest
import requests

from djspecs.publish.datacite import Record
from tests.publish import datacite_support as support
from tests.publish.test_datacite_record import GOOD

datacite, kernel, xsd = support.datacite, support.kernel, support.xsd
AUTH = (support.REPOSITORY, support.PASSWORD)
HEADERS = {"Content-Type": "application/vnd.api+json"}


def envelope(**attributes) -> dict:
    return {"data": {"type": "dois", "attributes": attributes}}


def put(server, path, auth=AUTH, **attributes) -> requests.Response:
    return requests.put(f"{server.url}/dois/{path}", json=envelope(**attributes), auth=auth, headers=HEADERS, timeout=5)


def full(doi: str) -> dict:
    return Record.from_dict({**GOOD, "doi": doi}).to_json()


def test_put_creates_then_updates(datacite):
    created = put(datacite, "10.80507/new-1", titles=[{"title": "draft"}])
    assert created.status_code == 201 and created.json()["data"]["attributes"]["state"] == "draft"
    assert put(datacite, "10.80507/NEW-1", titles=[{"title": "again"}]).status_code == 200  # DOIs are case-insensitive


def test_arrays_sent_replace_stored_arrays(datacite):
    first = {"relatedIdentifier": "10.1/a", "relatedIdentifierType": "DOI", "relationType": "Cites"}
    second = {"relatedIdentifier": "10.1/b", "relatedIdentifierType": "DOI", "relationType": "Cites"}
    put(datacite, "10.80507/arr", relatedIdentifiers=[first])
    answer = put(datacite, "10.80507/arr", relatedIdentifiers=[second]).json()
    assert answer["data"]["attributes"]["relatedIdentifiers"] == [second]


def test_validation_happens_only_outside_draft_and_lists_every_error(datacite):
    assert put(datacite, "10.80507/v", titles=[{"title": "only a title"}]).status_code == 201
    refused = put(datacite, "10.80507/v", event="publish")
    assert refused.status_code == 422
    sources = {error["source"] for error in refused.json()["errors"]}
    assert {"creators", "publisher", "publicationYear", "types", "url"} <= sources
    assert all(error["uid"] == "10.80507/v" for error in refused.json()["errors"])
    assert datacite.registry.read("10.80507/v").state == "draft"  # a refused event changes nothing


def test_events_that_do_not_apply_are_ignored(datacite):
    assert (
        put(datacite, "10.80507/e", **full("10.80507/e"), event="publish").json()["data"]["attributes"]["state"]
        == "findable"
    )
    answer = put(datacite, "10.80507/e", event="register")
    assert answer.status_code == 200 and answer.json()["data"]["attributes"]["state"] == "findable"
    assert put(datacite, "10.80507/e", event="hide").json()["data"]["attributes"]["state"] == "registered"


def test_delete_is_for_drafts_only(datacite):
    put(datacite, "10.80507/d1", titles=[{"title": "x"}])
    assert requests.delete(f"{datacite.url}/dois/10.80507/d1", auth=AUTH, timeout=5).status_code == 204
    put(datacite, "10.80507/d2", **full("10.80507/d2"), event="publish")
    refused = requests.delete(f"{datacite.url}/dois/10.80507/d2", auth=AUTH, timeout=5)
    assert refused.status_code == 405 and refused.json()["errors"][0]["title"] == "Method not allowed"


@pytest.mark.parametrize("auth", [None, (support.REPOSITORY, "wrong"), ("NOBODY", support.PASSWORD)])
def test_missing_or_wrong_credentials_are_401(datacite, auth):
    answer = put(datacite, "10.80507/a", auth=auth, titles=[{"title": "x"}])
    assert answer.status_code == 401 and answer.json() == {"errors": [{"status": "401", "title": "Bad credentials."}]}


def test_post_with_a_prefix_gets_a_random_suffix_and_conflicts_are_409(datacite):
    made = requests.post(
        f"{datacite.url}/dois", json=envelope(prefix="10.80507"), auth=AUTH, headers=HEADERS, timeout=5
    )
    doi = made.json()["data"]["id"]
    assert made.status_code == 201 and doi.startswith("10.80507/") and len(doi.split("/")[1]) == 9
    again = requests.post(f"{datacite.url}/dois", json=envelope(doi=doi), auth=AUTH, headers=HEADERS, timeout=5)
    assert again.status_code == 409
    assert requests.get(f"{datacite.url}/dois/random", auth=AUTH, timeout=5).status_code == 422


def test_reading_flattens_publisher_and_affiliation_unless_asked(datacite):
    put(datacite, "10.80507/r", **full("10.80507/r"), event="publish")
    plain = requests.get(f"{datacite.url}/dois/10.80507/r", timeout=5).json()["data"]["attributes"]
    assert plain["publisher"] == "DataCite" and plain["creators"][0]["affiliation"] == ["Brown University"]
    assert plain["types"]["schemaOrg"] == "Dataset"
    flags = {"publisher": "true", "affiliation": "true"}
    rich = requests.get(f"{datacite.url}/dois/10.80507/r", params=flags, timeout=5).json()["data"]["attributes"]
    assert rich["publisher"]["publisherIdentifier"] == "https://ror.org/04wxnsj81"


def test_drafts_are_hidden_from_anonymous_readers(datacite):
    put(datacite, "10.80507/h", titles=[{"title": "x"}])
    assert requests.get(f"{datacite.url}/dois/10.80507/h", timeout=5).status_code == 404
    assert requests.get(f"{datacite.url}/dois/10.80507/h", auth=AUTH, timeout=5).status_code == 200


def test_malformed_payloads_are_refused(datacite):
    bare = requests.put(f"{datacite.url}/dois/10.80507/m", json={"titles": []}, auth=AUTH, headers=HEADERS, timeout=5)
    assert bare.status_code == 400
    person = {"name": "X", "nameIdentifiers": {"nameIdentifier": "https://orcid.org/0000-0002-1825-0097"}}
    assert put(datacite, "10.80507/m", creators=[person]).status_code == 422
