"""Plugins that installed packages announce under entry-point groups (codecs, storage adapters), loaded once,
on first need."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

log = logging.getLogger("djspecs.reference")


class EntryPoints:
    def __init__(self, groups: tuple[str, ...], kind: str):
        self.groups, self.kind = groups, kind
        self.loaded = False

    def load(self, *, known: Callable[[str], bool], register: Callable[[str, Any], None]) -> None:
        """Register every plugin of the groups whose name is not `known` yet; later calls do nothing."""
        if self.loaded:
            return
        self.loaded = True
        from importlib.metadata import entry_points

        for group in self.groups:
            for point in entry_points(group=group):
                if known(point.name):
                    continue
                try:
                    register(point.name, point.load())
                except Exception as error:  # a broken plugin must not break the others
                    log.warning("Cannot load %s %r from %s: %s", self.kind, point.name, point.value, error)
