"""The DOI client against the local DataCite server: reserve, update, publish, never twice, and every failure."""

from __future__ import annotations

import logging

import pytest

from djspecs.publish.datacite import Record
from djspecs.publish.datacite.client import KEY_TYPE, DataCiteClient, MetadataError, Receipt, StateError
from djspecs.publish.datacite.credentials import Credentials
from djspecs.publish.datacite.transport import AuthenticationError, DataCiteError, NotFoundError, Transport
from tests.publish import datacite_support as support
from tests.publish.test_datacite_record import GOOD

datacite, client, sleeps, kernel, xsd = support.datacite, support.client, support.sleeps, support.kernel, support.xsd
RECORD = Record.from_dict({**GOOD, "doi": None})


def test_reserve_makes_a_draft_under_a_doi_derived_from_the_key(client, datacite):
    receipt = client.reserve(RECORD, key="bundle-v1")
    assert receipt.doi.startswith("10.80507/") and receipt.state == "draft" and receipt.key == "bundle-v1"
    entry = datacite.registry.read(receipt.doi)
    assert entry.state == "draft"
    assert {"alternateIdentifier": "bundle-v1", "alternateIdentifierType": KEY_TYPE} in entry.attributes[
        "alternateIdentifiers"
    ]
    assert client.reserve(RECORD, key="bundle-v1").doi == receipt.doi  # asking again finds the same draft


def test_a_draft_may_be_incomplete_but_publishing_it_is_checked_locally(client, datacite):
    sparse = Record.from_dict({"titles": ["Work in progress"]})
    receipt = client.reserve(sparse, key="sparse")
    assert datacite.registry.read(receipt.doi).state == "draft"
    before = len(datacite.requests)
    with pytest.raises(MetadataError) as caught:
        client.mint(sparse, key="sparse")
    fields = [problem.split(":")[0] for problem in caught.value.problems]
    assert {"creators", "publisher.name", "publicationYear", "types.resourceTypeGeneral", "url"} <= set(fields)
    assert datacite.requests[before:] == []  # nothing was sent


def test_mint_publishes_and_never_mints_twice_for_one_key(client, datacite):
    first = client.mint(RECORD, key="bundle-v1")
    assert first.state == "findable" and datacite.registry.read(first.doi).state == "findable"
    again = client.mint(RECORD, key="bundle-v1", receipt=Receipt.from_dict(first.to_dict()))
    assert again.doi == first.doi and len(datacite.registry.entries) == 1
    assert again.metadata_sha256 == first.metadata_sha256
    with pytest.raises(DataCiteError, match="receipt is for bundle version 'bundle-v1'"):
        client.mint(RECORD, key="bundle-v2", receipt=first)


def test_update_of_a_published_doi_keeps_it_findable(client, datacite):
    receipt = client.mint(RECORD, key="k")
    changed = Record.from_dict({**GOOD, "doi": None, "version": "1.0.1"})
    updated = client.mint(changed, key="k", publish=False)
    assert updated.state == "findable" and datacite.registry.read(receipt.doi).attributes["version"] == "1.0.1"


def test_a_bad_record_is_refused_before_anything_is_sent(client, datacite):
    bad = Record.from_dict(
        {**GOOD, "resourceTypeGeneral": "Spreadsheet", "creators": [{"name": "X", "orcid": "0000-0002-1825-0098"}]}
    )
    with pytest.raises(MetadataError) as caught:
        client.put(bad.with_doi("10.80507/aaaa-bbbb"), "publish")
    assert [p.split(":")[0] for p in caught.value.problems][:2] == [
        "creators[0].nameIdentifiers[0]",
        "types.resourceTypeGeneral",
    ]
    assert any(p.startswith("xsd:") for p in caught.value.problems)
    assert datacite.requests == []


@pytest.mark.parametrize(
    "credentials", [None, Credentials.of(support.REPOSITORY, "wrong-password"), Credentials.of(api_key="DC.wrong")]
)
def test_missing_or_wrong_credentials_get_401(datacite, credentials):
    client = DataCiteClient(Transport(credentials, datacite.url, retries=0), support.PREFIX)
    with pytest.raises(AuthenticationError) as caught:
        client.reserve(RECORD, key="k")
    assert caught.value.status == 401 and "Bad credentials." in str(caught.value)


def test_api_key_is_sent_as_bearer(datacite, xsd):
    client = DataCiteClient(Transport(Credentials.of(api_key=support.API_KEY), datacite.url), support.PREFIX, xsd=xsd)
    assert client.mint(RECORD, key="k").state == "findable"


def test_another_repositorys_prefix_is_forbidden(datacite):
    client = DataCiteClient(Transport(Credentials.of("OTHER.REPO", "other-pw"), datacite.url), support.PREFIX)
    with pytest.raises(AuthenticationError, match="HTTP 403"):
        client.reserve(RECORD, key="k")


def test_unknown_doi_is_404(client):
    with pytest.raises(NotFoundError, match="HTTP 404"):
        client.get("10.80507/none-none")
    assert client.exists("10.80507/none-none") is None


def test_only_drafts_can_be_deleted(client, datacite):
    draft = client.reserve(RECORD, key="draft")
    client.delete_draft(draft.doi)
    assert draft.doi not in datacite.registry.entries
    published = client.mint(RECORD, key="published")
    with pytest.raises(DataCiteError) as caught:
        client.delete_draft(published.doi)
    assert caught.value.status == 405 and published.doi in datacite.registry.entries


