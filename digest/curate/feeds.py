"""RSS and Atom feeds (parsed with feedparser) -> one candidate article per entry.

Each entry keeps its title, date (published, else updated, with its offset), the feed's
title as source name, the entry link as source URL, its categories as tags, a plain-text
summary, and its content converted to Markdown (sanitized first).
"""

from __future__ import annotations

import html
import re
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from functools import partial
from typing import Any

import feedparser

from digest.curate.convert import html_to_markdown, text_to_markdown
from digest.curate.dates import parse_when
from digest.curate.items import Candidate, CurateError, Draft, Skip, add_tags
from digest.markup import sanitize
from digest.text import clean, plain_text, truncate
from digest.urls import clean_url, normalize_url

MAX_SUMMARY = 1000
_LANG = re.compile(r"[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*")


def candidates(data: bytes, label: str, *, url: str | None, site_language: str) -> list[Candidate]:
    """Every entry of the feed in `data`; CurateError when it is not a feed."""
    headers = {"content-location": url} if url else {}
    parsed = feedparser.parse(data, response_headers=headers, sanitize_html=True,
                              resolve_relative_uris=True)
    if not parsed.entries:
        if parsed.get("bozo") and not parsed.get("version"):
            problem = parsed.get("bozo_exception")
            raise CurateError(f"not an RSS or Atom feed ({problem})" if problem
                              else "not an RSS or Atom feed")
        if not parsed.get("version"):
            raise CurateError("not an RSS or Atom feed")
    feed = parsed.feed
    source = _text(feed.get("title_detail")) or None
    lang = _language(feed.get("language"), site_language)
    out = []
    for number, entry in enumerate(parsed.entries, start=1):
        title = _text(entry.get("title_detail"))
        shown = f"{label} entry {number}" + (f" {truncate(title, 60)!r}" if title else "")
        out.append(Candidate(shown, partial(entry_draft, entry, source, lang)))
    return out


def _text(detail: Any) -> str:
    """A feed text construct (plain or HTML) -> one line of plain text."""
    if not detail:
        return ""
    value = detail.get("value") or ""
    if "html" in (detail.get("type") or ""):
        value = plain_text(sanitize(value))
    else:
        value = html.unescape(value) if "&" in value and ";" in value else value
    return " ".join(clean(value)[0].split())


def _language(value: str | None, site_language: str) -> str | None:
    """The feed's language when it differs from the site's."""
    if not value or not _LANG.fullmatch(value.strip()):
        return None
    value = value.strip()
    same = value.split("-")[0].lower() == site_language.split("-")[0].lower()
    return None if same else value


def _when(entry: Any, key: str) -> datetime | None:
    # dict.get: feedparser's own get() maps a missing 'updated' to 'published', with a warning
    raw = dict.get(entry, key)
    if raw:
        try:
            when = parsedate_to_datetime(raw)
            return when if when.tzinfo else when.replace(tzinfo=UTC)
        except (TypeError, ValueError, IndexError):
            when = parse_when(raw, UTC)
            if when is not None:
                return when
    parsed = dict.get(entry, f"{key}_parsed")
    return datetime(*parsed[:6], tzinfo=UTC) if parsed else None


def entry_draft(entry: Any, source: str | None, lang: str | None) -> Draft:
    """One feed entry -> Draft; Skip when it has no title or no date."""
    title = _text(entry.get("title_detail"))
    if not title:
        raise Skip("the entry has no title")
    date = _when(entry, "published") or _when(entry, "updated")
    if date is None:
        raise Skip("the entry has no date (neither published nor updated)")
    updated = _when(entry, "updated")
    link = _link(entry)
    draft = Draft(title=title, date=date, source_name=source, source_url=link, lang=lang)
    if updated and updated > date:
        draft.updated = updated
    entry_id = clean(entry.get("id") or "")[0].strip()
    if entry_id and (link is None or normalize_url(entry_id) != normalize_url(link)):
        draft.source_id = entry_id
    terms = [(tag.get("label") or tag.get("term") or "") for tag in entry.get("tags") or []]
    draft.tags = add_tags([], [clean(term)[0] for term in terms if "://" not in term])
    draft.authors = _authors(entry)
    draft.image = _image(entry)
    summary_detail = entry.get("summary_detail")
    content = _content(entry)
    if content is not None:
        draft.body = _body(content, link)
        summary = _text(summary_detail)
        if summary:
            draft.summary = truncate(summary, MAX_SUMMARY)
    elif summary_detail:
        draft.body = _body(summary_detail, link)
    return draft


def _link(entry: Any) -> str | None:
    for candidate in (entry.get("link"), *(link.get("href") for link in entry.get("links", [])
                                          if link.get("rel") == "alternate")):
        if candidate and re.match(r"https?://", candidate.strip(), re.IGNORECASE):
            return clean_url(candidate.strip())
    return None


def _content(entry: Any) -> Any:
    """The richest content of the entry (HTML first), or None."""
    contents = entry.get("content") or []
    for item in contents:
        if "html" in (item.get("type") or "") and item.get("value"):
            return item
    return next((item for item in contents if item.get("value")), None)


def _body(detail: Any, base: str | None) -> str:
    value = detail.get("value") or ""
    if "html" in (detail.get("type") or "text/html"):
        return html_to_markdown(value, base_url=detail.get("base") or base)
    return text_to_markdown(clean(value)[0].split("\n\n"))


def _authors(entry: Any) -> list[str]:
    names = []
    for author in entry.get("authors") or []:
        name = author.get("name") or ""
        name = re.sub(r"^\S+@\S+\s*\((.+)\)$", r"\1", name).strip()
        if name and "@" not in name and name not in names:
            names.append(clean(name)[0])
    return names


def _image(entry: Any) -> str | None:
    options = [item.get("url") for item in entry.get("media_thumbnail") or []]
    options += [item.get("href") for item in entry.get("enclosures") or []
                if (item.get("type") or "").startswith("image/")]
    options += [item.get("url") for item in entry.get("media_content") or []
                if (item.get("medium") == "image" or
                    (item.get("type") or "").startswith("image/"))]
    for url in options:
        if url and re.match(r"https?://\S+$", url.strip()):
            return url.strip()
    return None

