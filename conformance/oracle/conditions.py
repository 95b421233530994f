"""Restriction conditions (Q-11): each form becomes a predicate that gives a row TRUE, FALSE or UNKNOWN.

`A & c` keeps the rows whose predicate is TRUE and `A - c` those whose negation is TRUE, so a negated
multi-term condition negates the whole conjunction (Q-18) and UNKNOWN rows drop out of both (Q-16).
A predicate is compiled before any row is seen, so errors in a condition surface even on empty operands.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any
from uuid import UUID

from djspecs.conformance.values import decode_row

from . import logic
from .errors import OracleError
from .heading import Attribute, assert_homologous
from .logic import Row, Truth
from .relation import Relation, Universal

if TYPE_CHECKING:
    from .operators import Context

Predicate = Callable[[Row], Truth]


def compile_condition(
    condition: Mapping[str, Any], relation: Relation, context: Context, *, semantic_check: bool
) -> Predicate:
    """The predicate of a condition node (one key: its form) over the rows of `relation`."""
    (form, argument), *_ = condition.items()
    return _FORMS[form](argument, relation, context, semantic_check)


def _constant(value: Truth) -> Predicate:
    return lambda row: value


def _sql(text: str, relation: Relation, context: Context, semantic_check: bool) -> Predicate:
    tree = logic.parse(text, relation.names, error_class="DataJointError")
    return lambda row: logic.truth(logic.evaluate(tree, row))


def _mapping(mapping: Mapping[str, Any], relation: Relation, context: Context, semantic_check: bool) -> Predicate:
    """Q-12: the AND of equalities over the keys that are attributes; None tests IS NULL; other keys are ignored."""
    names = set(relation.names)
    terms = {
        name: _value(relation.attribute(name), value) for name, value in decode_row(mapping).items() if name in names
    }
    return lambda row: logic.and_(
        row[name] is None if value is None else logic.equal(row[name], value) for name, value in terms.items()
    )


def _value(attribute: Attribute, value: Any) -> Any:
    """Q-12: a string given for a uuid attribute is parsed as a UUID."""
    if attribute.type == "uuid" and isinstance(value, str):
        try:
            return UUID(value)
        except ValueError:
            raise OracleError(
                "DataJointError", f"Badly formed UUID {value} in restriction by `{attribute.name}`"
            ) from None
    return value


def _records(records: list, relation: Relation, context: Context, semantic_check: bool) -> Predicate:
    """A DataFrame restricts like the list of its records."""
    return _or([{"dict": record} for record in records], relation, context, semantic_check)


def _query(node: Mapping[str, Any], relation: Relation, context: Context, semantic_check: bool) -> Predicate:
    """Q-14: match on every shared attribute; without shared attributes, B's emptiness decides."""
    other = context.evaluate(node)
    if isinstance(other, Universal):
        return _constant(True)
    if semantic_check:
        assert_homologous(relation.heading, other.heading)
    shared = [name for name in other.names if name in relation.names]
    if not shared:
        return _constant(bool(other.rows))
    keys = [tuple(row[name] for name in shared) for row in other.rows]

    def match(row: Row) -> Truth:  # SQL `(shared) IN (SELECT shared FROM B)`
        values = tuple(row[name] for name in shared)
        return logic.or_(logic.and_(map(logic.equal, values, key)) for key in keys)

    if context.knobs["antijoin_null"] == "not_in":
        return match
    # Q-16 not_exists: a row matches or it does not, so A & B and A - B partition A.
    return lambda row: match(row) is True


def _or(members: list, relation: Relation, context: Context, semantic_check: bool) -> Predicate:
    predicates = [compile_condition(member, relation, context, semantic_check=semantic_check) for member in members]
    return lambda row: logic.or_(predicate(row) for predicate in predicates)


def _and(members: list, relation: Relation, context: Context, semantic_check: bool) -> Predicate:
    predicates = [compile_condition(member, relation, context, semantic_check=semantic_check) for member in members]
    return lambda row: logic.and_(predicate(row) for predicate in predicates)


def _not(member: Mapping[str, Any], relation: Relation, context: Context, semantic_check: bool) -> Predicate:
    predicate = compile_condition(member, relation, context, semantic_check=semantic_check)
    return lambda row: logic.not_(predicate(row))


def _invalid(kind: str) -> Callable[..., Predicate]:
    def refuse(argument, relation, context, semantic_check) -> Predicate:
        raise OracleError("DataJointError", f"Invalid restriction type {kind}")

    return refuse


_FORMS: dict[str, Callable[[Any, Relation, Any, bool], Predicate]] = {
    "sql": _sql,
    "dict": _mapping,
    "records": _records,
    "query": _query,
    "or": _or,
    "and": _and,
    "not": _not,
    "bool": lambda value, relation, context, semantic_check: _constant(value),
    "universal": lambda attributes, relation, context, semantic_check: _constant(True),
    # A Top is accepted only as the whole condition of a restriction; eval_restrict takes it there.
    "top": _invalid("Top"),
    "none": _invalid("None"),
}
