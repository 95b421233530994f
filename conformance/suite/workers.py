"""Table classes for the worker-process test (POP-24), at module level: a worker process started with the
`spawn` method (or on a Dask worker) finds a table class by importing its module, so a class defined inside a
test function cannot reach it.

The classes subclass the API of the implementation under test, which the test names in the environment
variable below before it first imports this module; worker processes inherit the variable.
"""

from __future__ import annotations

import importlib
import os

API_VARIABLE = "DJSPECS_CONFORMANCE_API"

if API_VARIABLE not in os.environ:  # e.g. a fork server started before the test set it keeps its own environment
    raise ImportError(f"{API_VARIABLE} names no API: set it before worker processes start")
api = importlib.import_module(os.environ[API_VARIABLE])


class Item(api.Manual):
    definition = "item : int32"


class Worked(api.Computed):
    definition = "-> Item\n---\npid : int64   # the process that ran make"

    def make(self, key):
        self.insert1({**key, "pid": os.getpid()})
