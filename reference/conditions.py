"""Restriction conditions (Q-11): the forms users write, and the SQL text they may contain (Q-13, Q-24).

SQL text is the one place where user SQL enters: it is parsed by sqlglot (as MySQL, DataJoint's own
dialect), every attribute it names is checked against the heading, and it is rendered later for the target
dialect. Text that does not parse is refused with the position of the error.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from typing import Any

import sqlglot
from sqlglot import exp

from .errors import DataJointError, UnknownAttributeError
from .heading import Heading


@dataclass(frozen=True)
class Not:
    """`dj.Not(c)`: the complement of a condition; `Not(Not(c))` is `c`."""

    condition: Any


class AndList(list):
    """`dj.AndList([...])`: all conditions must hold; an empty AndList is true."""


@dataclass(frozen=True)
class Top:
    """`dj.Top(limit=1, order_by="KEY", offset=0)` (Q-70)."""

    limit: int | None = 1
    order_by: str | list[str] | None = "KEY"
    offset: int = 0

    def __post_init__(self):
        if self.limit is not None and (not isinstance(self.limit, int) or isinstance(self.limit, bool)):
            raise TypeError(f"Top limit must be an integer or None, not {self.limit!r}")
        if not isinstance(self.offset, int) or isinstance(self.offset, bool):
            raise TypeError(f"Top offset must be an integer, not {self.offset!r}")
        orders = [self.order_by] if isinstance(self.order_by, str) else self.order_by
        if orders is not None and not all(isinstance(o, str) for o in orders):
            raise TypeError(f"Top order_by must be a string, a list of strings or None, not {self.order_by!r}")

    def terms(self, primary_key: list[str]) -> tuple[str, ...]:
        """The ordering with `KEY` (or `KEY DESC`) expanded to the primary key."""
        orders = [self.order_by] if isinstance(self.order_by, str) else list(self.order_by or [])
        expanded = []
        for term in orders:
            name, _, direction = term.strip().partition(" ")
            if not name or direction.strip().upper() not in ("", "ASC", "DESC"):
                raise DataJointError(
                    f"Cannot order by {term!r}: each term is an attribute name, optionally followed by ASC or DESC",
                    rule="Q-70",
                )
            expanded += [f"{k} {direction}".strip() for k in primary_key] if name == "KEY" else [term.strip()]
        return tuple(expanded)


@dataclass(frozen=True)
class Matching:
    """Rows whose foreign-key attributes match a row of a parent node (the cascade of DML-31)."""

    parent: Any  # an algebra node
    pairs: tuple[tuple[str, str], ...]  # (child attribute, parent attribute)


def parse_sql(text: str, heading: Heading, *, what: str, hidden: bool = True) -> exp.Expression:
    """Q-13: parse a restriction or computed expression and check the attributes it names."""
    try:
        tree = sqlglot.parse_one(text, read="mysql")
    except sqlglot.errors.ParseError as error:
        where = error.errors[0] if error.errors else {}
        position = f" at line {where.get('line')}, column {where.get('col')}" if where else ""
        raise DataJointError(
            f"Cannot parse the {what} {text!r}{position}: {error.errors[0]['description'] if error.errors else error}",
            rule="Q-13",
        ) from None
    except sqlglot.errors.SqlglotError as error:  # e.g. an unterminated comment or string
        raise DataJointError(f"Cannot parse the {what} {text!r}: {error}", rule="Q-13") from None
    except RecursionError:
        raise DataJointError(
            f"The {what} is nested too deeply to parse ({len(text)} characters)", rule="Q-13"
        ) from None
    if tree is None:
        raise DataJointError(f"The {what} {text!r} is empty", rule="Q-13")
    _refuse_statements(tree, text, what)
    known = heading.all_names if hidden else heading.names
    for column in tree.find_all(exp.Column):
        if column.table or column.name not in known:
            raise UnknownAttributeError(
                f"Attribute `{column.sql()}` is not found in query.{_hint(column.name, list(heading.names), what, text)}",
                rule="Q-13",
            )
        column.set("this", exp.to_identifier(column.name, quoted=True))
    return tree


def _hint(name: str, known: list[str], what: str, text: str) -> str:
    """The attribute the user probably meant, else what the text could have named."""
    close = difflib.get_close_matches(name, known, n=1)
    if close:
        return f" Did you mean `{close[0]}` in the {what} {text!r}?"
    shown = ", ".join(known[:20]) + (", ..." if len(known) > 20 else "")
    return f" The {what} {text!r} can name: {shown}."


# Nodes that make text more than an expression over the heading: statements, subqueries, table references.
_NOT_AN_EXPRESSION = (exp.Block, exp.Query, exp.DML, exp.DDL, exp.Command, exp.Drop, exp.Alter, exp.Transaction,
                      exp.Commit, exp.Rollback, exp.Set, exp.Use, exp.Pragma, exp.Into, exp.Lock, exp.Kill,
                      exp.LoadData, exp.Show, exp.Describe, exp.Analyze, exp.Grant, exp.Table, exp.Subquery,
                      exp.Placeholder, exp.Parameter)  # fmt: skip


def _refuse_statements(tree: exp.Expression, text: str, what: str) -> None:
    """Q-13: SQL text is one expression over the heading's attributes; anything else never reaches the server.

    Statements, a second statement after `;`, subqueries, table references and parameter markers (`?`, `$1`,
    `:x`, which would take values the caller never bound) are refused, and so are
    functions sqlglot does not know: they cannot be translated between dialects and may have side effects
    (SLEEP, LOAD_FILE). Comments and MySQL's character-set introducers are dropped.
    """
    for node in tree.walk():
        if isinstance(node, _NOT_AN_EXPRESSION):
            problem = "holds more than one statement" if isinstance(node, exp.Block) else f"holds {node.key.upper()}"
            raise DataJointError(f"The {what} {text!r} {problem}: it must be one expression", rule="Q-13")
        if isinstance(node, exp.Anonymous):
            raise DataJointError(f"The {what} {text!r} calls the unknown function {node.name}", rule="Q-13")
        node.comments = None
    for introducer in list(tree.find_all(exp.Introducer)):  # `_utf8'x'`: every schema is UTF-8 already
        introducer.replace(introducer.expression)


def is_aggregate(tree: exp.Expression) -> bool:
    return tree.find(exp.AggFunc) is not None
