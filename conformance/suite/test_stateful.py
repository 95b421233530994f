"""Insert, cascading delete and populate in drawn sequences, checked after every step against a model.

The model is a dict per table. A `Summary` computed table counts each subject's sessions; its make
reads the sessions through the adapter. Invariants: every table equals its model, and no child row is
left without its parent (DML-42).
"""

from __future__ import annotations

import pytest
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule, run_state_machine_as_test

from djspecs.conformance.errors import SpecError

TABLES = [
    {"name": "Subject", "tier": "manual", "definition": "subject_id : int32\n---\nname = null : varchar(8)"},
    {"name": "Session", "tier": "manual", "definition": "-> Subject\nsession_id : int16\n---\nminutes : int32"},
    {"name": "Summary", "tier": "computed", "definition": "-> Subject\n---\nsessions : int32"},
]
IDS = st.integers(1, 5)
RULES = ("DML-4", "DML-6", "DML-30", "DML-31", "DML-42", "POP-2", "POP-11", "POP-23")


class Pipeline(RuleBasedStateMachine):
    conformance = None  # set by the test before the machine runs

    def __init__(self):
        super().__init__()
        self.adapter = self.conformance.guarded(*RULES)
        self.schema = self.adapter.create_schema(self.conformance.schema_name())
        self.tables = self.adapter.declare(self.schema, TABLES)
        self.model = {"Subject": {}, "Session": {}, "Summary": {}}
        self.steps = []

    def teardown(self):
        self.adapter.drop_schema(self.schema)

    def content(self, name):
        result = self.adapter.fetch(self.adapter.expression(self.tables, {"table": name}))
        return {tuple(row[k] for k in result.primary_key): dict(row) for row in result.rows}

    def note(self, step):
        self.steps.append(step)
        return "steps so far:\n  " + "\n  ".join(self.steps)

    @rule(subject=IDS)
    def insert_subject(self, subject):
        row = {"subject_id": subject, "name": f"s{subject}"}
        log = self.note(f"insert Subject {row}")
        if (subject,) in self.model["Subject"]:
            with pytest.raises(SpecError) as raised:
                self.adapter.insert(self.tables["Subject"], [row])
            assert raised.value.is_a("DuplicateError"), log  # DML-4
        else:
            self.adapter.insert(self.tables["Subject"], [row])
            self.model["Subject"][(subject,)] = row

    @rule(subject=IDS, session=st.integers(1, 3), minutes=st.integers(0, 90))
    def insert_session(self, subject, session, minutes):
        row = {"subject_id": subject, "session_id": session, "minutes": minutes}
        log = self.note(f"insert Session {row}")
        if (subject,) not in self.model["Subject"]:
            with pytest.raises(SpecError) as raised:
                self.adapter.insert(self.tables["Session"], [row])
            assert raised.value.is_a("IntegrityError"), log  # DML-6
        elif (subject, session) not in self.model["Session"]:
            self.adapter.insert(self.tables["Session"], [row])
            self.model["Session"][(subject, session)] = row

    @rule(subject=IDS)
    def delete_subject(self, subject):
        self.note(f"delete Subject & subject_id={subject}")
        where = {"restrict": {"table": "Subject"}, "where": {"dict": {"subject_id": subject}}}
        self.adapter.delete(self.adapter.expression(self.tables, where))
        for table in self.model.values():  # DML-30, DML-31: the cascade reaches sessions and summaries
            for key in [k for k in table if k[0] == subject]:
                del table[key]

    @precondition(lambda self: self.model["Subject"])
    @rule()
    def populate(self):
        self.note("populate Summary")

        def make(key):
            sessions = {"restrict": {"table": "Session"}, "where": {"dict": dict(key)}}
            count = len(self.adapter.fetch(self.adapter.expression(self.tables, sessions)).rows)
            return [{**key, "sessions": count}]

        made = self.adapter.populate(self.tables["Summary"], make)
        pending = [k for k in self.model["Subject"] if k not in self.model["Summary"]]  # POP-2, POP-11, POP-23
        assert made == len(pending), self.note(f"populate made {made} rows, expected {len(pending)}")
        for (subject,) in pending:
            count = sum(1 for k in self.model["Session"] if k[0] == subject)
            self.model["Summary"][(subject,)] = {"subject_id": subject, "sessions": count}

    @invariant()
    def tables_equal_the_model(self):
        for name, rows in self.model.items():
            found = self.content(name)
            assert found == rows, self.note(f"{name} holds {found}, the model {rows}")


@pytest.mark.rules(*RULES, requires=["populate"])
def test_insert_delete_populate_sequences(conformance):
    Pipeline.conformance = conformance
    steps = settings(max_examples=max(3, settings().max_examples // 5), stateful_step_count=12)
    run_state_machine_as_test(Pipeline, settings=steps)
