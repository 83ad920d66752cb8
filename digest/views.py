"""Ready-made view data for templates: URLs resolved, dates formatted, HTML marked safe.

Templates never see raw front matter; they get these objects.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import quote

from markupsafe import Markup

from digest.config import Config
from digest.models import Article, Source

MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December")
RTL_LANGUAGES = {"ar", "arc", "dv", "fa", "ha", "he", "khw", "ks", "ku", "ps", "sd", "ur", "yi"}


_URL_SAFE = re.compile(r"[A-Za-z0-9/._~-]*")


def url_path(base_path: str, path: str) -> str:
    """A root-relative, percent-encoded URL under the site's base path.

    The base path comes percent-encoded from the config and is not encoded again, so
    every URL starts with it exactly (`SiteView.abs` relies on that).
    """
    path = path.lstrip("/")
    return base_path + (path if _URL_SAFE.fullmatch(path) else quote(path, safe="/-._~"))


def output_file(path: str) -> str:
    """'/2024/03/26/x/' -> '2024/03/26/x/index.html'; '/feed.xml' -> 'feed.xml'."""
    path = path.lstrip("/")
    return path + "index.html" if path.endswith("/") or not path else path


def date_display(moment: datetime) -> str:
    """'26 March 2024, 21:57', the same in every locale."""
    return f"{moment.day} {MONTHS[moment.month - 1]} {moment.year}, {moment:%H:%M}"


def day_display(moment: datetime) -> str:
    return f"{moment.day} {MONTHS[moment.month - 1]} {moment.year}"


def text_direction(lang: str | None) -> str:
    return "rtl" if lang and lang.split("-")[0].lower() in RTL_LANGUAGES else "ltr"


@dataclass(frozen=True, slots=True)
class Link:
    """Something with a name and a URL: a tag, a source, a pagination target."""

    name: str
    url: str
    count: int = 0
    slug: str = ""


@dataclass(frozen=True, slots=True)
class Moment:
    """A date for a <time> element: machine-readable and human forms."""

    iso: str
    display: str
    day: str

    @classmethod
    def of(cls, moment: datetime) -> Moment:
        return cls(moment.isoformat(), date_display(moment), day_display(moment))


@dataclass(frozen=True, slots=True)
class ArticleView:
    title: str
    url: str
    abs_url: str
    date: Moment
    updated: Moment | None
    tags: tuple[Link, ...]
    source: Source | None
    dateline: str | None
    authors: tuple[str, ...]
    summary: str
    body_html: str  # the same string as the article's: views add no copy of the bodies
    image: str | None
    lang: str | None
    dir: str
    id: str
    source_path: str  # the article's file, for error messages
    key: int  # position in the newest-first list, for caching rendered entries
    fingerprint: str  # changes whenever anything about the article changes
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def body(self) -> Markup:
        """The sanitized article HTML, for templates."""
        return Markup(self.body_html)


@dataclass(frozen=True, slots=True)
class FeedLink:
    title: str
    url: str
    type: str  # MIME type


@dataclass(frozen=True, slots=True)
class SiteView:
    title: str
    description: str
    language: str
    dir: str
    author: str
    base_url: str
    base_path: str
    home_url: str
    tags_url: str
    archive_url: str
    feed_url: str
    atom_url: str
    css_url: str
    editions_url: str | None
    search_url: str | None
    feeds: tuple[FeedLink, ...]
    generator: str

    def abs(self, url: str) -> str:
        """An absolute URL for a root-relative one."""
        return self.base_url.rstrip("/") + url[len(self.base_path) - 1:]


@dataclass(frozen=True, slots=True)
class PageMeta:
    title: str
    url: str
    canonical: str
    description: str
    feeds: tuple[FeedLink, ...] = ()
    kind: str = "page"
    lang: str | None = None  # the page's own language, when it differs from the site's
    dir: str | None = None
    image: str | None = None  # absolute URL of the page's image, for link previews


def site_view(config: Config, version: str) -> SiteView:
    base = config.base_path
    feeds = (FeedLink(f"{config.title} (RSS)", url_path(base, "feed.xml"), "application/rss+xml"),
             FeedLink(f"{config.title} (Atom)", url_path(base, "atom.xml"),
                      "application/atom+xml"),
             FeedLink(f"{config.title} (JSON Feed)", url_path(base, "feed.json"),
                      "application/feed+json"))
    return SiteView(
        title=config.title, description=config.description, language=config.language,
        dir=text_direction(config.language), author=config.author, base_url=config.base_url,
        base_path=base, home_url=url_path(base, ""), tags_url=url_path(base, "tags/"),
        archive_url=url_path(base, "archive/"), feed_url=feeds[0].url, atom_url=feeds[1].url,
        css_url=url_path(base, "static/style.css"), feeds=feeds, generator=f"digest {version}",
        editions_url=url_path(base, "editions/") if config.editions != "off" else None,
        search_url=url_path(base, "search/") if config.search else None,
    )


def fingerprint(article: Article, url: str) -> str:
    """Changes whenever anything about the article that a page can show changes: its
    digest covers its fields, but tags are respelled after reading and the URL is the
    site's."""
    tags = tuple((tag.name, tag.slug) for tag in article.tags)
    return hashlib.blake2b(repr((article.digest, tags, url)).encode("utf-8", "surrogatepass"),
                           digest_size=16).hexdigest()


def article_view(article: Article, url: str, site: SiteView, key: int) -> ArticleView:
    tags = tuple(Link(t.name, url_path(site.base_path, f"tags/{t.slug}/"), slug=t.slug)
                 for t in article.tags)
    return ArticleView(
        title=article.title, url=url, abs_url=site.abs(url), date=Moment.of(article.date),
        updated=Moment.of(article.updated) if article.updated else None, tags=tags,
        source=article.source, dateline=article.dateline, authors=article.authors,
        summary=article.summary, body_html=article.body_html, image=article.image,
        lang=article.lang, dir=text_direction(article.lang), id=article.id,
        source_path=article.source_path, key=key, fingerprint=fingerprint(article, url),
        extra=article.extra,
    )
