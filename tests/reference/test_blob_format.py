"""The `<blob>` byte format, byte for byte against DataJoint 2.x's own `datajoint.blob` (BLOB-1, BLOB-2, BLOB-3).

No database: values are packed here and unpacked by DataJoint, and packed by DataJoint and unpacked here.
"""

from __future__ import annotations

import warnings
import zlib

import numpy as np
import pytest

import djspecs.reference as dj
from djspecs.reference.codecs import MatCell, MatStruct, pack, unpack
from tests.reference.blob_values import VALUES, assert_same
from tests.support import require

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    try:
        from datajoint import blob as datajoint_blob
    except ImportError:
        datajoint_blob = None


@pytest.fixture
def theirs():
    require(datajoint_blob is not None, "datajoint is missing: pip install -e '.[dev]'")
    return datajoint_blob


def test_blob_1_header_of_matlab_compatible_and_python_values():
    """BLOB-1: the rule's examples, and dj0 as soon as any part, at any depth, is Python-specific."""
    assert pack(np.array([1, 2, 3], dtype="int32")).hex(" ") == (
        "6d 59 6d 00 41 01 00 00 00 00 00 00 00 03 00 00 00 00 00 00 00 0c 00 00 00 00 00 00 00 01 00 00 00 02 00 00 00 03 00 00 00"
    )
    assert pack(5).hex(" ") == "64 6a 30 00 0a 01 00 05"
    matlab = [np.zeros((2, 3)), np.array([True]), np.array([b"a"], dtype="S1"), MatCell_of([np.ones(2), np.zeros(1)])]
    for value in matlab:
        assert pack(value)[:4] == b"mYm\0", value
    python = [np.array(1.0), np.array(["a"]), np.array(["2024-01-01"], dtype="datetime64[D]"), [1], "x", None,
              MatCell_of([np.ones(2), "text"])]  # fmt: skip
    for value in python:
        assert pack(value)[:4] == b"dj0\0", value
    assert unpack(b"mYm\0" + pack(np.arange(2.0))[4:]).tolist() == [0.0, 1.0]  # a reader takes both headers


def MatCell_of(items: list) -> MatCell:
    cell = np.empty(len(items), dtype=object)
    for index, item in enumerate(items):
        cell[index] = item
    return cell.view(MatCell)


def test_blob_2_compression_over_1000_bytes_when_smaller():
    """BLOB-2: the rule's example; small values and incompressible ones stay plain."""
    blob = pack(np.zeros(1000))
    assert (len(blob), blob[:14].hex(" ")) == (60, "5a 4c 31 32 33 00 5d 1f 00 00 00 00 00 00")
    assert zlib.decompress(blob[14:])[:4] == b"mYm\0" and len(zlib.decompress(blob[14:])) == 0x1F5D
    assert pack([1, 2, 3])[:4] == b"dj0\0"
    noise = np.frombuffer(np.random.default_rng(1).bytes(2000), dtype="uint8")
    assert pack(noise)[:4] == b"mYm\0" and len(pack(noise)) > 1000  # zlib would make it longer
    assert pack(np.zeros(1000), compress=False)[:4] == b"mYm\0"


def test_blob_2_recorded_length_is_checked():
    """BLOB-2: a decompressed size other than the recorded one is a DataJointError."""
    blob = bytearray(pack(np.zeros(1000)))
    blob[6] += 1
    with pytest.raises(dj.DataJointError, match="header says"):
        unpack(bytes(blob))
    with pytest.raises(dj.DataJointError, match="zlib"):
        unpack(bytes(blob[:20]))


def test_blob_3_type_codes_of_the_rule_examples():
    """BLOB-3: str, None, float and dict, as the rule spells their bytes."""
    assert pack("abc").hex(" ") == "64 6a 30 00 05 03 00 00 00 00 00 00 00 61 62 63"
    assert pack(None).hex(" ") == "64 6a 30 00 ff"
    assert pack(1.5).hex(" ") == "64 6a 30 00 0d 00 00 00 00 00 00 f8 3f"
    assert pack({"a": 1}).hex(" ") == (
        "64 6a 30 00 04 01 00 00 00 00 00 00 00 0a 00 00 00 00 00 00 00 05 01 00 00 00 00 00 00 00 61 04 00 00 00 00 00 00 00 0a 01 00 01"
    )


