"""Python values in and out of columns, checked against their declared type (TYPE-8, DML-2).

`normalize` turns what a user passes into the canonical Python value of the core type (or raises a
DataJointError naming the table and attribute); the backend's converter tables then turn that value into
a driver parameter and a fetched value back.
"""

from __future__ import annotations

import datetime as dt
import decimal
import json
import math
import numbers
import uuid
from collections.abc import Callable
from typing import Any

from .errors import InvalidValueError
from .heading import Attribute

_INT_BITS = {"int8": 8, "int16": 16, "int32": 32, "int64": 64}


def _fail(attribute: Attribute, table: str, value: Any, problem: str) -> InvalidValueError:
    shown = repr(value) if len(repr(value)) <= 60 else repr(value)[:57] + "..."
    return InvalidValueError(f"{table}.{attribute.name} ({attribute.type.text}): {shown} {problem}", rule="TYPE-8")


def _text(value: Any, attribute: Attribute, table: str) -> str:
    if not isinstance(value, str):
        raise _fail(attribute, table, value, "is not a string")
    if "\x00" in value:
        raise _fail(
            attribute, table, value, "contains a NUL character, which text columns cannot hold on every backend"
        )
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise _fail(attribute, table, value, "is not valid Unicode (lone surrogate)") from None
    return value


def _integer(value: Any, attribute: Attribute, table: str) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        if isinstance(value, numbers.Real) and float(value).is_integer() and not isinstance(value, bool):
            value = int(value)
        else:
            raise _fail(attribute, table, value, "is not an integer")
    bits = _INT_BITS[attribute.type.name]
    if not -(2 ** (bits - 1)) <= int(value) < 2 ** (bits - 1):
        raise _fail(attribute, table, value, f"is out of range for {attribute.type.name}")
    return int(value)


FLOAT_MAX = {"float32": 3.4028234663852886e38, "float64": 1.7976931348623157e308}


