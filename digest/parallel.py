"""Spreading the two heavy steps over all cores, with output independent of how.

Markdown rendering: files go to a process pool in chunks; results come back in order.
Page rendering: workers are forked after planning, so they share the plan without
copying it, render their share of the pages and write them straight into the stage.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable
from typing import Any

from digest.content import FileResult, Settings, read_all

MIN_PARALLEL_ARTICLES = 64
MIN_PARALLEL_PAGES = 256
_work: Callable[[int], Any] | None = None  # set before forking render workers


def default_jobs() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else \
        (os.cpu_count() or 1)


def _context() -> multiprocessing.context.BaseContext | None:
    methods = multiprocessing.get_all_start_methods()
    return multiprocessing.get_context("fork") if "fork" in methods else None


def article_mapper(jobs: int) -> Callable[[list[tuple[bytes, str]], Settings], list[FileResult]]:
    """A content mapper that renders Markdown on `jobs` processes."""

    def mapper(items: list[tuple[bytes, str]], settings: Settings) -> list[FileResult]:
        context = _context()
        if jobs <= 1 or len(items) < MIN_PARALLEL_ARTICLES or context is None:
            return read_all(items, settings)
        size = max(8, min(128, len(items) // (jobs * 8) or 1))
        chunks = [items[i:i + size] for i in range(0, len(items), size)]
        with context.Pool(jobs) as pool:
            parts = pool.starmap(read_all, [(chunk, settings) for chunk in chunks])
        return [result for part in parts for result in part]

    return mapper


def _run_chunk(indices: range) -> tuple[int, list[Any]]:
    assert _work is not None
    return indices.start, [_work(i) for i in indices]


def run_all(work: Callable[[int], Any], count: int, jobs: int,
            advance: Callable[[int], None] = lambda n: None) -> list[Any]:
    """[work(i) for i in range(count)], on forked workers when it pays off."""
    global _work
    context = _context()
    if jobs <= 1 or count < MIN_PARALLEL_PAGES or context is None:
        results = []
        for i in range(count):
            results.append(work(i))
            advance(1)
        return results
    size = max(16, min(256, count // (jobs * 8) or 1))
    chunks = [range(i, min(i + size, count)) for i in range(0, count, size)]
    _work = work
    parts: dict[int, list[Any]] = {}
    try:
        with context.Pool(jobs) as pool:
            for start, values in pool.imap_unordered(_run_chunk, chunks):
                parts[start] = values
                advance(len(values))
    finally:
        _work = None
    return [value for start in sorted(parts) for value in parts[start]]
