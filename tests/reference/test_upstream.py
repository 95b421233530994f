"""POP-5: `self.upstream` inside make, the ancestors restricted to the rows the key depends on."""

import pytest

import djspecs.reference as dj


@pytest.fixture
def pipeline(schema):
    @schema
    class Lab(dj.Manual):
        definition = """
        lab: varchar(16)
        ---
        city: varchar(32)
        """

    @schema
    class Subject(dj.Manual):
        definition = """
        subject_id: int32
        ---
        -> Lab.proj(home_lab='lab')
        """

    @schema
    class Session(dj.Manual):
        definition = """
        -> Subject
        session: int32
        """

    @schema
    class Other(dj.Manual):
        definition = """
        other_id: int32
        """

    seen = []

    @schema
    class Summary(dj.Computed):
        definition = """
        -> Session
        ---
        city: varchar(32)
        """

        def make(self, key):
            labs = self.upstream[Lab]
            subjects = self.upstream["Subject"]
            seen.append((key, labs.to_dicts(), subjects.keys(), self.upstream[Session].keys()))
            self.insert1({**key, "city": labs.fetch1("city")})

    Lab.insert([{"lab": "north", "city": "Oslo"}, {"lab": "south", "city": "Rome"}, {"lab": "east", "city": "Kyiv"}])
    Subject.insert([{"subject_id": 1, "home_lab": "north"}, {"subject_id": 2, "home_lab": "south"}])
    Session.insert([{"subject_id": 1, "session": 1}, {"subject_id": 1, "session": 2}, {"subject_id": 2, "session": 1}])
    return {"Lab": Lab, "Subject": Subject, "Session": Session, "Other": Other, "Summary": Summary, "seen": seen}


def test_upstream_restricts_ancestors_through_a_renamed_foreign_key(pipeline):
    """POP-5: the grandparent is reached through the renamed FK `home_lab -> lab`, for this key only."""
    summary = pipeline["Summary"]
    assert summary.populate()["success_count"] == 3
    seen = sorted(pipeline["seen"], key=lambda s: (s[0]["subject_id"], s[0]["session"]))
    key, labs, subjects, sessions = seen[2]
    assert key == {"subject_id": 2, "session": 1}
    assert labs == [{"lab": "south", "city": "Rome"}]
    assert subjects == [{"subject_id": 2}]
    assert sessions == [{"subject_id": 2, "session": 1}]
    assert [s[3] for s in seen[:2]] == [[{"subject_id": 1, "session": 1}], [{"subject_id": 1, "session": 2}]]
    assert sorted(r["city"] for r in summary.to_dicts()) == ["Oslo", "Oslo", "Rome"]


def test_upstream_rejects_a_table_that_is_not_an_ancestor(pipeline, schema):
    """POP-5: indexing with a table outside the trace raises, naming the rule."""
    other, session = pipeline["Other"], pipeline["Session"]
    failures = []

    @schema
    class Check(dj.Computed):
        definition = """
        -> Session
        """

        def make(self, key):
            for table in (other, "Other", "NoSuchTable"):
                with pytest.raises(dj.DataJointError, match="POP-5|not an ancestor"):
                    _ = self.upstream[table]
                failures.append(table)
            self.insert1(key)

    assert Check.populate({"subject_id": 2})["success_count"] == 1
    assert failures == [other, "Other", "NoSuchTable"]
    assert len(session()) == 3


def test_upstream_outside_make_raises(pipeline):
    """POP-5: reading self.upstream outside a make call raises, before and after populate."""
    summary = pipeline["Summary"]
    with pytest.raises(dj.DataJointError, match="only inside make"):
        _ = summary().upstream
    table = summary()
    table.populate({"subject_id": 1})
    with pytest.raises(dj.DataJointError, match="only inside make"):
        _ = table.upstream
