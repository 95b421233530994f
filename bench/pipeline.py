"""The benchmark's tables as module-level classes of the reference, so worker processes can import them.

`populate(processes=N)` starts fresh processes that import each table class by module and name (POP-24);
classes made inside a function cannot be found there. These classes are bound to each backend's schema in
turn by `bench.impls.Reference`.
"""

import djspecs.reference as dj

from . import data


class Subject(dj.Manual):
    definition = data.SUBJECT


class Session(dj.Manual):
    definition = data.SESSION


class Trial(dj.Manual):
    definition = data.TRIAL


class Bulk(dj.Manual):
    definition = data.BULK


class Root(dj.Manual):
    definition = data.ROOT


class Mid(dj.Manual):
    definition = data.MID


class Leaf(dj.Manual):
    definition = data.LEAF


class Item(dj.Manual):
    definition = data.ITEM


class Result(dj.Computed):
    definition = data.RESULT

    def make(self, key, spin=0):
        """A trivial make: one row computed from the key, after `spin` steps of computation."""
        data.spin(spin)
        self.insert1({**key, "doubled": 2 * key["item_id"]})


TABLES = (Subject, Session, Trial, Bulk, Root, Mid, Leaf, Item, Result)


def bind(schema) -> dict[str, type]:
    """Declare (or re-bind) every table in `schema`, parents first."""
    return {cls.__name__: schema(cls) for cls in TABLES}
