"""What the importers produce: drafts of articles, and why an item was left out."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from digest.errors import DigestError


class CurateError(DigestError):
    """An input or item cannot be imported; the message says why and what to do."""


class Skip(Exception):
    """An item is deliberately left out (no date, a duplicate ...); the message says why."""


@dataclass
class Draft:
    """An article about to be written: front matter values and a Markdown body."""

    title: str
    date: datetime  # timezone-aware
    body: str = ""  # Markdown
    tags: list[str] = field(default_factory=list)
    summary: str | None = None
    source_name: str | None = None
    source_url: str | None = None
    source_id: str | None = None  # the feed entry's id, when it is not its link
    dateline: str | None = None
    authors: list[str] = field(default_factory=list)
    updated: datetime | None = None
    image: str | None = None
    lang: str | None = None
    draft: bool = False
    slug: str | None = None  # default: from the title
    also_urls: list[str] = field(default_factory=list)  # other URLs of the item, for dedup
    notes: list[str] = field(default_factory=list)  # shown after the "written" line


@dataclass
class Candidate:
    """One item of an input: `make()` returns its Draft, or raises Skip or CurateError."""

    label: str  # how the item is named in messages: "feed.xml entry 3 'Title'"
    make: Callable[[], Draft]


def add_tags(tags: list[str], more: list[str]) -> list[str]:
    """tags + more, without repeats (tags match case-insensitively) or empty names."""
    seen = {tag.casefold() for tag in tags}
    out = list(tags)
    for tag in more:
        tag = " ".join(tag.split())
        if tag and tag.casefold() not in seen:
            seen.add(tag.casefold())
            out.append(tag)
    return out
