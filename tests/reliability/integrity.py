"""Referential integrity of whole schemas, checked by one query per foreign key read from the catalog.

Reusable by any test that stresses writes (concurrency, crashes during populate): `orphans(connection,
schemas)` returns the foreign keys that some row breaks, with how many rows break each.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlglot import exp

from djspecs.reference import catalog
from djspecs.reference.backends.base import identifier


@dataclass(frozen=True)
class ForeignKeyCheck:
    child: tuple[str, str]  # (schema, table)
    parent: tuple[str, str]
    pairs: tuple[tuple[str, str], ...]  # (child attribute, parent attribute)
    query: exp.Select  # counts the child rows whose non-null key has no parent row

    def __str__(self) -> str:
        names = ", ".join(f"{c}->{p}" for c, p in self.pairs)
        return f"`{self.child[0]}`.`{self.child[1]}` ({names}) -> `{self.parent[0]}`.`{self.parent[1]}`"


def foreign_key_checks(connection, schemas: Iterable[str]) -> list[ForeignKeyCheck]:
    """One orphan-counting query for every foreign key of every table (hidden ones included) of `schemas`."""
    backend, checks = connection.backend, []
    child_alias, parent_alias = identifier("c"), identifier("p")
    for schema in schemas:
        for table in catalog.table_names(connection, schema, hidden=True):
            for fk in catalog.foreign_keys(connection, schema, table):
                pairs = fk.attributes
                matches = [
                    exp.column(identifier(p), table=parent_alias).eq(exp.column(identifier(c), table=child_alias))
                    for c, p in pairs
                ]
                parent = (
                    exp.select(exp.Literal.number(1))
                    .from_(backend.table(fk.parent_schema, fk.parent_table).as_(parent_alias))
                    .where(*matches)
                )
                not_null = [exp.column(identifier(c), table=child_alias).is_(exp.null()).not_() for c, _ in pairs]
                query = (
                    exp.select(exp.func("COUNT", exp.Star()))
                    .from_(backend.table(schema, table).as_(child_alias))
                    .where(*not_null, exp.not_(exp.Exists(this=parent)))
                )
                checks.append(ForeignKeyCheck((schema, table), (fk.parent_schema, fk.parent_table), pairs, query))
    return checks


def orphans(connection, schemas: Iterable[str]) -> tuple[int, dict[str, int]]:
    """(foreign keys checked, {foreign key: rows without a parent}) over `schemas`."""
    checks = foreign_key_checks(connection, schemas)
    broken = {}
    for check in checks:
        (count,) = connection.query(check.query)[0]
        if count:
            broken[str(check)] = count
    return len(checks), broken