@pytest.mark.parametrize("status", [429, 500, 502, 503, 504])
def test_retries_with_backoff_on_rate_limits_and_server_errors(client, datacite, sleeps, status):
    datacite.inject(method="PUT", status=status, times=2)
    assert client.mint(RECORD, key="k").state == "findable"
    assert [s for m, _, s in datacite.requests if m == "PUT"][:3] == [status, status, 201]
    assert sleeps == ([0.0, 0.0] if status == 429 else [0.01, 0.02])  # 429 honours Retry-After: 0


def test_gives_up_after_the_last_retry(client, datacite, sleeps):
    datacite.inject(method="PUT", status=503, times=10)
    with pytest.raises(DataCiteError, match="HTTP 503 after 4 attempts"):
        client.reserve(RECORD, key="k")
    assert len(sleeps) == 3 and datacite.registry.entries == {}


def test_a_timeout_after_the_work_was_done_does_not_mint_twice(client, datacite):
    """The first PUT creates the draft but its answer comes too late; the retried PUT finds the same DOI."""
    datacite.inject(method="PUT", stall=1.5, times=1)
    receipt = client.mint(RECORD, key="slow")
    assert len(datacite.registry.entries) == 1 and receipt.state == "findable"
    statuses = [s for m, _, s in datacite.requests if m == "PUT"]
    assert statuses[:2] == [201, 200]  # the second PUT updated what the first had created


def test_an_event_that_does_not_apply_is_caught_by_reading_back(client, datacite):
    """The API ignores `register` on a findable DOI without an error; the client's read-back notices."""
    receipt = client.mint(RECORD, key="k")
    with pytest.raises(StateError, match="expected state 'registered'.*'findable'"):
        client.put(client.get(receipt.doi).record, "register")
    assert datacite.registry.read(receipt.doi).state == "findable"


def test_hide_moves_findable_to_registered(client):
    receipt = client.mint(RECORD, key="k")
    assert client.hide(client.get(receipt.doi).record).state == "registered"


def test_credentials_never_appear_in_logs_errors_or_reprs(datacite, caplog, tmp_path):
    caplog.set_level(logging.DEBUG)
    secrets = [support.PASSWORD, support.API_KEY, "wrong-" + support.PASSWORD]
    messages = []
    for credentials in (Credentials.of(support.REPOSITORY, secrets[2]), Credentials.of(api_key=support.API_KEY)):
        client = DataCiteClient(Transport(credentials, datacite.url, retries=1, sleep=lambda s: None), support.PREFIX)
        messages += [repr(client), repr(credentials), str(credentials.password), str(credentials.api_key)]
        datacite.inject(method="PUT", status=500, times=1)
        try:
            client.mint(Record.from_dict({**GOOD, "doi": None}), key="k")
        except DataCiteError as error:
            messages += [str(error), repr(error)]
    text = caplog.text + "\n".join(messages)
    assert "Bad credentials." in text and "PUT /dois/" in caplog.text
    assert not any(secret in text for secret in secrets)


def test_credentials_from_environment_and_secrets_file(tmp_path):
    assert Credentials.from_environment({"DATACITE_API_KEY": "k"}).method == "API key (Bearer)"
    path = tmp_path / "datacite.toml"
    path.write_text('[datacite]\nrepository_id = "DJS.TEST"\npassword = "pw"\n')
    path.chmod(0o644)
    with pytest.raises(ValueError, match="readable by others"):
        Credentials.from_file(path)
    path.chmod(0o600)
    found = Credentials.discover(environment={"DATACITE_SECRETS_FILE": str(path)})
    assert found.repository_id == "DJS.TEST" and found.authorization().startswith("Basic ")
    with pytest.raises(ValueError, match="DATACITE_REPOSITORY_ID"):
        Credentials.discover(environment={"DATACITE_SECRETS_FILE": str(tmp_path / "absent.toml")})


def test_url_with_credentials_is_refused():
    with pytest.raises(ValueError, match="credentials do not belong in the URL") as caught:
        Transport(None, "https://DJS.TEST:hunter2@api.test.datacite.org")
    assert "hunter2" not in str(caught.value)


def test_the_suffix_derived_from_a_key_never_changes():
    """Changing the derivation would give old bundle versions new DOIs: the values are pinned."""
    from djspecs.publish.datacite.client import suffix_for

    assert suffix_for("bundle-v1") == "993a-ahrx"
    assert suffix_for("urn:uuid:0b5a2a0e-3f7c-4c39-9f55-8f0e5c0d1a11") == "vk2g-1qe3"


def test_read_back_notices_a_server_that_drops_what_was_sent(client, datacite, monkeypatch):
    keep = datacite.registry._apply

    def forgetful(entry, attributes):
        keep(entry, {k: v for k, v in attributes.items() if k != "relatedIdentifiers"})

    monkeypatch.setattr(datacite.registry, "_apply", forgetful)
    with pytest.raises(StateError, match="did not keep what was sent for relatedIdentifiers"):
        client.reserve(RECORD, key="k")


def test_a_bad_prefix_is_named():
    bad = DataCiteClient(Transport(None, "https://api.test.datacite.org"), "10.x")
    with pytest.raises(DataCiteError, match="'10.x' is not a DOI prefix"):
        bad.doi_for("k")
