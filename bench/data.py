"""The benchmark's tables and rows: one set of definitions, declared by every implementation, filled the same way.

Sizes scale with `n`, the number of rows of the large tables (100,000 in a full run): 100 subjects with
ten sessions each and `n / 1000` trials per session; a bulk table for inserts; three levels for the
cascade; items for populate.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

SUBJECT = """
subject_id: int32
---
name: varchar(16)
"""
SESSION = """
-> Subject
session_id: int32
---
minutes: int32
"""
TRIAL = """
-> Session
trial_id: int32
---
x: float64
y: int32
"""
BULK = """
bulk_id: int32
---
x: float64
y: int32
name: varchar(32)
"""
ROOT = """
root_id: int32
---
label: varchar(16)
"""
MID = """
-> Root
mid_id: int32
---
value: float64
"""
LEAF = """
-> Mid
leaf_id: int32
---
value: float64
"""
ITEM = """
item_id: int32
"""
RESULT = """
-> Item
---
doubled: int32
"""
# Ten tables for counting the statements of a declaration: a chain of five and five on their own.
DECLARED = [
    ("Animal", "animal_id: int32\n---\nspecies: varchar(32)\nborn = null: date\n"),
    ("Visit", "-> Animal\nvisit_id: int32\n---\nnote = '': varchar(100)\n"),
    ("Probe", "-> Visit\nprobe_id: int16\n---\ndepth: float64\n"),
    ("Unit", "-> Probe\nunit_id: int32\n---\nquality: enum('good', 'mua', 'noise')\n"),
    ("Spike", "-> Unit\nspike_id: int64\n---\nt: float64\n"),
    ("Lab", "lab: varchar(32)\n---\ncity: varchar(64)\n"),
    ("Rig", "rig: varchar(16)\n---\nroom: varchar(16)\n"),
    ("Stimulus", "stimulus_id: int32\n---\nkind: varchar(32)\nduration: float32\n"),
    ("Person", "person: varchar(32)\n---\nemail = null: varchar(128)\n"),
    ("Protocol", "protocol_id: int32\n---\ntitle: varchar(200)\napproved: bool\n"),
]

# Columns of each filled table, in order, for the untimed bulk loads through the raw driver.
COLUMNS = {
    "subject": ("subject_id", "name"),
    "session": ("subject_id", "session_id", "minutes"),
    "trial": ("subject_id", "session_id", "trial_id", "x", "y"),
    "bulk": ("bulk_id", "x", "y", "name"),
    "root": ("root_id", "label"),
    "mid": ("root_id", "mid_id", "value"),
    "leaf": ("root_id", "mid_id", "leaf_id", "value"),
    "item": ("item_id",),
}


@dataclass(frozen=True)
class Sizes:
    n: int  # rows of the large tables (trials, bulk inserts, fetches)
    keys: int  # keys in the restriction by a list
    cascade: int  # rows removed by the cascade delete
    jobs: int  # populate calls
    computations: int = 0  # populate calls whose make computes for about 5 ms (SPIN)

    @property
    def subjects(self) -> int:
        return 100 if self.n >= 10_000 else 10

    @property
    def sessions_per_subject(self) -> int:
        return 10

    @property
    def trials_per_session(self) -> int:
        return max(1, self.n // (self.subjects * self.sessions_per_subject))


FULL = Sizes(n=100_000, keys=1_000, cascade=10_000, jobs=1_000, computations=200)
QUICK = Sizes(n=2_000, keys=100, cascade=200, jobs=20, computations=4)
SPIN = 100_000  # about 5 ms of pure-Python arithmetic on this machine


def spin(n: int) -> int:
    """CPU work standing in for a computation in make: workers can only scale where make computes something."""
    return sum(i * i % 7 for i in range(n))


def pipeline_rows(sizes: Sizes) -> dict[str, list[tuple]]:
    """Subjects, sessions and trials as tuples in COLUMNS order (a fixed seed: every implementation gets these)."""
    rng = random.Random(8)
    subjects = [(s, f"subject{s}") for s in range(sizes.subjects)]
    sessions = [(s, k, rng.randrange(10, 90)) for s, _ in subjects for k in range(sizes.sessions_per_subject)]
    trials = [
        (s, k, t, rng.random(), rng.randrange(100)) for s, k, _ in sessions for t in range(sizes.trials_per_session)
    ]
    return {"subject": subjects, "session": sessions, "trial": trials}


def bulk_dicts(n: int) -> list[dict]:
    """Rows for the timed insert, as the dicts a user passes."""
    rng = random.Random(n)
    return [{"bulk_id": i, "x": rng.random(), "y": rng.randrange(1000), "name": f"row {i}"} for i in range(n)]


def cascade_rows(sizes: Sizes) -> dict[str, list[tuple]]:
    """Three levels; deleting roots below `len(roots) // 2` removes `sizes.cascade` rows in all.

    Each deleted root has 9 mids with 10 leaves each: 100 rows per root, over root, mid and leaf.
    """
    doomed = max(1, sizes.cascade // 100)
    roots = [(r, f"root{r}") for r in range(2 * doomed)]
    mids = [(r, m, float(m)) for r, _ in roots for m in range(9)]
    leaves = [(r, m, leaf, float(leaf)) for r, m, _ in mids for leaf in range(10)]
    return {"root": roots, "mid": mids, "leaf": leaves}


def doomed_roots(sizes: Sizes) -> int:
    """The cascade deletes roots with `root_id` below this."""
    return max(1, sizes.cascade // 100)


def restriction_keys(sizes: Sizes) -> list[dict]:
    """`sizes.keys` trial keys spread over the table."""
    rows = pipeline_rows(sizes)["trial"]
    step = max(1, len(rows) // sizes.keys)
    return [{"subject_id": s, "session_id": k, "trial_id": t} for s, k, t, *_ in rows[::step][: sizes.keys]]
