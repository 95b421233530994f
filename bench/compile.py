"""Compile-only time of a five-operator expression (no database): median over many runs.

    python bench/compile.py            # prints the median per backend dialect, in milliseconds

The expression restricts, joins, projects, aggregates and orders; compiling it builds the sqlglot tree
and renders SQL for the dialect, as fetch does before it runs anything.
"""

import statistics
import time

import djspecs.reference as dj
from djspecs.reference import algebra
from djspecs.reference.backends import BACKENDS
from djspecs.reference.compiler import Compiler
from djspecs.reference.settings import Config


def five_operator_expression():
    schema = dj.Schema("bench", connection=dj.Connection({"database.backend": "sqlite"}))

    @schema
    class Subject(dj.Manual):
        definition = """
        subject_id: int32
        ---
        age: int32
        """

    @schema
    class Session(dj.Manual):
        definition = """
        -> Subject
        session_id: int32
        ---
        minutes: int32
        """

    restricted = Subject & "age > 3" & {"subject_id": 5}
    joined = restricted * Session
    projected = joined.proj("minutes", double="minutes * 2")
    counted = Subject.aggr(projected, n="count(session_id)", total="sum(double)")
    return counted & dj.Top(10, "n DESC")


def median_ms(expression, backend, runs=2000) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        backend.render(Compiler(backend).select(expression.node))
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


if __name__ == "__main__":
    expression = five_operator_expression()
    assert isinstance(expression.node, algebra.Top)
    for name, backend_class in BACKENDS.items():
        print(f"{name:>10}: {median_ms(expression, backend_class(Config())):.3f} ms median compile + render")
