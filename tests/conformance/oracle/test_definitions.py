"""The oracle's definition reader: attributes, key membership, nullability and lineage (LIN-1)."""

import pytest

from djspecs.conformance.oracle import OracleError
from djspecs.conformance.oracle.definitions import read_headings, sql_name


def table(name, definition, tier="manual", **extra):
    return {"name": name, "tier": tier, "definition": definition, **extra}


LAB = [
    table("Subject", "subject_id: int32\n---\nsubject_name: varchar(20)"),
    table("Stimulus", "stimulus_id: int32", tier="lookup"),
    table("Session", "-> Subject\nsession_id: int32\n---\n-> Stimulus\nsession_note: varchar(20)"),
    table("Pairing", "-> Subject\n-> Subject.proj(partner_id='subject_id')"),
]


def lineages(tables, name):
    return {attribute.name: attribute.lineage for attribute in read_headings(tables)[name]}


def test_lineage_follows_the_rule_example():
    assert lineages(LAB, "Subject") == {"subject_id": "lab.subject.subject_id", "subject_name": None}
    assert lineages(LAB, "Stimulus") == {"stimulus_id": "lab.#stimulus.stimulus_id"}
    assert lineages(LAB, "Session") == {
        "subject_id": "lab.subject.subject_id",
        "session_id": "lab.session.session_id",
        "stimulus_id": "lab.#stimulus.stimulus_id",
        "session_note": None,
    }
    assert lineages(LAB, "Pairing") == {"subject_id": "lab.subject.subject_id", "partner_id": "lab.subject.subject_id"}


def test_foreign_keys_inherit_type_and_take_key_membership_from_their_position():
    session = {attribute.name: attribute for attribute in read_headings(LAB)["Session"]}
    assert [name for name, attribute in session.items() if attribute.in_key] == ["subject_id", "session_id"]
    assert session["stimulus_id"].type == "int32" and not session["stimulus_id"].in_key


def test_attribute_lines_with_defaults_comments_and_quotes():
    definition = """# a table comment
    item_id: int32   # the key
    ---
    note = null : varchar(10)  # may be empty
    label = "a:b#c" : varchar(10)
    kind : enum('x#1', 'y')
    index(label)
    """
    heading = read_headings([table("Item", definition)])["Item"]
    assert [(a.name, a.type, a.in_key, a.nullable) for a in heading] == [
        ("item_id", "int32", True, False),
        ("note", "varchar(10)", False, True),
        ("label", "varchar(10)", False, False),
        ("kind", "enum('x#1', 'y')", False, False),
    ]


def test_nullable_foreign_key_makes_inherited_attributes_nullable():
    tables = [LAB[0], table("Note", "note_id: int32\n---\n-> [nullable] Subject")]
    (note_id, subject_id) = read_headings(tables)["Note"]
    assert subject_id.nullable and not note_id.nullable


def test_parts_reference_their_master_and_siblings():
    tables = [
        table("Session", "session_id: int32"),
        table("Trial", "-> master\ntrial_id: int32", tier="part", master="Session"),
        table("Response", "-> Session.Trial\nresponse_id: int32", tier="part", master="Session"),
    ]
    assert lineages(tables, "Response") == {
        "session_id": "lab.session.session_id",
        "trial_id": "lab.session__trial.trial_id",
        "response_id": "lab.session__response.response_id",
    }


@pytest.mark.parametrize(
    ("tier", "expected"), [("manual", "subject_info"), ("lookup", "#subject_info"), ("computed", "__subject_info")]
)
def test_sql_names_carry_the_tier_prefix(tier, expected):
    subject_info = table("SubjectInfo", "x: int32", tier=tier)
    assert sql_name(subject_info, {"SubjectInfo": subject_info}) == expected


@pytest.mark.parametrize(
    "definition",
    [
        "a = null : int32",
        "a: int32\n-> [nullable] Subject",
        "a: int32\n---\n-> [optional] Subject",
        "a: int32\n---\n-> Nowhere",
        "a: int32\n---\n-> Subject & 'subject_id > 1'",
        "a: int32\na: int32",
    ],
)
def test_definitions_that_cannot_be_declared_raise_definition_error(definition):
    with pytest.raises(OracleError) as error:
        read_headings([LAB[0], table("Bad", definition)])
    assert error.value.error_class == "DefinitionError"
