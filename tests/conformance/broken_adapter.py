"""Adapters with faults, for the tests of how the suite reports them (imported by path: --impl)."""

from djspecs.conformance.adapters.reference import ReferenceAdapter


class WrongShape(ReferenceAdapter):
    """fetch returns a bare list instead of a Result."""

    def fetch(self, expression):
        return super().fetch(expression).rows


class Raising(ReferenceAdapter):
    """table_name fails in the adapter's own code."""

    def table_name(self, *args, **kwargs):
        raise RuntimeError("a bug in the adapter")


class Missing:
    """Lacks nearly every method of the protocol."""

    name = "missing"
    version = "0"
    capabilities = frozenset({"backend.sqlite"})
