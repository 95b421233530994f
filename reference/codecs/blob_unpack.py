"""Read bytes in the `<blob>` format (BLOB-1 .. BLOB-3) back into Python values, as DataJoint 2.x reads them."""

from __future__ import annotations

import datetime as dt
import uuid
import zlib
from decimal import Decimal
from typing import Any

import numpy as np

from ..errors import DataJointError
from .blob_types import CHAR, OBJECT, ZLIB, MatCell, MatStruct, dtype_of


def _fail(problem: str) -> DataJointError:
    return DataJointError(f"Invalid <blob>: {problem}", rule="BLOB-3")


class _Reader:
    def __init__(self, data: bytes):
        self.data, self.position = data, 0

    def take(self, size: int) -> bytes:
        end = self.position + int(size)
        if end > len(self.data):
            raise _fail(f"needs {end - len(self.data)} more bytes than it has")
        chunk, self.position = self.data[self.position : end], end
        return chunk

    def numbers(self, dtype: str | np.dtype, count: int) -> np.ndarray:
        dtype = np.dtype(dtype)
        return np.frombuffer(self.take(dtype.itemsize * count), dtype=dtype, count=count)

    def u64(self) -> int:
        return int.from_bytes(self.take(8), "little")

    def u32(self) -> int:
        return int.from_bytes(self.take(4), "little")

    def name(self) -> str:
        end = self.data.find(b"\0", self.position)
        if end < 0:
            raise _fail("a name is not terminated")
        text, self.position = self.data[self.position : end].decode(), end + 1
        return text

    def shape(self) -> tuple[int, ...]:
        return tuple(self.u64() for _ in range(self.u64()))

    def sized(self) -> Any:
        """A length-prefixed nested value; the length must match what the value used."""
        return self.value(self.u64())

    def value(self, size: int | None = None) -> Any:
        start = self.position
        code = self.take(1)
        reader = READERS.get(code)
        if reader is None:
            hint = " (MATLAB sparse arrays are not supported)" if code == b"P" else ""
            raise _fail(f"unknown type code {code!r}{hint}")
        result = reader(self)
        if size is not None and self.position - start != size:
            raise _fail(f"a value declared {size} bytes long used {self.position - start}")
        return result

    def array(self) -> np.ndarray:
        shape = self.shape()
        count = int(np.prod(shape, dtype=np.int64))
        kind, is_complex = self.u32(), self.u32()
        try:
            dtype = dtype_of(kind)
        except ValueError as error:
            raise _fail(str(error)) from None
        if kind == OBJECT:
            data = np.empty(count, dtype=object)
            for index in range(count):
                data[index] = self.sized()
        elif kind == CHAR:  # 16-bit MATLAB characters; a row of them reads as one string
            data = self.numbers("S1", 2 * count)[::2].astype("U1")
            if len(shape) == 1 or (len(shape) == 2 and shape[0] == 1):
                compact = data.squeeze()
                data = compact if compact.shape == () else np.array("".join(data.squeeze()))
                shape = (1,)
        else:
            data = self.numbers(dtype, count)
            if is_complex:
                data = data + 1j * self.numbers(dtype, count)
            if count == 1:  # as DataJoint: a single element goes through a numpy scalar, so 0-d reads as a scalar
                data = data[0]
        return data.reshape(shape, order="F")

    def records(self) -> np.ndarray:
        count = self.u32()
        if not count:
            return np.array(None)
        names = [self.name() for _ in range(count)]
        fields = [self.value() for _ in range(count)]
        result = np.empty(fields[0].shape, np.dtype([(n, f.dtype) for n, f in zip(names, fields, strict=True)]))
        for name, field in zip(names, fields, strict=True):
            result[name] = field
        return result.view(np.recarray)

    def struct(self) -> np.ndarray:
        shape = self.shape()
        count = int(np.prod(shape, dtype=np.int64))
        fields = self.u32()
        if not fields:
            return np.array(None)
        names = [self.name() for _ in range(fields)]
        rows = [tuple(self.sized() for _ in names) for _ in range(count)]
        data = np.empty(count, dtype=[(n, object) for n in names])
        for index, row in enumerate(rows):
            for name, item in zip(names, row, strict=True):
                data[name][index] = item
        return data.reshape(shape, order="F").view(MatStruct)

    def cell(self) -> np.ndarray:
        shape = self.shape()
        count = int(np.prod(shape, dtype=np.int64))
        items = [self.sized() for _ in range(count)]
        if not count:
            return np.empty(0, dtype=object).view(MatCell)
        data = np.empty(count, dtype=object)
        for index, item in enumerate(items):
            data[index] = item
        return data.reshape(shape, order="F").view(MatCell)

    def moment(self) -> dt.date | dt.time | dt.datetime | None:
        day, clock = int(self.numbers("int32", 1)[0]), int(self.numbers("int64", 1)[0])
        date = dt.date(day // 10000, day // 100 % 100, day % 100) if day >= 0 else None
        time = None
        if clock >= 0:
            seconds, micro = divmod(clock, 1_000_000)
            time = dt.time(seconds // 10000 % 100, seconds // 100 % 100, seconds % 100, micro)
        if date and time:
            return dt.datetime.combine(date, time)
        return time or date

    def text(self) -> str:
        return self.take(self.u64()).decode()

    def many(self) -> list:
        return [self.sized() for _ in range(self.u64())]


READERS = {
    b"A": _Reader.array,
    b"F": _Reader.records,
    b"S": _Reader.struct,
    b"C": _Reader.cell,
    b"\x01": lambda r: tuple(r.many()),
    b"\x02": _Reader.many,
    b"\x03": lambda r: set(r.many()),
    b"\x04": lambda r: {r.sized(): r.sized() for _ in range(r.u64())},
    b"\x05": _Reader.text,
    b"\x06": lambda r: r.take(r.u64()),
    b"\x0a": lambda r: int.from_bytes(r.take(int.from_bytes(r.take(2), "little")), "little", signed=True),
    b"\x0b": lambda r: r.take(1) != b"\x00",
    b"\x0c": lambda r: complex(r.numbers("complex128", 1)[0]),
    b"\x0d": lambda r: float(r.numbers("float64", 1)[0]),
    b"d": lambda r: Decimal(r.text()),
    b"t": _Reader.moment,
    b"u": lambda r: uuid.UUID(bytes=r.take(16)),
    b"\xff": lambda r: None,
}


def unpack(blob: bytes | bytearray | memoryview) -> Any:
    """The value held by a `<blob>`; a bad header, length or type code is a DataJointError."""
    data = bytes(blob)
    if data.startswith(ZLIB):  # BLOB-2
        expected = int.from_bytes(data[len(ZLIB) : len(ZLIB) + 8], "little")
        try:
            data = zlib.decompress(data[len(ZLIB) + 8 :])
        except zlib.error as error:
            raise DataJointError(f"Invalid <blob>: the zlib stream is corrupt ({error})", rule="BLOB-2") from None
        if len(data) != expected:
            raise DataJointError(
                f"Invalid <blob>: decompressed to {len(data)} bytes, the header says {expected}", rule="BLOB-2"
            )
    reader = _Reader(data)
    header = reader.name() if b"\0" in data[:4] else ""
    if header not in ("mYm", "dj0"):
        raise DataJointError(f"Invalid <blob>: unknown protocol header {data[:4]!r}", rule="BLOB-1")
    return reader.value(len(data) - reader.position)
