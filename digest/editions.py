"""Editions: the digest read as daily or weekly issues.

Each edition (/editions/2024-03-26/ or /editions/2024-W13/) holds its period's
articles grouped by tag (each article under its first tag), an optional editor's
note from content/editions/<id>.md, and links to the editions before and after.
An editions feed has one item per edition. Periods are in the site's time zone.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

from markupsafe import Markup

from digest.config import Config
from digest.models import Article, EditionFeedSpec, Page, quick_repr
from digest.views import MONTHS, ArticleView, Link, PageMeta, SiteView, day_display, url_path

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
UNTAGGED = "More news"


@quick_repr
@dataclass(frozen=True, slots=True)
class EditionGroup:
    name: str
    url: str | None  # the tag's page; None for untagged articles
    items: tuple[ArticleView, ...]


@dataclass(frozen=True, slots=True)
class Edition:
    id: str
    title: str
    url: str
    abs_url: str
    start: date
    end: date  # inclusive
    count: int
    groups: tuple[EditionGroup, ...]
    note: Markup | None
    note_title: str | None
    articles: tuple[tuple[Article, ArticleView], ...]

    def cache_key(self) -> tuple[object, ...]:
        """Stands for the edition in output keys: its articles by their fingerprints.
        digest.replay makes the edition again from it (see `make`)."""
        return (self.id, self.title, self.url, self.start.isoformat(), self.end.isoformat(),
                None if self.note is None else str(self.note), self.note_title,
                tuple(view.fingerprint for _, view in self.articles))


@dataclass
class EditionsPlan:
    pages: list[Page]
    feeds: list[EditionFeedSpec]
    latest: Edition | None
    editions: list[Edition]


def edition_of(day: date, period: str, week_start: str) -> tuple[str, date, date]:
    """The id, first and last day of the edition a (local) day belongs to."""
    if period == "daily":
        return day.isoformat(), day, day
    first = WEEKDAYS.index(week_start)
    start = day - timedelta(days=(day.weekday() - first) % 7)
    # The week is numbered like the ISO week that holds its Monday.
    year, week, _ = (start + timedelta(days=(7 - first) % 7)).isocalendar()
    return f"{year}-W{week:02d}", start, start + timedelta(days=6)


def _title(edition_id: str, start: date, end: date, period: str) -> str:
    if period == "daily":
        return day_display(start)
    dash = "\u2013"
    span = (f"{start.day}{dash}{end.day} {MONTHS[end.month - 1]}" if start.month == end.month
            else f"{start.day} {MONTHS[start.month - 1]} {dash} {end.day} {MONTHS[end.month - 1]}")
    week = edition_id.split("-W")[1].lstrip("0")
    return f"Week {week}, {edition_id[:4]} ({span} {end.year})"


def _groups(pairs: list[tuple[Article, ArticleView]]) -> tuple[EditionGroup, ...]:
    by_tag: dict[str, list[ArticleView]] = {}
    links: dict[str, str | None] = {}
    for _, view in pairs:
        tag = view.tags[0] if view.tags else None
        name = tag.name if tag else UNTAGGED
        by_tag.setdefault(name, []).append(view)
        links[name] = tag.url if tag else None
    order = sorted(by_tag, key=lambda n: (n == UNTAGGED, -len(by_tag[n]), n.casefold()))
    return tuple(EditionGroup(n, links[n], tuple(by_tag[n])) for n in order)


def make(edition_id: str, title: str, url: str, start: date, end: date, note: Markup | None,
         note_title: str | None, pairs: tuple[tuple[Article, ArticleView], ...],
         site: SiteView) -> Edition:
    """An edition of `pairs` (newest first), its articles grouped by their first tag."""
    return Edition(edition_id, title, url, site.abs(url), start, end, len(pairs),
                   _groups(list(pairs)), note, note_title, pairs)


def plan(pairs: list[tuple[Article, ArticleView]], config: Config, site: SiteView,
         notes: dict[str, tuple[str | None, str]],
         claim: Callable[[str, str], None]) -> EditionsPlan:
    """Edition pages, the editions index and feeds, from newest-first articles."""
    if config.editions == "off":
        return EditionsPlan([], [], None, [])
    buckets: dict[str, list[tuple[Article, ArticleView]]] = {}
    spans: dict[str, tuple[date, date]] = {}
    for article, view in pairs:
        edition_id, start, end = edition_of(article.date.date(), config.editions,
                                            config.week_start)
        buckets.setdefault(edition_id, []).append((article, view))
        spans[edition_id] = (start, end)
    editions = []
    for edition_id in sorted(buckets, reverse=True):
        start, end = spans[edition_id]
        url = url_path(site.base_path, f"editions/{edition_id}/")
        note_title, note_html = notes.get(edition_id, (None, ""))
        editions.append(make(edition_id, _title(edition_id, start, end, config.editions), url,
                             start, end, Markup(note_html) if note_html else None, note_title,
                             tuple(buckets[edition_id]), site))
    feeds_links = (*site.feeds,)
    index_url = url_path(site.base_path, "editions/")
    pages = []
    for i, edition in enumerate(editions):
        path = f"editions/{edition.id}/index.html"
        claim(path, f"the edition {edition.id}")
        newer = editions[i - 1] if i > 0 else None
        older = editions[i + 1] if i + 1 < len(editions) else None
        meta = PageMeta(f"Edition: {edition.title}", edition.url, edition.abs_url,
                        f"{edition.count} articles in {site.title}, {edition.title}",
                        feeds_links, "edition")
        pages.append(Page(edition.url, path, "edition.html", {
            "page": meta, "edition": edition,
            "newer": Link(newer.title, newer.url, newer.count) if newer else None,
            "older": Link(older.title, older.url, older.count) if older else None,
        }))
    claim("editions/index.html", "the editions index")
    index_meta = PageMeta("Editions", index_url, site.abs(index_url),
                          f"Every edition of {site.title}", feeds_links, "editions")
    pages.append(Page(index_url, "editions/index.html", "editions.html", {
        "page": index_meta,
        "editions": [Link(e.title, e.url, e.count, e.id) for e in editions],
    }))
    newest = tuple(editions[: config.feeds.items])
    feeds = []
    for kind, name in (("rss", "feed.xml"), ("atom", "atom.xml")):
        if kind not in config.feeds.formats:
            continue
        path = f"editions/{name}"
        claim(path, f"the editions feed {name}")
        feeds.append(EditionFeedSpec(kind, path, url_path(site.base_path, path),
                                     f"{site.title}: editions", index_url, newest))
    return EditionsPlan(pages, feeds, editions[0] if editions else None, editions)
