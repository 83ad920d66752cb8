"""Spreading the two heavy steps over all cores, with output independent of how.

Markdown rendering: files go to a process pool in chunks; results come back in order.
Page rendering: workers are forked after planning, so they share the plan without
copying it, render their share of the pages and write them straight into the stage.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import gc
import multiprocessing
import os
from collections.abc import Callable
from typing import Any

from digest.content import FileResult, Finisher, Mapper, Settings, read_all

MIN_PARALLEL_ARTICLES = 64
MIN_PARALLEL_PAGES = 256
# Set before forking render workers, which inherit them.
_work: Callable[[int], Any] | None = None
_next: Any = None  # a shared counter of chunks taken
_chunks: list[range] = []
_report: Callable[[], Any] | None = None
_each: Finisher | None = None  # set before forking Markdown workers


def default_jobs() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else \
        (os.cpu_count() or 1)


def _context() -> multiprocessing.context.BaseContext | None:
    methods = multiprocessing.get_all_start_methods()
    return multiprocessing.get_context("fork") if "fork" in methods else None


def _read_chunk(items: list[tuple[bytes, str]], settings: Settings) -> list[FileResult]:
    return read_all(items, settings, _each)


def article_mapper(jobs: int) -> Mapper:
    """A content mapper that renders Markdown on `jobs` processes.

    The per-result callback reaches the workers by being set before they are forked, so
    it may be any function, a closure over the parent's renderer included.
    """

    def mapper(items: list[tuple[bytes, str]], settings: Settings,
               each: Finisher | None = None) -> list[FileResult]:
        global _each
        context = _context()
        if jobs <= 1 or len(items) < MIN_PARALLEL_ARTICLES or context is None:
            return read_all(items, settings, each)
        size = max(8, min(128, len(items) // (jobs * 8) or 1))
        chunks = [items[i:i + size] for i in range(0, len(items), size)]
        _each = each
        gc.freeze()  # the workers' collector then skips what they inherit: a tenth faster
        try:
            with context.Pool(jobs) as pool:
                parts = pool.starmap(_read_chunk, [(chunk, settings) for chunk in chunks])
        finally:
            _each = None
            gc.unfreeze()
        return [result for part in parts for result in part]

    return mapper


def _release_free_memory() -> None:
    """Give memory freed after loading back to the system before forking, so the workers
    do not start with (and count) the parent's garbage. glibc only; elsewhere a no-op."""
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        libc.malloc_trim(0)
    except (OSError, AttributeError):
        pass


def _drain(advance: Callable[[int], None] = lambda n: None) -> tuple[
        list[tuple[int, list[Any]]], Any]:
    """Take chunks from the shared counter until none is left; in workers and the parent.
    Returns what was done, and the process's report."""
    assert _work is not None and _next is not None
    done = []
    while True:
        with _next.get_lock():
            number = _next.value
            _next.value += 1
        if number >= len(_chunks):
            return done, _report() if _report is not None else None
        indices = _chunks[number]
        done.append((indices.start, [_work(i) for i in indices]))
        advance(len(indices))


def run_all(work: Callable[[int], Any], count: int, jobs: int,
            advance: Callable[[int], None] = lambda n: None,
            report: Callable[[], Any] | None = None,
            receive: Callable[[Any], None] = lambda value: None,
            alongside: Callable[[], None] = lambda: None) -> list[Any]:
    """[work(i) for i in range(count)]: the parent and jobs - 1 forked workers share it.

    Workers are forked after the plan is made, so they read it without copying it; the
    parent works too, rather than waiting, which saves a whole process's memory. It first
    calls `alongside()`, which the workers do not need (they take the work it would have
    done). Each process that worked calls `report()` at the end, and the parent
    `receive`s the value (e.g. what a worker learnt that the next build can reuse).
    """
    global _work, _next, _chunks, _report
    context = _context()
    if jobs <= 1 or count < MIN_PARALLEL_PAGES or context is None:
        alongside()
        results = []
        for i in range(count):
            results.append(work(i))
            advance(1)
        if report is not None:
            receive(report())
        return results
    size = max(16, min(256, count // (jobs * 8) or 1))
    _chunks = [range(i, min(i + size, count)) for i in range(0, count, size)]
    _work, _next, _report = work, context.Value("i", 0), report
    # No gc.collect() first: after planning it finds a few hundred objects to free and
    # takes a tenth of a second on 10,000 articles, all of it before the work can start.
    _release_free_memory()
    gc.freeze()  # objects shared with the workers stay untouched by their collector
    try:
        with context.Pool(jobs - 1) as pool:
            pending = [pool.apply_async(_drain) for _ in range(jobs - 1)]
            alongside()
            own, own_report = _drain(advance)
            parts = dict(own)
            reports = [own_report]
            for result in pending:
                finished, worker_report = result.get()
                parts.update(finished)
                reports.append(worker_report)
                advance(sum(len(values) for _, values in finished))
    finally:
        _work, _next, _chunks, _report = None, None, [], None
        gc.unfreeze()
    if report is not None:
        for value in reports:
            receive(value)
    return [value for start in sorted(parts) for value in parts[start]]
