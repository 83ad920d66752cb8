"""`digest new "Title"`: a new article file with its front matter filled in."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit

from digest.config import Config
from digest.content import RESERVED_NAMES
from digest.curate.dates import now
from digest.curate.dedup import Index
from digest.curate.items import CurateError, Draft, add_tags
from digest.curate.writer import Writer, Written, file_text, tidy
from digest.text import slugify


@dataclass
class NewOptions:
    tags: tuple[str, ...] = ()
    source_name: str | None = None
    source_url: str | None = None
    dateline: str | None = None
    slug: str | None = None
    date: datetime | None = None  # default: now, in the site's time zone
    draft: bool = False
    dry_run: bool = False


def check_slug(slug: str) -> str:
    """A slug as the content loader accepts it, or CurateError with a suggestion."""
    slug = slug.strip()
    if not slug or slugify(slug) != slug.lower():
        suggestion = slugify(slug)
        hint = f"; did you mean {suggestion!r}?" if suggestion else ""
        raise CurateError(f"--slug {slug!r} is not a slug: use letters, digits and '-' "
                          f"only{hint}")
    if slug.lower() in RESERVED_NAMES:
        raise CurateError(f"--slug {slug!r} is a reserved file name on Windows; choose another")
    return slug.lower()


def new_article(config: Config, title: str, options: NewOptions) -> tuple[Written, str]:
    """Write (or, in a dry run, only place) a new article; returns where, and its text."""
    if not tidy(title):
        raise CurateError("the title is empty; write it in quotes: digest new \"The title\"")
    if options.source_url:
        parts = urlsplit(options.source_url.strip())
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise CurateError(f"--source-url {options.source_url!r} is not an http(s) URL; "
                              "write it like https://example.org/story")
    draft = Draft(
        title=tidy(title), date=options.date or now(config.tz),
        tags=add_tags([], list(options.tags)), source_name=options.source_name,
        source_url=options.source_url.strip() if options.source_url else None,
        dateline=options.dateline, draft=options.draft,
        slug=check_slug(options.slug) if options.slug else None)
    index = Index.load(config.folder("content_dir"), config.root, config.tz, config.permalink)
    writer = Writer(config, index, dry_run=options.dry_run)
    written = writer.write(draft, suffix=False)
    return written, file_text(draft, config.tz)
