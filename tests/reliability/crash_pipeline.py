"""Table classes for the crash-during-populate tests, at module level so a spawned worker can import them.

`Outcome.make` writes a master row and then its parts one insert at a time; with `kill_at={item: point}` the
worker sends itself SIGKILL at that point of that key's make: 0 before the master insert, 1 after it, 2 .. PARTS
between the part inserts, PARTS + 1 after the last part (just before the commit).
"""

import os
import signal

import djspecs.reference as dj

PARTS = 3
POINTS = PARTS + 2  # kill points 0 .. PARTS + 1


class Item(dj.Manual):
    definition = """
    item: int32
    ---
    value: int32
    """


class Outcome(dj.Computed):
    definition = """
    -> Item
    ---
    total: int64
    """

    class Share(dj.Part):
        definition = """
        -> master
        share: int16
        ---
        amount: int64
        """

    def make(self, key, kill_at=None):
        point = (kill_at or {}).get(key["item"])
        value = (Item & key).fetch1("value")
        self._checkpoint(0, point)
        self.insert1({**key, "total": value * PARTS})
        self._checkpoint(1, point)
        for share in range(PARTS):
            self.Share.insert1({**key, "share": share, "amount": value})
            self._checkpoint(share + 2, point)

    @staticmethod
    def _checkpoint(here: int, point: int | None) -> None:
        if here == point:
            os.kill(os.getpid(), signal.SIGKILL)


def bind(schema: dj.Schema, items: int) -> None:
    schema(Item)
    schema(Outcome)
    Item.insert([{"item": i, "value": 7 * i + 1} for i in range(items)])
