"""Timing and memory: medians of several runs, interleaved between implementations, and peak RSS growth.

Peak memory is sampled from /proc/self/statm by a background thread while a run goes on; the figure
reported is the highest resident set size seen minus the size just before the run (after a garbage
collection and `malloc_trim`, so memory freed by the previous run does not hide this run's use).
"""

from __future__ import annotations

import ctypes
import faulthandler
import gc
import multiprocessing
import os
import signal
import statistics
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

_PAGE = os.sysconf("SC_PAGE_SIZE")
try:
    _LIBC = ctypes.CDLL("libc.so.6")
except OSError:  # not glibc: no trimming
    _LIBC = None


def rss_bytes() -> int:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * _PAGE


def release_memory() -> None:
    gc.collect()
    if _LIBC is not None:
        _LIBC.malloc_trim(0)


class PeakSampler:
    """Highest RSS seen while the `with` block runs."""

    def __init__(self, interval: float = 0.002):
        self.interval = interval
        self.peak = 0
        self._stop = threading.Event()

    def __enter__(self) -> PeakSampler:
        self.start = rss_bytes()
        self.peak = self.start
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()
        return self

    def _sample(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, rss_bytes())
            self._stop.wait(self.interval)

    def __exit__(self, *exc) -> None:
        self.peak = max(self.peak, rss_bytes())
        self._stop.set()
        self._thread.join()

    @property
    def growth_mb(self) -> float:
        return (self.peak - self.start) / 2**20


class RunTimeout(Exception):
    """A run outlived its deadline (not a TimeoutError: that is an OSError, which waits on processes swallow)."""


@contextmanager
def deadline(seconds: float) -> Iterator[None]:
    """Raise RunTimeout in the main thread after `seconds`, so a run that hangs becomes a failed record.

    Before raising it prints every thread's stack (to say where the run hung) and ends the worker
    processes the run started, which would otherwise keep the benchmark waiting.
    """

    def expire(signum, frame):
        faulthandler.dump_traceback(file=sys.stderr, all_threads=True)
        for child in multiprocessing.active_children():
            child.kill()
            child.join(5)
        raise RunTimeout(f"no result after {seconds:.0f} s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


@dataclass
class Work:
    """One measured operation of one implementation: `run` is timed; `setup` runs untimed before every run."""

    run: Callable[[], object]
    setup: Callable[[], object] | None = None
    teardown: Callable[[], object] | None = None
    sample_memory: bool = True  # off for sub-millisecond work, where a collection per run would dominate
    statements: int | None = None  # SQL statements the run issued, where the implementation counts them
    times: list[float] = field(default_factory=list)
    peak_mb: float = 0.0
    error: str | None = None

    def once(self, limit_s: float = 600) -> None:
        """One untimed setup and one timed run; a run still going after `limit_s` is recorded as failed."""
        if self.error:
            return
        try:
            with deadline(limit_s):
                self._once()
        except Exception as error:  # the record says what failed; the other implementations go on
            self.error = f"{type(error).__name__}: {str(error)[:300]}"

    def _once(self) -> None:
        if self.setup:
            self.setup()
        if not self.sample_memory:
            start = time.perf_counter()
            self.run()
            self.times.append(time.perf_counter() - start)
            return
        release_memory()
        with PeakSampler() as sampler:
            start = time.perf_counter()
            self.run()
            elapsed = time.perf_counter() - start
        self.times.append(elapsed)
        self.peak_mb = max(self.peak_mb, sampler.growth_mb)

    @property
    def median(self) -> float | None:
        return statistics.median(self.times) if self.times else None


def interleave(works: dict[str, Work], runs: int, budget_s: float, limit_s: float = 600) -> None:
    """Round-robin over the implementations, so a noisy moment on the machine hits them all alike.

    At least `min(runs, 2)` rounds; further rounds stop once the rounds so far took more than `budget_s`.
    """
    started = time.perf_counter()
    for round_ in range(runs):
        for work in works.values():
            work.once(limit_s)
        if round_ + 1 >= min(runs, 2) and time.perf_counter() - started > budget_s:
            break
    for work in works.values():
        if work.teardown and not work.error:
            work.teardown()
