"""Shared vocabulary of the `<blob>` byte format (BLOB-1 .. BLOB-3): headers, the array class ids, MATLAB containers.

The class ids are those of the MATLAB mYm library (1 .. 16) extended by DataJoint with numpy's
`datetime64` units (65536 + unit index); they must match byte for byte to exchange data with DataJoint.
"""

from __future__ import annotations

import numpy as np

MYM = b"mYm\0"  # BLOB-1: MATLAB-compatible content only
DJ0 = b"dj0\0"  # BLOB-1: some part needs a Python-specific encoding
ZLIB = b"ZL123\0"  # BLOB-2: zlib wrapper prefix
COMPRESS_ABOVE = 1000  # BLOB-2: payloads longer than this are offered to zlib

CELL, STRUCT, LOGICAL, CHAR, OBJECT = 1, 2, 3, 4, 5
NUMERIC_CLASS_IDS = {
    "float64": 6, "float32": 7, "int8": 8, "uint8": 9, "int16": 10, "uint16": 11,
    "int32": 12, "uint32": 13, "int64": 14, "uint64": 15,
}  # fmt: skip
DATETIME_UNITS = ("Y", "M", "W", "D", "h", "m", "s", "ms", "us", "ns", "ps", "fs", "as")
DATETIME_BASE = 65_536


def class_id(dtype: np.dtype) -> int | None:
    """The class id of a plain array dtype, None when the format has none for it."""
    if dtype.kind == "b":
        return LOGICAL
    if dtype == np.dtype("S1"):
        return CHAR
    if dtype.kind in "OU":
        return OBJECT
    if dtype.kind == "M":
        unit = np.datetime_data(dtype)[0]
        return DATETIME_BASE + DATETIME_UNITS.index(unit) if unit in DATETIME_UNITS else None
    return NUMERIC_CLASS_IDS.get(dtype.name)


def dtype_of(class_id: int) -> np.dtype:
    """The numpy dtype of a class id read from a blob."""
    if class_id == LOGICAL:
        return np.dtype("bool")
    if class_id == CHAR:
        return np.dtype("S1")
    if class_id == OBJECT:
        return np.dtype("O")
    if class_id >= DATETIME_BASE and class_id - DATETIME_BASE < len(DATETIME_UNITS):
        return np.dtype(f"datetime64[{DATETIME_UNITS[class_id - DATETIME_BASE]}]")
    for name, known in NUMERIC_CLASS_IDS.items():
        if known == class_id:
            return np.dtype(name)
    raise ValueError(f"class id {class_id} has no numpy dtype")


class MatCell(np.ndarray):
    """A MATLAB cell array: an object array written with the `C` code."""


class MatStruct(np.recarray):
    """A MATLAB struct array: a record array of objects written with the `S` code."""
