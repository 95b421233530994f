"""The suite's view of an adapter: every call checked, every fault named by method and rule.

`Guarded(adapter, rules)` forwards to the adapter. A `SpecError` passes through (the implementation
reported an error, which the test judges). Anything else that escapes (a missing method, an exception in
the adapter's own code, a result of the wrong shape) becomes an `AdapterError` naming the adapter, the
method and the rules under test, so the certificate says `error`, not `fail`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .adapter import Adapter, AdapterError, Result, TableInfo
from .errors import SpecError


def _check_result(value: Any) -> str | None:
    if not isinstance(value, Result):
        names = all(hasattr(value, a) for a in ("names", "primary_key", "heading", "rows"))
        if not names:
            return f"returned {type(value).__name__}, not a Result(names, primary_key, heading, rows)"
    if not all(isinstance(row, Mapping) for row in value.rows):
        return "returned rows that are not mappings"
    if not set(value.primary_key) <= set(value.names):
        return f"returned a primary key {list(value.primary_key)} outside the attributes {list(value.names)}"
    bad = [row for row in value.rows if list(row) != list(value.names)]
    if bad:
        return f"returned a row whose keys {list(bad[0])} differ from the attributes {list(value.names)}"
    return None


def _check_declared(value: Any) -> str | None:
    return None if isinstance(value, Mapping) else f"returned {type(value).__name__}, not a mapping of table handles"


def _check_info(value: Any) -> str | None:
    return None if isinstance(value, TableInfo) else f"returned {type(value).__name__}, not a TableInfo"


def _check_text(value: Any) -> str | None:
    return None if isinstance(value, str) else f"returned {type(value).__name__}, not a str"


SHAPES = {
    "fetch": _check_result,
    "declare": _check_declared,
    "describe": _check_info,
    "table_name": _check_text,
    "native_type": _check_text,
    "server_version": _check_text,
}


class Guarded:
    """An adapter whose faults are reported as AdapterError naming the method and the rules under test."""

    def __init__(self, adapter: Adapter, rules: tuple[str, ...] = ()):
        self._adapter = adapter
        self.rules = rules

    @property
    def adapter(self) -> Adapter:
        return self._adapter

    def with_rules(self, rules: tuple[str, ...]) -> Guarded:
        return Guarded(self._adapter, rules)

    def fault(self, method: str, problem: str) -> AdapterError:
        rules = ", ".join(self.rules) or "none"
        return AdapterError(f"adapter {self._adapter.name!r}, method {method}(), testing rule {rules}: {problem}")

    def __getattr__(self, method: str):
        if method in ("name", "version", "capabilities", "knobs"):
            return getattr(self._adapter, method, {} if method == "knobs" else None)
        function = getattr(self._adapter, method, None)
        if function is None:
            raise self.fault(method, "the adapter has no such method")

        def call(*args, **kwargs):
            try:
                value = function(*args, **kwargs)
            except SpecError:
                raise
            except NotImplementedError:
                raise self.fault(method, "not implemented by the adapter") from None
            except Exception as error:
                raise self.fault(method, f"raised {type(error).__name__}: {error}") from error
            problem = SHAPES[method](value) if method in SHAPES else None
            if problem:
                raise self.fault(method, problem)
            return value

        return call
