"""One exception tree for everything the reference implementation detects (API-3).

Every message names what failed and where: the table, the attribute or the definition line, and the
rule ID where one applies. Driver exceptions are translated by the backends into these classes and
never escape raw.
"""

from __future__ import annotations


class DataJointError(Exception):
    """Root of every error the spec names."""

    def __init__(self, message: str, *, rule: str | None = None):
        self.rule = rule
        super().__init__(f"{message} [{rule}]" if rule else message)

    def __str__(self) -> str:  # KeyError, a base of some subclasses, would quote the message
        return str(self.args[0]) if self.args else ""


class DefinitionError(DataJointError, ValueError):
    """A table definition that cannot be declared; names the table and the definition line."""


class AlterRefusedError(DataJointError, NotImplementedError):
    """DEF-21: `alter()` does not change primary keys, foreign keys or indexes; also a NotImplementedError, as in DataJoint 2.x."""


class InvalidValueError(DataJointError, ValueError):
    """A value that does not fit its attribute's type; names the table and attribute."""


class LostConnectionError(DataJointError):
    """The connection to the server was lost."""


class QueryError(DataJointError):
    """The server refused a statement."""


class QuerySyntaxError(QueryError):
    """The server could not parse a statement."""


class AccessError(QueryError):
    """The user lacks the privilege for the operation, or the server refused the credentials."""


class DeadlockError(QueryError):
    """The server aborted a transaction to break a deadlock or a serialization conflict; it may be re-run.

    Statements outside a transaction are re-run by the connection itself; a transaction is the caller's to re-run.
    """


class DuplicateError(QueryError):
    """A row with the same primary key, or the same values of a unique index, exists."""


class IntegrityError(QueryError):
    """A foreign-key constraint would be violated."""


class UnknownAttributeError(QueryError, KeyError):
    """An attribute name the heading does not have; also a KeyError, as DataJoint 2.x raises (DML-3, DIS-19)."""


class MissingAttributeError(QueryError):
    """A required attribute has no value."""


class MissingTableError(DataJointError):
    """The table does not exist."""


class MissingExternalFile(DataJointError):
    """An object-store file is missing."""


class BucketInaccessible(DataJointError):
    """An object-store bucket cannot be reached."""


class ThreadSafetyError(DataJointError):
    """A process-wide global was used in thread-safe mode."""


__all__ = [
    "AccessError",
    "AlterRefusedError",
    "BucketInaccessible",
    "DataJointError",
    "DeadlockError",
    "DefinitionError",
    "DuplicateError",
    "IntegrityError",
    "InvalidValueError",
    "LostConnectionError",
    "MissingAttributeError",
    "MissingExternalFile",
    "MissingTableError",
    "QueryError",
    "QuerySyntaxError",
    "ThreadSafetyError",
    "UnknownAttributeError",
]
