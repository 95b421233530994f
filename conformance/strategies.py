"""Hypothesis strategies for the property tests: schemas, rows that respect their keys, conditions, query trees.

A drawn `World` is a small acyclic pipeline in the vector format (spec/vectors/README.md): a manual
`Subject` whose secondary attributes have drawn core types and nullability, a `Session` below it with a
part `Session.Trial`, and a `Pairing` with a renamed nullable foreign key and a secondary unique foreign
key to Subject. Rows respect every key (NULLs, unicode, extreme integers); conditions take every form of
Q-11; query trees nest up to depth five. `World.reproduction()` prints a runnable vector for a failure.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

import yaml
from hypothesis import strategies as st

INT32 = (-(2**31), 2**31 - 1)
# Text keeps leading and trailing spaces: 'a' and 'a ' are different values (TYPE-7, no-pad collation).
TEXT = st.text(alphabet=st.sampled_from("abcAB xyzéßø漢字'%_"), min_size=1, max_size=10)
# Core types with values every backend stores exactly (floats as halves, datetimes to the second).
CORE_TYPES = {
    "int8": st.integers(-128, 127),
    "int16": st.integers(-32768, 32767),
    "int32": st.integers(*INT32),
    "int64": st.integers(-(2**63), 2**63 - 1),
    "float64": st.integers(-(10**6), 10**6).map(lambda n: n / 2),
    "decimal(6,2)": st.integers(-99999, 99999).map(lambda n: Decimal(n).scaleb(-2)),
    "varchar(12)": TEXT,
    "bool": st.booleans(),
    "date": st.dates(date(1900, 1, 1), date(2100, 12, 31)),
    "datetime": st.datetimes(datetime(1970, 1, 2), datetime(2037, 12, 31)).map(lambda d: d.replace(microsecond=0)),
}
COMPARABLE = ("int8", "int16", "int32", "int64", "float64", "decimal(6,2)")  # types drawn into SQL conditions


@dataclass(frozen=True)
class World:
    tables: list[dict]
    rows: dict[str, list[dict]]
    value_type: str  # the drawn type of Subject.value

    def reproduction(self, tree: dict | None = None, note: str = "") -> str:
        """A vector that reproduces a failure: definitions, rows, and the expression tree."""
        case = {"given": {"tables": self.tables, "rows": _plain(self.rows)}}
        if tree is not None:
            case["do"] = {"query": tree}
        text = yaml.dump(case, Dumper=_Literal, sort_keys=False, allow_unicode=True, width=110)
        return f"{note}\nReproduction (spec/vectors format):\n{text}"


class _Literal(yaml.SafeDumper):
    """Writes multi-line strings (definitions) as literal blocks, as the vector files do."""


_Literal.add_representer(
    str,
    lambda dumper, text: dumper.represent_scalar("tag:yaml.org,2002:str", text, style="|" if "\n" in text else None),
)


def _plain(rows):
    def value(v):
        if isinstance(v, Decimal):
            return {"type": "decimal", "value": str(v)}
        if isinstance(v, datetime):
            return {"type": "datetime", "value": v.isoformat()}
        if isinstance(v, date):
            return {"type": "date", "value": v.isoformat()}
        return v

    return {name: [{k: value(v) for k, v in row.items()} for row in table] for name, table in rows.items()}


def _definitions(value_type: str, value_nullable: bool) -> list[dict]:
    value = f"value = null : {value_type}" if value_nullable else f"value : {value_type}"
    return [
        {"name": "Subject", "tier": "manual",
         "definition": f"subject_id : int32\n---\n{value}\nlabel = null : varchar(12)\nscore = null : int32"},
        {"name": "Session", "tier": "manual",
         "definition": "-> Subject\nsession_id : int16\n---\nminutes = null : int32\nrating : float64"},
        {"name": "Trial", "tier": "part", "master": "Session",
         "definition": "-> master\ntrial : int32\n---\noutcome = null : varchar(8)"},
        {"name": "Pairing", "tier": "manual",
         "definition": "pair_id : int32\n---\n-> [nullable] Subject.proj(partner_id='subject_id')\n"
                       "-> [unique] Subject.proj(lead_id='subject_id')"},
    ]  # fmt: skip


@st.composite
def worlds(draw, max_subjects: int = 6) -> World:
    value_type = draw(st.sampled_from(sorted(CORE_TYPES)))
    nullable = draw(st.booleans())
    ids = draw(st.lists(st.sampled_from([INT32[0], -1, 0, 1, 2, 3, 7, INT32[1]]), unique=True, max_size=max_subjects))
    subjects = [
        {"subject_id": s, "value": draw((st.none() | CORE_TYPES[value_type]) if nullable else CORE_TYPES[value_type]),
         "label": draw(st.none() | TEXT), "score": draw(st.none() | st.integers(-3, 3))}
        for s in ids
    ]  # fmt: skip
    keys = draw(st.lists(st.tuples(st.sampled_from(ids), st.integers(1, 3)), unique=True, max_size=8)) if ids else []
    sessions = [
        {"subject_id": s, "session_id": n, "minutes": draw(st.none() | st.integers(0, 9)),
         "rating": draw(st.integers(-4, 4)) / 2}
        for s, n in keys
    ]  # fmt: skip
    trials = [
        {"subject_id": s, "session_id": n, "trial": t, "outcome": draw(st.none() | st.sampled_from(["hit", "miss"]))}
        for s, n in keys
        for t in range(draw(st.integers(0, 2)))
    ]
    leads = draw(st.permutations(ids)) if ids else []
    pairings = [
        {"pair_id": i, "partner_id": draw(st.none() | st.sampled_from(ids)), "lead_id": lead}
        for i, lead in enumerate(leads[: draw(st.integers(0, len(leads)))])
    ]
    rows = {"Subject": subjects, "Session": sessions, "Trial": trials, "Pairing": pairings}
    return World(_definitions(value_type, nullable), rows, value_type)


def never_unknown(world_type: str) -> st.SearchStrategy[dict]:
    """Conditions on Subject that are never unknown (no NULL can reach them): for partition tests."""
    return st.one_of(
        st.builds(lambda k: {"sql": f"subject_id > {k}"}, st.integers(-2, 4)),
        st.builds(lambda k: {"dict": {"subject_id": k}}, st.integers(-1, 4)),
        st.just({"query": {"table": "Session"}}),
        st.builds(lambda k: {"sql": f"subject_id < {k} OR subject_id = 7"}, st.integers(-2, 4)),
        st.just({"sql": "score IS NULL"}),
    )


def subject_conditions(value_type: str) -> st.SearchStrategy[dict]:
    """Every form of Q-11 over Subject: SQL text, mappings (with NULL), queries, OR-lists, AND-lists, NOT, bool."""
    leaf = st.one_of(
        st.builds(lambda k: {"sql": f"score > {k}"}, st.integers(-3, 3)),
        st.just({"sql": "score IS NULL"}),
        st.just({"sql": "label IS NOT NULL"}),
        st.builds(lambda k: {"dict": {"score": k}}, st.none() | st.integers(-3, 3)),
        st.builds(lambda k: {"dict": {"subject_id": k, "score": 1}}, st.integers(-1, 3)),
        st.just({"query": {"table": "Session"}}),
        st.just({"query": {"restrict": {"table": "Session"}, "where": {"sql": "minutes > 4"}}}),
        st.builds(lambda b: {"bool": b}, st.booleans()),
        *([st.builds(lambda k: {"sql": f"value >= {k}"}, st.integers(-5, 5))] if value_type in COMPARABLE else []),
    )
    return st.recursive(
        leaf,
        lambda inner: st.one_of(
            st.lists(inner, min_size=1, max_size=3).map(lambda c: {"or": c}),
            st.lists(inner, min_size=1, max_size=3).map(lambda c: {"and": c}),
            inner.map(lambda c: {"not": c}),
        ),
        max_leaves=4,
    )


def subject_trees(value_type: str) -> st.SearchStrategy[dict]:
    """Expressions with Subject's primary key: restrictions, projections, Tops, U, semijoins; depth up to 5."""
    conditions = subject_conditions(value_type)
    return st.recursive(
        st.just({"table": "Subject"}),
        lambda inner: st.one_of(
            st.builds(
                lambda n, c, anti: {"antirestrict" if anti else "restrict": n, "where": c},
                inner,
                conditions,
                st.booleans(),
            ),  # fmt: skip
            st.builds(lambda n: {"proj": n, "attributes": ["score"], "compute": {"twice": "score * 2"}}, inner),
            st.builds(lambda n: {"top": n, "limit": 3, "order_by": "subject_id DESC"}, inner),
            st.builds(
                lambda n: {
                    "aggr": n,
                    "source": {"table": "Session"},
                    "all": True,
                    "compute": {"n": "count(session_id)"},
                },
                inner,
            ),  # fmt: skip
        ),
        max_leaves=5,
    )


