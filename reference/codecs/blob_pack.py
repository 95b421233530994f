"""Serialize a Python value in the `<blob>` byte format (BLOB-1 .. BLOB-3), byte for byte as DataJoint 2.x does.

The header is decided after the value is written: any Python-specific part switches it from `mYm` to
`dj0` (BLOB-1). Types are tried in DataJoint's order, which matters where Python types overlap (a `bool`
is an `int`, a `str` is a sequence, a numpy float64 is a `float`).
"""

from __future__ import annotations

import datetime as dt
import uuid
import zlib
from collections.abc import Mapping, MutableSequence, Sequence, Set
from decimal import Decimal
from typing import Any

import numpy as np

from ..errors import DataJointError
from .blob_types import CHAR, COMPRESS_ABOVE, DJ0, MYM, OBJECT, ZLIB, MatCell, MatStruct, class_id


def _u64(number: int) -> bytes:
    return int(number).to_bytes(8, "little")


def _u32(number: int) -> bytes:
    return int(number).to_bytes(4, "little")


class _Packer:
    def __init__(self) -> None:
        self.python_specific = False  # BLOB-1: becomes True as soon as a part needs dj0

    def sized(self, value: Any) -> bytes:
        """A nested value, prefixed by its length (BLOB-3: elements of containers)."""
        packed = self.value(value)
        return _u64(len(packed)) + packed

    def value(self, value: Any) -> bytes:
        if isinstance(value, MatCell):
            return self.cell(value)
        if isinstance(value, MatStruct):
            return self.struct(value)
        if isinstance(value, np.ndarray) and value.dtype.fields is None:
            return self.array(value)
        self.python_specific = True
        if not isinstance(value, np.ndarray | np.number):
            if isinstance(value, bool):
                return b"\x0b" + (b"\x01" if value else b"\x00")
            if isinstance(value, int):
                return self.integer(value)
            if isinstance(value, complex):
                return b"\x0c" + np.complex128(value).tobytes()
            if isinstance(value, float):
                return b"\x0d" + np.float64(value).tobytes()
        if isinstance(value, np.ndarray):  # with fields: a record array
            return self.records(np.asarray(value))
        if isinstance(value, np.number | np.datetime64 | np.bool_):
            return self.array(np.array(value))
        if isinstance(value, dt.date | dt.time):
            return self.moment(value)
        if isinstance(value, Decimal):
            text = str(value)
            return b"d" + _u64(len(text)) + text.encode()
        if isinstance(value, uuid.UUID):
            return b"u" + value.bytes
        if isinstance(value, Mapping):
            return b"\x04" + _u64(len(value)) + b"".join(self.sized(k) + self.sized(v) for k, v in value.items())
        if isinstance(value, str):
            data = value.encode()
            return b"\x05" + _u64(len(data)) + data
        if isinstance(value, bytes | bytearray):
            return b"\x06" + _u64(len(value)) + bytes(value)
        for code, kind in ((b"\x02", MutableSequence), (b"\x01", Sequence), (b"\x03", Set)):
            if isinstance(value, kind):
                return code + _u64(len(value)) + b"".join(self.sized(item) for item in value)
        if value is None:
            return b"\xff"
        raise DataJointError(f"The <blob> format cannot hold a value of type {type(value).__name__}", rule="BLOB-3")

    @staticmethod
    def integer(value: int) -> bytes:
        size = value.bit_length() // 8 + 1
        if size > 0xFFFF:
            raise DataJointError("Integers in a <blob> are limited to 65535 bytes", rule="BLOB-3")
        return b"\x0a" + size.to_bytes(2, "little") + value.to_bytes(size, "little", signed=True)

    @staticmethod
    def moment(value: dt.date | dt.time) -> bytes:
        """`t`: int32 YYYYMMDD (or -1) and int64 HHMMSSffffff (or -1)."""
        date = value.date() if isinstance(value, dt.datetime) else value if isinstance(value, dt.date) else None
        time = value.time() if isinstance(value, dt.datetime) else value if isinstance(value, dt.time) else None
        day = -1 if date is None else (date.year * 100 + date.month) * 100 + date.day
        clock = -1 if time is None else ((time.hour * 100 + time.minute) * 100 + time.second) * 1_000_000
        clock += 0 if time is None else time.microsecond
        return b"t" + np.int32(day).tobytes() + np.int64(clock).tobytes()

    def array(self, array: np.ndarray) -> bytes:
        """`A`: ndim, shape, class id, complex flag, then the data in column-major order."""
        if array.dtype.kind == "M":
            self.python_specific = True
        if array.dtype.byteorder == ">":
            array = array.astype(array.dtype.newbyteorder("<"))
        head = b"A" + _u64(array.ndim) + b"".join(_u64(n) for n in array.shape)
        is_complex = np.iscomplexobj(array)
        imaginary = None
        if is_complex:
            array, imaginary = np.real(array), np.imag(array)
        kind = class_id(array.dtype)
        if kind is None:
            raise DataJointError(f"The <blob> format has no array type for dtype {array.dtype}", rule="BLOB-3")
        head += _u32(kind) + _u32(is_complex)
        if kind == OBJECT:  # strings and objects: each element is a blob of its own
            self.python_specific = True
            return head + b"".join(self.sized(item) for item in array.flatten(order="F"))
        if kind == CHAR:  # MATLAB characters are 16 bits wide (written in C order, as DataJoint does)
            return head + array.view(np.uint8).astype(np.uint16).tobytes()
        if array.ndim == 0:
            self.python_specific = True
        data = array.tobytes(order="F")
        return head + data + (imaginary.tobytes(order="F") if imaginary is not None else b"")

    def records(self, array: np.ndarray) -> bytes:
        """`F`: a record array as its field names and one array per field."""
        names = array.dtype.names
        fields = b"".join(
            self.records(array[name]) if array[name].dtype.fields else self.array(array[name]) for name in names
        )
        return b"F" + _u32(len(names)) + "\0".join(names).encode() + b"\0" + fields

    def struct(self, array: MatStruct) -> bytes:
        names = array.dtype.names
        head = b"S" + b"".join(_u64(n) for n in (array.ndim, *array.shape)) + _u32(len(names))
        values = b"".join(self.sized(item) for record in array.flatten(order="F") for item in record)
        return head + "\0".join(names).encode() + b"\0" + values

    def cell(self, array: MatCell) -> bytes:
        head = b"C" + b"".join(_u64(n) for n in (array.ndim, *array.shape))
        return head + b"".join(self.sized(item) for item in array.flatten(order="F"))


def pack(value: Any, *, compress: bool = True) -> bytes:
    """The bytes of `value` in the `<blob>` format; compressed behind `ZL123\\0` when that is shorter (BLOB-2)."""
    packer = _Packer()
    body = packer.value(value)
    blob = (DJ0 if packer.python_specific else MYM) + body
    if compress and len(blob) > COMPRESS_ABOVE:
        compressed = ZLIB + _u64(len(blob)) + zlib.compress(blob)
        if len(compressed) < len(blob):
            return compressed
    return blob
