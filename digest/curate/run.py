"""`digest import`: every input -> candidates -> dedup -> written files, one line an item.

One bad input or item never stops the others; the summary counts what happened and the
caller exits with 1 when anything failed.
"""

from __future__ import annotations

import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from functools import partial
from pathlib import Path

from digest.config import Config
from digest.curate import feeds, rawtext, sources
from digest.curate.dates import now
from digest.curate.dedup import Index
from digest.curate.fetch import MAX_BYTES, TIMEOUT, Fetcher
from digest.curate.html import page_draft
from digest.curate.items import Candidate, CurateError, Draft, Skip, add_tags
from digest.curate.writer import Writer


@dataclass
class ImportOptions:
    format: str | None = None  # None: detect from each input
    date: datetime | None = None  # for raw text and pages that carry no date
    tags: tuple[str, ...] = ()  # added to every item
    source_name: str | None = None  # replaces the source name of every item
    source_url: str | None = None  # for a single raw text input
    draft: bool = False
    dry_run: bool = False
    timeout: float = TIMEOUT
    max_bytes: int = MAX_BYTES
    furniture: tuple[str, ...] = ()  # patterns added to rawtext.FURNITURE (config)


@dataclass
class Summary:
    written: int = 0
    skipped: int = 0
    failed: int = 0
    flagged: int = 0
    paths: list[Path] = field(default_factory=list)

    def line(self, dry_run: bool) -> str:
        wrote = f"{self.written} would be written" if dry_run else f"{self.written} written"
        text = f"{wrote}, {self.skipped} skipped, {self.failed} failed"
        if self.flagged:
            text += f"; {self.flagged} flagged as possible duplicates"
        return ("Dry run: " + text + "; nothing was written." if dry_run
                else "Imported: " + text + ".")


class Progress:
    """What the loop reports progress to; the command gives a bar on a terminal."""

    def grow(self, n: int) -> None:
        """`n` more steps are known to be ahead."""

    def advance(self) -> None:
        """One step is done."""


def shown(path: Path) -> str:
    """A path as the user would type it: relative to the working folder when inside it."""
    try:
        return path.relative_to(Path.cwd()).as_posix()
    except ValueError:
        return str(path)


class Importer:
    def __init__(self, config: Config, options: ImportOptions, emit: Callable[[str], None],
                 progress: Progress | None = None) -> None:
        self.config, self.options, self.emit = config, options, emit
        self.progress = progress or Progress()
        self.tz = config.tz
        self.now = now(self.tz)
        try:
            self.furniture = rawtext.compile_furniture(options.furniture)
        except ValueError as error:
            raise CurateError(f"furniture pattern {error}") from None
        self.index = Index.load(config.folder("content_dir"), config.root, self.tz,
                                config.permalink)
        self.writer = Writer(config, self.index, dry_run=options.dry_run)
        self.summary = Summary()

    def run(self, names: list[str]) -> Summary:
        if self.index.unreadable:
            count = len(self.index.unreadable)
            files = f"{count} files" if count != 1 else "1 file"
            verbs = "are" if count != 1 else "is"
            self.emit(f"note: {files} in content/ could not be read and {verbs} not checked "
                      "for duplicates (digest build names the problems)")
        self.progress.grow(len(names))
        with Fetcher(timeout=self.options.timeout, max_bytes=self.options.max_bytes) as fetcher:
            for name in names:
                try:
                    items = self.candidates(name, fetcher)
                except CurateError as error:
                    self._failed(name, str(error))
                    self.progress.advance()
                    continue
                if not items:
                    self.emit(f"skipped {name}: the feed has no entries")
                    self.summary.skipped += 1
                self.progress.grow(len(items) - 1)
                for item in items:
                    self.one(item)
                    self.progress.advance()
        return self.summary

    def candidates(self, name: str, fetcher: Fetcher) -> list[Candidate]:
        source = sources.read(name, fetcher, max_bytes=self.options.max_bytes)
        kind = self.options.format or sources.detect(source)
        if kind == "feed":
            return feeds.candidates(source.data, name, url=source.url,
                                    site_language=self.config.language)
        if kind == "html":
            return [Candidate(name, partial(page_draft, source.data, url=source.url,
                                            tz=self.tz, now=self.now, date=self.options.date))]
        return [Candidate(name, partial(self._text, source))]

    def _text(self, source: sources.Input) -> Draft:
        draft = rawtext.parse(rawtext.decode_text(source.data), tz=self.tz, now=self.now,
                              furniture=self.furniture, date=self.options.date)
        if source.url:
            draft.source_url = source.url
        return draft

    def one(self, item: Candidate) -> None:
        """Make, check and write one item; whatever happens, report it in one line."""
        try:
            draft = self._options(item.make())
            reason = self.index.duplicate(draft)
            if reason:
                raise Skip(reason)
            similar = self.index.similar(draft)
            written = self.writer.write(draft)
        except Skip as skip:
            self.emit(f"skipped {item.label}: {skip}")
            self.summary.skipped += 1
            return
        except CurateError as error:
            self._failed(item.label, str(error))
            return
        except Exception as error:  # a bug: report it, keep its traceback, go on
            self._failed(item.label, f"unexpected error, a bug in digest (please report it): "
                         f"{type(error).__name__}: {error}")
            traceback.print_exc()
            return
        verb = "would write" if self.options.dry_run else "written"
        self.emit(f"{verb} {shown(written.path)}  ({item.label})")
        self.summary.written += 1
        self.summary.paths.append(written.path)
        for note in (*draft.notes, *written.warnings):
            self.emit(f"  note: {note}")
        for rel in similar:
            self.emit(f"  flagged: the title is nearly the same as that of {rel}, on the "
                      "same day; is it a duplicate?")
        self.summary.flagged += bool(similar)

    def _options(self, draft: Draft) -> Draft:
        options = self.options
        draft.tags = add_tags(draft.tags, list(options.tags))
        if options.source_name:
            draft.source_name = options.source_name
        if options.source_url:
            draft.source_url = options.source_url
        draft.draft = draft.draft or options.draft
        return draft

    def _failed(self, label: str, reason: str) -> None:
        self.emit(f"failed {label}: {reason}")
        self.summary.failed += 1