@pytest.mark.parametrize(
    "blob, message",
    [
        (b"dj0\0Q", "unknown type code"),
        (b"mYm\0P", "sparse"),
        (b"xyz\0\xff", "protocol header"),
        (b"", "protocol header"),
        (b"dj0\0\x05\x09\0\0\0\0\0\0\0ab", "more bytes"),
        (b"dj0\0\xff\xff", "declared"),
        (b"dj0\0\x02\x01\0\0\0\0\0\0\0\x05\0\0\0\0\0\0\0\xff", "declared 5 bytes"),
    ],
)
def test_blob_3_bad_bytes_are_errors(blob, message):
    """BLOB-3: unknown codes, the reserved sparse code, a bad header, truncation and wrong lengths."""
    with pytest.raises(dj.DataJointError, match=message):
        unpack(blob)


@pytest.mark.parametrize("name", list(VALUES))
def test_blob_bytes_equal_datajoint_and_decode_both_ways(name, theirs):
    """BLOB-1..3: identical bytes; DataJoint reads ours and we read DataJoint's, to the same values."""
    value = VALUES[name]
    ours = pack(value)
    assert ours == theirs.pack(value)
    assert_same(unpack(ours), theirs.unpack(ours))
    assert_same(theirs.unpack(ours), unpack(theirs.pack(value)))


@pytest.mark.parametrize("name", ["int32 vector", "float64 matrix, Fortran order", "nested containers", "strings",
                                  "complex64 matrix", "datetimes", "decimals", "uuid", "none"])  # fmt: skip
def test_blob_round_trip_keeps_values(name):
    """BLOB-3: decoding gives back what was encoded."""
    assert_same(unpack(pack(VALUES[name])), VALUES[name])


def test_blob_round_trip_of_records_and_sets():
    """BLOB-3: a record array comes back as a numpy recarray (string fields as objects); sets as sets."""
    records = unpack(pack(VALUES["record array"]))
    assert isinstance(records, np.recarray) and records.dtype.names == ("a", "b", "c")
    assert records.a.tolist() == [1, 2] and records.b.tolist() == [2.5, -1.0] and records.c.tolist() == ["x", "yz"]
    assert unpack(pack(frozenset({"p", "q"}))) == {"p", "q"}


def test_blob_matlab_cells_and_structs_with_datajoint(theirs):
    """BLOB-3: `C` cells and `S` structs written by DataJoint read here as MatCell/MatStruct, and back."""
    cell = np.empty(3, dtype=object)
    cell[:] = [np.arange(3.0), np.ones((2, 2)), np.arange(4, dtype="int16")]
    their_cell = cell.view(theirs.MatCell)
    mine = unpack(theirs.pack(their_cell))
    assert isinstance(mine, MatCell) and mine.shape == (3,)
    assert_same(mine[1], np.ones((2, 2)))
    assert pack(mine) == theirs.pack(their_cell)
    struct = np.empty((1, 2), dtype=[("name", object), ("data", object)])
    struct[0, 0], struct[0, 1] = ("a", np.arange(2.0)), ("b", np.zeros(3))
    their_struct = struct.view(theirs.MatStruct)
    mine = unpack(theirs.pack(their_struct))
    assert isinstance(mine, MatStruct) and mine.shape == (1, 2) and mine.dtype.names == ("name", "data")
    assert_same(mine[0, 1]["data"], np.zeros(3))
    assert pack(mine) == theirs.pack(their_struct)
    back = theirs.unpack(pack(mine))
    assert isinstance(back, theirs.MatStruct) and back[0, 0]["name"] == "a"
