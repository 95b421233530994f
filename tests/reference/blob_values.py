"""Values for the `<blob>` tests, and a deep comparison that knows numpy arrays (BLOB-1 .. BLOB-3)."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal
from typing import Any

import numpy as np

_rng = np.random.default_rng(7)

# name → value: every family of the format, at several dtypes and shapes.
VALUES: dict[str, Any] = {
    "int32 vector": np.array([1, 2, 3], dtype="int32"),
    "float64 matrix, Fortran order": np.asfortranarray(np.arange(12.0).reshape(3, 4)),
    "float32 3-d": np.arange(24, dtype="float32").reshape(2, 3, 4),
    "uint8 matrix": np.arange(6, dtype="uint8").reshape(2, 3),
    "int8, int16, int64, uint16, uint32, uint64": [np.arange(3, dtype=t) for t in ("int8", "int16", "int64", "uint16", "uint32", "uint64")],
    "0-d float array": np.array(3.5),
    "0-d int array": np.array(7, dtype="int16"),
    "empty vector": np.array([]),
    "empty 0x3 matrix": np.zeros((0, 3), dtype="int32"),
    "bool vector": np.array([True, False, True]),
    "complex128 vector": np.array([1 + 2j, -3j, 0.5]),
    "complex64 matrix": np.array([[1 + 1j, 2], [3, 4 - 1j]], dtype="complex64"),
    "record array": np.array([(1, 2.5, "x"), (2, -1.0, "yz")], dtype=[("a", "i4"), ("b", "f8"), ("c", "U2")]),
    "nested record array": np.array([((1, 2.0), 3)], dtype=[("inner", [("p", "i2"), ("q", "f4")]), ("r", "i8")]),
    "string array": np.array(["ab", "c", ""]),
    "char array": np.array([b"a", b"b", b"c"], dtype="S1"),
    "object array": np.array([1, "two", None, [3]], dtype=object),
    "datetime64 array": np.array(["2024-01-02", "1999-12-31"], dtype="datetime64[D]"),
    "datetime64[ns] 0-d": np.datetime64("2024-01-02T03:04:05.123456789", "ns"),
    "numpy scalars": [np.float64(1.25), np.int32(-4), np.uint8(200), np.bool_(True), np.complex64(1 - 1j)],
    "python scalars": [True, False, 0, -1, 255, -(2**70), 2**200, 1.5, float("inf"), 3 + 4j],
    "nested containers": {"a": [1, {"b": (None, 2.0, "x")}], "c": {1, 2, 3}, 4: np.ones((2, 2)), "t": ()},
    "frozenset": frozenset({"p", "q"}),
    "strings": ["", "abc", "Zoë 'Z' ✓", "a\x00b"],
    "bytes": [b"", b"\x00\xff", bytearray(b"zz")],
    "datetimes": [dt.datetime(2024, 1, 2, 3, 4, 5, 6), dt.date(1999, 12, 31), dt.time(23, 59, 59, 999999), dt.time(0, 0)],
    "uuid": uuid.UUID("8c5c2d63-2c39-4b4e-9e0e-4c0e2d0b5a11"),
    "decimals": [Decimal("1.25"), Decimal("-0.000"), Decimal("1E+3")],
    "none": None,
    "compressible, over 1000 bytes": np.zeros(1000),
    "incompressible, over 1000 bytes": _rng.random(300),
    "large dict of arrays": {f"trace{i}": _rng.normal(size=64) for i in range(8)},
}  # fmt: skip


def assert_same(actual: Any, expected: Any, where: str = "value") -> None:
    """Equal values of the same types; arrays by dtype, shape and elements (NaN equal to NaN)."""
    assert type(actual) is type(expected), f"{where}: {type(actual).__name__} != {type(expected).__name__}"
    if isinstance(expected, np.ndarray):
        assert actual.dtype == expected.dtype and actual.shape == expected.shape, f"{where}: {actual!r} != {expected!r}"
        if expected.dtype.hasobject:
            for index in np.ndindex(expected.shape):
                if expected.dtype.names:
                    for name in expected.dtype.names:
                        assert_same(actual[index][name], expected[index][name], f"{where}[{index}].{name}")
                else:
                    assert_same(actual[index], expected[index], f"{where}[{index}]")
        else:
            assert np.array_equal(actual, expected, equal_nan=expected.dtype.kind in "fc"), (
                f"{where}: {actual!r} != {expected!r}"
            )
    elif isinstance(expected, dict):
        assert list(actual) == list(expected), f"{where}: keys {list(actual)} != {list(expected)}"
        for k in expected:
            assert_same(actual[k], expected[k], f"{where}[{k!r}]")
    elif isinstance(expected, list | tuple):
        assert len(actual) == len(expected), f"{where}: length {len(actual)} != {len(expected)}"
        for i, (a, e) in enumerate(zip(actual, expected, strict=True)):
            assert_same(a, e, f"{where}[{i}]")
    else:
        assert actual == expected or (actual != actual and expected != expected), f"{where}: {actual!r} != {expected!r}"
