"""The table hostile values and restrictions are aimed at: one attribute of every core type."""

import djspecs.reference as dj

TARGET = """
# a target for hostile input
id: int32
---
name = "": varchar(40)
i8 = null: int8
i64 = null: int64
f = null: float64
d = null: decimal(6, 2)
flag = null: bool
txt = null: varchar(255)
day = null: date
t = null: datetime(6)
j = null: json
u = null: uuid
b = null: bytes
e = null: enum('a', 'b''c')
"""

SEED_NAMES = ["a", "b", "x' OR '1'='1", "\\", "'", "ünï", "%s", "a b", "A"]


def declare_target(schema: dj.Schema) -> type[dj.Manual]:
    Target = type("Target", (dj.Manual,), {"definition": TARGET})
    schema(Target)
    return Target


def seed(Target) -> list[dict]:
    Target.insert([{"id": i, "name": name} for i, name in enumerate(SEED_NAMES)])
    return Target.to_dicts(order_by="KEY")
