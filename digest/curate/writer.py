"""A Draft -> an article file under content/YYYY/MM/, never overwriting anything.

The front matter is written with yaml.safe_dump (so a title like "2024" or "no" is
quoted), and every file is read back through digest.content.read_article before it is
written: an import never leaves a file that breaks the build.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import unicodedata
from dataclasses import dataclass
from datetime import tzinfo
from itertools import count
from pathlib import Path
from typing import Any

import yaml

from digest.config import Config
from digest.content import RESERVED_NAMES, Settings, read_article
from digest.curate.dedup import SITE_PAGES, Index
from digest.curate.items import CurateError, Draft
from digest.markup import Renderer
from digest.text import clean, slugify

MAX_SLUG = 80
MAX_SUFFIX = 1000


def tidy(text: str) -> str:
    """One line of text, NFC, without control characters or runs of spaces."""
    return " ".join(clean(unicodedata.normalize("NFC", text))[0].split())


def slug_for(title: str) -> str:
    """A file name (and URL segment) from a title, cut at a word boundary."""
    slug = slugify(tidy(title))
    if len(slug) > MAX_SLUG:
        cut = slug[:MAX_SLUG + 1]
        slug = (cut.rsplit("-", 1)[0] if "-" in cut[MAX_SLUG // 2:] else cut[:MAX_SLUG])
        slug = slug.strip("-_")
    if not slug:
        slug = "article"
    return f"{slug}-article" if slug in RESERVED_NAMES else slug


def front_matter(draft: Draft, tz: tzinfo) -> dict[str, Any]:
    """The fields to write, in the order people read them; empty ones left out."""
    fields: dict[str, Any] = {"title": tidy(draft.title), "date": draft.date}
    if draft.updated:
        fields["updated"] = draft.updated
    tags = [tidy(tag) for tag in draft.tags]
    if any(tags):
        fields["tags"] = [tag for tag in tags if tag]
    if draft.summary and tidy(draft.summary):
        fields["summary"] = tidy(draft.summary)
    if draft.source_name or draft.source_url:
        source = {"name": tidy(draft.source_name or "")} if draft.source_name else {}
        if draft.source_url:
            source["url"] = tidy(draft.source_url)
        fields["source"] = source
    for key in ("dateline", "image", "lang"):
        value = getattr(draft, key)
        if value and tidy(value):
            fields[key] = tidy(value)
    authors = [tidy(name) for name in draft.authors if tidy(name)]
    if authors:
        fields["authors"] = authors
    if draft.draft:
        fields["draft"] = True
    if draft.source_id:
        fields["extra"] = {"source_id": tidy(draft.source_id)}
    return fields


def file_text(draft: Draft, tz: tzinfo) -> str:
    front = yaml.safe_dump(front_matter(draft, tz), allow_unicode=True, sort_keys=False,
                           default_flow_style=False, width=4096)
    body = clean(draft.body)[0].strip()
    return f"---\n{front}---\n\n{body}\n" if body else f"---\n{front}---\n"


@dataclass(frozen=True)
class Written:
    path: Path
    rel: str  # relative to the site root, '/' separated
    slug: str
    warnings: tuple[str, ...] = ()


class Writer:
    """Places drafts at free paths in content/ and writes them (or, in a dry run, not)."""

    def __init__(self, config: Config, index: Index, *, dry_run: bool = False) -> None:
        self.config, self.index, self.dry_run = config, index, dry_run
        self.tz = config.tz
        self.root = config.root
        self.content_dir = config.folder("content_dir")
        self.settings = Settings.of(config)
        self.renderer = Renderer(config.typographer)

    def _rel(self, path: Path) -> str:
        try:
            return path.relative_to(self.root).as_posix()
        except ValueError:
            return path.as_posix()

    def _free(self, draft: Draft, suffix: bool) -> tuple[Path, str]:
        when = draft.date.astimezone(self.tz)
        folder = self.content_dir / f"{when:%Y}" / f"{when:%m}"
        base = draft.slug or slug_for(draft.title)
        for number in count(1):
            slug = base if number == 1 else f"{base}-{number}"
            path = folder / f"{slug}.md"
            holder = self._rel(path) if os.path.lexists(path) else self.index.taken(when, slug)
            if holder is None:
                return path, slug
            if not suffix:
                url = self.index.url_of(when, slug)
                clash = (f"{holder} already exists" if holder == self._rel(path) else
                         f"the URL {url} belongs to {holder}" if holder == SITE_PAGES else
                         f"{holder} already has the URL {url}")
                raise CurateError(f"{clash}; nothing was written. Choose another slug "
                                  "with --slug")
            if number >= MAX_SUFFIX:
                break
        raise CurateError(f"no free file name for {base!r} after {MAX_SUFFIX} tries")

    def check(self, text: str, rel: str, slug: str) -> tuple[str, ...]:
        """Read the file back as the build will; CurateError names what is wrong."""
        result = read_article(text.encode("utf-8"), rel, self.settings, self.renderer)
        if result.errors:
            raise CurateError("the article would not build: " +
                              "; ".join(error.message for error in result.errors))
        assert result.article is not None and result.article.slug == slug, (rel, slug)
        return tuple(result.warnings)

    def write(self, draft: Draft, *, suffix: bool = True) -> Written:
        """Write the draft to a free path (a clash gets -2, -3 ... when `suffix`)."""
        draft.tags = self.index.spelled_as_before([tidy(tag) for tag in draft.tags])
        while True:
            path, slug = self._free(draft, suffix)
            rel = self._rel(path)
            text = file_text(draft, self.tz)
            warnings = self.check(text, rel, slug)
            if self.dry_run or _create(path, text):
                self.index.add(draft, rel, slug)
                return Written(path, rel, slug, warnings)
            if not suffix:  # appeared since we looked
                raise CurateError(f"{rel} already exists; nothing was written")


def _create(path: Path, text: str) -> bool:
    """Write a new file whole, or not at all; False when the path already exists."""
    path.parent.mkdir(parents=True, exist_ok=True)
    data = text.encode("utf-8")
    temp = path.parent / f".digest-new-{os.getpid()}-{secrets.token_hex(6)}.tmp"
    try:
        with open(temp, "xb") as handle:
            handle.write(data)
        try:
            os.link(temp, path)
            return True
        except FileExistsError:
            return False
        except OSError:  # a file system without hard links
            try:
                with open(path, "xb") as handle:
                    handle.write(data)
                return True
            except FileExistsError:
                return False
    finally:
        with contextlib.suppress(OSError):
            os.unlink(temp)
