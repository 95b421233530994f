"""SQL text in computed attributes, written in DataJoint's MySQL-flavoured subset, runs on every backend (Q-24)."""

from __future__ import annotations

import pytest

from .pipeline import pipeline


def split(value: str | None, separator: str) -> list[str] | None:
    return None if value is None else sorted(value.split(separator))


@pytest.mark.rules("Q-24", "Q-40", requires=["python.api"])
def test_group_concat_is_translated_for_the_backend(adapter, schema, api):
    tables = pipeline(adapter, schema)
    subject, session = tables["Subject"], tables["Session"]
    joined = subject.aggr(
        session, by_comma="GROUP_CONCAT(minutes)", by_semicolon="GROUP_CONCAT(minutes SEPARATOR ';')"
    )  # an integer column: PostgreSQL's STRING_AGG needs it as text
    rows = {r["subject_id"]: (split(r["by_comma"], ","), split(r["by_semicolon"], ";")) for r in joined.to_dicts()}
    assert rows == {1: (["10", "20"], ["10", "20"]), 2: (["30"], ["30"]), 3: (None, None)}  # 3 has no session


@pytest.mark.rules("Q-24", "Q-60", requires=["python.api", "query.universal"])
def test_string_agg_is_translated_for_the_backend(adapter, schema, api):
    subject = pipeline(adapter, schema)["Subject"]
    (row,) = api.U().aggr(subject, names="STRING_AGG(name, '|')").to_dicts()
    assert split(row["names"], "|") == ["ann", "bob", "cy"]