def _float(value: Any, attribute: Attribute, table: str) -> float:
    """Finite values only: MySQL cannot store infinity, so no backend does (a value must fit everywhere)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise _fail(attribute, table, value, "is not a number")
    try:
        number = float(value)
    except OverflowError:
        number = math.inf
    if not abs(number) <= FLOAT_MAX[attribute.type.name]:
        raise _fail(attribute, table, value, f"is out of range for {attribute.type.name} (infinity is not stored)")
    return number


def _decimal(value: Any, attribute: Attribute, table: str) -> decimal.Decimal:
    if isinstance(value, bool) or not isinstance(value, numbers.Number | str | decimal.Decimal):
        raise _fail(attribute, table, value, "is not a decimal number")
    try:
        number = decimal.Decimal(str(value))
    except decimal.InvalidOperation:
        raise _fail(attribute, table, value, "is not a decimal number") from None
    precision, scale = attribute.type.params
    if not number.is_finite() or abs(number) >= decimal.Decimal(10) ** (precision - scale):
        raise _fail(attribute, table, value, f"does not fit decimal({precision},{scale})")
    return number.quantize(decimal.Decimal(1).scaleb(-scale))


def _bool(value: Any, attribute: Attribute, table: str) -> bool:
    if isinstance(value, bool) or (isinstance(value, numbers.Integral) and value in (0, 1)):
        return bool(value)
    if type(value).__name__ == "bool_":  # numpy
        return bool(value)
    raise _fail(attribute, table, value, "is not a boolean")


def _varchar(value: Any, attribute: Attribute, table: str) -> str:
    text = _text(value, attribute, table)
    if len(text) > attribute.type.params[0]:
        raise _fail(attribute, table, value, f"is longer than {attribute.type.params[0]} characters")
    return text


def _enum(value: Any, attribute: Attribute, table: str) -> str:
    text = _text(value, attribute, table)
    if text not in attribute.type.params:
        raise _fail(attribute, table, value, f"is not one of {', '.join(map(repr, attribute.type.params))}")
    return text


def _date(value: Any, attribute: Attribute, table: str) -> dt.date:
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            raise _fail(attribute, table, value, "is not an ISO date (YYYY-MM-DD)") from None
    if isinstance(value, dt.datetime) or not isinstance(value, dt.date):
        raise _fail(attribute, table, value, "is not a date")
    return value


def _datetime(value: Any, attribute: Attribute, table: str) -> dt.datetime:
    if isinstance(value, str):
        try:
            value = dt.datetime.fromisoformat(value)
        except ValueError:
            raise _fail(attribute, table, value, "is not an ISO date and time") from None
    elif isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        value = dt.datetime(value.year, value.month, value.day)
    if not isinstance(value, dt.datetime):
        raise _fail(attribute, table, value, "is not a datetime")
    if value.tzinfo is not None:  # TYPE-2: values are UTC by policy
        value = value.astimezone(dt.UTC).replace(tzinfo=None)
    precision = attribute.type.params[0] if attribute.type.params else 0
    return value.replace(microsecond=value.microsecond // 10 ** (6 - precision) * 10 ** (6 - precision))


def _json(value: Any, attribute: Attribute, table: str) -> Any:
    try:
        json.dumps(value, allow_nan=False)
    except (TypeError, ValueError) as error:
        raise _fail(attribute, table, value, f"is not JSON-serializable: {error}") from None
    return value


def _uuid(value: Any, attribute: Attribute, table: str) -> uuid.UUID:
    if isinstance(value, uuid.UUID):
        return value
    if not isinstance(value, str | bytes | bytearray | memoryview):  # bytes(n) of an int would allocate n bytes
        raise _fail(attribute, table, value, "is not a UUID, a UUID string or 16 bytes")
    try:
        return uuid.UUID(value) if isinstance(value, str) else uuid.UUID(bytes=bytes(value))
    except (ValueError, TypeError):
        raise _fail(attribute, table, value, "is a badly formed UUID") from None


def _bytes(value: Any, attribute: Attribute, table: str) -> bytes:
    if not isinstance(value, bytes | bytearray | memoryview):
        raise _fail(attribute, table, value, "is not bytes")
    return bytes(value)


NORMALIZERS: dict[str, Callable[[Any, Attribute, str], Any]] = {
    **dict.fromkeys(_INT_BITS, _integer),
    "float32": _float,
    "float64": _float,
    "decimal": _decimal,
    "bool": _bool,
    "char": _varchar,
    "varchar": _varchar,
    "enum": _enum,
    "date": _date,
    "datetime": _datetime,
    "json": _json,
    "uuid": _uuid,
    "bytes": _bytes,
}


def is_missing(value: Any, attribute: Attribute) -> bool:
    """TYPE-8: None, and NaN or '' in a numeric attribute, stand for the column's default (NULL if nullable)."""
    if value is None:
        return True
    if attribute.type.name in ("float32", "float64", "decimal") or attribute.type.name in _INT_BITS:
        return value == "" or (isinstance(value, float) and math.isnan(value))
    return False


def normalize(value: Any, attribute: Attribute, table: str) -> Any:
    if attribute.type.kind != "core":
        return value
    return NORMALIZERS[attribute.type.name](value, attribute, table)


_INTEGER_BOUNDS = {name: (-(2 ** (bits - 1)), 2 ** (bits - 1) - 1)
                   for name, bits in (("int8", 8), ("int16", 16), ("int32", 32), ("int64", 64))}  # fmt: skip


def plain_test(attribute: Attribute) -> Callable[[Any], bool] | None:
    """A quick test that a value is already the canonical value of its core type, valid and not missing.

    Values that pass need no normalizing; every other value goes through `normalize`, which converts it
    or raises (TYPE-8). The test accepts only exact built-in types, so it never accepts what `normalize`
    would refuse or change.
    """
    declared = attribute.type
    if declared.kind != "core":
        return None
    if declared.name in _INTEGER_BOUNDS:
        low, high = _INTEGER_BOUNDS[declared.name]
        return lambda v: type(v) is int and low <= v <= high
    if declared.name in ("float32", "float64"):
        largest = FLOAT_MAX[declared.name]
        return lambda v: type(v) is float and abs(v) <= largest  # NaN (the default) and infinity fail
    if declared.name in ("varchar", "char"):
        length = declared.params[0]
        return lambda v: type(v) is str and len(v) <= length and v.isascii() and "\x00" not in v
    if declared.name == "bool":
        return lambda v: type(v) is bool
    return None
