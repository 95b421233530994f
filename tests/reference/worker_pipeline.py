"""Table classes for the worker tests, at module level so that spawned processes and Dask workers can import
them; each test binds them to its own schema (`bind`).

`Square.make` notes every call in a per-process file under `log_dir`, which is how the tests count make
calls across processes; with `stall_at`, it stops between the master insert and the part inserts, so a test
can kill the worker in the middle of make; with `exit_at`, the process ends at once.
"""

import os
import time
from pathlib import Path

import djspecs.reference as dj

STALLED = "stalled"  # the file a stalled make writes, holding its process id


class Item(dj.Manual):
    definition = """
    item: int32
    ---
    value: int32
    """


class Square(dj.Computed):
    definition = """
    -> Item
    ---
    squared: int64
    """

    class Digit(dj.Part):
        definition = """
        -> master
        position: int16
        ---
        digit: int16
        """

    def make(self, key, log_dir=None, stall_at=None, exit_at=None):
        if exit_at == key["item"]:
            os._exit(3)  # the process dies at once, as under the kernel's out-of-memory killer
        if log_dir:
            with open(Path(log_dir) / f"{os.getpid()}.log", "a") as log:
                log.write(f"{key['item']}\n")
        value = (Item & key).fetch1("value")
        squared = value * value
        self.insert1({**key, "squared": squared})
        if stall_at == key["item"]:
            (Path(log_dir) / STALLED).write_text(str(os.getpid()))
            time.sleep(600)  # the test kills the process here: the master row is written, the parts are not
        self.Digit.insert([{**key, "position": p, "digit": int(d)} for p, d in enumerate(str(squared))])
        if value < 0:
            raise ValueError(f"negative value {value}")


def bind(schema: dj.Schema, items: int) -> None:
    schema(Item)
    schema(Square)
    Item.insert([{"item": i, "value": i} for i in range(items)])


def make_calls(log_dir: Path) -> tuple[list[int], int]:
    """Every key make was called for, in no particular order, and how many processes made calls."""
    logs = list(log_dir.glob("*.log"))
    return [int(line) for p in logs for line in p.read_text().split()], len(logs)
