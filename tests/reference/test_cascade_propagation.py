"""A cascade carries a parent's restriction to its children where that selects the same rows as the semijoin
(DML-31): drawn restrictions of a parent with plain, nullable and renamed children delete exactly the rows that
reference deleted rows, on every backend."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlglot import exp

import djspecs.reference as dj

ROOTS = range(8)


@pytest.fixture
def tables(schema):
    @schema
    class Root(dj.Manual):
        definition = """
        root_id: int32
        ---
        label: varchar(8)
        """

    @schema
    class Mid(dj.Manual):
        definition = """
        -> Root
        mid_id: int16
        """

    @schema
    class Leaf(dj.Manual):
        definition = """
        -> Mid
        leaf_id: int16
        """

    @schema
    class Note(dj.Manual):  # a nullable reference: rows without a root are never deleted
        definition = """
        note_id: int32
        ---
        -> [nullable] Root
        """

    @schema
    class Alias(dj.Manual):  # a renamed reference: conditions on root_id say nothing about origin_id
        definition = """
        -> Root.proj(origin_id="root_id")
        alias_id: int16
        ---
        root_id = 0: int32  # a namesake that is not the reference
        """

    return Root, Mid, Leaf, Note, Alias


def fill(Root, Mid, Leaf, Note, Alias):
    for table in (Leaf, Mid, Note, Alias, Root):
        table.delete_quick()
    Root.insert([{"root_id": r, "label": "ab"[r % 2]} for r in ROOTS])
    Mid.insert([{"root_id": r, "mid_id": m} for r in ROOTS for m in (1, 2)])
    Leaf.insert([{"root_id": r, "mid_id": m, "leaf_id": 1} for r in ROOTS for m in (1, 2)])
    Note.insert([{"note_id": n, "root_id": None if n % 3 == 0 else n % 8} for n in range(9)])
    Alias.insert([{"origin_id": r, "alias_id": 1, "root_id": 7 - r} for r in ROOTS])


values = st.integers(0, 8)
sql = st.one_of(
    values.map(lambda k: f"root_id < {k}"),
    st.tuples(values, values).map(lambda ab: f"root_id IN ({ab[0]}, {ab[1]})"),
    st.tuples(values, values).map(lambda ab: f"root_id BETWEEN {min(ab)} AND {max(ab)}"),
    values.map(lambda k: f"NOT (root_id = {k}) AND root_id % 2 = 0"),
    st.sampled_from(["label = 'a'", "root_id + 1 > 4 OR label = 'b'", "ABS(root_id - 4) < 2"]),
)
mappings = st.one_of(
    values.map(lambda k: {"root_id": k}),
    st.sampled_from([{"label": "a"}, {"root_id": 3, "label": "b"}, {"unknown": 1}, {}]),
)
simple = st.one_of(sql, mappings, st.lists(mappings, max_size=3), st.booleans())
conditions = st.recursive(
    simple, lambda inner: st.one_of(inner.map(dj.Not), st.lists(inner, min_size=1, max_size=2).map(dj.AndList)),
    max_leaves=3,
)  # fmt: skip


def contents(*tables) -> list[list[tuple]]:
    return [sorted(tuple(row.values()) for row in table.to_dicts()) for table in tables]


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(condition=conditions)
def test_a_cascade_deletes_exactly_the_rows_that_reference_deleted_rows(tables, condition):
    Root, Mid, Leaf, Note, Alias = tables
    fill(*tables)
    doomed = {row["root_id"] for row in (Root & condition).to_dicts()}
    survivors = [r for r in ROOTS if r not in doomed]
    expected = [
        sorted((r, "ab"[r % 2]) for r in survivors),
        sorted((r, m) for r in survivors for m in (1, 2)),
        sorted((r, m, 1) for r in survivors for m in (1, 2)),
        sorted((n, None if n % 3 == 0 else n % 8) for n in range(9) if n % 3 == 0 or n % 8 in survivors),
        sorted((r, 1, 7 - r) for r in survivors),
    ]
    (Root & condition).delete(prompt=False)
    assert contents(*tables) == expected


def test_conditions_on_inherited_keys_reach_children_without_subqueries(tables, connection, monkeypatch):
    """Root & "root_id < 3" restricts Mid and Leaf by the same condition; the nullable and the renamed
    references, and a condition on `label`, keep the semijoin."""
    fill(*tables)
    Root = tables[0]
    deletes, check = {}, connection.on_statement

    def record(statement):
        if isinstance(statement, exp.Delete):
            deletes[statement.this.name.rpartition(".")[2]] = statement
        check(statement)

    monkeypatch.setattr(connection, "on_statement", record)
    (Root & "root_id < 3").delete(prompt=False)
    assert {name for name, d in deletes.items() if d.find(exp.Subquery)} == {"note", "alias"}
    deletes.clear()
    (Root & {"label": "b"}).delete(prompt=False)
    assert {name for name, d in deletes.items() if d.find(exp.Subquery)} == {"mid", "leaf", "note", "alias"}
