"""What content/ already holds: source URLs (normalized), ids, titles by day, permalinks.

An item whose source URL or id is already there is a duplicate; so is an item without
either whose title is already there on the same day (importing a raw text twice). Items
whose titles are nearly the same as another's on the same day are flagged, not skipped.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime, time, tzinfo
from pathlib import Path
from typing import Any

from digest.content import file_slug, find_files
from digest.curate.items import Draft
from digest.errors import ContentError
from digest.frontmatter import decode, split
from digest.text import slugify
from digest.urls import normalize_url

SIMILAR = 0.9  # titles at least this alike (difflib ratio) on one day are flagged
SITE_PAGES = "the site's own pages"
# First URL segments of the site's own pages (and /YYYY/ archives), which no article may take.
SITE_SEGMENTS = {"tags", "page", "archive", "editions", "feed.xml", "atom.xml", "sitemap.xml",
                 "404.html", "robots.txt", "static"}


def normalize_title(title: str) -> str:
    """Case, Unicode form, punctuation and spacing do not matter."""
    text = unicodedata.normalize("NFKC", title).casefold()
    text = "".join(" " if unicodedata.category(c)[0] in "PSZ" else c for c in text)
    return " ".join(text.split())


def permalink(pattern: str, when: datetime, slug: str) -> str:
    """The article's URL path, as digest.site computes it (case does not matter)."""
    return pattern.format(year=f"{when:%Y}", month=f"{when:%m}", day=f"{when:%d}",
                          slug=slug).casefold()


def _as_datetime(value: Any, tz: tzinfo) -> datetime | None:
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value.strip())
        except ValueError:
            return None
    if isinstance(value, datetime):
        return value.replace(tzinfo=tz) if value.tzinfo is None else value.astimezone(tz)
    if isinstance(value, date):
        return datetime.combine(value, time(0, 0), tz)
    return None


@dataclass
class Index:
    """What content/ holds (and what this run wrote), for dedup and free slugs."""

    tz: tzinfo
    pattern: str  # the config's permalink
    urls: dict[str, str] = field(default_factory=dict)  # normalized URL or id -> file
    titles: dict[date, list[tuple[str, str]]] = field(default_factory=dict)
    permalinks: dict[str, str] = field(default_factory=dict)
    tag_names: dict[str, str] = field(default_factory=dict)  # tag slug -> first spelling
    unreadable: list[str] = field(default_factory=list)

    @classmethod
    def load(cls, content_dir: Path, root: Path, tz: tzinfo, pattern: str) -> Index:
        index = cls(tz, pattern)
        if not content_dir.is_dir():
            return index
        files, _ = find_files(content_dir, root)
        for path, rel in files:
            try:
                fields, _, _ = split(rel, decode(rel, Path(path).read_bytes()))
            except (ContentError, OSError):
                index.unreadable.append(rel)
                continue
            index._add_fields(rel, {f.key: f.value for f in fields if not f.error})
        return index

    def _add_fields(self, rel: str, values: dict[str, Any]) -> None:
        source = values.get("source")
        if isinstance(source, dict) and isinstance(source.get("url"), str):
            self.urls.setdefault(normalize_url(source["url"]), rel)
        if isinstance(values.get("id"), str):
            self.urls.setdefault(normalize_url(values["id"]), rel)
        extra = values.get("extra")
        if isinstance(extra, dict) and isinstance(extra.get("source_id"), str):
            self.urls.setdefault(normalize_url(extra["source_id"]), rel)
        tags = values.get("tags")
        for tag in tags if isinstance(tags, list) else []:
            if isinstance(tag, str) and tag.strip():
                self.tag_names.setdefault(slugify(tag.strip()), tag.strip())
        when = _as_datetime(values.get("date"), self.tz)
        if when is None:
            return
        if isinstance(values.get("title"), str):
            day = self.titles.setdefault(when.date(), [])
            day.append((normalize_title(values["title"]), rel))
        slug = values.get("slug")
        if not isinstance(slug, str) or not slug:
            slug = file_slug(rel)
        self.permalinks.setdefault(permalink(self.pattern, when, slug), rel)

    def duplicate(self, draft: Draft) -> str | None:
        """Why the draft is already in content/ (naming the file), or None."""
        for url, what in ((draft.source_url, "source URL"), (draft.source_id, "id"),
                          *((u, "URL") for u in draft.also_urls)):
            if url and normalize_url(url) in self.urls:
                return f"already in {self.urls[normalize_url(url)]} (same {what})"
        if draft.source_url or draft.source_id:
            return None
        title = normalize_title(draft.title)
        for other, rel in self.titles.get(draft.date.astimezone(self.tz).date(), []):
            if other == title:
                return f"already in {rel} (same title on the same day)"
        return None

    def similar(self, draft: Draft) -> list[str]:
        """Files whose title on the same day is nearly the same as the draft's."""
        title = normalize_title(draft.title)
        found = []
        for other, rel in self.titles.get(draft.date.astimezone(self.tz).date(), []):
            matcher = difflib.SequenceMatcher(None, title, other)
            if matcher.real_quick_ratio() >= SIMILAR and matcher.ratio() >= SIMILAR:
                found.append(rel)
        return found

    def spelled_as_before(self, tags: list[str]) -> list[str]:
        """Tags spelled as content/ already spells them, one per URL: 'Open Data' becomes
        'open-data' when an article has that tag (/tags/open-data/ cannot serve both)."""
        names: dict[str, str] = {}
        for tag in tags:
            slug = slugify(tag)
            if tag and slug not in names:
                names[slug] = self.tag_names.get(slug, tag)
        return list(names.values())

    def taken(self, when: datetime, slug: str) -> str | None:
        """What already has this article URL (a file, or the site's own pages), or None."""
        url = permalink(self.pattern, when.astimezone(self.tz), slug)
        first = url.strip("/").split("/")[0]
        slug_first = self.pattern.startswith("/{slug}")
        if slug_first and (first in SITE_SEGMENTS or re.fullmatch(r"\d{4}", first)):
            return SITE_PAGES
        return self.permalinks.get(url)

    def url_of(self, when: datetime, slug: str) -> str:
        return self.pattern.format(year=f"{when:%Y}", month=f"{when:%m}", day=f"{when:%d}",
                                   slug=slug)

    def add(self, draft: Draft, rel: str, slug: str) -> None:
        """Remember an article written (or, in a dry run, that would be) by this run."""
        values: dict[str, Any] = {"title": draft.title, "date": draft.date, "slug": slug,
                                  "tags": draft.tags}
        if draft.source_url:
            values["source"] = {"url": draft.source_url}
        if draft.source_id:
            values["extra"] = {"source_id": draft.source_id}
        self._add_fields(rel, values)
        for url in draft.also_urls:
            self.urls.setdefault(normalize_url(url), rel)
