"""Auto-populated tables: key_source, make in its three forms, and populate in direct mode (POP rules).

Each `make` runs in its own transaction (POP-10): the master row and its part rows commit together or not
at all. Distributed mode (`reserve_jobs=True`, jobs tables) and worker processes come with the jobs part.
"""

from __future__ import annotations

import hashlib
import inspect
import pickle
from collections.abc import Mapping
from contextlib import contextmanager, suppress
from typing import Any

from .errors import DataJointError


class AutoPopulate:
    """Mixed into Imported and Computed tables."""

    @property
    def key_source(self):
        """POP-2: the join of the parents named in the primary key, each projected to its key (renames applied)."""
        names = self.heading.names
        parents = sorted(
            (fk for fk in self.foreign_keys if all(self.heading[child].in_key for child, _ in fk.attributes)),
            key=lambda fk: names.index(fk.attributes[0][0]),
        )
        if not parents:
            raise DataJointError(
                f"A table must have dependencies from its primary key for auto-populate to work ({self.full_name})",
                rule="POP-2",
            )
        source = None
        for fk in parents:
            parent = self._schema_of(fk.parent_schema).tables[fk.parent_table]()
            renames = {child: name for child, name in fk.attributes if child != name}
            projected = parent.proj(**renames)
            source = projected if source is None else source * projected
        return source

    def _schema_of(self, name: str):
        try:
            return self.connection.schemas[name]
        except KeyError:
            raise DataJointError(f"The schema `{name}` of a parent of {self.full_name} is not loaded") from None

    def _todo(self, restrictions):
        source = self.key_source
        if missing := [n for n in source.primary_key if n not in self.heading]:
            raise DataJointError(f"The populate target lacks attribute {missing[0]} of its key_source", rule="POP-2")
        for restriction in restrictions:
            source = source & restriction
        return source.proj() - self.proj()

    def progress(self, *restrictions, display: bool = False) -> tuple[int, int]:
        """POP-26: (remaining, total) over the key source."""
        total = self.key_source
        for restriction in restrictions:
            total = total & restriction
        remaining, count = len(self._todo(restrictions)), len(total)
        if display:
            print(f"{type(self).__name__}: {count - remaining}/{count} done, {remaining} remaining")
        return remaining, count

    def populate(
        self,
        *restrictions,
        suppress_errors: bool = False,
        return_exception_objects: bool = False,
        reserve_jobs: bool = False,
        max_calls: int | None = None,
        display_progress: bool = False,
        processes: int = 1,
        make_kwargs: Mapping[str, Any] | None = None,
    ) -> dict:
        """POP-20 .. POP-23: call make for every pending key; returns success_count and error_list."""
        if self.connection.in_transaction:
            raise DataJointError("Populate cannot be called during a transaction", rule="POP-20")
        if self.restricted:
            raise DataJointError(
                "Cannot call populate on a restricted table; pass restrictions as arguments", rule="POP-20"
            )
        if reserve_jobs or processes != 1:
            raise DataJointError(
                "reserve_jobs and processes need the jobs tables, not supported by this implementation yet"
            )
        keys = self._todo(restrictions).keys(order_by="KEY")[:max_calls]
        result = {"success_count": 0, "error_list": []}
        for key in _progress(keys, display_progress, type(self).__name__):
            try:
                if self._populate1(key, dict(make_kwargs or {})):
                    result["success_count"] += 1
            except SystemExit:
                raise
            except BaseException as error:  # POP-22: KeyboardInterrupt is recorded like any error
                if not suppress_errors:
                    raise
                result["error_list"].append(
                    (key, error if return_exception_objects else f"{type(error).__name__}: {error}")
                )
        return result

    def _populate1(self, key: dict, make_kwargs: dict) -> bool:
        """One key: plain make, three-part make (POP-12) or generator make (POP-13), in one transaction."""
        generator = inspect.isgeneratorfunction(type(self).make)
        three_part = type(self).make is AutoPopulate.make
        if three_part and not all(hasattr(self, n) for n in ("make_fetch", "make_compute", "make_insert")):
            raise NotImplementedError(
                f"{type(self).__name__} must define make, or make_fetch, make_compute and make_insert"
            )
        if generator or three_part:
            fetched = self._fetch(key, make_kwargs, generator)
            computed = self._compute(key, fetched, generator, make_kwargs)
        with self.connection.transaction(), self._populating():
            if self & key:
                return False  # POP-11: computed meanwhile
            if not (generator or three_part):
                self.make(dict(key), **make_kwargs)
                return True
            again = self._fetch(key, make_kwargs, generator)
            if _fingerprint(again) != _fingerprint(fetched):
                raise DataJointError("Referential integrity failed! The `make_fetch` data has changed", rule="POP-12")
            self._insert(key, computed, generator, make_kwargs)
        return True

    def make(self, key: dict, **kwargs) -> None:
        """POP-1: override `make`, or define `make_fetch`, `make_compute` and `make_insert` instead."""
        raise NotImplementedError(
            f"{type(self).__name__} must define make, or make_fetch, make_compute and make_insert"
        )

    def _fetch(self, key, make_kwargs, generator):
        if generator:
            return next(self.make(dict(key), **make_kwargs))
        return _as_tuple(self.make_fetch(dict(key), **make_kwargs), "make_fetch")

    def _compute(self, key, fetched, generator, make_kwargs):
        if generator:
            steps = self.make(dict(key), **make_kwargs)
            next(steps)
            computed = steps.send(None)
            steps.close()
            return computed
        return _as_tuple(self.make_compute(dict(key), *fetched), "make_compute")

    def _insert(self, key, computed, generator, make_kwargs):
        if generator:
            steps = self.make(dict(key), **make_kwargs)
            next(steps)
            with suppress(StopIteration):
                steps.send(computed)
            steps.close()
        else:
            self.make_insert(dict(key), *computed)

    @contextmanager
    def _populating(self):
        """POP-25: inserts into this table and its parts are allowed while make runs."""
        names = {self.table_name, *(n for n in self._schema.tables if n.startswith(self.table_name + "__"))}
        self._schema._populating.update(names)
        try:
            yield
        finally:
            self._schema._populating.difference_update(names)


def _as_tuple(value: Any, step: str) -> tuple:
    if not isinstance(value, tuple):
        raise DataJointError(f"{step} must return a tuple, not {type(value).__name__}", rule="POP-12")
    return value


def _fingerprint(value: Any) -> str:
    """A stable digest of fetched data, to notice that it changed between the two fetches (POP-12)."""
    try:
        return hashlib.sha256(pickle.dumps(value, protocol=5)).hexdigest()
    except (pickle.PicklingError, TypeError, AttributeError):
        return hashlib.sha256(repr(value).encode()).hexdigest()


def _progress(keys: list, display: bool, name: str):
    if not display:
        yield from keys
        return
    from rich.progress import track

    yield from track(keys, description=f"populating {name}")
