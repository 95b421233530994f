"""The opt-in contract of codecs whose decoded values have Spark-native shapes (API-1, `dj.SparkAdapter`).

A codec that defines `to_spark(decoded, *, key=None)` declares that every value it decodes can be given as
primitives (bool, int, float, str, bytes, None, date, datetime), lists of them, and dicts with string keys of
them, which map onto Spark's scalar, ARRAY and STRUCT/MAP types. Consumers test `isinstance(codec,
SparkAdapter)` per column. It is a Protocol, not a method of Codec, so that codecs without such a shape need
not say anything.

Of the built-in codecs only `<npy@>` opts in: its arrays of booleans, numbers or strings become nested lists
(ARRAY, one level per dimension). `<blob>` decodes to arbitrary Python objects, `<hash@>` follows DataJoint 2.x
in not opting in, `<attach>` decodes to a path on the local machine and `<object@>` and `<filepath@>` to lazy
references to files, none of which is a value a query engine can hold.
"""

from __future__ import annotations

from typing import Any, Protocol, runtime_checkable

from ..errors import DataJointError


@runtime_checkable
class SparkAdapter(Protocol):
    def to_spark(self, decoded: Any, *, key: dict | None = None) -> Any:
        """The decoded value in Spark-native shapes (primitives, lists, dicts with string keys)."""


# numpy dtype kinds whose `tolist()` gives Spark-native primitives: bool, signed, unsigned, float, bytes, str.
SPARK_KINDS = "biufSU"


def array_to_spark(array: Any, codec: str) -> Any:
    """A numpy array as nested lists of Python primitives; other element types are refused."""
    import numpy as np

    array = np.asarray(array)
    if array.dtype.kind not in SPARK_KINDS or array.dtype.names:
        raise DataJointError(
            f"<{codec}>.to_spark: arrays of {array.dtype} have no Spark-native shape; "
            "booleans, integers, floats, bytes and strings do",
            rule="API-1",
        )
    return array.tolist()
