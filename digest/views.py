"""Ready-made view data for templates: URLs resolved, dates formatted, HTML marked safe.

Templates never see raw front matter; they get these objects.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Generic, TypeVar
from urllib.parse import quote, urljoin

from markupsafe import Markup

from digest.config import Config
from digest.models import Article, Source, quick_repr

MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December")
T = TypeVar("T")
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
    return _with_time(day_display(moment), moment)


def _with_time(day: str, moment: datetime) -> str:
    """date_display from the day as day_display gave it."""
    return f"{day}, {moment.hour:02d}:{moment.minute:02d}"


def day_display(moment: datetime) -> str:
    return f"{moment.day} {MONTHS[moment.month - 1]} {moment.year}"


def text_direction(lang: str | None) -> str:
    return "rtl" if lang and lang.split("-")[0].lower() in RTL_LANGUAGES else "ltr"


@quick_repr
@dataclass(frozen=True, slots=True)
class Link:
    """Something with a name and a URL: a tag, a source, a pagination target."""

    name: str
    url: str
    count: int = 0
    slug: str = ""


@quick_repr
@dataclass(frozen=True, slots=True)
class Moment:
    """A date for a <time> element: machine-readable and human forms."""

    iso: str
    display: str
    day: str

    @classmethod
    def of(cls, moment: datetime) -> Moment:
        day = day_display(moment)  # formatted once, for both forms
        return cls(moment.isoformat(), _with_time(day, moment), day)


class _FromArticle(Generic[T]):
    """A view field that is the article's own field of the same name."""

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    def __get__(self, view: ArticleView, owner: type | None = None) -> T:
        return getattr(view.article, self.name)  # type: ignore[no-any-return]


class ArticleView:
    """An article as templates see it: URLs resolved, dates formatted, HTML marked safe.

    A build plans every article but a rebuild renders few of them, so the formatted
    fields are made on first use and kept.
    """

    __slots__ = ("_made", "_site", "article", "fingerprint", "url")

    title: _FromArticle[str] = _FromArticle()
    source: _FromArticle[Source | None] = _FromArticle()
    dateline: _FromArticle[str | None] = _FromArticle()
    authors: _FromArticle[tuple[str, ...]] = _FromArticle()
    summary: _FromArticle[str] = _FromArticle()
    body_html: _FromArticle[str] = _FromArticle()  # the article's string: views add no copy
    image: _FromArticle[str | None] = _FromArticle()
    lang: _FromArticle[str | None] = _FromArticle()
    id: _FromArticle[str] = _FromArticle()
    source_path: _FromArticle[str] = _FromArticle()  # the article's file, for error messages
    extra: _FromArticle[dict[str, Any]] = _FromArticle()

    def __init__(self, article: Article, url: str, site: SiteView) -> None:
        self.article = article
        self.url = url
        self.fingerprint = fingerprint(article, url)  # changes whenever anything does
        self._site = site
        self._made: dict[str, Any] = {}

    def _make(self, name: str) -> Any:
        if name not in self._made:
            article = self.article
            if name == "date":
                value: Any = Moment.of(article.date)
            elif name == "updated":
                value = Moment.of(article.updated) if article.updated else None
            elif name == "tags":
                base = self._site.base_path
                value = tuple(Link(t.name, url_path(base, f"tags/{t.slug}/"), slug=t.slug)
                              for t in article.tags)
            else:
                value = self._site.abs(self.url)
            self._made[name] = value
        return self._made[name]

    @property
    def abs_url(self) -> str:
        return self._make("abs_url")  # type: ignore[no-any-return]

    @property
    def date(self) -> Moment:
        return self._make("date")  # type: ignore[no-any-return]

    @property
    def updated(self) -> Moment | None:
        return self._make("updated")  # type: ignore[no-any-return]

    @property
    def tags(self) -> tuple[Link, ...]:
        return self._make("tags")  # type: ignore[no-any-return]

    @property
    def dir(self) -> str:
        return text_direction(self.article.lang)

    @property
    def body(self) -> Markup:
        """The sanitized article HTML, for templates."""
        return Markup(self.article.body_html)


@quick_repr
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
    atom_url: str | None  # None when the config leaves Atom out (feeds.formats)
    css_url: str
    editions_url: str | None
    search_url: str | None
    feeds: tuple[FeedLink, ...]
    generator: str

    def abs(self, url: str) -> str:
        """An absolute URL for a root-relative one."""
        return self.base_url.rstrip("/") + url[len(self.base_path) - 1:]


@quick_repr
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


@dataclass(frozen=True, slots=True)
class ArticlePageMeta(PageMeta):
    """An article page's meta, made from the article alone (article_page_meta): an output
    key stands for it by the article's fingerprint, `of`, rather than by its fields."""

    of: str = field(kw_only=True, repr=False)


def article_page_meta(site: SiteView, view: ArticleView) -> ArticlePageMeta:
    article = view.article
    return ArticlePageMeta(article.title, view.url, view.abs_url, article.summary, site.feeds,
                           "article", article.lang, view.dir if article.lang else None,
                           urljoin(view.abs_url, article.image) if article.image else None,
                           of=view.fingerprint)


def site_view(config: Config, version: str) -> SiteView:
    base = config.base_path
    every = {"rss": FeedLink(f"{config.title} (RSS)", url_path(base, "feed.xml"),
                             "application/rss+xml"),
             "atom": FeedLink(f"{config.title} (Atom)", url_path(base, "atom.xml"),
                              "application/atom+xml"),
             "json": FeedLink(f"{config.title} (JSON Feed)", url_path(base, "feed.json"),
                              "application/feed+json")}
    feeds = tuple(link for kind, link in every.items() if kind in config.feeds.formats)
    return SiteView(
        title=config.title, description=config.description, language=config.language,
        dir=text_direction(config.language), author=config.author, base_url=config.base_url,
        base_path=base, home_url=url_path(base, ""), tags_url=url_path(base, "tags/"),
        archive_url=url_path(base, "archive/"), feed_url=every["rss"].url,
        atom_url=every["atom"].url if "atom" in config.feeds.formats else None,
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