def trees(value_type: str) -> st.SearchStrategy[dict]:
    """Query trees over the drawn world, every operator of the algebra at the root, subtrees from above."""
    subjects = subject_trees(value_type)
    sessions = st.one_of(
        st.just({"table": "Session"}),
        st.builds(lambda s: {"restrict": {"table": "Session"}, "where": {"query": s}}, subjects),
        st.builds(lambda k: {"restrict": {"table": "Session"}, "where": {"sql": f"minutes < {k}"}}, st.integers(0, 9)),
    )
    return st.one_of(
        subjects,
        st.builds(lambda s, t: {"join": [s, t]}, subjects, sessions),
        st.builds(lambda t, s: {"join": [t, {"proj": s, "attributes": ["label"]}]}, sessions, subjects),
        st.builds(
            lambda s, t: {"aggr": s, "source": t, "compute": {"n": "count(*)", "most": "max(minutes)"}},
            subjects,
            sessions,
        ),  # fmt: skip
        st.builds(lambda a, b: {"union": [{"proj": a}, {"proj": b}]}, subjects, subjects),
        st.builds(lambda t: {"restrict": {"universal": ["minutes"]}, "where": {"query": t}}, sessions),
        st.builds(
            lambda t: {"aggr": {"universal": ["session_id"]}, "source": t, "compute": {"n": "count(*)"}}, sessions
        ),  # fmt: skip
        st.builds(lambda t, s: {"extend": [t, s]}, sessions, subjects.filter(lambda tree: "proj" not in tree)),
        st.builds(lambda s: {"join": [{"table": "Trial"}, {"proj": s}]}, subjects),
        st.builds(
            lambda s: {
                "restrict": {"table": "Pairing"},
                "where": {"query": {"proj": s, "rename": {"lead_id": "subject_id"}}},
            },
            subjects,
        ),  # fmt: skip
    )
